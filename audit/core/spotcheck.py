"""Statistics of the sampled field spot check (统计数字质量抽查), pure.

Design decisions (the reasoning a reviewer needs; docs/spotcheck.md has the
user's version):

- Design: a stratified random sample of central households (中心户, the
  clusters), villages as strata, households drawn without replacement and
  with equal probability within a village. A household of village h carries
  the weight N_h / n_h.
- Sample size: the standard formula for a proportion, n0 = z^2 p (1 - p) / e^2,
  in *women's records* (the element whose error rate is estimated and the unit
  of the village LQAS), times a design effect for the clustering (default 1),
  with Cochran's finite population correction n = n0 / (1 + (n0 - 1) / N) on
  the women of the frame, then divided by the mean number of women per
  central household and rounded up to whole households.
- Allocation: proportional to the households of a village, or Neyman
  (N_h S_h). For a ratio of error counts to records the linearised variable of
  a household with m women has variance about p (1 - p) m, so S_h is taken as
  sqrt(mean women per household of the village): p cancels. Every village
  gets at least two households (a variance needs two), none more than it
  has; fractions are rounded by largest remainder so the sizes sum exactly.
- Estimates are ratios of totals (errors / fields checked, births missing
  from the register / births found in the field). In a village the households
  are an equal-probability sample, so the village figure is the plain sample
  ratio with a Wilson interval on the record count. The township figure is
  the design-weighted (stratified) ratio estimator; its variance comes from
  Taylor linearisation over the households, and the Wilson interval uses the
  Kish effective sample size n_eff = p (1 - p) / var (at most the record
  count), scaled by (t_{n-1} / t_df)^2 with n the records counted and
  df = households - villages, as Korn & Graubard (1998) define it and R's
  survey::svyciprop computes it, so clustering and a small number of
  households widen the interval honestly.
- Verification factor VF = field count / register count (a ratio, not a
  proportion). Over the union of records (confirmed, field only, register
  only) VF = a / b with a = field count / union and b = register count /
  union, both proportions. Each gets a Wilson interval as above and the two
  are combined on the log scale by MOVER (Zou & Donner 2008) with the
  estimated correlation of a and b.
- LQAS per village: the unit is a woman's record (育龄妇女个案) with its births;
  it is defective when the field team found any error in it. For the
  village's n records the decision threshold d is the largest d with
  P(X <= d | n, upper) <= beta (consumer's risk: passing a village whose error
  rate is at the upper threshold), and the village passes when at most d
  records are defective. The producer's risk alpha = P(X > d | n, lower)
  (failing a village at the lower threshold) is reported; it meets the target
  only from the smallest n shown as `n_min`. Defaults: upper 10 %, lower 2 %,
  alpha 0.05, beta 0.10, the acceptance-sampling convention (AQL / LTPD).

Quantiles and the binomial distribution come from scipy.stats, imported
inside the functions that need them: the planner and the renderers import this
module and should not pay for scipy before they compute anything.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.core.exitcodes import AuditError

# The register's fields the field team checks, in worksheet order.
FIELDS: tuple[str, ...] = ("method", "marital_status", "children", "pregnant", "residence")
MIN_HOUSEHOLDS_PER_VILLAGE = 2


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95."""
    if not 0 < confidence < 1:
        raise AuditError(f"--confidence: expected a number between 0 and 1, got {confidence}")
    from scipy.stats import norm  # lazy: scipy.stats takes a while to import

    return float(norm.ppf(0.5 + confidence / 2))


def t_value(confidence: float, df: float) -> float:
    """Two-sided Student t quantile; the normal quantile for no or infinite degrees of freedom."""
    if df <= 0 or math.isinf(df):
        return z_value(confidence)
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, df))


# --- sample size and allocation ----------------------------------------------------------------


