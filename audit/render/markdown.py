"""The Markdown report: the terminal story for meeting minutes and pull-request comments.

Design decisions:

- GitHub-flavoured Markdown: pipe tables, bold for a gap that is not zero
  (it is the number a meeting talks about), headings a reader can link to.
- Every value that comes from the submission (village codes, records,
  messages, names) is escaped, so a record like `*1|2` cannot break a table
  or turn into markup; check ids and records sit in code spans.
- The same sections in the same order as the terminal report, read from the
  one `AuditReport`; the first `limit` records of each village/category group.
"""

from __future__ import annotations

import re

from audit.core.exitcodes import FailOn
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
    fmt_rate_parts,
    fmt_ratio,
    fmt_sex_ratio,
    group_findings,
    is_unit_record,
    label,
    record_text,
    semicolon,
    severity_name,
    skipped_rules,
    table_name,
    township_title,
    unit_name,
    verdict,
    window_text,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")


def escape(text: object) -> str:
    """Inline Markdown: punctuation that could become markup escaped, one line."""
    s = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", s)


def code(text: object) -> str:
    """A code span; backticks inside get a longer fence, pipes are escaped for tables."""
    s = " ".join(str(text).split()).replace("|", "\\|")
    if not s:
        return ""
    fence = "`"
    while fence in s:
        fence += "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """align: one of l/r per column."""
    marks = {"l": ":---", "r": "---:"}
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    lang = report.lang
    names = report.village_names()
    out: list[str] = []
    out += _header(report, lang)
    out += _since_last_month(report, lang)
    out += _verdict(report, fail_on, lang)
    ov: Overview | None = report.overview
    if ov is None:
        out += ["", f"_{escape(label('overview_missing', lang))}_"]
    else:
        out += _four_numbers(ov, lang, names)
        out += _indicators(ov, lang, names)
        out += _quality(ov, lang, names)
        out += _capture_recapture(ov, lang)
    out += _findings(report, lang, max(limit, 0))
    out += _resolved(report, lang, max(limit, 0))
    return "\n".join(out).rstrip("\n") + "\n"


def _header(report: AuditReport, lang: str) -> list[str]:
    c = colon(lang)
    lines = [
        f"# {escape(label('title', lang))} — {escape(township_title(report, lang))}",
        "",
        f"- **{label('period', lang)}**{c}{escape(report.period)}",
        f"- **{label('window', lang)}**{c}{escape(window_text(report, lang))}",
    ]
    if report.meta.get("submission"):
        lines.append(f"- **{label('submission', lang)}**{c}{code(report.meta['submission'])}")
    lines.append(
        f"- **{label('files', lang)}**{c}{escape(files_summary(report, lang))}"
        f" — {escape(' · '.join(files_read(report, lang)))}"
    )
    return lines


def _since_last_month(report: AuditReport, lang: str) -> list[str]:
    since = cycle.since_line(report, lang)
    lines = ["", f"**{escape(since)}**"] if since is not None else []
    notes = cycle.acceptance_notes(report, lang)
    if notes:
        lines += ["", *(f"- {escape(n)}" for n in notes)]
    return lines


def _resolved(report: AuditReport, lang: str, limit: int) -> list[str]:
    h = report.history
    if h is None or not h.resolved:
        return []
    lines = ["", f"## {escape(cycle.word('resolved_title', lang))} ({len(h.resolved):,})", ""]
    header = [label(k, lang) for k in ("severity", "check", "table", "record", "message")]
    rows = [
        [
            escape(severity_name(f.severity, lang)),
            code(f.check),
            escape(table_name(f.table, lang)),
            code(record_text(f, report, lang)),
            escape(f.message),
        ]
        for f in h.resolved[:limit]
    ]
    lines += _table([escape(x) for x in header], rows, "lllll")
    if len(h.resolved) > limit:
        lines += ["", f"_{escape(label('more', lang, n=fmt_int(len(h.resolved) - limit)))}_"]
    return lines


def _verdict(report: AuditReport, fail_on: FailOn | str, lang: str) -> list[str]:
    v = verdict(report, fail_on)
    return [
        "",
        f"## {label('verdict', lang)}{colon(lang)}{v.word(lang)}",
        "",
        f"**{escape(v.counts(lang))}** — {escape(v.gate_text(lang))}{semicolon(lang)}"
        f"{escape(checks_line(report, fail_on, lang))}",
        *_skipped(report, lang),
    ]


def _skipped(report: AuditReport, lang: str) -> list[str]:
    skipped = skipped_rules(report)
    if not skipped:
        return []
    return [
        "",
        f"**{label('skipped_rules', lang)}**{colon(lang)}",
        "",
        *(
            f"- {code(name)} {escape(title)}{colon(lang)}{escape(reason)}"
            for name, title, reason in skipped
        ),
    ]


def _bold_if(text: str, flag: bool) -> str:
    return f"**{text}**" if flag else text


def _unit(level: str, unit: str | None, lang: str, names: Names) -> str:
    name = escape(unit_name(level, unit, lang, names))
    return f"**{name}**" if level == TOWNSHIP else name


def _four_numbers(ov: Overview, lang: str, names: Names) -> list[str]:
    def h(group: str, sub: str) -> str:
        return f"{label(group, lang)}·{label(sub, lang)}"

    header = [
        label("village", lang),
        h("births", "statistics"),
        h("births", "technical"),
        h("births", "floating"),
        h("births", "unregistered"),
        h("long_acting", "statistics"),
        h("long_acting", "technical"),
        h("long_acting", "gap"),
        h("short_acting", "statistics"),
        h("short_acting", "supply"),
        h("short_acting", "gap"),
        h("out_migrants", "statistics"),
        h("out_migrants", "floating"),
        h("out_migrants", "gap"),
    ]
    rows = []
    for r in ov.four_numbers:
        rows.append(
            [
                _unit(r.level, r.unit, lang, names),
                fmt_int(r.births_statistics),
                fmt_int(r.births_technical),
                fmt_int(r.births_floating),
                _bold_if(fmt_int(r.births_unregistered), r.births_unregistered != 0),
                fmt_int(r.long_acting_statistics),
                fmt_int(r.long_acting_technical),
                _bold_if(fmt_gap(r.long_acting_gap), r.long_acting_gap != 0),
                fmt_int(r.short_acting_statistics),
                fmt_int(r.short_acting_supply),
                _bold_if(fmt_gap(r.short_acting_gap), r.short_acting_gap != 0),
                fmt_int(r.out_migrants_statistics),
                fmt_int(r.out_migrants_floating),
                _bold_if(fmt_gap(r.out_migrants_gap), r.out_migrants_gap != 0),
            ]
        )
    return [
        "",
        f"## {label('four_numbers', lang)}",
        "",
        *_table([escape(x) for x in header], rows, "l" + "r" * 13),
        "",
        f"_{escape(label('four_numbers_note', lang))}_",
    ]


def _indicators(ov: Overview, lang: str, names: Names) -> list[str]:
    header = [
        label(k, lang)
        for k in (
            "village",
            "policy_compliance",
            "contraceptive_prevalence",
            "sex_ratio_interval",
            "boys_girls",
            "certificate_rate",
            "feedback_rate",
            "timely_reporting",
        )
    ]
    rows = [
        [
            _unit(r.level, r.unit, lang, names),
            fmt_rate_parts(r.policy_compliance),
            fmt_rate_parts(r.contraceptive_prevalence),
            fmt_sex_ratio(r.sex_ratio),
            f"{r.sex_ratio.males:,}/{r.sex_ratio.females:,}",
            fmt_rate_parts(r.certificate_rate),
            fmt_rate_parts(r.feedback_rate),
            fmt_rate_parts(r.timely_reporting),
        ]
        for r in ov.indicators
    ]
    return [
        "",
        f"## {label('indicators', lang)}",
        "",
        *_table([escape(x) for x in header], rows, "lrrrrrrr"),
        "",
        f"_{escape(label('indicators_note', lang))}_",
    ]


def _quality(ov: Overview, lang: str, names: Names) -> list[str]:
    header = [label("village", lang), label("completeness", lang), label("correctness", lang)]
    rows = [
        [
            _unit(r.level, r.unit, lang, names),
            fmt_rate_parts(r.completeness, 2),
            fmt_rate_parts(r.correctness, 2),
        ]
        for r in ov.quality
    ]
    return [
        "",
        f"## {label('quality', lang)}",
        "",
        *_table([escape(x) for x in header], rows, "lrr"),
        "",
        f"_{escape(label('quality_note', lang))}_",
    ]


def _capture_recapture(ov: Overview, lang: str) -> list[str]:
    cr = ov.capture_recapture
    c = colon(lang)
    lines = [
        "",
        f"## {escape(label('capture_recapture', lang))}",
        "",
        f"- {escape(label('list_a', lang))}{c}{cr.n1:,}",
        f"- {escape(label('list_b', lang))}{c}{cr.n2:,}",
        f"- {escape(label('matched', lang))}{c}{cr.m:,}",
        "",
    ]
    if cr.too_small:
        lines.append(f"**{escape(label('too_small', lang, min=MIN_MATCHED))}**")
    else:
        lines.append(
            "**"
            + escape(
                label(
                    "estimate_line",
                    lang,
                    estimate=fmt_ratio(cr.estimate),
                    low=fmt_ratio(cr.low),
                    high=fmt_ratio(cr.high),
                    rate=fmt_pct(cr.under_reporting),
                    rate_low=fmt_pct(cr.under_reporting_low),
                    rate_high=fmt_pct(cr.under_reporting_high),
                )
            )
            + "**"
        )
    lines += ["", f"_{escape(label('crr_note', lang))}_"]
    return lines


def _findings(report: AuditReport, lang: str, limit: int) -> list[str]:
    lines = ["", f"## {label('findings', lang)} ({len(report.findings):,})"]
    if not report.findings:
        return [*lines, "", escape(label("no_findings", lang))]
    for group in group_findings(report):
        lines += _finding_group(report, group, lang, limit)
    return lines


def _finding_group(report: AuditReport, group: FindingGroup, lang: str, limit: int) -> list[str]:
    counts = label(
        "counts",
        lang,
        errors=group.count(Severity.ERROR),
        warnings=group.count(Severity.WARNING),
        info=group.count(Severity.INFO),
    )
    unit = finding_unit(group.village_code, report.township_code, lang, report.village_names())
    lines = ["", f"### {escape(label('findings_of', lang, unit=unit, counts=counts))}"]
    header = [label(k, lang) for k in ("severity", "check", "table", "record", "message")]
    titles = check_titles(report)
    marked = report.history is not None or report.acceptances is not None
    if marked:
        header.insert(1, cycle.word("status", lang))
    for category, found in group.by_category:
        lines += ["", f"#### {escape(category_name(category, lang))} ({len(found):,})", ""]
        rows = []
        for f in cycle.ordered(report, found)[:limit]:
            cells = [
                escape(severity_name(f.severity, lang)),
                f"{code(f.check)} {escape(check_title(f.check, f.table, titles))}".rstrip(),
                "" if is_unit_record(f, report) else escape(table_name(f.table, lang)),
                code(record_text(f, report, lang)),
                escape(f.message),
            ]
            if marked:
                cells.insert(1, escape(cycle.full_status(report, f, lang)))
            rows.append(cells)
        if rows:
            lines += _table([escape(x) for x in header], rows, "l" * len(header))
        if len(found) > limit:
            lines += ["", f"_{escape(label('more', lang, n=fmt_int(len(found) - limit)))}_"]
    return lines
