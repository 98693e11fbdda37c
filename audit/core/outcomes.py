"""Each rule's outcome: passed, failed or skipped, with its own findings.

Design decisions:

- One outcome per rule (suite entry), in suite order, then one per loader
  check that fired (`table-missing`, ...). A check id may cover several rules
  (`dup-key` on procedures and on checkups); each keeps its own title,
  findings and status, and gets a *name* unique in the report: the check id,
  or `<id>[<table>]` when the id covers several rules (`dup-key[checkups]`).
  Machine outputs (JUnit test names, JSON `checks`) use that name.
- A finding belongs to the rule with its check id, or, when the id covers
  several rules, to the one of the finding's table (a rule's findings may lie
  in other tables, e.g. id-format; then the id's first rule).
- Status follows the gate, as the exit code does: `failed` when one of the
  rule's findings reaches `--fail-on`, `skipped` when the rule could not be
  evaluated, `passed` otherwise (findings below the gate are still counted).
- Pure: computed from the report only, so every renderer shows the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from audit.core.exitcodes import FailOn, fails_gate
from audit.core.models import AuditReport, Category, CheckResult, Finding, Severity

LOAD_SUITE = "load"


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    name: str  # unique in the report: check id, or "<id>[<table>]"
    check: str
    category: Category
    severity: Severity | None  # the rule's default severity (None for loader checks)
    table: str | None
    title: str | None  # the rule's title in the report's language (None for loader checks)
    suite: str  # suite file stem, or "load"
    status: Status
    findings: tuple[Finding, ...]
    skipped_reason: str | None = None
    result: CheckResult | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def reaches(severity: Severity, gate: FailOn) -> bool:
    if gate is FailOn.NEVER:
        return False
    warnings_too = gate in (FailOn.WARNING, FailOn.NEW_WARNING)
    return severity is Severity.ERROR or (warnings_too and severity is Severity.WARNING)


def _names(checks: tuple[CheckResult, ...]) -> list[str]:
    per_id = Counter(c.check for c in checks)
    names = [c.check if per_id[c.check] == 1 else f"{c.check}[{c.table}]" for c in checks]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def outcomes(report: AuditReport, fail_on: FailOn | str = FailOn.ERROR) -> tuple[Outcome, ...]:
    gate = FailOn(fail_on)
    checks = report.checks
    by_id: dict[str, list[int]] = {}
    for i, c in enumerate(checks):
        by_id.setdefault(c.check, []).append(i)
    owned: list[list[Finding]] = [[] for _ in checks]
    loader: dict[str, list[Finding]] = {}
    for f in report.findings:
        positions = by_id.get(f.check)
        if not positions:
            loader.setdefault(f.check, []).append(f)
            continue
        same_table = [i for i in positions if checks[i].table == f.table]
        owned[(same_table or positions)[0]].append(f)

    def status(findings: list[Finding], evaluated: bool) -> Status:
        if not evaluated and not findings:
            return Status.SKIPPED
        failing = any(fails_gate(report, f, gate) for f in findings)  # accepted ones never fail
        return Status.FAILED if failing else Status.PASSED

    result = [
        Outcome(
            name=name,
            check=c.check,
            category=c.category,
            severity=c.severity,
            table=c.table,
            title=c.title,
            suite=c.suite,
            status=status(found, c.evaluated),
            findings=tuple(found),
            skipped_reason=c.skipped_reason if not c.evaluated else None,
            result=c,
        )
        for name, c, found in zip(_names(checks), checks, owned, strict=True)
    ]
    taken = {o.name for o in result}
    for check, found in loader.items():
        name = check if check not in taken else f"{LOAD_SUITE}.{check}"
        result.append(
            Outcome(
                name=name,
                check=check,
                category=found[0].category,
                severity=None,
                table=None,
                title=None,
                suite=LOAD_SUITE,
                status=status(found, True),
                findings=tuple(found),
            )
        )
    return tuple(result)
