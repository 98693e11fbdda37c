"""The XLSX workbook: the audit as sheets a township office can sort, filter and hand out.

Design decisions:

- Sheets: a summary, the four numbers, the indicators, the data-quality
  scores, the checks, then one sheet per village with all of that village's
  findings (the village's to-do list; `limit` does not cut it). Villages come
  from the overview and the findings, so a clean village gets its sheet too.
- Headers in the report's language; every sheet has its header row frozen,
  an autofilter on findings, and columns sized to their content (CJK
  characters count double, long messages wrap with row heights set).
- Every sheet prints (audit.render.printsetup): A4 at one page's width,
  landscape when wide, the header row on every page, township, period and
  sheet in the page header, "page x of y" in the footer; footnotes are merged
  across the table so they wrap instead of running off the page.
- Values from the submission are written with `write_string`, never
  `write()`: a record or message starting with =, +, - or @ stays text, so a
  crafted ID can never become a formula (CSV/formula injection). Numbers are
  written as numbers with a number format, so rates can be summed and sorted.
- Deterministic bytes: the document's created date is the period end and
  xlsxwriter stamps zip members with a fixed date, so the same audit gives
  the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport, Category, Finding
from audit.core.outcomes import Status, outcomes
from audit.core.overview import MIN_MATCHED, TOWNSHIP, Overview, Rate
from audit.render import lifecycle as cycle
from audit.render.labels import (
    SHEET_NAME_MAX,
    Names,
    category_name,
    check_text,
    check_titles,
    checks_line,
    colon,
    files_summary,
    finding_unit,
    group_findings,
    label,
    lang_of,
    ledger_name,
    record_text,
    severity_name,
    sheet_safe,
    suite_name,
    table_name,
    township_title,
    unit_name,
    verdict,
    village_label,
    window_text,
)
from audit.render.printsetup import Page, display_width, setup, wrapped_height

MAX_WIDTH = 60
MESSAGE_WIDTH = 56
HEADER_WIDTH = 14  # a header longer than this wraps instead of widening its column
_WRAPPING = ("wrap", "header", "note", "bold_wrap")


Cells = Sequence[tuple[Any, str | None]]  # a row of a long table: (value, format) per column


class _Sheet:
    """A worksheet that writes only through typed calls, sizes its columns and rows, and
    prints (audit.render.printsetup) at the width of one A4 page.

    The workbook keeps only the row being written (xlsxwriter's constant_memory), so rows
    are written in order, each after its height: at `finish`, once the columns are sized.
    Until then a sheet keeps its cells, except a long table (a village's findings), which
    is given as a function making its rows: called once to size the columns and once to
    write them, so its cells are never all in memory.
    """

    def __init__(self, ws: Worksheet, formats: dict[str, Format], page: Page, title: str) -> None:
        self.ws = ws
        self.f = formats
        self.page = page
        self.title = title
        self.widths: dict[int, int] = {}
        self.caps: dict[int, int] = {}
        self.sized: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, int, str]] = []  # row, first col, last col, text
        self.header_row: int | None = None
        self.cells: dict[int, list[tuple[int, Any, str | None]]] = {}  # row -> kept cells
        self.notes: dict[int, tuple[int, str]] = {}  # row -> (last col, text)
        self.long: tuple[int, Callable[[], Iterable[Cells]]] | None = None

    def _measure(self, col: int, value: Any, fmt: str | None) -> str:
        shown = _shown(value)
        width = display_width(shown)
        if fmt == "header":
            width = min(width, HEADER_WIDTH)
        self.widths[col] = max(self.widths.get(col, 0), width)
        return shown

    def cell(self, row: int, col: int, value: Any, fmt: str | None = None) -> None:
        shown = self._measure(col, value, fmt)
        if fmt in _WRAPPING:
            self.wrapped.append((row, col, col, shown))
        self.cells.setdefault(row, []).append((col, value, fmt))

    def table(self, first_row: int, rows: Callable[[], Iterable[Cells]]) -> None:
        """A long table from `first_row` down; `rows()` makes its rows, and is called twice:
        here to size the columns, at `finish` to write them."""
        for cells in rows():
            for col, (value, fmt) in enumerate(cells):
                self._measure(col, value, fmt)
        self.long = (first_row, rows)

    def header(self, row: int, labels: list[str]) -> None:
        for col, text in enumerate(labels):
            self.cell(row, col, text, "header")
        self.ws.freeze_panes(row + 1, 0)
        self.header_row = row

    def note(self, row: int, text: str, last_col: int) -> None:
        """A footnote across the table's columns, wrapped (it would be cut at the page edge)."""
        self.notes[row] = (last_col, text)
        self.wrapped.append((row, 0, last_col, text))

    def size(self, minimum: int = 6) -> None:
        for col, w in self.widths.items():
            cap = self.caps.get(col, MAX_WIDTH)
            self.sized[col] = min(max(w + 2, minimum), cap)
            self.ws.set_column(col, col, self.sized[col])

    def finish(self, *, landscape: bool | None = None) -> None:
        """Every row in order, its height first, then the page setup (call after `size`)."""
        heights: dict[int, float] = {}
        for row, first, last, text in self.wrapped:
            heights[row] = max(heights.get(row, 0.0), self._height(text, first, last))
        start, rows = self.long if self.long is not None else (0, None)
        kept = sorted({*self.cells, *self.notes})
        for row in (r for r in kept if r < start or rows is None):
            self._write_kept(row, heights.get(row, 0.0))
        if rows is not None:
            for row, cells in enumerate(rows(), start=start):
                height = max(
                    (
                        self._height(_shown(value), col, col)
                        for col, (value, fmt) in enumerate(cells)
                        if fmt in _WRAPPING
                    ),
                    default=0.0,
                )
                self._set_height(row, height)
                for col, (value, fmt) in enumerate(cells):
                    self._write(row, col, value, fmt)
            for row in (r for r in kept if r >= start):
                self._write_kept(row, heights.get(row, 0.0))
        rows_repeated = None if self.header_row is None else (self.header_row, self.header_row)
        total = sum(self.sized.values())
        setup(
            self.ws,
            self.page,
            self.title,
            width=total,
            repeat_rows=rows_repeated,
            landscape=landscape,
        )

    def _height(self, text: str, first: int, last: int) -> float:
        return wrapped_height(text, sum(self.sized.get(c, 8.43) for c in range(first, last + 1)))

    def _set_height(self, row: int, height: float) -> None:
        if height > 17:  # one line fits Excel's default row height
            self.ws.set_row(row, height)

    def _write_kept(self, row: int, height: float) -> None:
        self._set_height(row, height)
        if row in self.notes:
            last_col, text = self.notes[row]
            if last_col > 0:
                self.ws.merge_range(row, 0, row, last_col, "", self.f["note"])
            self.ws.write_string(row, 0, text, self.f["note"])
        for col, value, fmt in self.cells.get(row, ()):
            self._write(row, col, value, fmt)

    def _write(self, row: int, col: int, value: Any, fmt: str | None) -> None:
        f = self.f[fmt or "text"]
        if value is None:
            self.ws.write_blank(row, col, None, f)
        elif isinstance(value, bool):
            self.ws.write_boolean(row, col, value, f)
        elif isinstance(value, int | float):
            self.ws.write_number(row, col, value, f)
        else:
            # Text stays text: never a formula, URL or number, whatever it starts with.
            self.ws.write_string(row, col, str(value), f)


def _shown(value: Any) -> str:
    """A cell's value as it reads, for its width and its row's height."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return str(value)


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> bytes:
    lang = report.lang
    names = report.village_names()
    buf = BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            # Only the row being written is kept (each sheet's rows go to a temporary file):
            # a village with a hundred thousand findings is not a second copy of them.
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": f"{label('title', lang)} {township_title(report, lang)} {report.period}",
            "author": "fourcheck",
            "created": datetime.combine(report.window.end, datetime.min.time()),
        }
    )
    specs: dict[str, dict[str, Any]] = {
        "header": (
            {"bold": True, "bg_color": "#E8EEF4", "bottom": 1, "text_wrap": True, "valign": "top"}
        ),
        "title": ({"bold": True, "font_size": 14}),
        "bold": ({"bold": True}),
        "int": ({"num_format": "#,##0"}),
        "int_bold": ({"num_format": "#,##0", "bold": True}),
        "pct": ({"num_format": "0.0%"}),
        "pct_bold": ({"num_format": "0.0%", "bold": True}),
        "pct2": ({"num_format": "0.00%"}),
        "pct2_bold": ({"num_format": "0.00%", "bold": True}),
        "ratio": ({"num_format": "0.0"}),
        "ratio_bold": ({"num_format": "0.0", "bold": True}),
        "gap": (
            {
                "num_format": "+#,##0;-#,##0;0",
                "bold": True,
                "font_color": "#9C0006",
                "bg_color": "#FFC7CE",
            }
        ),
        "gap_ok": ({"num_format": "+#,##0;-#,##0;0"}),
        "wrap": ({"text_wrap": True, "valign": "top"}),
        "bold_wrap": ({"bold": True, "text_wrap": True, "valign": "top"}),
        "note": ({"text_wrap": True, "valign": "top", "font_size": 9, "font_color": "#555555"}),
        "top": ({"valign": "top"}),
        "fail": ({"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000"}),
        "pass": ({"bold": True, "font_color": "#FFFFFF", "bg_color": "#00803C"}),
    }
    # Every cell aligned to the top: a row grown for a wrapped message keeps its other cells
    # level with the message's first line.
    formats = {k: wb.add_format({"valign": "top", **v}) for k, v in specs.items()}
    formats["text"] = wb.add_format({"valign": "top"})
    taken: set[str] = set()
    page = Page(township_title(report, lang), report.period, lang_of(lang))

    def sheet(name: str, title: str | None = None) -> _Sheet:
        base = sheet_safe(name)
        unique, n = base, 2
        while unique.lower() in taken:
            suffix = f" ({n})"
            unique, n = sheet_safe(base, SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
        taken.add(unique.lower())
        return _Sheet(wb.add_worksheet(unique), formats, page, title or name)

    _summary(sheet(label("sheet_summary", lang)), report, fail_on, lang)
    ov: Overview | None = report.overview
    if ov is not None:
        _four_numbers(sheet(label("sheet_four_numbers", lang)), ov, lang, names)
        _indicators(sheet(label("sheet_indicators", lang)), ov, lang, names)
        _quality(sheet(label("sheet_quality", lang)), ov, lang, names)
    _checks(sheet(label("sheet_checks", lang)), report, fail_on, lang)
    if report.history is not None:
        _resolved(sheet(cycle.word("resolved_title", lang)), report, lang)
    groups = {g.village_code: g.findings for g in group_findings(report)}
    units: list[str | None] = list(groups)
    if ov is not None:
        for r in ov.four_numbers:
            if r.level != TOWNSHIP and r.unit not in groups:
                units.append(r.unit)
    for unit in _unit_order(units, report.township_code):
        if unit is None:
            name = label("sheet_no_village", lang)
        elif unit == report.township_code:
            name = label("sheet_township", lang)
        else:
            name = village_label(unit, names, lang)
        title = finding_unit(unit, report.township_code, lang, names)
        _village(sheet(name, title), report, unit, groups.get(unit, ()), lang)
    wb.close()
    return buf.getvalue()


def _unit_order(units: list[str | None], township: str | None) -> list[str | None]:
    def key(u: str | None) -> tuple[int, str]:
        return (2, "") if u is None else (0 if u == township else 1, u)

    return sorted(set(units), key=key)


def _summary(s: _Sheet, report: AuditReport, fail_on: FailOn | str, lang: str) -> None:
    v = verdict(report, fail_on)
    s.header(0, [label("item", lang), label("value", lang)])
    rows: list[tuple[str, Any, str | None]] = [
        (label("title", lang), township_title(report, lang), "bold"),
        (label("township", lang), report.township_name or "", None),
        (label("township_code", lang), report.township_code or "", None),
        (label("period", lang), report.period, None),
        (label("window", lang), window_text(report, lang), None),
    ]
    if report.meta.get("submission"):
        rows.append((label("submission", lang), report.meta["submission"], None))
    rows += [
        (label("files", lang), files_summary(report, lang), None),
    ]
    since = cycle.since_line(report, lang)
    if since is not None:
        rows.append((cycle.word("status", lang), since, "bold"))
    rows += [
        (cycle.word("acceptances_title", lang), n, None)
        for n in cycle.acceptance_notes(report, lang)
    ]
    rows += [
        (label("verdict", lang), v.word(lang), "fail" if v.failed else "pass"),
        ("--fail-on", v.gate_text(lang), None),
        (label("errors", lang), v.errors, "int"),
        (label("warnings", lang), v.warnings, "int"),
        (label("infos", lang), v.info, "int"),
        (label("findings_total", lang), len(report.findings), "int"),
        (
            label("checks", lang),
            checks_line(report, fail_on, lang),
            None,
        ),
    ]
    summary = report.summary()
    for cat in Category:
        n = summary["by_category"].get(str(cat), 0)
        if n:
            rows.append(
                (f"{label('category', lang)}{colon(lang)}{category_name(cat, lang)}", n, "int")
            )
    ov: Overview | None = report.overview
    if ov is not None:
        cr = ov.capture_recapture
        rows += [
            (label("list_a", lang), cr.n1, "int"),
            (label("list_b", lang), cr.n2, "int"),
            (label("matched", lang), cr.m, "int"),
        ]
        if cr.too_small:
            rows.append((label("estimate", lang), label("too_small", lang, min=MIN_MATCHED), None))
        else:
            rows += [
                (label("estimate", lang), cr.estimate, "ratio"),
                (f"{label('estimate', lang)} · {label('low', lang)}", cr.low, "ratio"),
                (f"{label('estimate', lang)} · {label('high', lang)}", cr.high, "ratio"),
                (label("under_reporting", lang), cr.under_reporting, "pct"),
                (
                    f"{label('under_reporting', lang)} · {label('low', lang)}",
                    cr.under_reporting_low,
                    "pct",
                ),
                (
                    f"{label('under_reporting', lang)} · {label('high', lang)}",
                    cr.under_reporting_high,
                    "pct",
                ),
                ("", label("crr_note", lang), None),
            ]
    r = 1
    for key, value, fmt in rows:
        s.cell(r, 0, key, "bold_wrap")
        s.cell(r, 1, value, fmt if fmt or not isinstance(value, str) else "wrap")
        r += 1
    r += 1
    s.cell(r, 0, label("file", lang), "header")
    s.cell(r, 1, label("rows", lang), "header")
    for t in report.tables:
        r += 1
        s.cell(r, 0, t.path if t.path else label("file_missing", lang, table=t.table), "wrap")
        s.cell(r, 1, t.rows, "int")
    s.caps.update({0: 28, 1: 64})
    s.size()
    s.finish()


def _four_numbers(s: _Sheet, ov: Overview, lang: str, names: Names) -> None:
    def h(group: str, sub: str) -> str:
        return f"{label(group, lang)}·{label(sub, lang)}"

    s.header(
        0,
        [
            label("village", lang),
            h("births", "statistics_long"),
            h("births", "technical_long"),
            h("births", "floating_long"),
            h("births", "unregistered_long"),
            h("long_acting", "statistics_long"),
            h("long_acting", "technical_long"),
            h("long_acting", "gap_long"),
            h("short_acting", "statistics_long"),
            h("short_acting", "supply_long"),
            h("short_acting", "gap_long"),
            h("out_migrants", "statistics_long"),
            h("out_migrants", "floating_long"),
            h("out_migrants", "gap_long"),
        ],
    )
    for i, r in enumerate(ov.four_numbers, start=1):
        total = r.level == TOWNSHIP
        n = "int_bold" if total else "int"
        s.cell(i, 0, unit_name(r.level, r.unit, lang, names), "bold" if total else None)
        values: list[tuple[int, str]] = [
            (r.births_statistics, n),
            (r.births_technical, n),
            (r.births_floating, n),
            (r.births_unregistered, "gap" if r.births_unregistered else n),
            (r.long_acting_statistics, n),
            (r.long_acting_technical, n),
            (r.long_acting_gap, "gap" if r.long_acting_gap else "gap_ok"),
            (r.short_acting_statistics, n),
            (r.short_acting_supply, n),
            (r.short_acting_gap, "gap" if r.short_acting_gap else "gap_ok"),
            (r.out_migrants_statistics, n),
            (r.out_migrants_floating, n),
            (r.out_migrants_gap, "gap" if r.out_migrants_gap else "gap_ok"),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            s.cell(i, col, value, fmt)
    s.caps.update({0: 26, **{c: 11 for c in range(1, 14)}})
    s.size(minimum=8)
    s.note(len(ov.four_numbers) + 2, label("four_numbers_note", lang), 13)
    s.finish()


def _rate_cells(s: _Sheet, row: int, col: int, rate: Rate, bold: bool, pct: str = "pct") -> int:
    s.cell(row, col, rate.value, f"{pct}_bold" if bold else pct)
    s.cell(row, col + 1, rate.numerator, "int")
    s.cell(row, col + 2, rate.denominator, "int")
    return col + 3


def _indicators(s: _Sheet, ov: Overview, lang: str, names: Names) -> None:
    header = [label("village", lang)]
    rates = (
        "policy_compliance",
        "contraceptive_prevalence",
        "certificate_rate",
        "feedback_rate",
        "timely_reporting",
    )
    for key in rates[:2]:
        header += [label(key, lang), label("numerator", lang), label("denominator", lang)]
    header += [
        label("sex_ratio", lang),
        f"{label('interval', lang)} · {label('low', lang)}",
        f"{label('interval', lang)} · {label('high', lang)}",
        label("males", lang),
        label("females", lang),
    ]
    for key in rates[2:]:
        header += [label(key, lang), label("numerator", lang), label("denominator", lang)]
    s.header(0, header)
    for i, r in enumerate(ov.indicators, start=1):
        total = r.level == TOWNSHIP
        s.cell(i, 0, unit_name(r.level, r.unit, lang, names), "bold" if total else None)
        col = _rate_cells(s, i, 1, r.policy_compliance, total)
        col = _rate_cells(s, i, col, r.contraceptive_prevalence, total)
        sr = r.sex_ratio
        s.cell(i, col, sr.ratio, "ratio_bold" if total else "ratio")
        s.cell(i, col + 1, sr.low, "ratio")
        s.cell(i, col + 2, sr.high, "ratio")
        s.cell(i, col + 3, sr.males, "int")
        s.cell(i, col + 4, sr.females, "int")
        col += 5
        for rate in (r.certificate_rate, r.feedback_rate, r.timely_reporting):
            col = _rate_cells(s, i, col, rate, total)
    s.caps.update({0: 26, **{c: 10 for c in range(1, len(header))}})
    s.size(minimum=7)
    s.note(len(ov.indicators) + 2, label("indicators_note", lang), len(header) - 1)
    s.finish()


def _quality(s: _Sheet, ov: Overview, lang: str, names: Names) -> None:
    s.header(
        0,
        [
            label("village", lang),
            label("completeness", lang),
            label("filled", lang),
            label("fields", lang),
            label("correctness", lang),
            label("clean", lang),
            label("records", lang),
        ],
    )
    for i, r in enumerate(ov.quality, start=1):
        total = r.level == TOWNSHIP
        s.cell(i, 0, unit_name(r.level, r.unit, lang, names), "bold" if total else None)
        # two decimals: one record in ten thousand must not read as 100 %
        col = _rate_cells(s, i, 1, r.completeness, total, "pct2")
        _rate_cells(s, i, col, r.correctness, total, "pct2")
    s.caps.update({0: 26})
    s.size(minimum=10)
    s.note(len(ov.quality) + 2, label("quality_note", lang), 6)
    s.finish()


def _checks(s: _Sheet, report: AuditReport, fail_on: FailOn | str, lang: str) -> None:
    s.header(
        0,
        [
            label("suite", lang),
            label("check", lang),
            label("title_col", lang),
            label("category", lang),
            label("severity", lang),
            label("ledgers", lang),
            label("status", lang),
            label("count", lang),
            label("skipped_reason", lang),
        ],
    )
    rules = [o for o in outcomes(report, fail_on) if o.result is not None]
    for i, o in enumerate(rules, start=1):
        c = o.result
        assert c is not None
        if o.status is Status.SKIPPED:
            status = label("skipped", lang)
        elif o.status is Status.FAILED:
            status = label("failed", lang)
        elif o.findings:
            status = label("below_gate", lang)
        else:
            status = label("passed", lang)
        s.cell(i, 0, suite_name(c.suite, lang))
        s.cell(i, 1, o.name)
        s.cell(i, 2, c.title, "wrap")
        s.cell(i, 3, category_name(c.category, lang))
        s.cell(i, 4, severity_name(c.severity, lang))
        s.cell(i, 5, ", ".join(ledger_name(x, lang) for x in c.ledgers))
        s.cell(i, 6, status)
        s.cell(i, 7, len(o.findings), "int")
        s.cell(i, 8, o.skipped_reason or "", "wrap")
    if rules:
        s.ws.autofilter(0, 0, len(rules), 8)
    s.caps.update({1: 26, 2: 44, 5: 16, 8: 30})
    s.size()
    s.finish()


def _village(
    s: _Sheet, report: AuditReport, unit: str | None, found: tuple[Finding, ...], lang: str
) -> None:
    marked = report.history is not None or report.acceptances is not None
    s.header(
        0,
        [
            label("severity", lang),
            label("category", lang),
            label("check", lang),
            label("ledgers", lang),
            label("table", lang),
            label("record", lang),
            label("village_code", lang),
            label("message", lang),
            *([cycle.word("status", lang)] if marked else []),
        ],
    )
    titles = check_titles(report)
    found = tuple(cycle.ordered(report, found))  # new and reopened first
    if not found:
        s.cell(1, 0, label("no_findings", lang))
        s.cell(1, 6, unit or "")

    def rows() -> Iterator[Cells]:
        for f in found:
            cells: list[tuple[Any, str | None]] = [
                (severity_name(f.severity, lang), "top"),
                (category_name(f.category, lang), "top"),
                (check_text(f.check, f.table, titles), "wrap"),
                (", ".join(ledger_name(x, lang) for x in f.ledgers), "wrap"),
                (table_name(f.table, lang), "top"),
                (record_text(f, report, lang), "wrap"),
                (f.village_code or "", "top"),
                (f.message, "wrap"),
            ]
            if marked:
                cells.append((cycle.full_status(report, f, lang), "top"))
            yield cells

    s.table(1, rows)
    if found:
        s.ws.autofilter(0, 0, len(found), 8 if marked else 7)
    s.caps.update({2: 28, 3: 14, 5: 24, 7: MESSAGE_WIDTH})
    if marked:
        s.caps[8] = 24
    s.size()
    s.finish(landscape=True)


def _resolved(s: _Sheet, report: AuditReport, lang: str) -> None:
    """The findings of the previous audited period that this month no longer has."""
    h = report.history
    assert h is not None
    s.header(
        0,
        [
            label("severity", lang),
            label("check", lang),
            label("table", lang),
            label("record", lang),
            label("village_code", lang),
            label("message", lang),
            cycle.word("since_col", lang),
        ],
    )
    if not h.resolved:
        s.cell(1, 0, label("no_findings", lang))

    def rows() -> Iterator[Cells]:
        for f in h.resolved:
            yield [
                (severity_name(f.severity, lang), "top"),
                (f.check, "top"),
                (table_name(f.table, lang), "top"),
                (f.record, "top"),
                (f.village_code or "", "top"),
                (f.message, "wrap"),
                (h.resolved_since.get((f.check, f.table, f.record), ""), "top"),
            ]

    s.table(1, rows)
    s.caps[5] = MESSAGE_WIDTH
    s.caps[6] = 24
    s.size()
    s.finish(landscape=True)