@dataclass(frozen=True)
class SampleSize:
    """How many central households: given, or from precision (every input kept for the cover)."""

    households: int  # the sample size in households, before the per-village minimum
    households_frame: int
    women_frame: int
    method: str  # "households" (given) or "precision"
    precision: float | None = None  # absolute half-width e of the interval
    confidence: float | None = None
    expected_rate: float | None = None  # p
    design_effect: float | None = None
    z: float | None = None
    n0: float | None = None  # women, infinite population: z^2 p (1 - p) / e^2
    women_fpc: float | None = None  # women after design effect and finite population correction
    mean_women: float | None = None  # women per central household in the frame

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def sample_size(
    households_frame: int,
    women_frame: int,
    *,
    precision: float,
    confidence: float = 0.95,
    expected_rate: float = 0.10,
    design_effect: float = 1.0,
) -> SampleSize:
    """Households needed to estimate a women's-record error rate to +/- precision."""
    if households_frame < 1 or women_frame < 1:
        raise AuditError(
            "the sampling frame is empty: no women with a village and central household"
        )
    if not 0 < precision < 1:
        raise AuditError(f"--precision: expected a proportion between 0 and 1, got {precision}")
    if not 0 < expected_rate < 1:
        raise AuditError(
            f"--expected-rate: expected a proportion between 0 and 1, got {expected_rate}"
        )
    if not (math.isfinite(design_effect) and design_effect >= 1):  # nan and inf too
        raise AuditError(f"--design-effect: expected a number 1 or more, got {design_effect}")
    z = z_value(confidence)
    n0 = z * z * expected_rate * (1 - expected_rate) / (precision * precision)
    n_deff = n0 * design_effect
    women = n_deff / (1 + (n_deff - 1) / women_frame)
    mean_women = women_frame / households_frame
    households = min(households_frame, max(1, math.ceil(women / mean_women - 1e-9)))
    return SampleSize(
        households=households,
        households_frame=households_frame,
        women_frame=women_frame,
        method="precision",
        precision=precision,
        confidence=confidence,
        expected_rate=expected_rate,
        design_effect=design_effect,
        z=z,
        n0=n0,
        women_fpc=women,
        mean_women=mean_women,
    )


def allocate(
    total: int,
    frame: Mapping[str, int],
    weights: Mapping[str, float] | None = None,
    *,
    minimum: int = MIN_HOUSEHOLDS_PER_VILLAGE,
) -> dict[str, int]:
    """Split `total` households over strata: n_h proportional to `weights` (default: frame
    sizes), min(minimum, N_h) <= n_h <= N_h, whole numbers summing exactly to `total`.

    The continuous allocation x_h = clamp(lambda w_h, lo_h, hi_h) is solved for lambda exactly
    (f(lambda) is piecewise linear); the fractions are then rounded by largest remainder.
    """
    strata = sorted(k for k, n in frame.items() if n > 0)
    hi = {h: frame[h] for h in strata}
    lo = {h: min(minimum, hi[h]) for h in strata}
    w = {h: float(weights[h] if weights is not None else frame[h]) for h in strata}
    if any(not v > 0 for v in w.values()):
        raise ValueError("allocation weights must be positive")
    if total > sum(hi.values()) or total < sum(lo.values()):
        raise ValueError(
            f"cannot allocate {total} between {sum(lo.values())} and {sum(hi.values())}"
        )

    def f(lam: float) -> float:
        return sum(min(hi[h], max(lo[h], lam * w[h])) for h in strata)

    breaks = sorted({lo[h] / w[h] for h in strata} | {hi[h] / w[h] for h in strata} | {0.0})
    x: dict[str, float]
    lam = breaks[-1]
    for a, b in itertools.pairwise(breaks):
        fa, fb = f(a), f(b)
        if fa <= total <= fb:
            lam = a if fb == fa else a + (b - a) * (total - fa) / (fb - fa)
            break
    x = {h: min(hi[h], max(lo[h], lam * w[h])) for h in strata}
    n = {h: math.floor(x[h] + 1e-9) for h in strata}
    rest = total - sum(n.values())
    order = sorted(strata, key=lambda h: (-(x[h] - n[h]), h))
    while rest > 0:
        progressed = False
        for h in order:
            if rest == 0:
                break
            if n[h] < hi[h]:
                n[h] += 1
                rest -= 1
                progressed = True
        if not progressed:  # pragma: no cover - excluded by the bound check above
            raise ValueError("allocation could not be completed")
    while rest < 0:  # float noise only: take back from the smallest remainders
        for h in reversed(order):
            if rest == 0:
                break
            if n[h] > lo[h]:
                n[h] -= 1
                rest += 1
    return {h: n[h] for h in strata}


