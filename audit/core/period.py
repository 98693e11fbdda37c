"""Reporting periods and the audit window.

A period is a month (YYYY-MM); its end is the month's last day. The audit
window W runs from 1 October (start of the family-planning statistical year,
计生统计年度) to the period end unless the user names another start; "recent"
is the 92 days up to and including the period end.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from audit.core.exitcodes import AuditError
from audit.core.models import Window

RECENT_DAYS = 92
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
# Periods the audit can place on the calendar: its window reaches back to the previous
# October and the generator writes dates a few years past the period end, so year 1 and
# year 9999 cannot be audited. The range is far wider than any township's records.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def parse_period(text: str, source: str = "--period") -> tuple[int, int]:
    """(year, month) of a period YYYY-MM (surrounding blanks ignored); AuditError otherwise."""
    m = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise AuditError(f"{source}: expected a period YYYY-MM, got {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise AuditError(
            f"{source}: {text.strip()} is outside the periods that can be audited "
            f"({FIRST_YEAR}-01 to {LAST_YEAR}-12)"
        )
    return year, month


def normalise_period(text: str, source: str = "--period") -> str:
    """The canonical YYYY-MM of a valid period (' 2026-10' → '2026-10'); AuditError otherwise.

    Every period that reaches the database goes through here: a stray blank would
    otherwise match no row of the reports and lose their findings silently.
    """
    year, month = parse_period(text, source)
    return f"{year:04d}-{month:02d}"


def period_start(period: str) -> date:
    y, m = parse_period(period)
    return date(y, m, 1)


def period_end(period: str) -> date:
    y, m = parse_period(period)
    return date(y, m, calendar.monthrange(y, m)[1])


def previous_period(period: str) -> str:
    y, m = parse_period(period)
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def statistical_year_start(end: date) -> date:
    """1 October on or before `end` (统计年度: 10月1日 to 9月30日)."""
    return date(end.year if end.month >= 10 else end.year - 1, 10, 1)


def make_window(period: str, window_start: date | None = None) -> Window:
    end = period_end(period)
    start = window_start or statistical_year_start(end)
    if start > end:
        raise AuditError(
            f"--window-start: {start.isoformat()} is after the period end {end.isoformat()}"
        )
    return Window(start=start, end=end, recent_start=end - timedelta(days=RECENT_DAYS - 1))


def age_at(birth: date, on: date) -> int:
    """Completed years."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
