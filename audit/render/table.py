"""The terminal report: what a statistics officer reads after `audit run`.

Design decisions:

- One screen story, top to bottom: who and when (township, period, window,
  files), the verdict under `--fail-on`, the four numbers per village with
  the gaps standing out, the indicators and data-quality scores, the
  estimated birth under-reporting, then the findings by village and category
  with the first `limit` records of each group.
- Drawn by rich into a string (CJK characters count two columns) at the
  terminal's width, from 80 columns up (at most 160); in a file, a pipe or a
  snapshot test at a fixed 100, so a log looks the same every time. Colour only
  when asked for: by default when standard output is a terminal and NO_COLOR is
  not set; never in files or pipes.
- A row never wraps: a table too wide for the width drops its least needed
  columns (the other ledger's count before the gap, which keeps the story) and
  says which. Text is wrapped by `wrap()`, which breaks between CJK characters
  and at spaces but never inside an ID, a date, a code or a number.
- Reads `AuditReport` only; sections whose figures are absent (no overview)
  say so instead of disappearing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from audit.core.exitcodes import FailOn
from audit.core.lifecycle import Status
from audit.core.models import AuditReport, Severity
from audit.core.overview import MIN_MATCHED, TOWNSHIP, Overview
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

WIDTH = 100  # files, pipes and snapshots
MIN_WIDTH = 80
MAX_WIDTH = 160

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
Justify = Literal["left", "right"]
_FRESH = (Status.NEW, Status.REOPENED)


def color_wanted() -> bool:
    """Colour when standard output is a terminal and NO_COLOR (no-color.org) is not set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def terminal_width() -> int:
    """The terminal's columns, kept within [MIN_WIDTH, MAX_WIDTH]."""
    columns = shutil.get_terminal_size((WIDTH, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


def render(
    report: AuditReport,
    *,
    fail_on: FailOn | str = FailOn.ERROR,
    limit: int = 10,
    color: bool | None = None,
    width: int | None = None,
) -> str:
    """`width` None: the terminal's when the report goes to one (colour not refused), else 100."""
    use_color = color_wanted() if color is None else color
    if width is None:
        width = terminal_width() if color is None and sys.stdout.isatty() else WIDTH
    width = max(MIN_WIDTH, width)
    out = StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=use_color,
        color_system="standard" if use_color else None,
        no_color=not use_color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    lang = report.lang
    names = report.village_names()
    _header(console, report, lang)
    _since_last_month(console, report, lang)
    _verdict(console, report, fail_on, lang)
    ov: Overview | None = report.overview
    if ov is None:
        console.print()
        console.print(Text(label("overview_missing", lang), style="dim"))
    else:
        _four_numbers(console, ov, lang, names)
        _indicators(console, ov, lang, names)
        _quality(console, ov, lang, names)
        _capture_recapture(console, ov, lang)
    _findings(console, report, lang, max(limit, 0))
    _resolved(console, report, lang, max(limit, 0))
    # Rich pads lines to the full width; a report in a file or pipe should not end lines in blanks.
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


# A token that must stay whole: IDs, dates, codes, numbers, Latin words (with their
# punctuation, e.g. 2026-04-01, 340811199512216481, B00000170, 12.5%, 1,086/1,178).
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-–./:,%+|@#'’]*[0-9A-Za-z%]|[0-9A-Za-z]|\s+|.")
# Kept off the start of a line (closing punctuation) and off its end (opening brackets), as
# Chinese typesetting does: the neighbouring token moves with them.
_CLOSING = set("，。、；：？！）》」』】”’,.;:?!)]}%")
_OPENING = set("（《「『【“‘([{")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; breaks at spaces and between CJK characters, never
    inside a token (a token longer than the whole line is the only one cut)."""
    width = max(8, width)
    lines: list[str] = []
    line: list[str] = []  # tokens of the current line (a space is its own token)

    def used() -> int:
        return sum(cell_len(t) for t in line)

    def flush() -> None:
        lines.append("".join(line).rstrip())
        line.clear()

    for token in _TOKEN.findall(text):
        if token.isspace():
            if line and used() + 1 <= width:
                line.append(" ")
            continue
        size = cell_len(token)
        if line and used() + size > width:
            carry: list[str] = []
            if token in _CLOSING and len(line) > 1:  # take the word before along
                carry.insert(0, line.pop())
            while len(line) > 1 and (line[-1] in _OPENING or line[-1] == " "):
                carry.insert(0, line.pop())
            flush()
            line.extend(t for t in carry if not t.isspace())
        while size > width:  # longer than a line: the one case a token is cut
            cut = token
            while cell_len(cut) > width:
                cut = cut[:-1]
            if line:
                flush()
            lines.append(cut)
            token = token[len(cut) :]
            size = cell_len(token)
        if token:
            line.append(token)
    if line or not lines:
        flush()
    return lines


def _para(
    console: Console,
    text: str,
    style: str | None = None,
    *,
    indent: int = 0,
    first: str = "",
    first_style: str | None = None,
) -> None:
    """A paragraph wrapped by `wrap()` with a hanging indent; `first` fills the indent of
    the first line (a label such as 报告期)."""
    for i, line in enumerate(wrap(text, console.width - indent)):
        out = Text()
        lead = first if i == 0 else ""
        out.append(lead + " " * (indent - cell_len(lead)), first_style)
        out.append(line, style)
        console.print(out, soft_wrap=True)


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _header(console: Console, report: AuditReport, lang: str) -> None:
    console.print(Text(f"{label('title', lang)} — {township_title(report, lang)}", style="bold"))
    lines = [
        (label("period", lang), report.period),
        (label("window", lang), window_text(report, lang)),
    ]
    if report.meta.get("submission"):
        lines.append((label("submission", lang), report.meta["submission"]))
    lines.append((label("files", lang), files_summary(report, lang)))
    key_width = max(cell_len(k) for k, _ in lines) + 2
    for key, value in lines:
        _para(console, value, indent=key_width, first=key, first_style="bold")
    _para(console, " · ".join(files_read(report, lang)), style="dim", indent=key_width)


def _since_last_month(console: Console, report: AuditReport, lang: str) -> None:
    line = cycle.since_line(report, lang)
    if line is not None:
        console.print()
        console.print(Text(line, style="bold"))
    for note in cycle.acceptance_notes(report, lang):
        console.print(Text(note, style="dim"))


def _resolved(console: Console, report: AuditReport, lang: str, limit: int) -> None:
    h = report.history
    if h is None or not h.resolved:
        return
    _section(console, f"{cycle.word('resolved_title', lang)} ({fmt_int(len(h.resolved))})")
    t = Table.grid(padding=(0, 1, 0, 0))
    t.add_column(no_wrap=True, width=3)
    t.add_column(overflow="fold", ratio=1)
    for f in h.resolved[:limit]:
        where = Text()
        where.append(f.check, style="bold")
        where.append(f"  {where_text(f, report, lang)}", style="dim")
        t.add_row("", where)
        t.add_row("", Text(f.message, style="dim"))
    console.print(t)
    if len(h.resolved) > limit:
        console.print(Text(f"     {label('more', lang, n=fmt_int(len(h.resolved) - limit))}"))


def _verdict(console: Console, report: AuditReport, fail_on: FailOn | str, lang: str) -> None:
    v = verdict(report, fail_on)
    console.print()
    line = Text()
    line.append(f"{label('verdict', lang)}{colon(lang)}", style="bold")
    line.append(
        f" {v.word(lang)} ", style="bold white on red" if v.failed else "bold white on green"
    )
    line.append(f"  {v.counts(lang)}")
    console.print(line)
    _para(console, v.gate_text(lang) + semicolon(lang) + checks_line(report, fail_on, lang), "dim")
    skipped = skipped_rules(report)
    if skipped:
        console.print(Text(f"{label('skipped_rules', lang)}{colon(lang)}", style="bold yellow"))
        for name, title, reason in skipped:
            # the rule id on its own; the title and reason wrap beneath it, never splitting it
            console.print(Text("  " + name, style="yellow"), soft_wrap=True)
            _para(console, f"{title}{colon(lang)}{reason}", indent=4)


# A rule under the header and above the township row (the last section), nothing else.
_RULED = box.Box("    \n    \n ── \n    \n ── \n ── \n    \n    \n", ascii=False)


def _table(columns: list[tuple[str, Justify]]) -> Table:
    t = Table(box=_RULED, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for header, justify in columns:
        t.add_column(header, justify=justify, no_wrap=True)
    return t


def _gap(n: int) -> Text:
    return Text(fmt_gap(n), style="bold red" if n else "green")


@dataclass(frozen=True)
class _Col:
    key: str
    header: str  # the column's own header line
    justify: Justify
    cell: Callable[[Any], str | Text]
    group: str = ""  # a header line above a run of columns (births, long-acting, ...)


def _columns_table(
    console: Console, cols: list[_Col], rows: list[Any], drop: list[str], lang: str
) -> None:
    """A table whose rows each fit one line: columns in `drop` order are left out until they
    do, and a note names what was left out."""
    grouped = any(c.group for c in cols)

    def build(dropped: frozenset[str]) -> Table:
        kept = [c for c in cols if c.key not in dropped]
        headers = []
        for i, c in enumerate(kept):
            group = c.group if c.group and (i == 0 or kept[i - 1].group != c.group) else ""
            headers.append((f"{group}\n{c.header}" if grouped else c.header, c.justify))
        t = _table(headers)
        for i, row in enumerate(rows):
            t.add_row(
                *(c.cell(row) for c in kept),
                style="bold" if row.level == TOWNSHIP else None,
                end_section=i == len(rows) - 2,
            )
        return t

    dropped: list[str] = []
    table = build(frozenset())
    unbounded = console.options.update_width(10_000)
    for key in drop:
        if Measurement.get(console, unbounded, table).maximum <= console.width:
            break
        dropped.append(key)
        table = build(frozenset(dropped))
    console.print(table)
    if dropped:
        left_out = "、".join(
            f"{c.group}{c.header}" if lang_of(lang) == "zh" else f"{c.group} {c.header}".strip()
            for c in cols
            if c.key in dropped
        )
        if lang_of(lang) == "en":
            left_out = left_out.replace("、", ", ")
        _para(
            console, label("columns_left_out", lang, width=console.width, columns=left_out), "dim"
        )


def _four_numbers(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("four_numbers", lang))
    b, la, sa, om = (
        label(k, lang)
        for k in ("births_short", "long_acting_short", "short_acting_short", "out_migrants_short")
    )

    def unreg(r: Any) -> Text:
        return Text(
            fmt_int(r.births_unregistered), style="bold red" if r.births_unregistered else "green"
        )

    cols = [
        _Col(
            "village",
            label("village", lang),
            "left",
            lambda r: unit_name(r.level, r.unit, lang, names),
        ),
        _Col(
            "b_stat", label("statistics", lang), "right", lambda r: fmt_int(r.births_statistics), b
        ),
        _Col("b_tech", label("technical", lang), "right", lambda r: fmt_int(r.births_technical), b),
        _Col("b_float", label("floating", lang), "right", lambda r: fmt_int(r.births_floating), b),
        _Col("b_unreg", label("unregistered", lang), "right", unreg, b),
        _Col(
            "l_stat",
            label("statistics", lang),
            "right",
            lambda r: fmt_int(r.long_acting_statistics),
            la,
        ),
        _Col(
            "l_tech",
            label("technical", lang),
            "right",
            lambda r: fmt_int(r.long_acting_technical),
            la,
        ),
        _Col("l_gap", label("gap", lang), "right", lambda r: _gap(r.long_acting_gap), la),
        _Col(
            "s_stat",
            label("statistics", lang),
            "right",
            lambda r: fmt_int(r.short_acting_statistics),
            sa,
        ),
        _Col(
            "s_supply", label("supply", lang), "right", lambda r: fmt_int(r.short_acting_supply), sa
        ),
        _Col("s_gap", label("gap", lang), "right", lambda r: _gap(r.short_acting_gap), sa),
        _Col(
            "o_stat",
            label("statistics", lang),
            "right",
            lambda r: fmt_int(r.out_migrants_statistics),
            om,
        ),
        _Col(
            "o_float",
            label("floating", lang),
            "right",
            lambda r: fmt_int(r.out_migrants_floating),
            om,
        ),
        _Col("o_gap", label("gap", lang), "right", lambda r: _gap(r.out_migrants_gap), om),
    ]
    # The other ledger's count goes first: the gap beside the statistics count still tells it.
    drop = ["l_tech", "s_supply", "o_float", "b_float", "b_tech"]
    _columns_table(console, cols, list(ov.four_numbers), drop, lang)
    _para(console, label("four_numbers_note", lang), "dim")


def _indicators(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("indicators", lang))
    cols = [
        _Col(
            "village",
            label("village", lang),
            "left",
            lambda r: unit_name(r.level, r.unit, lang, names),
        ),
        _Col(
            "policy", label("policy_short", lang), "right", lambda r: fmt_rate(r.policy_compliance)
        ),
        _Col(
            "prevalence",
            label("prevalence_short", lang),
            "right",
            lambda r: fmt_rate(r.contraceptive_prevalence),
        ),
        _Col("sex", label("sex_ratio_short", lang), "right", lambda r: fmt_sex_ratio(r.sex_ratio)),
        _Col(
            "certificate",
            label("certificate_short", lang),
            "right",
            lambda r: fmt_rate(r.certificate_rate),
        ),
        _Col(
            "feedback", label("feedback_short", lang), "right", lambda r: fmt_rate(r.feedback_rate)
        ),
        _Col(
            "timely", label("timely_short", lang), "right", lambda r: fmt_rate(r.timely_reporting)
        ),
    ]
    drop = ["feedback", "timely", "certificate", "prevalence"]
    _columns_table(console, cols, list(ov.indicators), drop, lang)
    _para(console, label("indicators_note", lang), "dim")


def _quality(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("quality", lang))

    def parts(rate: Any) -> str:
        return f"{fmt_int(rate.numerator)}/{fmt_int(rate.denominator)}"

    cols = [
        _Col(
            "village",
            label("village", lang),
            "left",
            lambda r: unit_name(r.level, r.unit, lang, names),
        ),
        _Col(
            "completeness",
            label("completeness", lang),
            "right",
            lambda r: fmt_rate(r.completeness, 2),
        ),
        _Col("fields", label("fields", lang), "right", lambda r: parts(r.completeness)),
        _Col(
            "correctness", label("correctness", lang), "right", lambda r: fmt_rate(r.correctness, 2)
        ),
        _Col("records", label("records", lang), "right", lambda r: parts(r.correctness)),
    ]
    _columns_table(console, cols, list(ov.quality), ["fields", "records"], lang)
    _para(console, label("quality_note", lang), "dim")


def _capture_recapture(console: Console, ov: Overview, lang: str) -> None:
    _section(console, label("capture_recapture", lang))
    cr = ov.capture_recapture
    _para(console, label("crr_counts", lang, n1=fmt_int(cr.n1), n2=fmt_int(cr.n2), m=fmt_int(cr.m)))
    if cr.too_small:
        _para(console, label("too_small", lang, min=MIN_MATCHED), "yellow")
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
        _para(console, line, "bold")
    _para(console, label("crr_note", lang), "dim")


def _findings(console: Console, report: AuditReport, lang: str, limit: int) -> None:
    _section(console, f"{label('findings', lang)} ({fmt_int(len(report.findings))})")
    if not report.findings:
        console.print(label("no_findings", lang))
        return
    for group in group_findings(report):
        _finding_group(console, report, group, lang, limit)


def _finding_group(
    console: Console, report: AuditReport, group: FindingGroup, lang: str, limit: int
) -> None:
    console.print()
    counts = label(
        "counts",
        lang,
        errors=group.count(Severity.ERROR),
        warnings=group.count(Severity.WARNING),
        info=group.count(Severity.INFO),
    )
    unit = finding_unit(group.village_code, report.township_code, lang, report.village_names())
    severity_width = max(cell_len(severity_name(s, lang)) for s in Severity)
    indent = 4 + severity_width + 1
    console.print(Text(label("findings_of", lang, unit=unit, counts=counts), style="bold"))
    titles = check_titles(report)
    for category, found in group.by_category:
        console.print(
            Text(f"  {category_name(category, lang)} ({fmt_int(len(found))})", style="bold")
        )
        # What and where (rule id and title, table and record), then the message below it,
        # each wrapped at the width with a hanging indent and no token ever split.
        found = tuple(cycle.ordered(report, found))  # new and reopened first
        for f in found[:limit]:
            sev = severity_name(f.severity, lang)
            head = Text("    ")
            head.append(
                sev.ljust(severity_width - cell_len(sev) + len(sev)), SEVERITY_STYLE[f.severity]
            )
            head.append(" ")
            where = f"{f.check} {check_title(f.check, f.table, titles)}".rstrip()
            where += f"  {where_text(f, report, lang)}"
            status = cycle.full_status(report, f, lang)
            if status:
                where += f"  [{status}]"
            lines = wrap(where, console.width - indent)
            head.append(lines[0], style="bold")
            console.print(head, soft_wrap=True)
            for line in lines[1:]:
                console.print(Text(" " * indent + line, style="bold"), soft_wrap=True)
            _para(console, f.message, indent=indent)
        if len(found) > limit:
            console.print(Text(f"     {label('more', lang, n=fmt_int(len(found) - limit))}"))