def neyman_weights(frame: Mapping[str, int], women: Mapping[str, int]) -> dict[str, float]:
    """N_h * S_h with S_h = sqrt(mean women per household of the village)."""
    return {h: n * math.sqrt(women[h] / n) for h, n in frame.items() if n > 0}


# --- intervals ---------------------------------------------------------------------------------


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a proportion p observed on n (possibly effective) records."""
    if n <= 0:
        return (0.0, 1.0)
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(max(0.0, p * (1 - p) / n + z2 / (4 * n * n)))
    lower = 0.0 if p <= 0 else max(0.0, centre - half)  # exact ends, without rounding noise
    upper = 1.0 if p >= 1 else min(1.0, centre + half)
    return (lower, upper)


@dataclass(frozen=True)
class Proportion:
    """A rate with its interval. `numerator`/`denominator` are the sample's own counts."""

    estimate: float
    lower: float
    upper: float
    numerator: int
    denominator: int
    n_effective: float

    def covers(self, value: float) -> bool:
        return self.lower - 1e-12 <= value <= self.upper + 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "n_effective": self.n_effective,
        }


@dataclass(frozen=True)
class Ratio:
    """Verification factor: field count / register count, with its interval."""

    estimate: float
    lower: float
    upper: float
    field: int  # sample counts
    register: int

    def covers(self, value: float) -> bool:
        return self.lower - 1e-12 <= value <= self.upper + 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "field": self.field,
            "register": self.register,
        }


# A cluster's contribution to a ratio: (stratum, numerator, denominator).
Unit = tuple[str, float, float]


@dataclass(frozen=True)
class Design:
    """Strata of the sample: households in the frame (N_h) and sampled (n_h)."""

    frame: Mapping[str, int]
    sampled: Mapping[str, int]

    def weight(self, stratum: str) -> float:
        return self.frame[stratum] / self.sampled[stratum]

    def fpc(self, strata: Iterable[str]) -> float:
        """1 - the sampling fraction of households over the given strata."""
        used = set(strata)
        frame = sum(self.frame[h] for h in used)
        return 1 - sum(self.sampled[h] for h in used) / frame if frame else 1.0

    def df(self, strata: Iterable[str]) -> int:
        used = set(strata)
        return sum(self.sampled[h] for h in used) - len(used)


def _ratio_and_scores(
    units: Sequence[Unit], design: Design
) -> tuple[float, list[tuple[str, float]]]:
    y = sum(design.weight(h) * a for h, a, _ in units)
    x = sum(design.weight(h) * b for h, _, b in units)
    r = y / x
    return r, [(h, (a - r * b) / x) for h, a, b in units]


def _covariance(
    s1: Sequence[tuple[str, float]], s2: Sequence[tuple[str, float]], design: Design
) -> float:
    """Stratified cluster (with-replacement in form, with FPC) covariance of two linearised
    estimators, given each unit's linearised score in the same unit order."""
    by: dict[str, list[tuple[float, float]]] = {}
    for (h, u), (_, v) in zip(s1, s2, strict=True):
        by.setdefault(h, []).append((u, v))
    total = 0.0
    for h, pairs in by.items():
        n_h, big_n = design.sampled[h], design.frame[h]
        if n_h < 2 or big_n <= n_h:
            continue
        k = len(pairs)  # units present; households with no record of this kind count as zeros
        us = [u for u, _ in pairs] + [0.0] * (n_h - k)
        vs = [v for _, v in pairs] + [0.0] * (n_h - k)
        mu, mv = sum(us) / n_h, sum(vs) / n_h
        s = sum((u - mu) * (v - mv) for u, v in zip(us, vs, strict=True)) / (n_h - 1)
        total += big_n * big_n * (1 - n_h / big_n) * s / n_h
    return total


