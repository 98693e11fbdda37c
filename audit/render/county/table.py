"""The county on a terminal: verdict, townships by rank, findings across townships, each township's.

Drawn by rich at the single-township report's fixed width (100 columns), so
it looks the same in a terminal, a log and a file; colour only on a terminal
(never with --output). Each township's section lists its own findings and
the cross-township ones sent to it, the first `limit` of each; its full
report is one `audit run` of its folder away.
"""

from __future__ import annotations

from io import StringIO

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.core.models import AuditReport, Finding, Severity
from audit.render.county.labels import (
    counts_line,
    cross_ordered,
    cross_since_line,
    cross_status,
    four_gaps,
    label,
    own_ordered,
    own_status,
    resolved_title,
    result_text,
    township_cycle_lines,
    township_label,
)
from audit.render.labels import category_name, fmt_pct, severity_name
from audit.render.table import SEVERITY_STYLE, WIDTH, color_wanted


def render(county: CountyReport, *, limit: int = 10, color: bool | None = None) -> str:
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
    lang = county.lang
    _header(console, county, lang)
    _ranking(console, county, lang)
    _cross(console, county, lang, max(limit, 0))
    _townships(console, county, lang, max(limit, 0))
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _header(console: Console, county: CountyReport, lang: str) -> None:
    name = " ".join(x for x in (county.county_name, county.county_code) if x)
    console.print(Text(f"{label('title', lang)} — {name}", style="bold"))
    console.print(f"{label('period', lang)}: {county.period or '—'}")
    console.print(counts_line(county))
    if county.expected:
        missing = sum(1 for f in county.findings if f.finding.check == "county-township-missing")
        console.print(label("expected_line", lang, expected=len(county.expected), missing=missing))
    ok = county.passed() and not county.unusable
    verdict = Text(f"{label('verdict', lang)}: ")
    verdict.append(
        label("pass", lang) if ok else label("fail", lang), style="bold green" if ok else "bold red"
    )
    verdict.append(f"  {label('gate', lang, gate=county.fail_on)}", style="dim")
    console.print(verdict)


def _ranking(console: Console, county: CountyReport, lang: str) -> None:
    _section(console, label("ranking", lang))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
    for key, justify in (
        ("rank", "right"),
        ("township", "left"),
        ("result", "left"),
        ("errors", "right"),
        ("warnings", "right"),
        ("county_col", "right"),
        ("women", "right"),
        ("completeness", "right"),
        ("correctness", "right"),
        ("four", "right"),
    ):
        table.add_column(
            label(key, lang),
            justify=justify,  # type: ignore[arg-type]
            no_wrap=key != "township",
            min_width=12 if key == "township" else None,
        )
    for t in county.townships:
        completeness, correctness = t.quality()
        style = "" if t.passed else ("bold red" if t.audited else "bold magenta")
        gaps = four_gaps(t)
        table.add_row(
            str(t.rank) if t.rank is not None else "—",
            f"{t.township_name or t.folder}\n{t.township_code or ''}".rstrip(),
            Text(result_text(t, lang), style=style),
            str(t.count(Severity.ERROR)),
            str(t.count(Severity.WARNING)),
            str(len(t.county_findings)),
            f"{t.women:,}" if t.audited else "—",
            fmt_pct(completeness),
            fmt_pct(correctness),
            " ".join(gaps) if gaps is not None else "—",
        )
    console.print(table)
    console.print(Text(label("four_note", lang), style="dim"))
    console.print(Text(label("rank_note", lang), style="dim"))
    for t in county.unusable:
        console.print(Text(f"{t.label}: {t.failure}", style="magenta"))


