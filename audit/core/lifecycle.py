"""The life of a finding from one month to the next (跟踪整改: new, persisting, reopened, resolved).

Design decisions:

- A finding's identity is (check, table, record): the same rule on the same
  record is the same problem whatever its message says this month (a count in
  the message may change while the record is still wrong).
- The baseline is the latest non-superseded run of the *previous audited
  period* of the same township, not the calendar month before: a township
  audited in July and September compares September with July. A re-audit of
  the same period never serves as its own baseline.
- `persisting` carries the period its unbroken run of months began (`since`)
  and how many calendar months that is, counting this one; `reopened` is an
  identity absent from the baseline but seen in some earlier period (it was
  fixed, and came back); `new` was never seen; `resolved` lists the
  baseline's findings that are gone.
- Pure: the history store (`audit.io.history`) reads the baseline and the
  earlier identities, this module decides; so every status can be tested on
  a handful of findings without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from audit.core.models import Finding

Identity = tuple[str, str, str]  # (check, table, record)


class Status(StrEnum):
    NEW = "new"
    PERSISTING = "persisting"
    REOPENED = "reopened"
    RESOLVED = "resolved"

    @property
    def rank(self) -> int:
        """New and reopened first: what the meeting has not seen yet."""
        return _RANK[self]


_RANK = {Status.NEW: 0, Status.REOPENED: 1, Status.PERSISTING: 2, Status.RESOLVED: 3}


def identity(f: Finding) -> Identity:
    return (f.check, f.table, f.record)


def months_between(first: str, last: str) -> int:
    """Calendar months from `first` to `last`, both counted: 2026-07 → 2026-09 is 3."""
    # periods reach here already validated (YYYY-MM); audit.core.period imports the exit codes,
    # which import this module, so it is not imported here
    y1, m1 = int(first[:4]), int(first[5:7])
    y2, m2 = int(last[:4]), int(last[5:7])
    return (y2 * 12 + m2) - (y1 * 12 + m1) + 1


@dataclass(frozen=True)
class Tracked:
    """The status of one finding identity in this month's run."""

    status: Status
    since: str  # first period of its unbroken run (this period for new and reopened)
    months: int  # calendar months from `since` to this period, both counted
    last_seen: str | None = None  # reopened: the last period it was seen before

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"status": str(self.status), "since": self.since}
        out["months"] = self.months
        if self.last_seen is not None:
            out["last_seen"] = self.last_seen
        return out


@dataclass(frozen=True)
class Baseline:
    """What the history knows before this run: the previous audited period and earlier ones."""

    period: str  # the previous audited period
    run_id: str
    findings: tuple[Finding, ...]
    since: Mapping[Identity, str]  # identity -> `since` it carried in that run
    # identities seen in any period before the baseline's, with the last period each was seen
    earlier: Mapping[Identity, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lifecycle:
    """Every finding's status against the baseline, and the baseline's findings now gone."""

    period: str
    previous_period: str | None  # None: the first audited period of this township
    statuses: Mapping[Identity, Tracked]
    resolved: tuple[Finding, ...]  # the baseline's findings no longer reported, in report order
    run_id: str | None = None  # this run in the history store (None when not recorded)
    resolved_since: Mapping[Identity, str] = field(default_factory=dict)

    def of(self, f: Finding) -> Tracked:
        return self.statuses[identity(f)]

    def count(self, status: Status) -> int:
        if status is Status.RESOLVED:
            return len({identity(f) for f in self.resolved})
        return sum(1 for t in self.statuses.values() if t.status is status)

    def counts(self) -> dict[str, int]:
        return {str(s): self.count(s) for s in Status}

    def to_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "previous_period": self.previous_period,
            "counts": self.counts(),
            "resolved": [
                {**f.to_dict(), "since": self.resolved_since.get(identity(f))}
                for f in self.resolved
            ],
        }


def compute_lifecycle(
    findings: Iterable[Finding], period: str, baseline: Baseline | None
) -> Lifecycle:
    """The status of every finding of `period` against `baseline` (None: nothing before)."""
    current = list(findings)
    statuses: dict[Identity, Tracked] = {}
    before = {identity(f) for f in baseline.findings} if baseline else set()
    for f in current:
        key = identity(f)
        if key in statuses:
            continue
        if baseline is not None and key in before:
            since = baseline.since.get(key) or baseline.period
            statuses[key] = Tracked(Status.PERSISTING, since, months_between(since, period))
        elif baseline is not None and key in baseline.earlier:
            statuses[key] = Tracked(Status.REOPENED, period, 1, baseline.earlier[key])
        else:
            statuses[key] = Tracked(Status.NEW, period, 1)
    resolved: list[Finding] = []
    resolved_since: dict[Identity, str] = {}
    if baseline is not None:
        for f in baseline.findings:
            key = identity(f)
            if key not in statuses:
                resolved.append(f)
                resolved_since[key] = baseline.since.get(key) or baseline.period
    return Lifecycle(
        period=period,
        previous_period=baseline.period if baseline else None,
        statuses=statuses,
        resolved=tuple(resolved),
        resolved_since=resolved_since,
    )


def status_first(findings: Iterable[Finding], lifecycle: Lifecycle | None) -> list[Finding]:
    """The findings with new and reopened ones first, each group in the report's order."""
    ordered = list(findings)
    if lifecycle is None:
        return ordered
    return sorted(ordered, key=lambda f: lifecycle.of(f).status.rank)