def _design_proportion(
    units: Sequence[Unit], design: Design, z: float, confidence: float
) -> tuple[Proportion, list[tuple[str, float]]] | None:
    num = round(sum(a for _, a, _ in units))
    den = round(sum(b for _, _, b in units))
    if den == 0:
        return None
    p, scores = _ratio_and_scores(units, design)
    var = _covariance(scores, scores, design)
    strata = {h for h, _, _ in units}
    # At most the records counted, grown by the finite population correction: a variance
    # estimated from few households must not claim more than simple random sampling would.
    fpc = design.fpc(strata)
    if fpc <= 0:  # every household visited: a census has no sampling error
        return Proportion(p, p, p, num, den, math.inf), scores
    n_max = den / fpc
    n_eff = min(n_max, p * (1 - p) / var) if var > 0 and 0 < p < 1 else n_max
    df = design.df(strata)
    if df > 0 and den > 1:
        n_eff *= (t_value(confidence, den - 1) / t_value(confidence, df)) ** 2
    lo, hi = wilson(p, n_eff, z)
    return Proportion(p, lo, hi, num, den, n_eff), scores


def ratio_estimate(
    units: Sequence[Unit], design: Design, confidence: float = 0.95
) -> Proportion | None:
    """Design-weighted ratio of totals with its interval; units are (village, numerator,
    denominator) per sampled household (None when the denominator is zero)."""
    z = z_value(confidence)
    res = _design_proportion([u for u in units if u[2] > 0], design, z, confidence)
    return None if res is None else res[0]


def _plain_proportion(num: int, den: int, z: float) -> Proportion | None:
    if den == 0:
        return None
    p = num / den
    lo, hi = wilson(p, den, z)
    return Proportion(p, lo, hi, num, den, float(den))


def _mover_log_ratio(a: Proportion, b: Proportion, r: float) -> tuple[float, float]:
    """Interval of a/b from the intervals of a and b (MOVER on the log scale, correlation r)."""
    if b.estimate <= 0:
        return (0.0, math.inf)
    if a.estimate <= 0:
        return (0.0, a.upper / b.lower if b.lower > 0 else math.inf)
    la, lb = math.log(a.estimate), math.log(b.estimate)
    la_lo = math.log(a.lower) if a.lower > 0 else -math.inf
    lb_lo = math.log(b.lower) if b.lower > 0 else -math.inf
    la_hi, lb_hi = math.log(a.upper), math.log(b.upper)
    if math.isinf(la_lo):
        lower = 0.0
    else:
        d1, d2 = la - la_lo, lb_hi - lb
        lower = math.exp(la - lb - math.sqrt(max(0.0, d1 * d1 + d2 * d2 - 2 * r * d1 * d2)))
    if math.isinf(lb_lo):
        upper = math.inf
    else:
        d1, d2 = la_hi - la, lb - lb_lo
        upper = math.exp(la - lb + math.sqrt(max(0.0, d1 * d1 + d2 * d2 - 2 * r * d1 * d2)))
    return (lower, upper)


def _ratio_interval(
    confirmed: Sequence[tuple[str, int]],
    field_only: Sequence[tuple[str, int]],
    register_only: Sequence[tuple[str, int]],
    design: Design | None,
    z: float,
    confidence: float,
) -> Ratio | None:
    """VF from per-household (stratum, count) of confirmed, field-only and register-only records."""
    c = sum(v for _, v in confirmed)
    m = sum(v for _, v in field_only)
    x = sum(v for _, v in register_only)
    if c + x == 0:
        return None
    f_units = [
        (h, cv + mv, cv + mv + xv)
        for (h, cv), (_, mv), (_, xv) in _zip3(confirmed, field_only, register_only)
    ]
    r_units = [
        (h, cv + xv, cv + mv + xv)
        for (h, cv), (_, mv), (_, xv) in _zip3(confirmed, field_only, register_only)
    ]
    if design is None:
        a = _plain_proportion(c + m, c + m + x, z)
        b = _plain_proportion(c + x, c + m + x, z)
        assert a is not None and b is not None
        pa, pb = a.estimate, b.estimate
        # multinomial correlation of (1 - X/U) and (1 - M/U)
        px, pm = 1 - pa, 1 - pb
        va, vb = px * (1 - px), pm * (1 - pm)
        corr = -px * pm / math.sqrt(va * vb) if va > 0 and vb > 0 else 0.0
    else:
        ra = _design_proportion(f_units, design, z, confidence)
        rb = _design_proportion(r_units, design, z, confidence)
        assert ra is not None and rb is not None
        (a, sa), (b, sb) = ra, rb
        va, vb = _covariance(sa, sa, design), _covariance(sb, sb, design)
        corr = _covariance(sa, sb, design) / math.sqrt(va * vb) if va > 0 and vb > 0 else 0.0
    estimate = a.estimate / b.estimate
    lo, hi = _mover_log_ratio(a, b, corr)
    return Ratio(estimate, min(lo, estimate), max(hi, estimate), c + m, c + x)