def _finding_lines(
    console: Console, county: CountyReport, rows: list[CountyFinding], lang: str, limit: int
) -> None:
    """Per finding: severity, check (category), the township to fix it, record; the message."""
    for c in rows[:limit]:
        f = c.finding
        line = Text("  ")
        line.append(severity_name(f.severity, lang), style=SEVERITY_STYLE[f.severity])
        line.append(
            f"  {f.check}（{category_name(f.category, lang)}）"
            if lang == "zh"
            else f"  {f.check} ({category_name(f.category, lang)})"
        )
        line.append(f"  → {township_label(county, c.township_code)}", style="bold")
        line.append(f"  {label('record', lang)} {f.record}", style="dim")
        status = cross_status(county, c)
        if status:
            line.append(f"  [{status}]")
        console.print(line)
        console.print(Padding(Text(f.message), (0, 0, 0, 6)))
    if len(rows) > limit:
        console.print(Text("  " + label("more", lang, n=len(rows) - limit), style="dim"))


def _cross(console: Console, county: CountyReport, lang: str, limit: int) -> None:
    if not county.findings:
        _section(console, label("cross_none", lang))
        return
    _section(console, f"{label('cross', lang)} ({len(county.findings)})")
    since = cross_since_line(county)
    if since:
        console.print(Text(since, style="bold"))
    _finding_lines(console, county, cross_ordered(county, county.findings), lang, limit)
    if county.history is not None and county.history.resolved:
        _resolved(console, county.history.resolved, lang, limit)


def _resolved(console: Console, resolved: tuple[Finding, ...], lang: str, limit: int) -> None:
    console.print(f"  {resolved_title(lang, len(resolved))}:")
    for f in resolved[:limit]:
        console.print(Text(f"    {f.check}  {label('record', lang)} {f.record}", style="dim"))
    if len(resolved) > limit:
        console.print(Text("    " + label("more", lang, n=len(resolved) - limit), style="dim"))


def _own_lines(console: Console, report: AuditReport, lang: str, limit: int) -> None:
    findings = own_ordered(report)
    for f in findings[:limit]:
        line = Text("  ")
        line.append(severity_name(f.severity, lang), style=SEVERITY_STYLE[f.severity])
        line.append(
            f"  {f.check}（{category_name(f.category, lang)}）"
            if lang == "zh"
            else f"  {f.check} ({category_name(f.category, lang)})"
        )
        line.append(f"  {f.village_code or ''}  {label('record', lang)} {f.record}", style="dim")
        status = own_status(report, f)
        if status:
            line.append(f"  [{status}]")
        console.print(line)
        console.print(Padding(Text(f.message), (0, 0, 0, 6)))
    if len(findings) > limit:
        console.print(Text("  " + label("more", lang, n=len(findings) - limit), style="dim"))


def _townships(console: Console, county: CountyReport, lang: str, limit: int) -> None:
    _section(console, label("per_township", lang))
    for t in county.townships:
        _township(console, county, t, lang, limit)


def _township(
    console: Console, county: CountyReport, t: TownshipEntry, lang: str, limit: int
) -> None:
    console.print()
    head = Text(f"{t.rank or '—'}. {t.label}  ", style="bold")
    style = "bold green" if t.passed else ("bold red" if t.audited else "bold magenta")
    head.append(result_text(t, lang), style=style)
    head.append(f"  ({label('folder', lang)} {t.folder})", style="dim")
    console.print(head)
    if t.report is None:
        console.print(f"  {label('reason', lang)}: {t.failure}")
    else:
        s = t.report.summary()
        console.print(
            f"  {label('errors', lang)} {s['errors']} · {label('warnings', lang)} "
            f"{s['warnings']} · info {s['info']}"
        )
        for line in township_cycle_lines(t.report):
            console.print(Padding(Text(line), (0, 0, 0, 2)))
        if t.report.findings:
            _own_lines(console, t.report, lang, limit)
        h = t.report.history
        if h is not None and h.resolved:
            _resolved(console, h.resolved, lang, limit)
    if t.county_findings:
        console.print(f"  {label('cross', lang)}:")
        _finding_lines(console, county, cross_ordered(county, t.county_findings), lang, limit)
