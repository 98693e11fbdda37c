"""The county report's labels (zh/en); the single-township labels stay in audit.render.labels."""

from __future__ import annotations

from collections.abc import Sequence

from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.core.models import AuditReport, Finding
from audit.render import lifecycle as cycle
from audit.render.labels import fmt_gap

LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "县级四数一致审核报告", "en": "County four-number consistency audit"},
    "county": {"zh": "县（区）", "en": "County"},
    "period": {"zh": "报告期", "en": "Period"},
    "townships": {"zh": "乡镇", "en": "Townships"},
    "townships_line": {
        "zh": "{audited} 个乡镇已审核，{passed} 个通过，{failed} 个不通过，{unusable} 个无法审核",
        "en": "{audited} townships audited, {passed} pass, {failed} fail, {unusable} could not "
        "be audited",
    },
    "expected_line": {
        "zh": "县级清单应报 {expected} 个乡镇，缺 {missing} 个",
        "en": "the county manifest expects {expected} townships; {missing} missing",
    },
    "verdict": {"zh": "县级结论", "en": "County verdict"},
    "pass": {"zh": "通过", "en": "PASS"},
    "fail": {"zh": "不通过", "en": "FAIL"},
    "unusable": {"zh": "无法审核", "en": "NOT AUDITED"},
    "gate": {
        "zh": "任一乡镇不通过或无法审核即不通过（--fail-on {gate}）",
        "en": "fails when any township fails or cannot be audited (--fail-on {gate})",
    },
    "ranking": {"zh": "乡镇排名", "en": "Townships by rank"},
    "rank": {"zh": "名次", "en": "Rank"},
    "township": {"zh": "乡镇", "en": "Township"},
    "folder": {"zh": "文件夹", "en": "Folder"},
    "result": {"zh": "结论", "en": "Verdict"},
    "errors": {"zh": "错误", "en": "Err."},
    "warnings": {"zh": "警告", "en": "Warn."},
    "county_col": {"zh": "跨乡\n镇", "en": "Cross\ntwp"},
    "women": {"zh": "育龄妇女", "en": "Women"},
    "completeness": {"zh": "完整性", "en": "Compl."},
    "correctness": {"zh": "正确性", "en": "Correct"},
    "four": {"zh": "四数\n出 长 短 流", "en": "Four nos.\nB  L  S  A"},
    "four_note": {
        "zh": "四数：出 = 技术服务或流动人口有证据而出生登记没有的出生；"
        "长、短、流 = 长效、短效、流出的统计 − 对方台账",
        "en": "Four numbers: B = births evidenced by technical service or floating population "
        "but not on the birth register; L(ong-acting), S(hort-acting), A(way) = statistics "
        "− the other ledger",
    },
    "births": {"zh": "出生", "en": "births"},
    "long": {"zh": "长效", "en": "long"},
    "short": {"zh": "短效", "en": "short"},
    "away": {"zh": "流出", "en": "away"},
    "reason": {"zh": "原因", "en": "Reason"},
    "cross": {"zh": "跨乡镇核对发现的问题", "en": "Findings across townships"},
    "cross_none": {"zh": "跨乡镇核对未发现问题", "en": "No finding across townships"},
    "send_to": {"zh": "整改单位", "en": "To fix"},
    "county_office": {"zh": "县级", "en": "county office"},
    "check": {"zh": "规则", "en": "Check"},
    "category": {"zh": "类别", "en": "Category"},
    "severity": {"zh": "级别", "en": "Severity"},
    "record": {"zh": "记录", "en": "Record"},
    "message": {"zh": "说明", "en": "Message"},
    "table": {"zh": "表", "en": "Table"},
    "per_township": {"zh": "各乡镇审核结果", "en": "Each township's audit"},
    "unusable_title": {"zh": "无法审核的乡镇", "en": "Townships that could not be audited"},
    "more": {"zh": "……另有 {n} 条", "en": "... {n} more"},
    "cross_first": {
        "zh": "县级首次记录的跨乡镇核对：{new} 条问题均为新增",
        "en": "first recorded county run: all {new} findings across townships are new",
    },
    "rank_note": {
        "zh": "排名：通过在前；再按每千名育龄妇女的错误、警告数由少到多，"
        "逻辑正确性、完整性由高到低",
        "en": "Rank: passing first; then fewer errors and warnings per 1,000 women, then higher "
        "logical correctness and completeness",
    },
}


