"""How every format shows the monthly cycle: status since last month, accepted exceptions.

Design decisions:

- One place for the words (zh/en) and the small texts every renderer shows —
  the opening line "since last month: N new, N resolved, N persisting", a
  finding's status ("persisting since 2026-07, 3 months"), its acceptance —
  so the terminal, Markdown, XLSX, HTML and JUnit say the same thing.
- Reads `AuditReport.history` and `AuditReport.acceptances` only; a report
  without them (`--no-history`, no acceptances file) renders as before.
"""

from __future__ import annotations

from audit.core.acceptance import Acceptance, AcceptanceOutcome
from audit.core.lifecycle import Lifecycle, Status, status_first
from audit.core.models import AuditReport, Finding
from audit.render.labels import lang_of, semicolon

WORDS: dict[str, dict[str, str]] = {
    "new": {"zh": "新增", "en": "new"},
    "persisting": {"zh": "持续", "en": "persisting"},
    "reopened": {"zh": "复发", "en": "reopened"},
    "resolved": {"zh": "已整改", "en": "resolved"},
    "accepted": {"zh": "已接受例外", "en": "accepted"},
    "status": {"zh": "状态", "en": "Status"},
    "since_col": {"zh": "自何时起", "en": "Since"},
    "since": {
        "zh": "与上期（{previous}）相比：新增 {new} 条，已整改 {resolved} 条，"
        "持续 {persisting} 条，复发 {reopened} 条",
        "en": "since last month ({previous}): {new} new, {resolved} resolved, "
        "{persisting} persisting, {reopened} reopened",
    },
    "first": {
        "zh": "本乡镇首次记录的审核：{new} 条问题均为新增",
        "en": "first recorded audit of this township: all {new} findings are new",
    },
    "persisting_since": {
        "zh": "持续（自 {since} 起，{months} 个月）",
        "en": "persisting since {since} ({months} months)",
    },
    "reopened_after": {"zh": "复发（上次见于 {last}）", "en": "reopened (last seen {last})"},
    "accepted_reason": {
        "zh": "已接受例外：{reason}（{by}，至 {expires}）",
        "en": "accepted: {reason} ({by}, until {expires})",
    },
    "resolved_title": {"zh": "上期以来已整改", "en": "Resolved since last month"},
    "acceptances_title": {"zh": "已接受的例外", "en": "Accepted exceptions"},
    "accepted_count": {
        "zh": "{n} 条问题为已接受的例外（仍列出，不计入门槛）；文件 {source}",
        "en": "{n} findings are accepted exceptions (listed, never fail the gate); file {source}",
    },
    "stale": {
        "zh": "过时的例外（已无对应问题，可删除）：{check} {table} {record}"
        "（{source} 第 {row} 行）",
        "en": "stale acceptance (matches nothing now, can be removed): {check} {table} {record} "
        "({source} line {row})",
    },
    "expired": {
        "zh": "已过期的例外（{expires} 到期，问题重新计入）：{check} {table} {record}",
        "en": "expired acceptance (ended {expires}, the finding counts again): "
        "{check} {table} {record}",
    },
}


def word(key: str, lang: str, **fields: object) -> str:
    text = WORDS[key][lang_of(lang)]
    return text.format(**fields) if fields else text


def since_line(report: AuditReport, lang: str) -> str | None:
    """The opening line of every report with a history; None without one."""
    h = report.history
    if h is None:
        return None
    counts = h.counts()
    if h.previous_period is None:
        return word("first", lang, new=counts["new"])
    return word("since", lang, previous=h.previous_period, **counts)


def status_of(report: AuditReport, f: Finding) -> Status | None:
    return report.history.of(f).status if report.history is not None else None


def status_text(report: AuditReport, f: Finding, lang: str) -> str:
    """'new', 'persisting since 2026-07 (3 months)', 'reopened (last seen …)'; '' without one."""
    return tracked_text(report.history, f, lang)


def tracked_text(history: Lifecycle | None, f: Finding, lang: str) -> str:
    """`status_text` from a lifecycle (the county's cross-township findings have their own)."""
    if history is None:
        return ""
    t = history.of(f)
    if t.status is Status.PERSISTING:
        return word("persisting_since", lang, since=t.since, months=t.months)
    if t.status is Status.REOPENED and t.last_seen:
        return word("reopened_after", lang, last=t.last_seen)
    return word(str(t.status), lang)


def acceptance_of(report: AuditReport, f: Finding) -> Acceptance | None:
    return report.acceptances.of(f) if report.acceptances is not None else None


def accepted_text(report: AuditReport, f: Finding, lang: str) -> str:
    return acceptance_text(report.acceptances, f, lang)


def acceptance_text(acceptances: AcceptanceOutcome | None, f: Finding, lang: str) -> str:
    a = acceptances.of(f) if acceptances is not None else None
    if a is None:
        return ""
    return word("accepted_reason", lang, reason=a.reason, by=a.accepted_by, expires=a.expires)


def full_status(report: AuditReport, f: Finding, lang: str) -> str:
    """Status and acceptance in one cell: what a table column shows."""
    return status_cell(report.history, report.acceptances, f, lang)


def status_cell(
    history: Lifecycle | None, acceptances: AcceptanceOutcome | None, f: Finding, lang: str
) -> str:
    """`full_status` from a lifecycle and acceptances."""
    return semicolon(lang).join(
        x for x in (tracked_text(history, f, lang), acceptance_text(acceptances, f, lang)) if x
    )


def ordered(report: AuditReport, findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    """New and reopened findings first (each group in report order)."""
    return status_first(findings, report.history)


def acceptance_notes(report: AuditReport, lang: str) -> list[str]:
    """Lines about the acceptances file: how many accepted, the stale and the expired rows."""
    out = report.acceptances
    if out is None:
        return []
    lines = [word("accepted_count", lang, n=len(out.accepted), source=out.source)]
    for a in out.expired:
        lines.append(
            word("expired", lang, expires=a.expires, check=a.check, table=a.table, record=a.record)
        )
    for a in out.stale:
        lines.append(
            word(
                "stale",
                lang,
                check=a.check,
                table=a.table,
                record=a.record,
                source=out.source,
                row=a.row,
            )
        )
    return lines
