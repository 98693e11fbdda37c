"""The HTML report: one self-contained file to open, mail or print on A4.

Design decisions:

- Self-contained: inline CSS and inline SVG charts, no script, no font, no
  image or stylesheet from anywhere. It opens the same on an office PC with
  no internet as in a CI artifact viewer, and cannot log console errors.
- Printable: `@page { size: A4 }`, tables that repeat their header on each
  page and keep rows whole, sections that do not start at a page foot.
- Everything from the submission or the report is escaped (text and
  attribute values), so a record such as `<script>` is shown, not run.
- Two charts drawn from the report's figures: findings per village (stacked
  bars by severity), and a sex-ratio funnel (each village's ratio against its
  number of births, inside the 95 % limits around 105 from
  `audit.core.overview.sex_ratio_funnel`).
- The same sections as the terminal report; the first `limit` records of each
  village/category group.
"""

from __future__ import annotations

import math
from html import escape

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport, Finding, Severity
from audit.core.overview import (
    MIN_MATCHED,
    SEX_RATIO_REFERENCE,
    TOWNSHIP,
    Overview,
    Rate,
    sex_ratio_funnel,
)
from audit.render import lifecycle as cycle
from audit.render.labels import (
    FindingGroup,
    Names,
    category_name,
    check_title,
    check_titles,
    checks_line,
    colon,
    files_read,
    files_summary,
    finding_unit,
    fmt_gap,
    fmt_int,
    fmt_pct,
    fmt_rate,
    fmt_ratio,
    fmt_sex_ratio,
    group_findings,
    label,
    lang_of,
    semicolon,
    severity_name,
    skipped_rules,
    township_title,
    unit_name,
    verdict,
    where_text,
    window_text,
)

SEVERITY_COLOURS = {
    Severity.ERROR: "#c00000",
    Severity.WARNING: "#d99000",
    Severity.INFO: "#2f7fc1",
}

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
    "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
  font-size: 10pt; line-height: 1.4; color: #1b1b1b; margin: 0 auto; max-width: 186mm;
  padding: 8mm 0;
}
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12.5pt; margin: 16pt 0 5pt; border-bottom: 1.5pt solid #1f4e79; color: #1f4e79;
  break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
