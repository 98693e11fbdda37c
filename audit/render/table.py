"""The terminal report: what a statistics officer reads after `audit run`.

Design decisions:

- One screen story, top to bottom: who and when (township, period, window,
  files), the verdict under `--fail-on`, the four numbers per village with
  the gaps standing out, the indicators and data-quality scores, the
  estimated birth under-reporting, then the findings by village and category
  with the first `limit` records of each group.
- Drawn by rich into a string at a fixed width of 100 columns (CJK characters
  count two), so the same report looks the same in a terminal, a log and a
  snapshot test. Colour only when asked for: by default when standard output
  is a terminal and NO_COLOR is not set; never in files or pipes.
- Reads `AuditReport` only; sections whose figures are absent (no overview)
  say so instead of disappearing.
"""

from __future__ import annotations

import os
import sys
from io import StringIO
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
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
    semicolon,
    severity_name,
    skipped_rules,
    township_title,
    unit_name,
    verdict,
    where_text,
    window_text,
)

WIDTH = 100

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
Justify = Literal["left", "right"]
_FRESH = (Status.NEW, Status.REOPENED)


def color_wanted() -> bool:
    """Colour when standard output is a terminal and NO_COLOR (no-color.org) is not set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render(
    report: AuditReport,
    *,
    fail_on: FailOn | str = FailOn.ERROR,
    limit: int = 10,
    color: bool | None = None,
) -> str:
    use_color = color_wanted() if color is None else color
    out = StringIO()
    console = Console(
        file=out,
        width=WIDTH,
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
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in lines:
        grid.add_row(key, value)
    grid.add_row("", Text(" · ".join(files_read(report, lang)), style="dim"))
    console.print(grid)


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
    console.print(
        Text(
            v.gate_text(lang) + semicolon(lang) + checks_line(report, fail_on, lang),
            style="dim",
        )
    )
    skipped = skipped_rules(report)
    if skipped:
        console.print(Text(f"{label('skipped_rules', lang)}{colon(lang)}", style="bold yellow"))
        for name, title, reason in skipped:
            line = Text("  ")
            line.append(name, style="yellow")
            line.append(f"  {title}{colon(lang)}{reason}")
            console.print(line)


# A rule under the header and above the township row (the last section), nothing else.
_RULED = box.Box("    \n    \n ── \n    \n ── \n ── \n    \n    \n", ascii=False)


def _table(columns: list[tuple[str, Justify]]) -> Table:
    t = Table(box=_RULED, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for header, justify in columns:
        t.add_column(header, justify=justify, no_wrap=True)
    return t


def _gap(n: int) -> Text:
    return Text(fmt_gap(n), style="bold red" if n else "green")


def _four_numbers(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("four_numbers", lang))

    def head(group: str | None, sub: str) -> str:
        return f"{label(group, lang) if group else ''}\n{label(sub, lang)}"

    t = _table(
        [
            (f"\n{label('village', lang)}", "left"),
            (head("births_short", "statistics"), "right"),
            (head(None, "technical"), "right"),
            (head(None, "floating"), "right"),
            (head(None, "unregistered"), "right"),
            (head("long_acting_short", "statistics"), "right"),
            (head(None, "technical"), "right"),
            (head(None, "gap"), "right"),
            (head("short_acting_short", "statistics"), "right"),
            (head(None, "supply"), "right"),
            (head(None, "gap"), "right"),
            (head("out_migrants_short", "statistics"), "right"),
            (head(None, "floating"), "right"),
            (head(None, "gap"), "right"),
        ]
    )
    for r in ov.four_numbers:
        total = r.level == TOWNSHIP
        unreg = r.births_unregistered
        t.add_row(
            unit_name(r.level, r.unit, lang, names),
            fmt_int(r.births_statistics),
            fmt_int(r.births_technical),
            fmt_int(r.births_floating),
            Text(fmt_int(unreg), style="bold red" if unreg else "green"),
            fmt_int(r.long_acting_statistics),
            fmt_int(r.long_acting_technical),
            _gap(r.long_acting_gap),
            fmt_int(r.short_acting_statistics),
            fmt_int(r.short_acting_supply),
            _gap(r.short_acting_gap),
            fmt_int(r.out_migrants_statistics),
            fmt_int(r.out_migrants_floating),
            _gap(r.out_migrants_gap),
            style="bold" if total else None,
            end_section=r is ov.four_numbers[-2] if len(ov.four_numbers) > 1 else False,
        )
    console.print(t)
    console.print(Text(label("four_numbers_note", lang), style="dim"))


def _indicators(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("indicators", lang))
    t = _table(
        [
            (label("village", lang), "left"),
            (label("policy_short", lang), "right"),
            (label("prevalence_short", lang), "right"),
            (label("sex_ratio_short", lang), "right"),
            (label("certificate_short", lang), "right"),
            (label("feedback_short", lang), "right"),
            (label("timely_short", lang), "right"),
        ]
    )
    for i, r in enumerate(ov.indicators):
        t.add_row(
            unit_name(r.level, r.unit, lang, names),
            fmt_rate(r.policy_compliance),
            fmt_rate(r.contraceptive_prevalence),
            fmt_sex_ratio(r.sex_ratio),
            fmt_rate(r.certificate_rate),
            fmt_rate(r.feedback_rate),
            fmt_rate(r.timely_reporting),
            style="bold" if r.level == TOWNSHIP else None,
            end_section=i == len(ov.indicators) - 2,
        )
    console.print(t)
    console.print(Text(label("indicators_note", lang), style="dim"))


def _quality(console: Console, ov: Overview, lang: str, names: Names) -> None:
    _section(console, label("quality", lang))
    t = _table(
        [
            (label("village", lang), "left"),
            (label("completeness", lang), "right"),
            (label("fields", lang), "right"),
            (label("correctness", lang), "right"),
            (label("records", lang), "right"),
        ]
    )
    for i, r in enumerate(ov.quality):
        t.add_row(
            unit_name(r.level, r.unit, lang, names),
            fmt_rate(r.completeness, 2),
            f"{fmt_int(r.completeness.numerator)}/{fmt_int(r.completeness.denominator)}",
            fmt_rate(r.correctness, 2),
            f"{fmt_int(r.correctness.numerator)}/{fmt_int(r.correctness.denominator)}",
            style="bold" if r.level == TOWNSHIP else None,
            end_section=i == len(ov.quality) - 2,
        )
    console.print(t)
    console.print(Text(label("quality_note", lang), style="dim"))


def _capture_recapture(console: Console, ov: Overview, lang: str) -> None:
    _section(console, label("capture_recapture", lang))
    cr = ov.capture_recapture
    console.print(label("crr_counts", lang, n1=fmt_int(cr.n1), n2=fmt_int(cr.n2), m=fmt_int(cr.m)))
    if cr.too_small:
        console.print(Text(label("too_small", lang, min=MIN_MATCHED), style="yellow"))
    else:
        console.print(
            Text(
                label(
                    "estimate_line",
                    lang,
                    estimate=fmt_ratio(cr.estimate),
                    low=fmt_ratio(cr.low),
                    high=fmt_ratio(cr.high),
                    rate=fmt_pct(cr.under_reporting),
                    rate_low=fmt_pct(cr.under_reporting_low),
                    rate_high=fmt_pct(cr.under_reporting_high),
                ),
                style="bold",
            )
        )
    console.print(Text(label("crr_note", lang), style="dim"))


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
    console.print(Text(label("findings_of", lang, unit=unit, counts=counts), style="bold"))
    titles = check_titles(report)
    for category, found in group.by_category:
        console.print(
            Text(f"  {category_name(category, lang)} ({fmt_int(len(found))})", style="bold")
        )
        # Two lines a finding: what and where, then the message across the full width.
        t = Table.grid(padding=(0, 1, 0, 0))
        t.add_column(no_wrap=True, width=3)  # indent
        t.add_column(no_wrap=True, min_width=severity_width)
        t.add_column(overflow="fold", ratio=1)
        found = tuple(cycle.ordered(report, found))  # new and reopened first
        for f in found[:limit]:
            where = Text()
            where.append(f.check, style="bold")
            title = check_title(f.check, f.table, titles)
            if title:
                where.append(f" {title}")
            where.append(f"  {where_text(f, report, lang)}", style="dim")
            status = cycle.full_status(report, f, lang)
            if status:
                style = "bold magenta" if cycle.status_of(report, f) in _FRESH else "dim"
                where.append(f"  [{status}]", style=style)
            t.add_row(
                "", Text(severity_name(f.severity, lang), style=_SEVERITY_STYLE[f.severity]), where
            )
            t.add_row("", "", f.message)
        if found[:limit]:
            console.print(t)
        if len(found) > limit:
            console.print(Text(f"     {label('more', lang, n=fmt_int(len(found) - limit))}"))
