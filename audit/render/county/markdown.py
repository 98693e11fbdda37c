"""County Markdown: the county report as a document to file or paste (GitHub-flavoured tables).

Same story as the terminal: verdict and counts, townships by rank, the
findings across townships (each with the township to fix it), then each
township's section with its findings, the first `limit` of each list.
Pipes and line breaks in values are escaped so a message never breaks a table.
"""

from __future__ import annotations

from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.core.models import AuditReport, Finding, Severity
from audit.render.county.labels import (
    counts_line,
    cross_ordered,
    cross_since_line,
    cross_status,
    four_gaps,
    has_cycle,
    label,
    own_ordered,
    own_status,
    resolved_title,
    result_text,
    status_head,
    township_cycle_lines,
    township_label,
)
from audit.render.labels import category_name, fmt_pct, severity_name


def _cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _row(values: list[object]) -> str:
    return "| " + " | ".join(_cell(v) for v in values) + " |"


def _table(head: list[str], rows: list[list[object]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    rule = ["---:" if i in right else "---" for i in range(len(head))]
    return [_row(list(head)), "| " + " | ".join(rule) + " |", *(_row(r) for r in rows)]


def render(county: CountyReport, *, limit: int = 10) -> str:
    lang = county.lang
    name = " ".join(x for x in (county.county_name, county.county_code) if x)
    ok = county.passed() and not county.unusable
    lines = [
        f"# {label('title', lang)} — {name}",
        "",
        f"- {label('period', lang)}: {county.period or '—'}",
        f"- {counts_line(county)}",
    ]
    if county.expected:
        missing = sum(1 for f in county.findings if f.finding.check == "county-township-missing")
        lines.append(
            f"- {label('expected_line', lang, expected=len(county.expected), missing=missing)}"
        )
    lines += [
        f"- **{label('verdict', lang)}: {label('pass', lang) if ok else label('fail', lang)}** "
        f"({label('gate', lang, gate=county.fail_on)})",
        "",
        f"## {label('ranking', lang)}",
        "",
    ]
    head = [
        label(k, lang).replace("\n", " ")
        for k in (
            "rank",
            "township",
            "result",
            "errors",
            "warnings",
            "county_col",
            "women",
            "completeness",
            "correctness",
            "four",
        )
    ]
    rows: list[list[object]] = []
    for t in county.townships:
        completeness, correctness = t.quality()
        gaps = four_gaps(t)
        rows.append(
            [
                t.rank if t.rank is not None else "—",
                t.label,
                result_text(t, lang) if t.audited else f"{result_text(t, lang)}: {t.failure}",
                t.count(Severity.ERROR),
                t.count(Severity.WARNING),
                len(t.county_findings),
                f"{t.women:,}" if t.audited else "—",
                fmt_pct(completeness),
                fmt_pct(correctness),
                " ".join(gaps) if gaps else "—",
            ]
        )
    lines += _table(head, rows, right={0, 3, 4, 5, 6, 7, 8})
    lines += ["", f"_{label('four_note', lang)}_", "", f"_{label('rank_note', lang)}_", ""]
    if county.findings:
        lines += [f"## {label('cross', lang)} ({len(county.findings)})", ""]
        since = cross_since_line(county)
        lines += [f"**{since}**", ""] if since else []
        lines += _cross(county, list(county.findings), lang, limit)
        if county.history is not None:
            lines += _resolved(county.history.resolved, lang, limit)
    else:
        lines += [f"## {label('cross_none', lang)}", ""]
    lines += [f"## {label('per_township', lang)}", ""]
    for t in county.townships:
        lines += _township(county, t, lang, limit)
    return "\n".join(lines).rstrip() + "\n"


def _cross(county: CountyReport, rows: list[CountyFinding], lang: str, limit: int) -> list[str]:
    status = has_cycle(county)
    head = [label(k, lang) for k in ("severity", "send_to", "check", "record", "message")]
    head += [status_head(lang)] if status else []
    body: list[list[object]] = [
        [
            severity_name(c.severity, lang),
            township_label(county, c.township_code),
            f"{c.finding.check} ({category_name(c.finding.category, lang)})",
            f"`{c.finding.record}`",
            c.finding.message,
            *([cross_status(county, c)] if status else []),
        ]
        for c in cross_ordered(county, rows)[:limit]
    ]
    out = _table(head, body)
    if len(rows) > limit:
        out.append(f"\n{label('more', lang, n=len(rows) - limit)}")
    return [*out, ""]


def _resolved(resolved: tuple[Finding, ...], lang: str, limit: int) -> list[str]:
    if not resolved:
        return []
    out = [f"{resolved_title(lang, len(resolved))}:", ""]
    out += [f"- {f.check} `{f.record}`" for f in resolved[:limit]]
    if len(resolved) > limit:
        out.append(f"- {label('more', lang, n=len(resolved) - limit)}")
    return [*out, ""]


def _own(report: AuditReport, status: bool, lang: str, limit: int) -> list[str]:
    findings = own_ordered(report)
    head = [label(k, lang) for k in ("severity", "check", "record", "message")]
    head += [status_head(lang)] if status else []
    body: list[list[object]] = [
        [
            severity_name(f.severity, lang),
            f"{f.check} ({category_name(f.category, lang)})",
            f"`{f.record}`" if f.record else "",
            f.message,
            *([own_status(report, f)] if status else []),
        ]
        for f in findings[:limit]
    ]
    out = _table(head, body)
    if len(findings) > limit:
        out.append(f"\n{label('more', lang, n=len(findings) - limit)}")
    return [*out, ""]


def _township(county: CountyReport, t: TownshipEntry, lang: str, limit: int) -> list[str]:
    out = [
        f"### {t.rank or '—'}. {t.label} — {result_text(t, lang)}",
        "",
        f"{label('folder', lang)}: `{t.folder}`",
        "",
    ]
    if t.report is None:
        return [*out, f"{label('reason', lang)}: {t.failure}", ""]
    s = t.report.summary()
    out += [
        f"{label('errors', lang)} {s['errors']} · {label('warnings', lang)} {s['warnings']} · "
        f"info {s['info']}",
        "",
    ]
    for line in township_cycle_lines(t.report):
        out += [line, ""]
    if t.report.findings:
        out += _own(t.report, has_cycle(county), lang, limit)
    if t.report.history is not None:
        out += _resolved(t.report.history.resolved, lang, limit)
    if t.county_findings:
        out += [f"**{label('cross', lang)}**", ""]
        out += _cross(county, list(t.county_findings), lang, limit)
    return out