def _zip3(
    a: Sequence[tuple[str, int]], b: Sequence[tuple[str, int]], c: Sequence[tuple[str, int]]
) -> list[tuple[tuple[str, int], tuple[str, int], tuple[str, int]]]:
    return [t for t in zip(a, b, c, strict=True) if t[0][1] + t[1][1] + t[2][1] > 0]


# --- LQAS --------------------------------------------------------------------------------------


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    from scipy.stats import binom

    return float(binom.cdf(k, n, p))


@dataclass(frozen=True)
class LqasSettings:
    upper: float = 0.10  # error rate at which a village must fail (LTPD)
    lower: float = 0.02  # error rate at which a village should pass (AQL)
    alpha: float = 0.05  # producer's risk: failing a village at `lower`
    beta: float = 0.10  # consumer's risk: passing a village at `upper`

    def validate(self) -> None:
        for name, v in (("--lqas-upper", self.upper), ("--lqas-lower", self.lower)):
            if not 0 < v < 1:
                raise AuditError(f"{name}: expected a proportion between 0 and 1, got {v}")
        if not self.lower < self.upper:
            raise AuditError(f"--lqas-lower {self.lower} must be below --lqas-upper {self.upper}")
        for name, v in (("--lqas-alpha", self.alpha), ("--lqas-beta", self.beta)):
            if not 0 < v < 0.5:
                raise AuditError(f"{name}: expected a risk between 0 and 0.5, got {v}")

    def to_dict(self) -> dict[str, float]:
        return {"upper": self.upper, "lower": self.lower, "alpha": self.alpha, "beta": self.beta}


@dataclass(frozen=True)
class LqasRule:
    """Decision rule for one sample size: pass when at most `d` records are defective."""

    n: int
    d: int | None  # None: the sample is too small to hold the consumer's risk
    alpha: float | None  # achieved producer's risk P(X > d | lower)
    beta: float | None  # achieved consumer's risk P(X <= d | upper)
    n_min: int  # smallest n that holds both risks
    settings: LqasSettings

    @property
    def meets_alpha(self) -> bool:
        return self.alpha is not None and self.alpha <= self.settings.alpha + 1e-12

    def decide(self, defective: int) -> str:
        """'pass', 'fail' or 'undecided' (sample too small for any rule)."""
        if self.d is None:
            return "undecided"
        return "pass" if defective <= self.d else "fail"

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "d": self.d,
            "alpha": self.alpha,
            "beta": self.beta,
            "n_min": self.n_min,
            "meets_alpha": self.meets_alpha,
        }


def _threshold(n: int, s: LqasSettings) -> int | None:
    d = None
    for k in range(n + 1):
        if binomial_cdf(k, n, s.upper) <= s.beta:
            d = k
        else:
            break
    return d


def lqas_rule(n: int, settings: LqasSettings | None = None) -> LqasRule:
    s = settings or LqasSettings()
    d = _threshold(n, s)
    alpha = None if d is None else 1 - binomial_cdf(d, n, s.lower)
    beta = None if d is None else binomial_cdf(d, n, s.upper)
    return LqasRule(n, d, alpha, beta, lqas_min_n(s), s)


_N_MIN_CACHE: dict[tuple[float, float, float, float], int] = {}


