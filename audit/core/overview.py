"""What the report also shows (checks.md §6): the figures, as data, and their statistics.

Design decisions:

- The figures are computed once, in the I/O layer (`audit.io.overview`, SQL
  over the loaded tables), and stored here as frozen dataclasses inside
  `AuditReport.overview`; renderers only read them. The few derived values a
  row carries (gaps, rates) are properties of the row, so every format shows
  the same number.
- Every rate keeps its numerator and denominator (`Rate`): a village with no
  births has no policy-compliance rate, not 0 %.
- The statistics are textbook and pure (no I/O; the normal quantile comes
  from scipy) so they can be tested against published values: the
  Wilson score interval for a proportion; the sex ratio at birth (boys per
  100 girls) with a 95 % interval obtained by mapping the Wilson interval of
  the proportion of boys p through 100·p/(1−p); Chapman's two-list
  capture–recapture estimate with Seber's variance and Chao's (1987)
  log-normal interval. The log-normal interval is built for the births nobody
  saw, f0 = N̂ − (births seen), which is positive and skewed: a symmetric
  N̂ ± z·√var interval covers the true count too rarely (72–93 % in
  bench/capture_recapture_coverage.py where the log-normal one covers
  92–95 %; docs/performance.md) and can reach below the births seen, which
  the log-normal one never does.
- Capture–recapture is reported only when it can say something: with fewer
  than `MIN_MATCHED` births on both lists the estimate is "too small to tell"
  (a township's month rarely has enough; its statistical year usually does).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

SEX_RATIO_REFERENCE = 105.0  # the normal sex ratio at birth (boys per 100 girls)
# Chapman's estimate is close to unbiased once about seven individuals are on both lists
# (Robson & Regier 1964; Seber 1982, §3.1.1); with fewer it swings with every single match.
MIN_MATCHED = 7

VILLAGE = "village"
TOWNSHIP = "township"
CONFIDENCE = 0.95  # every interval of the report


# --- pure statistics -------------------------------------------------------------------------


@cache
def z_value(confidence: float = CONFIDENCE) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95."""
    # scipy.special's ndtri is what scipy.stats.norm.ppf computes (the same float), without
    # importing scipy.stats: 0.25 s instead of 0.9 s, and the audit needs no other part of it.
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2))


def wilson_interval(successes: int, n: int, z: float | None = None) -> tuple[float, float] | None:
    """Wilson score interval of a binomial proportion (95 % unless z is given); None when n is 0."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    p = successes / n
    z = z_value() if z is None else z
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # At the ends the bound is exactly 0 or 1; elsewhere clamp rounding noise.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def ratio_from_proportion(p: float) -> float | None:
    """Boys per 100 girls for a proportion of boys p; None (unbounded) when p is 1."""
    if p >= 1:
        return None
    return 100 * p / (1 - p)


@dataclass(frozen=True)
class SexRatio:
    """Sex ratio at birth (出生性别比): boys per 100 girls, with its 95 % interval."""

    males: int
    females: int
    ratio: float | None  # None when there are no girls (or no births)
    low: float | None  # None when there are no births
    high: float | None  # None when unbounded (no girls) or no births

    @property
    def births(self) -> int:
        return self.males + self.females


def sex_ratio(males: int, females: int) -> SexRatio:
    n = males + females
    interval = wilson_interval(males, n)
    if interval is None:
        return SexRatio(males, females, None, None, None)
    lo, hi = interval
    return SexRatio(
        males,
        females,
        100 * males / females if females else None,
        ratio_from_proportion(lo),
        ratio_from_proportion(hi),
    )


def sex_ratio_funnel(
    births: int, reference: float = SEX_RATIO_REFERENCE, z: float | None = None
) -> tuple[float, float] | None:
    """95 % control limits of the sex ratio for `births` births when the true ratio is `reference`.

    The funnel plot's two curves: the normal approximation of the proportion
    of boys p0 = r/(100+r) around p0, mapped to a ratio. None for no births.
    """
    if births <= 0:
        return None
    p0 = reference / (100 + reference)
    z = z_value() if z is None else z
    half = z * math.sqrt(p0 * (1 - p0) / births)
    lo = max(0.0, p0 - half)
    hi = min(1.0, p0 + half)
    low = ratio_from_proportion(lo)
    high = ratio_from_proportion(hi)
    return (0.0 if low is None else low), (math.inf if high is None else high)


@dataclass(frozen=True)
class CaptureRecapture:
    """Two-list estimate of births in W (出生漏报估计).

    List A: the statistics ledger's births in W; list B: births evidenced by
    the technical-service and floating-population ledgers; m: births on both.
    Counts are birth events (one mother, one delivery).
    """

    n1: int  # list A
    n2: int  # list B
    m: int  # on both lists
    estimate: float | None  # Chapman N̂; None when too small to tell
    low: float | None  # Chao's log-normal 95 % interval, never below the births seen
    high: float | None
    under_reporting: float | None  # 1 − n1/N̂
    under_reporting_low: float | None  # 1 − n1/low
    under_reporting_high: float | None  # 1 − n1/high

    @property
    def too_small(self) -> bool:
        return self.estimate is None

    @property
    def observed(self) -> int:
        """Distinct births seen on either list."""
        return self.n1 + self.n2 - self.m

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "too_small": self.too_small}


def seber_variance(n1: int, n2: int, m: int) -> float:
    """Variance of Chapman's estimate (Seber 1970): (n1+1)(n2+1)(n1−m)(n2−m) / ((m+1)²(m+2))."""
    return (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))


