"""The monthly report series (统计月报序列) a village's month is compared with.

Design decisions:

- The consistency-over-time rules are SQL (`sql/checks/trend-*.sql`) over one
  long table `report_history` (period, level, unit_code, measure, value) that
  the audit's DuckDB holds next to the submission; this module is the data
  that travels between the history store and that table.
- A run records the audited period's report rows (`ReportRow`) in the
  history; the next month's audit loads the earlier periods back. Earlier
  periods present in the submission's own `stat_reports` win over the
  history: they are the village's latest word on that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The series the consistency rules watch: births, users by method, the four operations
# (四项手术) and out-migrant women. Every report count is recorded; these are compared.
WATCHED = (
    "births_total",
    "users_iud",
    "users_tubal_ligation",
    "users_vasectomy",
    "users_implant",
    "users_oral_pill",
    "users_injection",
    "users_condom",
    "users_other",
    "proc_iud_insert",
    "proc_iud_remove",
    "proc_ligation",
    "proc_abortion",
    "out_migrant_women",
)


@dataclass(frozen=True)
class ReportRow:
    """One unit's row of the monthly report for one period, as counts by measure."""

    period: str
    level: str  # township, village or group
    unit_code: str
    values: tuple[tuple[str, int | None], ...]  # (measure, count) in contract order

    def value(self, measure: str) -> int | None:
        return dict(self.values).get(measure)


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    township_code: str
    township_name: str | None
    period: str
    recorded_at: datetime
    tool_version: str
    superseded_by: str | None
    errors: int
    warnings: int
    new: int
    persisting: int
    reopened: int
    resolved: int


@dataclass(frozen=True)
class VillageMonth:
    """One village (or the township, unit = township code) in one recorded period."""

    period: str
    unit: str
    level: str
    errors: int
    warnings: int
    figures: dict[str, float | None]

    def figure(self, name: str) -> float | None:
        return self.figures.get(name)

    def gap(self, statistics: str, other: str) -> int | None:
        a, b = self.figures.get(statistics), self.figures.get(other)
        return None if a is None or b is None else int(a - b)

    def four_numbers(self) -> dict[str, int | None]:
        """The four comparisons as gaps: births unregistered, long-, short-acting, out-migrants."""
        births = self.figures.get("births_unregistered")
        return {
            "births_unregistered": None if births is None else int(births),
            "long_acting_gap": self.gap("long_acting_statistics", "long_acting_technical"),
            "short_acting_gap": self.gap("short_acting_statistics", "short_acting_supply"),
            "out_migrants_gap": self.gap("out_migrants_statistics", "out_migrants_floating"),
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "unit": self.unit,
            "level": self.level,
            "errors": self.errors,
            "warnings": self.warnings,
            "completeness": self.figures.get("completeness"),
            "correctness": self.figures.get("correctness"),
            **self.four_numbers(),
        }


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """One character a month, low to high within the series; a gap for a month without a value."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif hi == lo:
            out.append(SPARKS[0] if hi == 0 else SPARKS[3])
        else:
            out.append(SPARKS[round((v - lo) / (hi - lo) * (len(SPARKS) - 1))])
    return "".join(out)