def lqas_min_n(s: LqasSettings, limit: int = 5000) -> int:
    """Smallest n whose rule holds both the consumer's and the producer's risk."""
    key = (s.upper, s.lower, s.alpha, s.beta)
    if key not in _N_MIN_CACHE:
        found = 0
        for n in range(1, limit + 1):
            d = _threshold(n, s)
            if d is not None and 1 - binomial_cdf(d, n, s.lower) <= s.alpha:
                found = n
                break
        _N_MIN_CACHE[key] = found
    return _N_MIN_CACHE[key]


def lqas_alpha_gaps(s: LqasSettings, upto: int = 300) -> tuple[tuple[int, int], ...]:
    """Runs of n >= `lqas_min_n` (up to `upto`) whose rule still exceeds the producer's risk.

    d grows in steps, so alpha is not monotone in n: with the defaults alpha <= 5 % holds
    from n = 65 but not for n = 70-77 (d = 3, alpha 5.2-6.9 %). Docs and footnotes state
    these gaps instead of promising a minimum n.
    """
    runs: list[tuple[int, int]] = []
    start = lqas_min_n(s)
    for n in range(max(start, 1), upto + 1):
        rule = lqas_rule(n, s)
        if rule.d is not None and not rule.meets_alpha:
            if runs and runs[-1][1] == n - 1:
                runs[-1] = (runs[-1][0], n)
            else:
                runs.append((n, n))
    return tuple(runs)


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdTally:
    """What the field team found in one sampled central household."""

    village_code: str
    household: str
    women_listed: int = 0  # register women of the household (sheet 妇女)
    women_found: int = 0  # of them, found in the field
    women_field_only: int = 0  # found in the field, not on the register
    field_errors: tuple[int, ...] = (0,) * len(FIELDS)  # per FIELDS: register value wrong
    births_listed: int = 0  # register births in the window
    births_confirmed: int = 0
    births_field_only: int = 0  # found in the field, not on the register (漏报)
    records: int = 0  # LQAS units: women listed + women found only in the field
    defective: int = 0  # of them, records with any error


@dataclass(frozen=True)
class AreaScore:
    """The figures of one village, or of the township (village_code None)."""

    village_code: str | None
    households: int
    households_frame: int
    women_listed: int
    women_found: int
    women_field_only: int
    births_listed: int
    births_confirmed: int
    births_field_only: int
    under_report: Proportion | None  # births field only / births found in the field
    field_errors: dict[str, Proportion | None]  # per FIELDS
    error_rate: Proportion | None  # all fields
    vf_women: Ratio | None
    vf_births: Ratio | None
    records: int
    defective: int
    lqas: LqasRule | None = None  # villages only
    decision: str | None = None  # pass / fail / undecided

    def to_dict(self) -> dict[str, Any]:
        def opt(x: Proportion | Ratio | None) -> dict[str, Any] | None:
            return None if x is None else x.to_dict()

        out: dict[str, Any] = {
            "village_code": self.village_code,
            "households": self.households,
            "households_frame": self.households_frame,
            "women": {
                "listed": self.women_listed,
                "found": self.women_found,
                "field_only": self.women_field_only,
            },
            "births": {
                "listed": self.births_listed,
                "confirmed": self.births_confirmed,
                "field_only": self.births_field_only,
            },
            "under_report_rate": opt(self.under_report),
            "error_rate": opt(self.error_rate),
            "field_error_rates": {k: opt(v) for k, v in self.field_errors.items()},
            "verification_factor": {"women": opt(self.vf_women), "births": opt(self.vf_births)},
            "records": self.records,
            "defective": self.defective,
        }
        if self.lqas is not None:
            out["lqas"] = {**self.lqas.to_dict(), "defective": self.defective}
            out["lqas"]["decision"] = self.decision
        return out


