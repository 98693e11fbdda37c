"""`audit history`: the recorded runs, and a township's villages month by month.

Design decisions:

- Reads what the history store returns (`RunInfo`, `VillageMonth`, pure
  dataclasses in `audit.core.series`) and renders it; nothing is recomputed
  but the sparkline's scale.
- Per village, month by month: errors, warnings, the two quality scores
  (completeness 数据完整性, correctness 逻辑关系正确性) and the four numbers as
  their gaps (births not on the register, long-acting, short-acting and
  out-migrant gaps). The terminal adds a sparkline per column; XLSX draws
  native Excel charts (xlsxwriter) and HTML inline SVG — both offline, no
  script or font from the network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from io import BytesIO, StringIO

from audit.core.series import RunInfo, VillageMonth, sparkline
from audit.render.labels import lang_of

_T: dict[str, dict[str, str]] = {
    "runs_title": {"zh": "已记录的审核", "en": "Recorded audits"},
    "township": {"zh": "乡镇", "en": "Township"},
    "period": {"zh": "报告期", "en": "Period"},
    "recorded": {"zh": "记录时间", "en": "Recorded"},
    "version": {"zh": "版本", "en": "Version"},
    "errors": {"zh": "错误", "en": "Errors"},
    "warnings": {"zh": "警告", "en": "Warnings"},
    "new": {"zh": "新增", "en": "New"},
    "persisting": {"zh": "持续", "en": "Persisting"},
    "reopened": {"zh": "复发", "en": "Reopened"},
    "resolved": {"zh": "已整改", "en": "Resolved"},
    "superseded": {"zh": "已被重审取代", "en": "superseded"},
    "completeness": {"zh": "完整性", "en": "Complete"},
    "correctness": {"zh": "正确性", "en": "Correct"},
    "births_unregistered": {"zh": "出生漏登", "en": "Births unreg."},
    "long_acting_gap": {"zh": "长效差", "en": "Long-acting gap"},
    "short_acting_gap": {"zh": "短效差", "en": "Short-acting gap"},
    "out_migrants_gap": {"zh": "流出差", "en": "Out-migrant gap"},
    "trend": {"zh": "走势", "en": "trend"},
    "village": {"zh": "村", "en": "Village"},
    "township_total": {"zh": "全乡镇", "en": "Township"},
    "trend_title": {"zh": "{township} 各村逐月情况", "en": "{township}: villages month by month"},
    "chart_errors": {"zh": "各村错误数", "en": "Errors by village"},
    "chart_completeness": {"zh": "各村数据完整性", "en": "Completeness by village"},
    "chart_correctness": {"zh": "各村逻辑关系正确性", "en": "Correctness by village"},
    "none": {"zh": "尚无记录", "en": "no runs recorded"},
}

COLUMNS = (
    "errors",
    "warnings",
    "completeness",
    "correctness",
    "births_unregistered",
    "long_acting_gap",
    "short_acting_gap",
    "out_migrants_gap",
)
CHARTS = (
    ("chart_errors", "errors"),
    ("chart_completeness", "completeness"),
    ("chart_correctness", "correctness"),
)


def t(key: str, lang: str, **fields: object) -> str:
    text = _T[key][lang_of(lang)]
    return text.format(**fields) if fields else text


def _value(vm: VillageMonth, column: str) -> float | None:
    if column == "errors":
        return vm.errors
    if column == "warnings":
        return vm.warnings
    if column in ("completeness", "correctness"):
        return vm.figure(column)
    v = vm.four_numbers()[column]
    return None if v is None else float(v)


def _cell(column: str, value: float | None) -> str:
    if value is None:
        return "—"
    if column in ("completeness", "correctness"):
        return f"{value * 100:.1f}%"
    if column.endswith("_gap"):
        return f"{int(value):+d}" if value else "0"
    return f"{int(value):,}"


def _units(months: Sequence[VillageMonth]) -> list[tuple[str, list[VillageMonth]]]:
    by: dict[str, list[VillageMonth]] = {}
    for vm in months:
        by.setdefault(vm.unit, []).append(vm)
    return list(by.items())  # the store's order: villages in code order, then the township


def _unit_name(unit: str, months: list[VillageMonth], lang: str) -> str:
    if months and months[0].level == "township":
        return f"{t('township_total', lang)} {unit}"
    return f"{t('village', lang)} {unit}"


# --- runs -----------------------------------------------------------------------------------------


def render_runs(runs: Sequence[RunInfo], fmt: str, lang: str) -> str:
    if fmt == "json":
        return json.dumps(
            [
                {
                    "run_id": r.run_id,
                    "township_code": r.township_code,
                    "township_name": r.township_name,
                    "period": r.period,
                    "recorded_at": r.recorded_at.isoformat(timespec="seconds"),
                    "tool_version": r.tool_version,
                    "superseded_by": r.superseded_by,
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "new": r.new,
                    "persisting": r.persisting,
                    "reopened": r.reopened,
                    "resolved": r.resolved,
                }
                for r in runs
            ],
            ensure_ascii=False,
            indent=2,
        )
    from rich.console import Console
    from rich.table import Table

    out = StringIO()
    console = Console(file=out, width=140, no_color=True, highlight=False)
    table = Table(title=f"{t('runs_title', lang)} ({len(runs)})", title_justify="left")
    keys = ["township", "period", "recorded", "version", "errors", "warnings"]
    keys += ["new", "persisting", "reopened", "resolved"]
    for key in keys:
        numeric = key not in ("township", "period", "recorded", "version")
        table.add_column(t(key, lang), justify="right" if numeric else "left")
    for r in runs:
        name = f"{r.township_name or ''} {r.township_code}".strip()
        period = r.period + (f" ({t('superseded', lang)})" if r.superseded_by else "")
        table.add_row(
            name,
            period,
            r.recorded_at.strftime("%Y-%m-%d %H:%M"),
            r.tool_version,
            *(str(x) for x in (r.errors, r.warnings, r.new, r.persisting, r.reopened, r.resolved)),
        )
    console.print(table if runs else t("none", lang))
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


# --- one township month by month ------------------------------------------------------------------


def render_trend(township: str, months: Sequence[VillageMonth], fmt: str, lang: str) -> str | bytes:
    if fmt == "json":
        return json.dumps(
            {"township_code": township, "units": [vm.to_dict() for vm in months]},
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "xlsx":
        return _xlsx(township, months, lang)
    if fmt == "html":
        return _html(township, months, lang)
    return _terminal(township, months, lang)


def _terminal(township: str, months: Sequence[VillageMonth], lang: str) -> str:
    from rich.console import Console
    from rich.table import Table

    out = StringIO()
    console = Console(file=out, width=120, no_color=True, highlight=False)
    console.print(t("trend_title", lang, township=township))
    for unit, rows in _units(months):
        table = Table(title=_unit_name(unit, rows, lang), title_justify="left")
        table.add_column(t("period", lang))
        for c in COLUMNS:
            table.add_column(t(c, lang), justify="right")
        for vm in rows:
            table.add_row(vm.period, *(_cell(c, _value(vm, c)) for c in COLUMNS))
        table.add_section()
        table.add_row(
            t("trend", lang), *(sparkline([_value(vm, c) for vm in rows]) for c in COLUMNS)
        )
        console.print(table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _xlsx(township: str, months: Sequence[VillageMonth], lang: str) -> bytes:
    import xlsxwriter

    buf = BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    bold = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1})
    pct = wb.add_format({"num_format": "0.0%"})
    data = wb.add_worksheet(t("trend", lang))
    header = [t("village", lang), t("period", lang), *(t(c, lang) for c in COLUMNS)]
    data.write_row(0, 0, header, bold)
    for i, vm in enumerate(months, start=1):
        data.write(i, 0, vm.unit)
        data.write(i, 1, vm.period)
        for j, c in enumerate(COLUMNS, start=2):
            v = _value(vm, c)
            if v is not None:
                data.write_number(i, j, v, pct if c in ("completeness", "correctness") else None)
    data.set_column(0, 1, 14)
    data.set_column(2, len(header), 12)
    data.freeze_panes(1, 2)
    data.set_landscape()
    data.fit_to_pages(1, 0)
    # one chart a measure: a line per village over the periods (a pivot sheet feeds it)
    units = [(u, rows) for u, rows in _units(months) if rows and rows[0].level != "township"]
    periods = sorted({vm.period for vm in months})
    for key, column in CHARTS:
        pivot = wb.add_worksheet(t(key, lang)[:31])
        pivot.write(0, 0, t("period", lang), bold)
        for p_i, p in enumerate(periods, start=1):
            pivot.write(p_i, 0, p)
        for u_i, (unit, rows) in enumerate(units, start=1):
            pivot.write(0, u_i, unit, bold)
            by_period = {vm.period: _value(vm, column) for vm in rows}
            for p_i, p in enumerate(periods, start=1):
                v = by_period.get(p)
                if v is not None:
                    pivot.write_number(p_i, u_i, v)
        chart = wb.add_chart({"type": "line"})
        for u_i, (unit, _) in enumerate(units, start=1):
            chart.add_series(
                {
                    "name": unit,
                    "categories": [pivot.name, 1, 0, len(periods), 0],
                    "values": [pivot.name, 1, u_i, len(periods), u_i],
                    "marker": {"type": "circle"},
                }
            )
        chart.set_title({"name": t(key, lang)})
        chart.set_x_axis({"name": t("period", lang)})
        if column != "errors":
            chart.set_y_axis({"num_format": "0%"})
        chart.set_size({"width": 720, "height": 360})
        pivot.set_column(0, len(units), 14)
        pivot.insert_chart(len(periods) + 2, 0, chart)  # below its figures: one printed page
        pivot.set_landscape()
        pivot.fit_to_pages(1, 1)
    wb.close()
    return buf.getvalue()


def _svg_lines(series: list[tuple[str, list[float | None]]], periods: list[str], pct: bool) -> str:
    width, height, left, bottom, top = 640, 240, 48, 28, 12
    values = [v for _, vs in series for v in vs if v is not None]
    if pct:  # scores sit near 100 %: the axis starts just below the lowest
        lo, hi = max(0.0, min([1.0, *values]) - 0.02), 1.0
    else:
        lo = min(0.0, *values)
        hi = max(lo + 1, *values)
    plot_w = width - left - 110
    plot_h = height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(periods) - 1, 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    colors = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#999"/>',
    ]
    for i, p in enumerate(periods):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">{escape(p)}</text>'
        )
    for tick in (lo, hi):
        label = f"{tick * 100:.0f}%" if pct else f"{tick:g}"
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{label}</text>')
    for k, (name, vs) in enumerate(series):
        color = colors[k % len(colors)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(vs):
            if v is not None:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>')
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{top + 14 * (k + 1)}" style="fill:{color}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html(township: str, months: Sequence[VillageMonth], lang: str) -> str:
    title = t("trend_title", lang, township=township)
    units = _units(months)
    periods = sorted({vm.period for vm in months})
    villages = [(u, rows) for u, rows in units if rows and rows[0].level != "township"]
    charts = []
    for key, column in CHARTS:
        series = []
        for unit, rows in villages:
            by = {vm.period: _value(vm, column) for vm in rows}
            series.append((unit, [by.get(p) for p in periods]))
        charts.append(
            f"<figure><figcaption>{escape(t(key, lang))}</figcaption>"
            f"{_svg_lines(series, periods, column != 'errors')}</figure>"
        )
    tables = []
    for unit, rows in units:
        head = "".join(f"<th>{escape(t(c, lang))}</th>" for c in ("period", *COLUMNS))
        body = "".join(
            "<tr><td>"
            + escape(vm.period)
            + "</td>"
            + "".join(f"<td>{escape(_cell(c, _value(vm, c)))}</td>" for c in COLUMNS)
            + "</tr>"
            for vm in rows
        )
        spark = "".join(
            f"<td>{escape(sparkline([_value(vm, c) for vm in rows]))}</td>" for c in COLUMNS
        )
        tables.append(
            f"<h2>{escape(_unit_name(unit, rows, lang))}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}<tr class='spark'><td>{escape(t('trend', lang))}</td>{spark}</tr>"
            "</tbody></table>"
        )
    css = (
        "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:24px;color:#1b1b1b}"
        "table{border-collapse:collapse;margin:6px 0 18px}th,td{padding:3px 8px;"
        "border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child"
        "{text-align:left}th{background:#e8eef4}tr.spark td{font-size:1.2em}"
        "svg text{font-size:11px;fill:#1b1b1b}figure{margin:8px 0}"
        "figcaption{font-weight:bold}"
    )
    html_lang = "zh-CN" if lang_of(lang) == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{css}</style></head><body>"
        f"<h1>{escape(title)}</h1>{''.join(charts)}{''.join(tables)}</body></html>\n"
    )
