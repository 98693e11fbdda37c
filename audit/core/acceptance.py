"""Accepted exceptions (已核实的例外): known, explained findings that no longer fail the gate.

Design decisions:

- An acceptance names one finding identity (check, table, record), the
  township it belongs to, why it is accepted, who accepted it, when, and the
  last period it holds (`expires`, YYYY-MM, inclusive). It is a decision
  with a date on it: after `expires` the finding is a normal finding again,
  so an exception is looked at again instead of being forgotten.
- An accepted finding is still reported, marked accepted with its reason;
  only the gate ignores it (`audit.core.exitcodes`).
- An acceptance of this township that matched nothing this month is
  *stale*: the record was fixed or deleted, and the row can go. Expired
  acceptances that still match are listed too, so the officer sees why a
  finding fails again.
- Pure: reading and writing the file is `audit.io.acceptances`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from audit.core.lifecycle import Identity, identity
from audit.core.models import Finding

FIELDS = (
    "township_code",
    "check",
    "table",
    "record",
    "reason",
    "accepted_by",
    "accepted_on",
    "expires",
)


@dataclass(frozen=True)
class Acceptance:
    township_code: str  # "" applies to every township (a county-wide decision)
    check: str
    table: str
    record: str
    reason: str
    accepted_by: str
    accepted_on: date
    expires: str  # last period (YYYY-MM) the acceptance holds
    row: int = 0  # row in the file (1 = first data row), for messages

    @property
    def identity(self) -> Identity:
        return (self.check, self.table, self.record)

    def applies_to(self, township_code: str | None) -> bool:
        return not self.township_code or self.township_code == (township_code or "")

    def expired(self, period: str) -> bool:
        return period > self.expires  # YYYY-MM compares as text

    def to_dict(self) -> dict[str, str]:
        return {
            "township_code": self.township_code,
            "check": self.check,
            "table": self.table,
            "record": self.record,
            "reason": self.reason,
            "accepted_by": self.accepted_by,
            "accepted_on": self.accepted_on.isoformat(),
            "expires": self.expires,
        }


@dataclass(frozen=True)
class AcceptanceOutcome:
    """How this month's findings meet the acceptances file."""

    source: str  # the file read
    accepted: Mapping[Identity, Acceptance] = field(default_factory=dict)
    expired: tuple[Acceptance, ...] = ()  # matched a finding, but past their period
    stale: tuple[Acceptance, ...] = ()  # in force for this township, matched nothing

    def of(self, f: Finding) -> Acceptance | None:
        return self.accepted.get(identity(f))

    def is_accepted(self, f: Finding) -> bool:
        return identity(f) in self.accepted

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "accepted": len(self.accepted),
            "expired": [a.to_dict() for a in self.expired],
            "stale": [a.to_dict() for a in self.stale],
        }


def apply_acceptances(
    acceptances: Iterable[Acceptance],
    findings: Iterable[Finding],
    *,
    period: str,
    township_code: str | None,
    source: str,
) -> AcceptanceOutcome:
    present = {identity(f) for f in findings}
    accepted: dict[Identity, Acceptance] = {}
    expired: list[Acceptance] = []
    stale: list[Acceptance] = []
    for a in acceptances:
        if not a.applies_to(township_code):
            continue
        if a.identity not in present:
            if not a.expired(period):
                stale.append(a)
            continue
        if a.expired(period):
            expired.append(a)
        else:
            # the most specific row wins: this township's over a county-wide one
            held = accepted.get(a.identity)
            if held is None or (not held.township_code and a.township_code):
                accepted[a.identity] = a
    return AcceptanceOutcome(source, accepted, tuple(expired), tuple(stale))