@dataclass(frozen=True)
class SpotcheckScore:
    """The scored spot check: every renderer reads this and none recomputes."""

    villages: tuple[AreaScore, ...]
    overall: AreaScore
    lqas: LqasSettings
    confidence: float
    meta: dict[str, Any] = field(default_factory=dict)  # township, period, window, seed, design

    @property
    def lqas_alpha_gaps(self) -> tuple[tuple[int, int], ...]:
        """Sample sizes above `n_min` whose rule still exceeds alpha (see `lqas_alpha_gaps`)."""
        return lqas_alpha_gaps(self.lqas)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.meta,
            "confidence": self.confidence,
            "lqas": {
                **self.lqas.to_dict(),
                "n_min": lqas_min_n(self.lqas),
                "unit": "woman's record with her births",
            },
            "overall": self.overall.to_dict(),
            "villages": [v.to_dict() for v in self.villages],
        }


def _area(
    tallies: Sequence[HouseholdTally],
    village: str | None,
    design: Design,
    z: float,
    confidence: float,
) -> AreaScore:
    weighted = design if village is None else None
    hs = [(t.village_code, t) for t in tallies]

    def prop(num: Iterable[int], den: Iterable[int]) -> Proportion | None:
        units = [(h, float(a), float(b)) for (h, _), a, b in zip(hs, num, den, strict=True)]
        if weighted is None:
            return _plain_proportion(
                round(sum(a for _, a, _ in units)), round(sum(b for *_, b in units)), z
            )
        res = _design_proportion([u for u in units if u[2] > 0], weighted, z, confidence)
        return None if res is None else res[0]

    field_errors = {
        f: prop((t.field_errors[i] for t in tallies), (t.women_found for t in tallies))
        for i, f in enumerate(FIELDS)
    }
    error_rate = prop(
        (sum(t.field_errors) for t in tallies), (len(FIELDS) * t.women_found for t in tallies)
    )
    under = prop(
        (t.births_field_only for t in tallies),
        (t.births_confirmed + t.births_field_only for t in tallies),
    )
    vf_w = _ratio_interval(
        [(t.village_code, t.women_found) for t in tallies],
        [(t.village_code, t.women_field_only) for t in tallies],
        [(t.village_code, t.women_listed - t.women_found) for t in tallies],
        weighted,
        z,
        confidence,
    )
    vf_b = _ratio_interval(
        [(t.village_code, t.births_confirmed) for t in tallies],
        [(t.village_code, t.births_field_only) for t in tallies],
        [(t.village_code, t.births_listed - t.births_confirmed) for t in tallies],
        weighted,
        z,
        confidence,
    )
    frame = design.frame[village] if village is not None else sum(design.frame.values())
    return AreaScore(
        village_code=village,
        households=len(tallies),
        households_frame=frame,
        women_listed=sum(t.women_listed for t in tallies),
        women_found=sum(t.women_found for t in tallies),
        women_field_only=sum(t.women_field_only for t in tallies),
        births_listed=sum(t.births_listed for t in tallies),
        births_confirmed=sum(t.births_confirmed for t in tallies),
        births_field_only=sum(t.births_field_only for t in tallies),
        under_report=under,
        field_errors=field_errors,
        error_rate=error_rate,
        vf_women=vf_w,
        vf_births=vf_b,
        records=sum(t.records for t in tallies),
        defective=sum(t.defective for t in tallies),
    )


def score(
    tallies: Sequence[HouseholdTally],
    design: Design,
    *,
    confidence: float = 0.95,
    lqas: LqasSettings | None = None,
    meta: Mapping[str, Any] | None = None,
) -> SpotcheckScore:
    """Per-village and township figures from the households' tallies."""
    settings = lqas or LqasSettings()
    settings.validate()
    z = z_value(confidence)
    for t in tallies:
        if t.village_code not in design.frame or t.village_code not in design.sampled:
            raise ValueError(f"household {t.household} of unknown village {t.village_code}")
    villages = []
    for v in sorted(design.sampled):
        mine = [t for t in tallies if t.village_code == v]
        area = _area(mine, v, design, z, confidence)
        rule = lqas_rule(area.records, settings)
        villages.append(
            AreaScore(**{**area.__dict__, "lqas": rule, "decision": rule.decide(area.defective)})
        )
    overall = _area(list(tallies), None, design, z, confidence)
    return SpotcheckScore(tuple(villages), overall, settings, confidence, dict(meta or {}))