def label(key: str, lang: str, **fields: object) -> str:
    text = LABELS[key].get(lang, LABELS[key]["zh"])
    return text.format(**fields) if fields else text


def township_label(county: CountyReport, code: str) -> str:
    """A township (or the county office) as the officer names it."""
    for t in county.townships:
        if t.township_code == code:
            return t.label
    for e in county.expected:
        if e.code == code:
            return f"{e.name} {e.code}" if e.name else e.code
    if code == county.county_code:
        return f"{county.county_name or label('county_office', county.lang)} {code}"
    return code


def result_text(entry: TownshipEntry, lang: str) -> str:
    if not entry.audited:
        return label("unusable", lang)
    return label("pass", lang) if entry.passed else label("fail", lang)


def counts_line(county: CountyReport) -> str:
    s = county.summary()
    return label(
        "townships_line",
        county.lang,
        audited=s["audited"],
        passed=s["passed"],
        failed=s["failed"] - s["unusable"],
        unusable=s["unusable"],
    )


def four_gaps(entry: TownshipEntry) -> tuple[str, str, str, str] | None:
    """The township's four numbers: births not on the register, then the three gaps."""
    row = entry.four_numbers()
    if row is None:
        return None

    return (
        str(row.births_unregistered),
        fmt_gap(row.long_acting_gap),
        fmt_gap(row.short_acting_gap),
        fmt_gap(row.out_migrants_gap),
    )


# --- the monthly cycle: statuses since last month, accepted exceptions ---------------------------


def cross_status(county: CountyReport, c: CountyFinding) -> str:
    """A cross-township finding's status since last month and its acceptance ('' without)."""
    return cycle.status_cell(county.history, county.acceptances_of(c), c.finding, county.lang)


def own_status(report: AuditReport, f: Finding) -> str:
    """A township finding's status, as its single report shows it."""
    return cycle.full_status(report, f, report.lang)


def cross_ordered(county: CountyReport, rows: Sequence[CountyFinding]) -> list[CountyFinding]:
    """New and reopened cross-township findings first (each group in report order)."""
    h = county.history
    if h is None:
        return list(rows)
    return sorted(rows, key=lambda c: h.of(c.finding).status.rank)


def own_ordered(report: AuditReport) -> list[Finding]:
    return cycle.ordered(report, report.findings)


def has_cycle(county: CountyReport) -> bool:
    """Whether any status or acceptance is known (then the reports show a status column)."""
    return (
        county.history is not None
        or county.acceptances is not None
        or any(
            t.report is not None and (t.report.history or t.report.acceptances)
            for t in county.townships
        )
    )


def cross_since_line(county: CountyReport) -> str | None:
    """'since last month (2026-09): …' for the findings across townships; None without one."""
    h = county.history
    if h is None:
        return None
    counts = h.counts()
    if h.previous_period is None:
        return label("cross_first", county.lang, new=counts["new"])
    return cycle.word("since", county.lang, previous=h.previous_period, **counts)


def township_cycle_lines(report: AuditReport) -> list[str]:
    """The township's 'since last month' line and its acceptance notes, as its own report has."""
    line = cycle.since_line(report, report.lang)
    return [*([line] if line else []), *cycle.acceptance_notes(report, report.lang)]


def resolved_title(lang: str, n: int) -> str:
    return f"{cycle.word('resolved_title', lang)} ({n})"


def status_head(lang: str) -> str:
    return cycle.word("status", lang)
