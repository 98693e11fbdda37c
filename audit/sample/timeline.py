"""Dates of a synthetic township: the period, the audit window and the ledgers' horizons.

Inside the generator every date is an integer day number (days since
1970-01-01) in a numpy array, so a million women's life events are plain
vector arithmetic; `MISSING` marks an empty date. Conversion to polars dates
happens once, when the tables are built.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from audit.core.period import RECENT_DAYS, parse_period, period_end, statistical_year_start

EPOCH = date(1970, 1, 1)
MISSING = -(10**9)  # an empty date in day-number arrays

# Months of contraceptive-stock history (药具明细账), the period included: enough to check
# the carry of closing into opening and to cover the 92 recent days of issues.
STOCK_MONTHS = 6
# Years of births and operations kept on file before the current statistical year.
REGISTER_YEARS = 3


def day(d: date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def years_before(d: date, years: int) -> date:
    """The same month and day `years` earlier (29 February falls back to the 28th)."""
    y = d.year - years
    return date(y, d.month, min(d.day, calendar.monthrange(y, d.month)[1]))


def add_months(period: str, months: int) -> str:
    y, m = parse_period(period)
    k = y * 12 + (m - 1) + months
    return f"{k // 12}-{k % 12 + 1:02d}"


@dataclass(frozen=True)
class Timeline:
    """Day numbers of the dates the generator needs, for one period."""

    period: str
    start: int  # first day of the period month
    end: int  # period end: nothing may be dated later (certificate expiry aside)
    window_start: int  # audit window W: 1 October -> period end
    recent_start: int  # first of the 92 days up to the period end
    register_start: int  # births and procedures on file since this day
    stock_periods: tuple[str, ...]  # supply-stock months, oldest first, the period last
    stock_start: int  # first day of the oldest stock month

    @classmethod
    def for_period(cls, period: str) -> Timeline:
        end = period_end(period)
        w_start = statistical_year_start(end)
        stock_periods = tuple(add_months(period, -k) for k in range(STOCK_MONTHS - 1, -1, -1))
        y, m = parse_period(stock_periods[0])
        return cls(
            period=period,
            start=day(end.replace(day=1)),
            end=day(end),
            window_start=day(w_start),
            recent_start=day(end) - (RECENT_DAYS - 1),
            register_start=day(years_before(w_start, REGISTER_YEARS)),
            stock_periods=stock_periods,
            stock_start=day(date(y, m, 1)),
        )

    @property
    def end_date(self) -> date:
        return from_day(self.end)

    def years_before_end(self, years: int) -> int:
        return day(years_before(self.end_date, years))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day arrays of day numbers."""
    dt = days.astype("datetime64[D]")
    months = dt.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (dt - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def month_key(days: np.ndarray) -> np.ndarray:
    """year * 12 + month - 1: the month of each day number, as an integer."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def period_key(period: str) -> int:
    y, m = parse_period(period)
    return y * 12 + m - 1


def date_series(name: str, days: np.ndarray) -> pl.Series:
    """Day numbers -> a polars Date column, `MISSING` -> null."""
    arr = np.asarray(days, dtype=np.int64)
    valid = arr != MISSING
    s = pl.Series(name, np.where(valid, arr, 0).astype(np.int32)).cast(pl.Date)
    if valid.all():
        return s
    return s.scatter(np.flatnonzero(~valid), None)
