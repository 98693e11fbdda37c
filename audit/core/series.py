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
