"""The one result model of an audit.

An audit is computed once into an `AuditReport` of frozen dataclasses; every
renderer (terminal, JSON, JUnit, Markdown, XLSX, HTML) reads it and none
recomputes. This module is pure: it imports nothing from rich, typer, duckdb
or polars, so the verdict logic can be tested without any I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the monthly cycle's parts; their modules import this one
    from audit.core.acceptance import AcceptanceOutcome
    from audit.core.lifecycle import Lifecycle
    from audit.core.series import ReportRow


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for error (most severe), 2 for info: the sort order of findings."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Category(StrEnum):
    UNDER_REPORT = "under_report"  # 漏报
    FALSE_REPORT = "false_report"  # 虚报
    MISMATCH = "mismatch"  # 错报/不一致
    LOGIC = "logic"  # 逻辑错误
    DUPLICATE = "duplicate"  # 重复
    INVALID_ID = "invalid_id"
    ARITHMETIC = "arithmetic"  # 表内不平
    COMPLETENESS = "completeness"  # 缺项
    TIMELINESS = "timeliness"  # 迟报
    PLAUSIBILITY = "plausibility"  # 异常


# Slots: a report may hold millions of findings, and an instance without a __dict__ is a
# quarter of the size (96 bytes against 352).
@dataclass(frozen=True, slots=True)
class Finding:
    """One discrepancy on one record: the contract's finding fields, in contract order."""

    check: str
    category: Category
    severity: Severity
    ledgers: tuple[str, ...]
    table: str
    record: str  # primary-key value; composite keys joined by "|" in key order
    village_code: str | None
    message: str

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Severity, village, check, record — the contract's order (then message for ties)."""
        return (self.severity.rank, self.village_code or "", self.check, self.record, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "category": str(self.category),
            "severity": str(self.severity),
            "ledgers": list(self.ledgers),
            "table": self.table,
            "record": self.record,
            "village_code": self.village_code,
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one rule over the submission (one expectation of a suite)."""

    check: str
    category: Category
    severity: Severity  # the rule's default severity (a finding may be graded otherwise)
    ledgers: tuple[str, ...]
    table: str
    title: str  # one line, in the report's language
    suite: str  # suite file stem, e.g. "statistics", or "load" for loader checks
    evaluated: bool = True  # False when a table it needs is missing
    unexpected_count: int = 0
    element_count: int | None = None  # rows the rule looked at, when known
    mostly: float | None = None  # tolerance from the suite; None means every row must pass
    success: bool = True  # within tolerance
    skipped_reason: str | None = None


@dataclass(frozen=True)
class TableLoad:
    """What was read for one table (for `audit inspect` and the report header)."""

    table: str
    ledger: str
    path: str | None  # None when the table is missing
    format: str | None  # "csv", "xlsx", "parquet"
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030" for CSV
    rows: int
    columns: tuple[tuple[str, str], ...]  # (canonical column, header it came from)
    missing_columns: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()
    sheet: str | None = None  # the worksheet, when a workbook holds several tables


@dataclass(frozen=True)
class Window:
    """The audit window W and the 'recent' span (checks.md: Window)."""

    start: date
    end: date  # the period end
    recent_start: date  # first day of the 92 days up to the period end

    def to_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "recent_start": self.recent_start.isoformat(),
        }


@dataclass(frozen=True)
class Village:
    """A village as the optional `villages` table names it (村名表); extra columns kept in order."""

    code: str
    name: str
    extra: tuple[
        tuple[str, str], ...
    ] = ()  # (header as written, value), e.g. the responsible officer

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "extra": dict(self.extra)}


@dataclass(frozen=True)
class AuditReport:
    period: str  # YYYY-MM
    township_code: str | None
    township_name: str | None
    window: Window
    lang: str
    tables: tuple[TableLoad, ...]
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]  # sorted by Finding.sort_key
    overview: Any = None  # audit.core.overview.Overview: the §6 figures (four numbers, ...)
    meta: dict[str, str] = field(default_factory=dict)  # tool version, submission path
    villages: tuple[Village, ...] = ()  # from the optional villages table; () shows codes only
    # the monthly cycle: each finding's status since the previous audited period (None when
    # the run is not recorded), and which findings are accepted exceptions (None: no file)
    history: Lifecycle | None = None
    acceptances: AcceptanceOutcome | None = None
    report_rows: tuple[ReportRow, ...] = ()  # the period's stat_reports rows, for the history

    def village_names(self) -> dict[str, str]:
        """Village code -> name, for every village the submission names."""
        return {v.code: v.name for v in self.villages}

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def summary(self) -> dict[str, Any]:
        """Counts for the JSON summary and every renderer's verdict line."""
        by_category: dict[str, int] = {}
        by_check: dict[str, int] = {}
        by_village: dict[str, int] = {}
        for f in self.findings:
            by_category[f.category] = by_category.get(f.category, 0) + 1
            by_check[f.check] = by_check.get(f.check, 0) + 1
            v = f.village_code or ""
            by_village[v] = by_village.get(v, 0) + 1
        return {
            "findings": len(self.findings),
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "info": self.count(Severity.INFO),
            "checks_run": sum(1 for c in self.checks if c.evaluated),
            "checks_failed": sum(1 for c in self.checks if not c.success),
            "by_category": dict(sorted(by_category.items())),
            "by_check": dict(sorted(by_check.items())),
            "by_village": dict(sorted(by_village.items())),
        }


def sort_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))
