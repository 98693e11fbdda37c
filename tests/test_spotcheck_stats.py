"""The spot check's statistics (audit.core.spotcheck) against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from audit.core import spotcheck as stats
from audit.core.exitcodes import AuditError

Z95 = 1.959963984540054


def test_sample_size_is_the_proportion_formula_with_fpc_in_households() -> None:
    size = stats.sample_size(126, 1500, precision=0.05, confidence=0.95, expected_rate=0.10)
    n0 = Z95**2 * 0.1 * 0.9 / 0.05**2  # 138.29 women
    women = n0 / (1 + (n0 - 1) / 1500)  # 126.70 after the finite population correction
    assert size.n0 == pytest.approx(n0) and size.n0 == pytest.approx(138.2925, abs=1e-4)
    assert size.women_fpc == pytest.approx(women)
    assert size.mean_women == pytest.approx(1500 / 126)
    assert size.households == math.ceil(women / (1500 / 126)) == 11
    # A design effect of 2 doubles n0 before the correction.
    size2 = stats.sample_size(126, 1500, precision=0.05, expected_rate=0.10, design_effect=2)
    assert size2.women_fpc == pytest.approx(2 * n0 / (1 + (2 * n0 - 1) / 1500))
    assert size2.households == 20
    # Never more than the frame.
    assert stats.sample_size(5, 50, precision=0.01).households == 5


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"precision": 0}, "--precision"),
        ({"precision": 0.05, "expected_rate": 1.2}, "--expected-rate"),
        ({"precision": 0.05, "confidence": 1.0}, "--confidence"),
        ({"precision": 0.05, "design_effect": 0.5}, "--design-effect"),
    ],
)
def test_sample_size_rejects_bad_inputs(kwargs: dict[str, float], option: str) -> None:
    with pytest.raises(AuditError, match=option):
        stats.sample_size(100, 1000, **kwargs)


def test_proportional_allocation_sums_exactly_with_minimum_and_caps() -> None:
    frame = {"a": 20, "b": 21, "c": 3, "d": 40}
    # c's share (0.43) is raised to the minimum 2; the other 10 go 2.47 / 2.59 / 4.94,
    # floors 2 / 2 / 4, the two remainders to d (0.94) and b (0.59).
    assert stats.allocate(12, frame) == {"a": 2, "b": 3, "c": 2, "d": 5}
    for total in range(8, 85):
        alloc = stats.allocate(total, frame)
        assert sum(alloc.values()) == total
        assert all(min(2, frame[h]) <= n <= frame[h] for h, n in alloc.items())
    # A village with one household gives what it has.
    assert stats.allocate(5, {"a": 1, "b": 10}) == {"a": 1, "b": 4}
    with pytest.raises(ValueError):
        stats.allocate(3, frame)  # below two per village
    with pytest.raises(ValueError):
        stats.allocate(85, frame)  # above the frame


def test_neyman_allocation_favours_larger_households() -> None:
    frame = {"a": 10, "b": 10}
    women = {"a": 40, "b": 160}  # 4 and 16 women per household: S_h 2 and 4
    weights = stats.neyman_weights(frame, women)
    assert weights == {"a": pytest.approx(20.0), "b": pytest.approx(40.0)}
    assert stats.allocate(9, frame, weights) == {"a": 3, "b": 6}
    assert stats.allocate(9, frame) in ({"a": 5, "b": 4}, {"a": 4, "b": 5})


def test_wilson_interval_known_values() -> None:
    lo, hi = stats.wilson(0.10, 100, Z95)
    assert (lo, hi) == (pytest.approx(0.05523, abs=1e-5), pytest.approx(0.17437, abs=1e-5))
    lo, hi = stats.wilson(0.0, 100, Z95)
    assert lo == 0.0 and hi == pytest.approx(Z95**2 / (100 + Z95**2))
    assert stats.wilson(1.0, 20, Z95)[1] == 1.0


@pytest.mark.parametrize(
    ("confidence", "df", "t"),
    [
        # the printed table of Student's t (two-sided), to its four decimals
        (0.95, 1, 12.7062),
        (0.95, 2, 4.3027),
        (0.95, 3, 3.1824),
        (0.95, 6, 2.4469),
        (0.95, 12, 2.1788),
        (0.95, 60, 2.0003),
        (0.99, 3, 5.8409),
        (0.99, 10, 3.1693),
        (0.90, 5, 2.0150),
    ],
)
def test_t_quantiles(confidence: float, df: int, t: float) -> None:
    assert stats.t_value(confidence, df) == pytest.approx(t, abs=5e-5)
    assert stats.t_value(confidence, 0) == stats.z_value(confidence)


def test_normal_quantiles_and_binomial_distribution() -> None:
    assert stats.z_value(0.95) == pytest.approx(Z95, abs=1e-12)
    assert stats.z_value(0.99) == pytest.approx(2.5758293035489, abs=1e-12)
    # P(X <= 3 | 65, 0.10), summed term by term
    by_hand = sum(math.comb(65, i) * 0.1**i * 0.9 ** (65 - i) for i in range(4))
    assert stats.binomial_cdf(3, 65, 0.10) == pytest.approx(by_hand, rel=1e-12)
    assert stats.binomial_cdf(-1, 10, 0.5) == 0.0 and stats.binomial_cdf(10, 10, 0.5) == 1.0


def test_lqas_rule_holds_the_consumers_risk_and_reports_the_producers() -> None:
    rule = stats.lqas_rule(65)
    assert rule.d == 3
    assert rule.beta == pytest.approx(stats.binomial_cdf(3, 65, 0.10)) and rule.beta <= 0.10
    assert rule.alpha == pytest.approx(1 - stats.binomial_cdf(3, 65, 0.02)) and rule.meets_alpha
    assert rule.alpha == pytest.approx(0.04138, abs=1e-5)
    assert stats.binomial_cdf(4, 65, 0.10) > 0.10  # d = 4 would pass too many bad villages
    assert (rule.decide(3), rule.decide(4)) == ("pass", "fail")
    assert rule.n_min == 65 == stats.lqas_min_n(stats.LqasSettings())
    # Below n_min the consumer's risk is still held; the producer's is shown, above 5 %.
    small = stats.lqas_rule(36)
    assert small.d == 0 and small.beta == pytest.approx(0.9**36) and not small.meets_alpha
    # 0.9^21 = 0.109 > 0.10: no rule can hold beta with 21 records.
    assert stats.lqas_rule(21).d is None and stats.lqas_rule(21).decide(0) == "undecided"
    assert stats.lqas_rule(22).d == 0
    # Other thresholds: 20 % / 5 % needs fewer records.
    other = stats.LqasSettings(upper=0.20, lower=0.05)
    assert stats.lqas_min_n(other) < 65


def test_design_weighted_ratio_and_its_effective_sample_size() -> None:
    # Two villages of 100 households, two sampled in each: weights 50.
    design = stats.Design(frame={"A": 100, "B": 100}, sampled={"A": 2, "B": 2})
    units = [("A", 0.0, 10.0), ("A", 4.0, 10.0), ("B", 0.0, 5.0), ("B", 2.0, 15.0)]
    p = stats.ratio_estimate(units, design)
    assert p is not None
    assert p.estimate == pytest.approx(6 / 40)  # 50*6 / 50*40
    # Linearised scores (y - R x) / X with X = 2000: A -0.00075, 0.00125; B -0.000375,
    # -0.000125. Stratum variances 2e-6 and 3.125e-8, times N^2 (1 - f) / n = 4900.
    var = 4900 * (2e-6 + 3.125e-8)
    df = 4 - 2
    # Korn & Graubard: scaled by (t_{n-1} / t_df)^2, n = 40 records counted
    n_eff = 0.15 * 0.85 / var * (stats.t_value(0.95, 39) / stats.t_value(0.95, df)) ** 2
    assert stats.t_value(0.95, 39) == pytest.approx(2.0227, abs=5e-5)
    assert p.n_effective == pytest.approx(n_eff)
    assert (p.lower, p.upper) == pytest.approx(stats.wilson(0.15, n_eff, Z95))
    assert (p.numerator, p.denominator) == (6, 40)


def test_effective_size_never_exceeds_simple_random_sampling() -> None:
    # Identical households: zero variance, so the record count (grown by the FPC) is used.
    design = stats.Design(frame={"A": 10}, sampled={"A": 5})
    p = stats.ratio_estimate([("A", 1.0, 10.0)] * 5, design)
    assert p is not None and p.estimate == pytest.approx(0.1)
    t_ratio = stats.t_value(0.95, 49) / stats.t_value(0.95, 4)
    assert p.n_effective == pytest.approx(50 / 0.5 * t_ratio**2)
    # A census has no sampling error.
    census = stats.ratio_estimate(
        [("A", 1.0, 10.0), ("A", 3.0, 10.0)], stats.Design({"A": 2}, {"A": 2})
    )
    assert census is not None and census.lower == census.estimate == census.upper == 0.2


def _tally(village: str, household: str, **kw: object) -> stats.HouseholdTally:
    return stats.HouseholdTally(village, household, **kw)  # type: ignore[arg-type]


def test_score_per_village_and_overall() -> None:
    design = stats.Design(frame={"V1": 4, "V2": 6}, sampled={"V1": 2, "V2": 2})
    tallies = [
        _tally(
            "V1",
            "h1",
            women_listed=10,
            women_found=10,
            field_errors=(1, 0, 0, 0, 0),
            births_listed=2,
            births_confirmed=2,
            births_field_only=1,
            records=10,
            defective=2,
        ),
        _tally(
            "V1",
            "h2",
            women_listed=8,
            women_found=7,
            field_errors=(0, 0, 1, 0, 0),
            births_listed=1,
            births_confirmed=1,
            records=8,
            defective=2,
        ),
        _tally(
            "V2",
            "h1",
            women_listed=12,
            women_found=12,
            women_field_only=1,
            field_errors=(0, 0, 0, 0, 0),
            births_listed=0,
            births_field_only=2,
            records=13,
            defective=2,
        ),
        _tally(
            "V2",
            "h2",
            women_listed=9,
            women_found=9,
            field_errors=(2, 0, 0, 1, 0),
            births_listed=3,
            births_confirmed=2,
            records=9,
            defective=3,
        ),
    ]
    result = stats.score(tallies, design)
    v1, v2 = result.villages
    assert v1.under_report is not None
    assert (v1.under_report.numerator, v1.under_report.denominator) == (1, 4)
    assert v1.error_rate is not None and v1.error_rate.estimate == pytest.approx(2 / 85)
    assert v1.field_errors["method"] is not None
    assert v1.field_errors["method"].estimate == pytest.approx(1 / 17)
    assert v1.vf_women is not None and v1.vf_women.estimate == pytest.approx(17 / 18)
    assert v1.vf_births is not None and v1.vf_births.estimate == pytest.approx(4 / 3)
    assert v2.under_report is not None and v2.under_report.estimate == pytest.approx(2 / 4)
    assert (v1.records, v1.defective, v2.records, v2.defective) == (18, 4, 22, 5)
    assert v1.decision == "undecided"  # 18 records: below the 22 any rule needs
    assert v2.lqas is not None and v2.lqas.d == 0 and v2.decision == "fail"
    # Township: weights 2 (V1) and 3 (V2).
    o = result.overall
    assert o.under_report is not None
    assert o.under_report.estimate == pytest.approx((2 * 1 + 3 * 2) / (2 * 4 + 3 * 4))
    assert o.vf_women is not None
    assert o.vf_women.estimate == pytest.approx((2 * 17 + 3 * 22) / (2 * 18 + 3 * 21))
    assert o.vf_women.lower <= o.vf_women.estimate <= o.vf_women.upper
    assert o.lqas is None and o.decision is None
    # Sample counts are the sample's own.
    assert (o.women_listed, o.births_field_only) == (39, 3)


def test_verification_factor_interval_when_nothing_is_wrong() -> None:
    # 100 records, all confirmed: the population VF may still be a few percent either way.
    design = stats.Design(frame={"A": 1000}, sampled={"A": 10})
    tallies = [_tally("A", f"h{i}", women_listed=10, women_found=10, records=10) for i in range(10)]
    vf = stats.score(tallies, design).overall.vf_women
    assert vf is not None and vf.estimate == 1.0
    assert 0.94 < vf.lower < 1.0 < vf.upper < 1.07


def test_lqas_producers_risk_is_not_monotone_and_the_gaps_are_stated() -> None:
    """alpha <= 5 % holds from n = 65, yet for n = 70-77 (d = 3) it is 5.2-6.9 %."""
    from scipy.stats import binom

    s = stats.LqasSettings()
    assert stats.lqas_alpha_gaps(s) == ((70, 77),)
    for n in range(70, 78):
        rule = stats.lqas_rule(n)
        assert rule.d == 3 and not rule.meets_alpha
        assert rule.alpha == pytest.approx(binom.sf(3, n, 0.02), rel=1e-9)
    assert binom.sf(3, 70, 0.02) == pytest.approx(0.0519, abs=5e-5)
    assert binom.sf(3, 77, 0.02) == pytest.approx(0.0688, abs=5e-5)
    assert all(stats.lqas_rule(n).meets_alpha for n in (*range(65, 70), *range(78, 300)))
