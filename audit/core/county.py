"""The result model of a county audit (县级审核): every township's report and the county's own.

Design decisions:

- A county run is computed once into a `CountyReport` of frozen dataclasses and
  every county renderer reads it; none recomputes. Each township's entry holds
  its single-township `AuditReport` unchanged, so a township's part of the
  county report is exactly what `audit run` on its folder shows.
- A cross-township finding is an ordinary `Finding` (contract fields) plus the
  township that must fix it (`township_code`). Its `record` is keyed as in a
  single audit with the township holding the record in front
  (``"<township_code>|<key>"``), because a key is only unique within one
  township. When both townships must act, there are two findings, one each.
- A township folder that cannot be audited is a `TownshipEntry` with no report
  and a `failure` (the reason the single audit would have printed); it counts
  as failing. An expected township with no folder is a completeness finding.
- Verdicts and ranks are decided here, from the findings and the gate: a
  township passes when no finding of its own audit and no county finding sent
  to it reaches `--fail-on`, counted as a single run counts them (the `new-*`
  gates by each finding's status since last month, accepted exceptions never).
  The rank (the county grades its townships) orders: audited before
  unusable, passing before failing, then fewer errors and warnings per 1,000
  women on the register, then higher logical correctness and completeness;
  ties share a rank.
- Pure: stdlib and the core models only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit.core.acceptance import AcceptanceOutcome
from audit.core.exitcodes import fails_gate, finding_fails
from audit.core.lifecycle import Lifecycle
from audit.core.models import AuditReport, CheckResult, Finding, Severity

COUNTY_LEVEL = "county"


@dataclass(frozen=True)
class CountyFinding:
    """A cross-township finding and the township (or the county, for its own report) to fix it."""

    township_code: str
    finding: Finding

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    def sort_key(self) -> tuple[int, str, str, str, str]:
        f = self.finding
        return (f.severity.rank, self.township_code, f.check, f.record, f.message)

    def to_dict(self) -> dict[str, Any]:
        return {"township_code": self.township_code, **self.finding.to_dict()}


@dataclass(frozen=True)
class ExpectedTownship:
    """A township the county manifest (county.json) expects a submission from."""

    code: str
    name: str | None = None


@dataclass(frozen=True)
class TownshipEntry:
    """One township of the county: its folder, its own report (or why there is none), its rank."""

    folder: str  # the folder name inside the county folder
    township_code: str | None
    township_name: str | None
    report: AuditReport | None  # None when the folder could not be audited
    failure: str | None = None  # why it could not be audited (the single run's message)
    county_findings: tuple[CountyFinding, ...] = ()  # cross-township findings sent here
    passed: bool = False
    rank: int | None = None  # 1 = best; unusable townships rank last

    @property
    def audited(self) -> bool:
        return self.report is not None

    @property
    def label(self) -> str:
        """How the county officer names the township: name and code, else the folder."""
        if self.township_name and self.township_code:
            return f"{self.township_name} {self.township_code}"
        return self.township_name or self.township_code or self.folder

    def count(self, severity: Severity) -> int:
        own = self.report.count(severity) if self.report is not None else 0
        return own + sum(1 for c in self.county_findings if c.severity is severity)

    @property
    def women(self) -> int:
        if self.report is None:
            return 0
        return next((t.rows for t in self.report.tables if t.table == "women"), 0)

    def quality(self) -> tuple[float | None, float | None]:
        """(completeness, logical correctness) of the township as a whole, when known."""
        overview = self.report.overview if self.report is not None else None
        if overview is None:
            return (None, None)
        for q in overview.quality:
            if q.level == "township":
                return (_rate(q.completeness), _rate(q.correctness))
        return (None, None)

    def four_numbers(self) -> Any:
        """The township row of the four-number table, when the audit computed one."""
        overview = self.report.overview if self.report is not None else None
        if overview is None:
            return None
        return next((r for r in overview.four_numbers if r.level == "township"), None)


def _rate(rate: Any) -> float | None:
    value = getattr(rate, "value", None)
    if value is not None:
        return float(value)
    num, den = getattr(rate, "numerator", None), getattr(rate, "denominator", None)
    if num is None or not den:
        return None
    return float(num) / float(den)


@dataclass(frozen=True)
class CountyReport:
    county_code: str | None
    county_name: str | None
    period: str | None  # YYYY-MM: the county's period (all townships audited for it)
    lang: str
    fail_on: str
    townships: tuple[TownshipEntry, ...]  # in rank order
    findings: tuple[CountyFinding, ...]  # every cross-township finding, sorted
    checks: tuple[CheckResult, ...]  # the cross-township rules that ran
    expected: tuple[ExpectedTownship, ...] = ()  # from county.json; () when none
    meta: dict[str, str] = field(default_factory=dict)
    # the monthly cycle: the cross-township findings' statuses since the county's previous
    # recorded run (None without a history), and the acceptances of the findings sent to the
    # county office itself (those sent to a township are in its report's `acceptances`)
    history: Lifecycle | None = None
    acceptances: AcceptanceOutcome | None = None

    def acceptances_of(self, c: CountyFinding) -> AcceptanceOutcome | None:
        """The acceptances applying to a cross-township finding: its township's, or the county's."""
        for t in self.townships:
            if t.township_code == c.township_code and t.report is not None:
                return t.report.acceptances
        return self.acceptances

    def fails(self, c: CountyFinding) -> bool:
        """Whether a cross-township finding fails the gate (statuses and acceptances counted)."""
        return finding_fails(
            c.finding, self.fail_on, history=self.history, acceptances=self.acceptances_of(c)
        )

    @property
    def failed(self) -> tuple[TownshipEntry, ...]:
        return tuple(t for t in self.townships if not t.passed)

    @property
    def unusable(self) -> tuple[TownshipEntry, ...]:
        return tuple(t for t in self.townships if not t.audited)

    def county_own(self) -> tuple[CountyFinding, ...]:
        """Findings sent to the county office itself (its own report, missing townships)."""
        codes = {t.township_code for t in self.townships if t.township_code}
        return tuple(f for f in self.findings if f.township_code not in codes)

    def passed(self) -> bool:
        return not self.failed and not any(self.fails(f) for f in self.county_own())

    def summary(self) -> dict[str, Any]:
        by_check: dict[str, int] = {}
        for f in self.findings:
            by_check[f.finding.check] = by_check.get(f.finding.check, 0) + 1
        return {
            "townships": len(self.townships),
            "expected": len(self.expected),
            "audited": sum(1 for t in self.townships if t.audited),
            "unusable": len(self.unusable),
            "passed": sum(1 for t in self.townships if t.passed),
            "failed": len(self.failed),
            "county_findings": len(self.findings),
            "county_errors": sum(1 for f in self.findings if f.severity is Severity.ERROR),
            "county_warnings": sum(1 for f in self.findings if f.severity is Severity.WARNING),
            "by_check": dict(sorted(by_check.items())),
        }


def sort_county_findings(findings: list[CountyFinding]) -> tuple[CountyFinding, ...]:
    return tuple(sorted(findings, key=CountyFinding.sort_key))


def township_passes(entry: TownshipEntry, fail_on: str, history: Lifecycle | None = None) -> bool:
    """The gate for one township: audited, and no finding of it or sent to it reaches the gate.

    Its own findings count as its single run counts them (`fails_gate`: new-* gates, accepted
    exceptions); a cross-township finding by the county's `history` and the township's
    acceptances.
    """
    if entry.report is None:
        return False
    if any(fails_gate(entry.report, f, fail_on) for f in entry.report.findings):
        return False
    return not any(
        finding_fails(c.finding, fail_on, history=history, acceptances=entry.report.acceptances)
        for c in entry.county_findings
    )


def _per_thousand(count: int, women: int) -> float:
    return 1000.0 * count / max(women, 1)


def rank_key(entry: TownshipEntry) -> tuple[Any, ...]:
    completeness, correctness = entry.quality()
    return (
        not entry.audited,
        not entry.passed,
        round(_per_thousand(entry.count(Severity.ERROR), entry.women), 6),
        round(_per_thousand(entry.count(Severity.WARNING), entry.women), 6),
        -(correctness if correctness is not None else 0.0),
        -(completeness if completeness is not None else 0.0),
    )


def ranked(
    entries: list[TownshipEntry], fail_on: str, history: Lifecycle | None = None
) -> tuple[TownshipEntry, ...]:
    """Verdicts and ranks: entries in rank order (ties share a rank; unusable ones get none)."""
    from dataclasses import replace

    judged = [replace(e, passed=township_passes(e, fail_on, history)) for e in entries]
    judged.sort(key=lambda e: (rank_key(e), e.township_code or "", e.folder))
    out: list[TownshipEntry] = []
    previous: tuple[Any, ...] | None = None
    rank = 0
    for position, e in enumerate(judged, start=1):
        key = rank_key(e)
        if key != previous:
            rank = position
            previous = key
        out.append(replace(e, rank=rank if e.audited else None))
    return tuple(out)