h4 { font-size: 10pt; margin: 8pt 0 3pt; color: #444; break-after: avoid; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
.files { color: #555; font-size: 8.5pt; }
.verdict { margin: 10pt 0; padding: 6pt 10pt; border-radius: 3pt; border: 1pt solid; }
.verdict.fail { background: #fde8e8; border-color: #c00000; }
.verdict.pass { background: #e6f4ea; border-color: #00803c; }
.verdict .word { font-size: 15pt; font-weight: bold; margin-right: 10pt; }
.verdict.fail .word { color: #c00000; } .verdict.pass .word { color: #00803c; }
.verdict .gate { color: #555; font-size: 9pt; }
.verdict .skipped { font-size: 9pt; margin-top: 4pt; color: #7a4d00; }
.verdict .skipped ul { margin: 2pt 0 0 0; padding-left: 14pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt;
  font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { padding: 2pt 4pt; border-bottom: 0.5pt solid #cfd6de; vertical-align: top; }
th { background: #e8eef4; text-align: center; font-weight: bold; }
th.group { border-left: 1pt solid #9fb2c6; }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
td.first { border-left: 1pt solid #9fb2c6; }
td.gap { background: #ffc7ce; color: #9c0006; font-weight: bold; }
tr.total td { font-weight: bold; border-top: 1.2pt solid #1b1b1b; }
td.sev-error { color: #c00000; font-weight: bold; white-space: nowrap; }
td.sev-warning { color: #a86c00; font-weight: bold; white-space: nowrap; }
td.sev-info { color: #2f7fc1; white-space: nowrap; }
td.code, code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt;
  overflow-wrap: anywhere; }
table.findings { table-layout: fixed; }
table.findings col.sev { width: 9%; } table.findings col.check { width: 22%; }
table.findings col.record { width: 21%; }
p.note { color: #555; font-size: 8pt; margin: 3pt 0 0; }
p.more { color: #555; font-style: italic; margin: 2pt 0; }
.estimate { font-size: 11pt; font-weight: bold; }
figure { margin: 8pt 0; break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 3pt; }
svg { max-width: 100%; height: auto; font-family: inherit; }
svg text { font-size: 10px; fill: #1b1b1b; }
footer { margin-top: 18pt; color: #777; font-size: 8pt; }
.since { font-size: 1.05em; margin: .6em 0; }
.status { font-size: .85em; padding: 0 .3em; border-radius: 3px; background: #eef; }
.status-new, .status-reopened { background: #fde2e1; color: #9c0006; font-weight: bold; }
.status-accepted { background: #e2f0d9; color: #375623; }
svg text.outside { fill: #c00000; font-weight: bold; }
/* Narrow screens: a wide table scrolls inside its box instead of running off the page. */
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
@media screen and (max-width: 700px) {
  body { padding: 8px; }
  table.wide { min-width: 640px; }
  table.findings { min-width: 560px; }
  dl.meta { grid-template-columns: 1fr; }
}
@media print { .scroll { overflow: visible; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    lang = report.lang
    names = report.village_names()
    title = f"{label('title', lang)} — {township_title(report, lang)} — {report.period}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang_of(lang) == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        _header(report, lang),
        _since_last_month(report, lang),
        _verdict(report, fail_on, lang),
    ]
    ov: Overview | None = report.overview
    if ov is None:
        parts.append(f'<p class="note">{_e(label("overview_missing", lang))}</p>')
    else:
        parts += [
            _four_numbers(ov, lang, names),
            _indicators(ov, lang, names),
            _quality(ov, lang, names),
            _capture_recapture(ov, lang),
        ]
    parts.append(_charts(report, ov, lang))
    parts.append(_findings(report, lang, max(limit, 0)))
    parts.append(_resolved(report, lang, max(limit, 0)))
    parts += [f"<footer>{_e(label('generated_by', lang))}</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _header(report: AuditReport, lang: str) -> str:
    rows = [
        (label("period", lang), report.period),
        (label("window", lang), window_text(report, lang)),
    ]
    if report.meta.get("submission"):
        rows.append((label("submission", lang), report.meta["submission"]))
    rows.append((label("files", lang), files_summary(report, lang)))
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    files = " · ".join(files_read(report, lang))
    return (
        f"<header><h1>{_e(label('title', lang))} — {_e(township_title(report, lang))}</h1>"
        f'<dl class="meta">{meta}<dt></dt><dd class="files">{_e(files)}</dd></dl></header>'
    )


def _verdict(report: AuditReport, fail_on: FailOn | str, lang: str) -> str:
    v = verdict(report, fail_on)
    cls = "fail" if v.failed else "pass"
    gate = v.gate_text(lang) + semicolon(lang)
    gate += checks_line(report, fail_on, lang)
    return (
        f'<section class="verdict {cls}" id="verdict">'
        f"<span>{_e(label('verdict', lang))}{_e(colon(lang))}</span>"
        f'<span class="word">{_e(v.word(lang))}</span>'
        f"<span>{_e(v.counts(lang))}</span>"
        f'<div class="gate">{_e(gate)}</div>{_skipped(report, lang)}</section>'
    )


def _skipped(report: AuditReport, lang: str) -> str:
    skipped = skipped_rules(report)
    if not skipped:
        return ""
    items = "".join(
        f"<li><code>{_e(name)}</code> {_e(title)}{_e(colon(lang))}{_e(reason)}</li>"
        for name, title, reason in skipped
    )
    return (
        f'<div class="skipped"><strong>{_e(label("skipped_rules", lang))}</strong>'
        f"<ul>{items}</ul></div>"
    )


def _num(value: str, *, gap: bool = False, first: bool = False) -> str:
    cls = ["num"]
    if gap:
        cls.append("gap")
    if first:
        cls.append("first")
    return f'<td class="{" ".join(cls)}">{_e(value)}</td>'


def _unit_cell(level: str, unit: str | None, lang: str, names: Names) -> str:
    return f"<td>{_e(unit_name(level, unit, lang, names))}</td>"


def _row(level: str, cells: str) -> str:
    cls = ' class="total"' if level == TOWNSHIP else ""
    return f"<tr{cls}>{cells}</tr>"


def _four_numbers(ov: Overview, lang: str, names: Names) -> str:
    groups = [
        ("births", ["statistics", "technical", "floating", "unregistered"]),
        ("long_acting", ["statistics", "technical", "gap"]),
        ("short_acting", ["statistics", "supply", "gap"]),
        ("out_migrants", ["statistics", "floating", "gap"]),
    ]
    head1 = f'<th rowspan="2">{_e(label("village", lang))}</th>' + "".join(
        f'<th class="group" colspan="{len(subs)}">{_e(label(g, lang))}</th>' for g, subs in groups
    )
    head2 = "".join(
        f'<th class="num{" group" if i == 0 else ""}">{_e(label(s, lang))}</th>'
        for _, subs in groups
        for i, s in enumerate(subs)
    )
    body = []
    for r in ov.four_numbers:
        cells = _unit_cell(r.level, r.unit, lang, names)
        cells += _num(fmt_int(r.births_statistics), first=True)
        cells += _num(fmt_int(r.births_technical))
        cells += _num(fmt_int(r.births_floating))
        cells += _num(fmt_int(r.births_unregistered), gap=r.births_unregistered != 0)
        cells += _num(fmt_int(r.long_acting_statistics), first=True)
        cells += _num(fmt_int(r.long_acting_technical))
        cells += _num(fmt_gap(r.long_acting_gap), gap=r.long_acting_gap != 0)
        cells += _num(fmt_int(r.short_acting_statistics), first=True)
        cells += _num(fmt_int(r.short_acting_supply))
        cells += _num(fmt_gap(r.short_acting_gap), gap=r.short_acting_gap != 0)
        cells += _num(fmt_int(r.out_migrants_statistics), first=True)
        cells += _num(fmt_int(r.out_migrants_floating))
        cells += _num(fmt_gap(r.out_migrants_gap), gap=r.out_migrants_gap != 0)
        body.append(_row(r.level, cells))
    return (
        f'<section id="four-numbers"><h2>{_e(label("four_numbers", lang))}</h2>'
        f'<div class="scroll"><table class="wide"><thead><tr>{head1}</tr><tr>{head2}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="note">{_e(label("four_numbers_note", lang))}</p></section>'
    )


def _rate_cell(rate: Rate, digits: int = 1) -> str:
    if rate.value is None:
        return _num(fmt_rate(rate))
    return (
        f'<td class="num">{_e(fmt_rate(rate, digits))}'
        f"<br><small>{rate.numerator:,}/{rate.denominator:,}</small></td>"
    )


def _indicators(ov: Overview, lang: str, names: Names) -> str:
    keys = (
        "policy_compliance",
        "contraceptive_prevalence",
        "sex_ratio_interval",
        "certificate_rate",
        "feedback_rate",
        "timely_reporting",
    )
    head = f"<th>{_e(label('village', lang))}</th>" + "".join(
        f'<th class="num">{_e(label(k, lang))}</th>' for k in keys
    )
    body = []
    for r in ov.indicators:
        sr = r.sex_ratio
        boys_girls = (
            f"{label('males', lang)} {sr.males:,} · {label('females', lang)} {sr.females:,}"
        )
        sex = (
            f'<td class="num">{_e(fmt_sex_ratio(sr))}<br><small>{_e(boys_girls)}</small></td>'
            if sr.births
            else _num(fmt_sex_ratio(sr))
        )
        cells = (
            _unit_cell(r.level, r.unit, lang, names)
            + _rate_cell(r.policy_compliance)
            + _rate_cell(r.contraceptive_prevalence)
            + sex
            + _rate_cell(r.certificate_rate)
            + _rate_cell(r.feedback_rate)
            + _rate_cell(r.timely_reporting)
        )
        body.append(_row(r.level, cells))
    return (
        f'<section id="indicators"><h2>{_e(label("indicators", lang))}</h2>'
        f'<div class="scroll"><table class="wide"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="note">{_e(label("indicators_note", lang))}</p></section>'
    )


def _quality(ov: Overview, lang: str, names: Names) -> str:
    head = "".join(
        f"<th{'' if i == 0 else ' class=num'}>{_e(label(k, lang))}</th>"
        for i, k in enumerate(("village", "completeness", "correctness"))
    )
    body = [
        _row(
            r.level,
            _unit_cell(r.level, r.unit, lang, names)
            + _rate_cell(r.completeness, 2)
            + _rate_cell(r.correctness, 2),
        )
        for r in ov.quality
    ]
    return (
        f'<section id="quality"><h2>{_e(label("quality", lang))}</h2>'
        f'<div class="scroll"><table class="wide"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="note">{_e(label("quality_note", lang))}</p></section>'
    )


def _capture_recapture(ov: Overview, lang: str) -> str:
    cr = ov.capture_recapture
    c = colon(lang)
    items = "".join(
        f"<li>{_e(k)}{_e(c)}{_e(fmt_int(v))}</li>"
        for k, v in (
            (label("list_a", lang), cr.n1),
            (label("list_b", lang), cr.n2),
            (label("matched", lang), cr.m),
        )
    )
    if cr.too_small:
        line = label("too_small", lang, min=MIN_MATCHED)
    else:
        line = label(
            "estimate_line",
            lang,
            estimate=fmt_ratio(cr.estimate),
            low=fmt_ratio(cr.low),
            high=fmt_ratio(cr.high),
            rate=fmt_pct(cr.under_reporting),
            rate_low=fmt_pct(cr.under_reporting_low),
            rate_high=fmt_pct(cr.under_reporting_high),
        )
    return (
        f'<section id="capture-recapture"><h2>{_e(label("capture_recapture", lang))}</h2>'
        f'<ul>{items}</ul><p class="estimate">{_e(line)}</p>'
        f'<p class="note">{_e(label("crr_note", lang))}</p></section>'
    )


# --- charts ----------------------------------------------------------------------------------


def _charts(report: AuditReport, ov: Overview | None, lang: str) -> str:
    figures = [_bars(report, ov, lang)]
    if ov is not None:
        figures.append(_funnel(ov, lang, report.village_names()))
    return f'<section id="charts">{"".join(figures)}</section>'


def _bars(report: AuditReport, ov: Overview | None, lang: str) -> str:
    """Findings per village, stacked by severity."""
    groups = {g.village_code: g for g in group_findings(report)}
    units: list[str | None] = list(groups)
    if ov is not None:
        units += [r.unit for r in ov.four_numbers if r.level != TOWNSHIP and r.unit not in groups]

    def order(u: str | None) -> tuple[int, str]:
        return (2, "") if u is None else (0 if u == report.township_code else 1, u)

    units = sorted(set(units), key=order)
    caption = _e(label("findings_by_village", lang))
    if not units:
        return _figure(caption, f"<p>{_e(label('no_findings', lang))}</p>")
    label_w, bar_w, row_h, top = 150, 470, 20, 24
    width = label_w + bar_w + 60
    height = top + row_h * len(units) + 8
    most = max((len(g.findings) for g in groups.values()), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{caption}">'
    ]
    x = label_w
    for sev in Severity:  # legend
        out.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{SEVERITY_COLOURS[sev]}"/>'
            f'<text x="{x + 14}" y="13">{_e(severity_name(sev, lang))}</text>'
        )
        x += 80
    for i, unit in enumerate(units):
        y = top + i * row_h
        name = finding_unit(unit, report.township_code, lang, report.village_names())
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_e(name)}</text>')
        group: FindingGroup | None = groups.get(unit)
        x0 = float(label_w)
        total = 0
        for sev in Severity:
            n = group.count(sev) if group else 0
            total += n
            if n:
                w = bar_w * n / most
                out.append(
                    f'<rect x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                    f'fill="{SEVERITY_COLOURS[sev]}"><title>{_e(name)}: '
                    f"{_e(severity_name(sev, lang))} {n}</title></rect>"
                )
                x0 += w
        out.append(f'<text x="{x0 + 5:.1f}" y="{y + 13}">{total:,}</text>')
    out.append("</svg>")
    return f"<figure><figcaption>{caption}</figcaption>{''.join(out)}</figure>"


FUNNEL_MIN_BIRTHS = 5  # fewer births in W: "too few to judge", not a point on the chart
_Y_TICKS = (10, 20, 25, 50, 75, 100, 105, 150, 200, 300, 400, 600, 800, 1000, 2000, 5000, 10000)


def _funnel(ov: Overview, lang: str, names: Names) -> str:
    """Each village's sex ratio at birth against its births, in the 95 % funnel around 105.

    The ratio axis is logarithmic (a ratio: 50 and 200 lie equally far from 100) and scaled
    to the data, so every village sits where its ratio is; a ratio of 0 (no boys) or ∞ (no
    girls) is drawn as a triangle on the frame and labelled. Only villages outside the
    limits are labelled on the chart (all have a tooltip), so 40 villages stay readable;
    villages with fewer than FUNNEL_MIN_BIRTHS births are listed as too few to judge.
    """
    caption = _e(label("sex_ratio_funnel", lang))
    villages = [r for r in ov.indicators if r.level != TOWNSHIP and r.sex_ratio.births > 0]
    points = [r for r in villages if r.sex_ratio.births >= FUNNEL_MIN_BIRTHS]
    few = [r for r in villages if r.sex_ratio.births < FUNNEL_MIN_BIRTHS]
    few_note = ""
    if few:
        listed = "、".join(
            f"{unit_name(r.level, r.unit, lang, names)}（{r.sex_ratio.births}）" for r in few
        )
        if lang_of(lang) == "en":
            listed = ", ".join(
                f"{unit_name(r.level, r.unit, lang, names)} ({r.sex_ratio.births})" for r in few
            )
        few_note = (
            f'<p class="note">{_e(label("funnel_too_few", lang, min=FUNNEL_MIN_BIRTHS))}'
            f"{_e(colon(lang))}{_e(listed)}</p>"
        )
    if not points:
        empty = "funnel_empty" if not villages else "funnel_none_enough"
        return _figure(caption, f"<p>{_e(label(empty, lang, min=FUNNEL_MIN_BIRTHS))}</p>{few_note}")
    width, height = 640, 360
    left, right, top, bottom = 56, 24, 16, 42
    pw, ph = width - left - right, height - top - bottom
    n_max = max(r.sex_ratio.births for r in points)
    n_min = min(r.sex_ratio.births for r in points)
    x_max = _nice_ceiling(max(20, n_max * 1.1))
    finite = [
        r.sex_ratio.ratio
        for r in points
        if r.sex_ratio.ratio is not None
        and r.sex_ratio.ratio > 0
        and not math.isinf(r.sex_ratio.ratio)
    ]
    limits_at_min = sex_ratio_funnel(n_min)
    lo_data = min([*finite, 80.0])
    hi_data = max([*finite, 140.0])
    if limits_at_min is not None:  # the funnel's mouth at the smallest village shown
        lo_data = min(lo_data, max(limits_at_min[0], 10.0))
        hi_data = max(hi_data, min(limits_at_min[1], 10000.0))
    y_min = max(5.0, lo_data / 1.25)
    y_max = min(20000.0, hi_data * 1.25)
    ly_min, ly_max = math.log(y_min), math.log(y_max)

    def sx(n: float) -> float:
        return left + pw * n / x_max

    def sy(ratio: float) -> float:
        r = min(max(ratio, y_min), y_max)
        return top + ph * (ly_max - math.log(r)) / (ly_max - ly_min)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{caption}">',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafbfc" stroke="#9fb2c6"/>',
    ]
    # (ticks next to the reference line would print on top of its label)
    ticks = [
        t for t in _Y_TICKS if y_min <= t <= y_max and abs(math.log(t / SEX_RATIO_REFERENCE)) > 0.12
    ]
    if len(ticks) > 8:
        ticks = ticks[::2]
    for tick in ticks:  # y grid
        y = sy(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end">{tick:,}</text>'
        )
    divisions = _divisions(x_max)
    for k in range(divisions + 1):  # x ticks
        n = x_max * k / divisions
        x = sx(n)
        out.append(
            f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="#555"/>'
            f'<text x="{x:.1f}" y="{top + ph + 15}" text-anchor="middle">{n:,.0f}</text>'
        )
    lows, highs = [], []
    steps = 160
    for k in range(steps + 1):
        n = max(float(FUNNEL_MIN_BIRTHS), x_max * k / steps)
        limits = sex_ratio_funnel(math.ceil(n))
        if limits is None:
            continue
        if limits[0] > 0:
            lows.append(f"{sx(n):.1f},{sy(limits[0]):.1f}")
        if not math.isinf(limits[1]):
            highs.append(f"{sx(n):.1f},{sy(limits[1]):.1f}")
    for line in (lows, highs):
        out.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f4e79" '
            f'stroke-width="1.2" stroke-dasharray="5 3"/>'
        )
    y_ref = sy(SEX_RATIO_REFERENCE)
    out.append(
        f'<line x1="{left}" y1="{y_ref:.1f}" x2="{left + pw}" y2="{y_ref:.1f}" '
        f'stroke="#1f4e79" stroke-width="1"/>'
        f'<text x="{left - 6}" y="{y_ref + 3:.1f}" text-anchor="end" font-weight="bold">'
        f"{SEX_RATIO_REFERENCE:.0f}</text>"
    )
    for r in sorted(points, key=lambda r: r.sex_ratio.births):
        sr = r.sex_ratio
        limits = sex_ratio_funnel(sr.births)
        ratio = math.inf if sr.ratio is None else sr.ratio
        outside = limits is not None and not (limits[0] <= ratio <= limits[1])
        x = sx(sr.births)
        colour = "#c00000" if outside else "#2f7fc1"
        name = unit_name(r.level, r.unit, lang, names)
        tip = f"{name}: {fmt_sex_ratio(sr)}, {label('funnel_x', lang)} {sr.births:,}"
        clipped = ratio <= y_min or ratio >= y_max
        if clipped:  # 0 or ∞ (or beyond the axis): a triangle on the frame, with its value
            above = ratio >= y_max
            y = float(top if above else top + ph)
            d = 7 if above else -7
            out.append(
                f'<path d="M{x:.1f},{y:.1f} l-5,{d} l10,0 z" fill="{colour}" class="clipped">'
                f"<title>{_e(tip)}</title></path>"
                f'<text x="{x + 7:.1f}" y="{y + (d + 4 if above else d - 1):.1f}">'
                f"{_e(fmt_ratio(sr.ratio, unbounded=True))}</text>"
            )
            y_label = y + (d + 14 if above else d - 12)
        else:
            y = sy(ratio)
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" fill-opacity="0.85">'
                f"<title>{_e(tip)}</title></circle>"
            )
            y_label = y - 6
        if outside:  # named; towards the right edge the name runs leftwards, inside the frame
            anchor, tx = ("end", x - 6) if x > left + pw * 0.6 else ("start", x + 6)
            out.append(
                f'<text x="{tx:.1f}" y="{y_label:.1f}" text-anchor="{anchor}" class="outside">'
                f"{_e(name)}</text>"
            )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        f"{_e(label('funnel_x', lang))}</text>"
        f'<text x="12" y="{top + ph / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + ph / 2:.1f})">{_e(label("funnel_y", lang))}</text>'
    )
    out.append("</svg>")
    legend = f'<p class="note">{_e(label("funnel_note", lang))}</p>'
    return f"<figure><figcaption>{caption}</figcaption>{''.join(out)}{legend}{few_note}</figure>"


def _figure(caption: str, body: str) -> str:
    return f"<figure><figcaption>{caption}</figcaption>{body}</figure>"


_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _nice_ceiling(x: float) -> float:
    """The axis end: the next 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k at or above x."""
    magnitude = 10 ** math.floor(math.log10(x))
    return next(m * magnitude for m in _NICE if m * magnitude >= x)


def _divisions(end: float) -> int:
    """How many ticks divide [0, end] into round steps (1, 2, 2.5, 3 or 5 × 10^k)."""
    for n in (5, 4, 6, 3):
        step = end / n
        mantissa = step / 10 ** math.floor(math.log10(step))
        if any(math.isclose(mantissa, m) for m in (1.0, 2.0, 2.5, 3.0, 5.0)):
            return n
    return 5


# --- findings --------------------------------------------------------------------------------


_FINDING_COLS = '<colgroup><col class="sev"><col class="check"><col class="record"><col></colgroup>'


def _since_last_month(report: AuditReport, lang: str) -> str:
    since = cycle.since_line(report, lang)
    notes = cycle.acceptance_notes(report, lang)
    if since is None and not notes:
        return ""
    out = f'<p class="since"><strong>{_e(since)}</strong></p>' if since is not None else ""
    if notes:
        out += '<ul class="note">' + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
    return out


def _status_badge(report: AuditReport, f: Finding, lang: str) -> str:
    text = cycle.full_status(report, f, lang)
    if not text:
        return ""
    status = cycle.status_of(report, f)
    kind = "accepted" if cycle.acceptance_of(report, f) else (status.value if status else "")
    return f'<br><span class="status status-{kind}">{_e(text)}</span>'


def _resolved(report: AuditReport, lang: str, limit: int) -> str:
    h = report.history
    if h is None or not h.resolved:
        return ""
    head = "".join(
        f"<th>{_e(label(k, lang))}</th>" for k in ("severity", "check", "record", "message")
    )
    rows = "".join(
        f'<tr><td class="sev-{f.severity.value}">{_e(severity_name(f.severity, lang))}'
        f'</td><td class="code">{_e(f.check)}</td>'
        f'<td class="code">{_e(where_text(f, report, lang))}</td>'
        f"<td>{_e(f.message)}</td></tr>"
        for f in h.resolved[:limit]
    )
    more = ""
    if len(h.resolved) > limit:
        more = f'<p class="more">{_e(label("more", lang, n=fmt_int(len(h.resolved) - limit)))}</p>'
    title = cycle.word("resolved_title", lang)
    return (
        f'<section id="resolved"><h2>{_e(title)} ({len(h.resolved):,})</h2>'
        f'<table class="findings">{_FINDING_COLS}<thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>{more}</section>"
    )


def _findings(report: AuditReport, lang: str, limit: int) -> str:
    parts = [
        f'<section id="findings"><h2>{_e(label("findings", lang))} ({len(report.findings):,})</h2>'
    ]
    if not report.findings:
        parts.append(f"<p>{_e(label('no_findings', lang))}</p>")
    head = "".join(
        f"<th>{_e(label(k, lang))}</th>" for k in ("severity", "check", "record", "message")
    )
    titles = check_titles(report)
    for group in group_findings(report):
        counts = label(
            "counts",
            lang,
            errors=group.count(Severity.ERROR),
            warnings=group.count(Severity.WARNING),
            info=group.count(Severity.INFO),
        )
        unit = finding_unit(group.village_code, report.township_code, lang, report.village_names())
        parts.append(
            f'<h3 class="village">{_e(label("findings_of", lang, unit=unit, counts=counts))}</h3>'
        )
        for category, found in group.by_category:
            parts.append(f"<h4>{_e(category_name(category, lang))} ({len(found):,})</h4>")
            rows = "".join(
                f'<tr><td class="sev-{f.severity.value}">{_e(severity_name(f.severity, lang))}'
                f"</td><td><code>{_e(f.check)}</code> "
                f"{_e(check_title(f.check, f.table, titles))}</td>"
                f'<td class="code">{_e(where_text(f, report, lang))}</td>'
                f"<td>{_e(f.message)}{_status_badge(report, f, lang)}</td></tr>"
                for f in cycle.ordered(report, found)[:limit]
            )
            if rows:
                parts.append(
                    f'<div class="scroll"><table class="findings">{_FINDING_COLS}<thead>'
                    f"<tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
                )
            if len(found) > limit:
                more = label("more", lang, n=fmt_int(len(found) - limit))
                parts.append(f'<p class="more">{_e(more)}</p>')
    parts.append("</section>")
    return "".join(parts)
