"""County XLSX: a summary sheet, the findings across townships, and a sheet per township.

- Summary: the county, period, verdict and counts, then the townships by rank
  (verdict, errors, warnings, cross-township findings, women, completeness,
  correctness, the four numbers; the reason for a folder that could not be
  audited).
- "Across townships": every cross-township finding with the township that
  must fix it, sorted by township so the sheet can be cut and handed out.
- One sheet per township (its name, else its folder): its own findings and
  the cross-township ones sent to it, all of them (`limit` is for reports
  people read on screen).
- Text is written as text (never a formula), headers frozen, autofilter,
  landscape A4 fitted to the page width with the header row repeated; the
  created date is the period end, so the same run gives the same bytes.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from io import BytesIO
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.core.models import Finding, Severity
from audit.render.county.labels import (
    counts_line,
    cross_since_line,
    cross_status,
    four_gaps,
    has_cycle,
    label,
    own_status,
    resolved_title,
    result_text,
    status_head,
    township_cycle_lines,
    township_label,
)
from audit.render.labels import category_name, severity_name
from audit.render.lifecycle import word

MAX_WIDTH = 80
SHEET_LABELS = {
    "summary": {"zh": "汇总", "en": "Summary"},
    "cross": {"zh": "跨乡镇", "en": "Across townships"},
}
_INVALID = set("[]:*?/\\")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(text: str) -> str:
    clean = "".join("_" if ch in _INVALID else ch for ch in text).strip("'") or "sheet"
    return clean[:31]


class _Sheet:
    def __init__(self, ws: Worksheet, formats: dict[str, Format]) -> None:
        self.ws = ws
        self.f = formats
        self.widths: dict[int, int] = {}

    def cell(self, row: int, col: int, value: Any, fmt: str | None = None) -> None:
        f = self.f[fmt] if fmt else None
        if value is None:
            self.ws.write_blank(row, col, None, f)
            shown = ""
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.ws.write_number(row, col, value, f)
            shown = f"{value:,}"
        else:
            self.ws.write_string(row, col, str(value), f)
            shown = str(value)
        self.widths[col] = max(self.widths.get(col, 0), _width(shown))

    def header(self, row: int, labels: list[str]) -> None:
        for col, text in enumerate(labels):
            self.cell(row, col, text.replace("\n", " "), "header")
        self.ws.freeze_panes(row + 1, 0)
        self.ws.repeat_rows(row)

    def finish(self, first: int, last: int, cols: int) -> None:
        for col, w in self.widths.items():
            self.ws.set_column(col, col, min(max(w + 2, 6), MAX_WIDTH))
        if last > first:
            self.ws.autofilter(first, 0, last, cols - 1)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)


def render(county: CountyReport, *, limit: int = 10) -> bytes:
    lang = county.lang
    buf = BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    created = datetime(2000, 1, 1)
    if county.period:
        year, month = (int(x) for x in county.period.split("-"))
        created = datetime(year, month, 1)
    wb.set_properties(
        {
            "title": f"{label('title', lang)} {county.county_name or ''} {county.period or ''}",
            "author": "fourcheck",
            "created": created,
        }
    )
    formats = {
        "header": wb.add_format(
            {"bold": True, "bg_color": "#E8EEF4", "bottom": 1, "text_wrap": True, "valign": "top"}
        ),
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "bold": wb.add_format({"bold": True}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "fail": wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000"}),
        "pass": wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#00803C"}),
        "unusable": wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#7030A0"}),
    }
    names: set[str] = set()

    def sheet(name: str) -> _Sheet:
        base = _sheet_name(name)
        unique, n = base, 2
        while unique.lower() in names:
            suffix = f" ({n})"
            unique, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.add(unique.lower())
        return _Sheet(wb.add_worksheet(unique), formats)

    _summary(sheet(SHEET_LABELS["summary"].get(lang, "汇总")), county, lang)
    _cross(sheet(SHEET_LABELS["cross"].get(lang, "跨乡镇")), county, list(county.findings), lang)
    for t in county.townships:
        _township(sheet(t.township_name or t.folder), county, t, lang)
    wb.close()
    return buf.getvalue()


def _verdict_format(t: TownshipEntry) -> str:
    return "pass" if t.passed else ("fail" if t.audited else "unusable")


def _summary(s: _Sheet, county: CountyReport, lang: str) -> None:
    name = " ".join(x for x in (county.county_name, county.county_code) if x)
    s.ws.write_string(0, 0, f"{label('title', lang)} — {name}", s.f["title"])
    ok = county.passed() and not county.unusable
    s.cell(1, 0, label("period", lang), "bold")
    s.cell(1, 1, county.period or "")
    s.cell(2, 0, label("verdict", lang), "bold")
    s.cell(2, 1, label("pass", lang) if ok else label("fail", lang), "pass" if ok else "fail")
    s.ws.write_string(3, 0, counts_line(county))
    s.ws.write_string(4, 0, label("gate", lang, gate=county.fail_on))
    head = [
        label(k, lang)
        for k in (
            "rank",
            "township",
            "folder",
            "result",
            "errors",
            "warnings",
            "county_col",
            "women",
            "completeness",
            "correctness",
        )
    ]
    four = ("births_unreg_x", "long_x", "short_x", "away_x")
    head += [_FOUR[k].get(lang, _FOUR[k]["zh"]) for k in four] + [label("reason", lang)]
    first = 6
    s.header(first, head)
    row = first
    for t in county.townships:
        row += 1
        completeness, correctness = t.quality()
        s.cell(row, 0, t.rank)
        s.cell(row, 1, t.label)
        s.cell(row, 2, t.folder)
        s.cell(row, 3, result_text(t, lang), _verdict_format(t))
        s.cell(row, 4, t.count(Severity.ERROR))
        s.cell(row, 5, t.count(Severity.WARNING))
        s.cell(row, 6, len(t.county_findings))
        s.cell(row, 7, t.women if t.audited else None)
        s.cell(row, 8, completeness, "pct")
        s.cell(row, 9, correctness, "pct")
        gaps = four_gaps(t)
        for i in range(4):
            s.cell(row, 10 + i, int(gaps[i]) if gaps else None)
        s.cell(row, 14, t.failure)
    s.ws.write_string(row + 2, 0, label("four_note", lang))
    s.ws.write_string(row + 3, 0, label("rank_note", lang))
    s.finish(first, row, len(head))
    s.ws.set_column(0, 0, 8)


_FOUR = {
    "births_unreg_x": {"zh": "出生未登记", "en": "Births not registered"},
    "long_x": {"zh": "长效差", "en": "Long-acting gap"},
    "short_x": {"zh": "短效差", "en": "Short-acting gap"},
    "away_x": {"zh": "流出差", "en": "Out-migrant gap"},
}


def _finding_head(lang: str, with_township: bool, status: bool = False) -> list[str]:
    keys = ["severity", *(["send_to"] if with_township else []), "check", "category", "table"]
    return [label(k, lang) for k in keys] + [
        label("record", lang),
        "village_code",
        label("message", lang),
        *([status_head(lang)] if status else []),
    ]


def _finding_row(
    s: _Sheet, row: int, f: Finding, lang: str, to: str | None, status: str | None = None
) -> None:
    values: list[Any] = [severity_name(f.severity, lang)]
    if to is not None:
        values.append(to)
    values += [f.check, category_name(f.category, lang), f.table, f.record, f.village_code]
    for col, v in enumerate(values):
        s.cell(row, col, v)
    s.ws.write_string(row, len(values), f.message, s.f["wrap"])
    s.widths[len(values)] = min(max(s.widths.get(len(values), 0), _width(f.message)), MAX_WIDTH)
    if status is not None:
        s.cell(row, len(values) + 1, status)


def _resolved_rows(
    s: _Sheet, row: int, resolved: tuple[Finding, ...], lang: str, to: str | None
) -> int:
    """The findings resolved since last month, below the others, marked resolved."""
    if not resolved:
        return row
    row += 2
    s.ws.write_string(row, 0, resolved_title(lang, len(resolved)), s.f["bold"])
    for f in resolved:
        row += 1
        _finding_row(s, row, f, lang, to, word("resolved", lang))
    return row


def _cross(s: _Sheet, county: CountyReport, rows: list[CountyFinding], lang: str) -> None:
    status = has_cycle(county)
    since = cross_since_line(county)
    first = 2 if since else 0
    if since:
        s.ws.write_string(0, 0, since, s.f["bold"])
    head = _finding_head(lang, True, status)
    s.header(first, head)
    row = first
    for c in sorted(rows, key=lambda c: (c.township_code, c.sort_key())):
        row += 1
        mark = cross_status(county, c) if status else None
        _finding_row(s, row, c.finding, lang, township_label(county, c.township_code), mark)
    last = row
    if county.history is not None:
        _resolved_rows(s, row, county.history.resolved, lang, "")
    s.finish(first, last, len(head))


def _township(s: _Sheet, county: CountyReport, t: TownshipEntry, lang: str) -> None:
    s.ws.write_string(0, 0, f"{t.rank or '—'}. {t.label}", s.f["title"])
    s.cell(1, 0, label("result", lang), "bold")
    s.cell(1, 1, result_text(t, lang), _verdict_format(t))
    s.cell(2, 0, label("folder", lang), "bold")
    s.cell(2, 1, t.folder)
    if t.report is None:
        s.cell(3, 0, label("reason", lang), "bold")
        s.cell(3, 1, t.failure)
        s.finish(0, 0, 2)
        return
    status = has_cycle(county)
    notes = township_cycle_lines(t.report)
    for i, line in enumerate(notes):
        bold = s.f["bold"] if i == 0 and t.report.history else None
        s.ws.write_string(3 + i, 0, line, bold)  # beside the column widths: a long line
    head = _finding_head(lang, True, status)
    first = 4 + len(notes)
    s.header(first, head)
    row = first
    for c in t.county_findings:
        row += 1
        mark = cross_status(county, c) if status else None
        _finding_row(s, row, c.finding, lang, township_label(county, c.township_code), mark)
    for f in t.report.findings:
        row += 1
        _finding_row(s, row, f, lang, t.label, own_status(t.report, f) if status else None)
    last = row
    if t.report.history is not None:
        _resolved_rows(s, row, t.report.history.resolved, lang, t.label)
    s.finish(first, last, len(head))