def chao_lognormal_interval(
    estimate: float, variance: float, seen: int, z: float | None = None
) -> tuple[float, float]:
    """Chao's (1987) log-normal interval of a population size.

    With f0 = N̂ − seen (the births on neither list) taken as log-normal:
    seen + f0/C to seen + f0·C, C = exp(z·√ln(1 + var/f0²)). The lower end is
    never below the births seen. With nothing unseen (f0 = 0, then var = 0 for
    Chapman's estimate) the interval is the births seen.
    """
    f0 = estimate - seen
    if f0 <= 0:
        return float(seen), float(seen)
    z = z_value() if z is None else z
    c = math.exp(z * math.sqrt(math.log1p(variance / (f0 * f0))))
    return seen + f0 / c, seen + f0 * c


def chapman(
    n1: int, n2: int, m: int, *, min_matched: int = MIN_MATCHED, z: float | None = None
) -> CaptureRecapture:
    """Chapman's estimate N̂ = (n1+1)(n2+1)/(m+1) − 1 with Chao's log-normal 95 % interval.

    The interval uses Seber's variance of N̂ (`seber_variance`) and puts the
    uncertainty on the births nobody saw (`chao_lognormal_interval`). Too
    small to tell (all estimates None) when m < min_matched: with so few births
    on both lists the estimate is biased and swings with every single match
    (this covers m = 0 and an empty list B).
    """
    if min(n1, n2, m) < 0 or m > min(n1, n2):
        raise ValueError(f"need 0 <= m <= min(n1, n2), got n1={n1} n2={n2} m={m}")
    if m < min_matched:
        return CaptureRecapture(n1, n2, m, None, None, None, None, None, None)
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    low, high = chao_lognormal_interval(estimate, seber_variance(n1, n2, m), n1 + n2 - m, z)
    return CaptureRecapture(
        n1,
        n2,
        m,
        estimate,
        low,
        high,
        1 - n1 / estimate if estimate > 0 else 0.0,
        1 - n1 / low if low > 0 else 0.0,
        1 - n1 / high if high > 0 else 0.0,
    )


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A proportion that keeps its parts; `value` is None when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class FourNumbers:
    """One unit's four-number comparison (四数对比): each ledger's count side by side.

    Births: the statistics ledger counts births (children) in W; technical
    service counts postpartum procedures in W (one per delivery); floating
    population counts births notified in W. `births_unregistered` is the gap
    that matters: births evidenced by technical service or floating population
    with no births row of that mother (漏报). Long-acting methods are compared
    as taken up in W (the procedures ledger need not reach back to every old
    IUD); short-acting users and out-migrant women as they stand at the
    period end. The other gaps are statistics minus the other ledger:
    positive means the register claims more than the other ledger shows,
    negative fewer.
    """

    level: str  # VILLAGE or TOWNSHIP
    unit: str | None  # village code, the township code, or None (records without a village)
    births_statistics: int = 0
    births_technical: int = 0
    births_floating: int = 0
    births_unregistered: int = 0
    long_acting_statistics: int = 0  # women whose long-acting method began in W
    long_acting_technical: int = 0  # women whose latest long-acting procedure, in W, implies one
    short_acting_statistics: int = 0  # women (not away) on pill/injection/condom
    short_acting_supply: int = 0  # distinct recipients of those items in the last 92 days
    out_migrants_statistics: int = 0  # women with residence = out
    out_migrants_floating: int = 0  # women with an open out row in the floating register

    @property
    def long_acting_gap(self) -> int:
        return self.long_acting_statistics - self.long_acting_technical

    @property
    def short_acting_gap(self) -> int:
        return self.short_acting_statistics - self.short_acting_supply

    @property
    def out_migrants_gap(self) -> int:
        return self.out_migrants_statistics - self.out_migrants_floating

    @property
    def has_gap(self) -> bool:
        return bool(
            self.births_unregistered
            or self.long_acting_gap
            or self.short_acting_gap
            or self.out_migrants_gap
        )


@dataclass(frozen=True)
class Indicators:
    """The management indicators of one unit (checks.md §6)."""

    level: str
    unit: str | None
    # 政策符合率: births in W with policy = in ÷ births in W with a policy (in or out)
    policy_compliance: Rate
    # 综合节育率: married women aged 15–49 at the period end with a method ÷ those women
    contraceptive_prevalence: Rate
    sex_ratio: SexRatio  # 出生性别比 of births in W
    certificate_rate: Rate  # 持证率: open migrant rows of married women with a valid certificate
    feedback_rate: Rate  # 信息反馈率: open out rows of married women with recent feedback
    timely_reporting: Rate  # 及时率: births in W reported within 30 days


@dataclass(frozen=True)
class Quality:
    """Data-quality scores as the population information systems grade them."""

    level: str
    unit: str | None
    completeness: Rate  # 数据完整性: filled required fields ÷ required fields
    correctness: Rate  # 逻辑关系正确性: records without a logic/ID/duplicate finding ÷ records


@dataclass(frozen=True)
class Overview:
    """The §6 figures of one audit; each tuple lists the villages (code order) then the township."""

    township_code: str | None
    four_numbers: tuple[FourNumbers, ...]
    indicators: tuple[Indicators, ...]
    quality: tuple[Quality, ...]
    capture_recapture: CaptureRecapture

    def to_dict(self) -> dict[str, Any]:
        return {
            "township_code": self.township_code,
            "four_numbers": [
                {
                    **asdict(r),
                    "long_acting_gap": r.long_acting_gap,
                    "short_acting_gap": r.short_acting_gap,
                    "out_migrants_gap": r.out_migrants_gap,
                }
                for r in self.four_numbers
            ],
            "indicators": [asdict(r) for r in self.indicators],
            "quality": [asdict(r) for r in self.quality],
            "capture_recapture": self.capture_recapture.to_dict(),
        }
