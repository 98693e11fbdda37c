"""The §6 figures: pure statistics against published values, and every figure of a crafted
township against counts worked out by hand (the comments show the working)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from audit.core.models import Category, Finding, Severity
from audit.core.overview import (
    MIN_MATCHED,
    TOWNSHIP,
    VILLAGE,
    Overview,
    Rate,
    chao_lognormal_interval,
    chapman,
    ratio_from_proportion,
    seber_variance,
    sex_ratio,
    sex_ratio_funnel,
    wilson_interval,
)
from audit.core.period import make_window
from audit.io import sqlrun
from audit.io.loader import Submission, load_submission
from audit.io.overview import compute_overview, records_view_sql
from tests.helpers import TOWNSHIP as TOWNSHIP_CODE
from tests.helpers import VILLAGE_A, VILLAGE_B, man_id, woman_id, write_submission

# --- pure statistics -----------------------------------------------------------------------


def test_wilson_interval_matches_newcombe_1998() -> None:
    # Newcombe (1998), Stat Med 17:857, example: 81/263 → 0.2553 to 0.3662 (score method)
    lo, hi = wilson_interval(81, 263) or (0, 0)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)
    # 0/10 → 0 to 0.2775; 10/10 → 0.7225 to 1 (Newcombe's table)
    lo, hi = wilson_interval(0, 10) or (1, 1)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=5e-5)
    lo, hi = wilson_interval(10, 10) or (0, 0)
    assert lo == pytest.approx(0.7225, abs=5e-5) and hi == 1.0
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_sex_ratio_maps_the_wilson_interval_of_boys() -> None:
    sr = sex_ratio(50, 50)
    assert sr.ratio == pytest.approx(100.0)
    # Wilson 50/100: 0.40383 to 0.59617 → 100·p/(1−p) = 67.74 to 147.63
    assert sr.low == pytest.approx(67.74, abs=0.01)
    assert sr.high == pytest.approx(147.63, abs=0.01)
    assert sr.births == 100
    sr = sex_ratio(112, 100)
    assert sr.ratio == pytest.approx(112.0)
    assert sr.low is not None and sr.high is not None and sr.low < 112 < sr.high
    # boys only: no finite ratio and no upper limit; no births: nothing at all
    only_boys = sex_ratio(3, 0)
    assert only_boys.ratio is None and only_boys.high is None
    assert only_boys.low == pytest.approx(ratio_from_proportion(0.4385), abs=0.05)
    assert sex_ratio(0, 0) == type(sr)(0, 0, None, None, None)
    assert sex_ratio(0, 4).ratio == 0.0


def test_sex_ratio_funnel_narrows_with_births() -> None:
    # p0 = 105/205 = 0.512195; 100 births: p0 ± 1.96·sqrt(p0(1−p0)/100) = p0 ± 0.097969
    # = 0.414226 to 0.610164 → 100·p/(1−p) = 70.72 to 156.52
    lo, hi = sex_ratio_funnel(100) or (0, 0)
    assert lo == pytest.approx(70.72, abs=0.01)
    assert hi == pytest.approx(156.52, abs=0.01)
    lo2, hi2 = sex_ratio_funnel(10_000) or (0, 0)
    assert lo < lo2 < 105 < hi2 < hi
    assert sex_ratio_funnel(0) is None
    assert sex_ratio_funnel(1)[1] == math.inf  # type: ignore[index]


def _lognormal_reference(n1: int, n2: int, m: int) -> tuple[float, float]:
    """Chao's interval computed another way: the unseen births f0 as a scipy log-normal
    distribution whose median is f0 and whose log-variance is ln(1 + var/f0²), its 2.5 % and
    97.5 % quantiles shifted by the births seen."""
    from scipy.stats import lognorm

    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    seen = n1 + n2 - m
    f0 = estimate - seen
    dist = lognorm(s=math.sqrt(math.log(1 + var / f0**2)), scale=f0)
    return seen + float(dist.ppf(0.025)), seen + float(dist.ppf(0.975))


def test_chapman_matches_the_textbook_example() -> None:
    # Lincoln–Petersen example (10 marked, 15 caught, 5 recaptured): Chapman N̂ = 28.33
    cr = chapman(10, 15, 5, min_matched=0)
    assert cr.estimate == pytest.approx(28.333, abs=1e-3)
    # Seber: var = 11·16·5·10 / (6²·7) = 8800/252 = 34.921; 20 births seen, f0 = 8.333;
    # C = exp(1.96·√ln(1 + 34.921/8.333²)) = exp(1.96·0.63825) = 3.49368
    # → 20 + 8.3333/3.49368 = 22.385 to 20 + 8.3333·3.49368 = 49.114
    assert seber_variance(10, 15, 5) == pytest.approx(8800 / 252)
    assert cr.low == pytest.approx(22.385, abs=1e-3)
    assert cr.high == pytest.approx(49.114, abs=1e-3)
    assert (cr.low, cr.high) == pytest.approx(_lognormal_reference(10, 15, 5), rel=1e-12)
    assert cr.under_reporting == pytest.approx(1 - 10 / 28.333, abs=1e-4)
    assert cr.under_reporting_low == pytest.approx(1 - 10 / cr.low)  # type: ignore[operator]
    assert cr.under_reporting_high == pytest.approx(1 - 10 / cr.high)  # type: ignore[operator]
    assert not cr.too_small and cr.observed == 20


def test_chapman_interval_is_log_normal_and_asymmetric() -> None:
    # n1 = 200, n2 = 150, m = 120: N̂ = 201·151/121 − 1 = 249.835; 230 seen, f0 = 19.835;
    # var = 72,842,400/1,786,202 = 40.781; C = exp(1.96·√ln(1.10365)) = 1.85065
    # → 230 + 19.835/1.85065 = 240.718 to 230 + 19.835·1.85065 = 266.707
    cr = chapman(200, 150, 120)
    assert cr.estimate == pytest.approx(249.835, abs=1e-3)
    assert cr.low == pytest.approx(240.718, abs=1e-2)
    assert cr.high == pytest.approx(266.707, abs=1e-2)
    assert cr.high - cr.estimate > cr.estimate - cr.low  # skewed towards more births


@pytest.mark.parametrize(
    ("n1", "n2", "m"),
    [(7, 7, 6), (12, 9, 7), (40, 30, 8), (40, 10, 9), (150, 140, 120), (1000, 800, 700)],
)
def test_chapman_interval_agrees_with_an_independent_lognormal(n1: int, n2: int, m: int) -> None:
    cr = chapman(n1, n2, m, min_matched=0)
    assert (cr.low, cr.high) == pytest.approx(_lognormal_reference(n1, n2, m), rel=1e-12)
    seen = n1 + n2 - m
    assert seen < cr.low < cr.estimate < cr.high  # type: ignore[operator]


def test_chao_interval_never_below_the_births_seen() -> None:
    # The symmetric N̂ ± 1.96·√var would reach 28.33 − 11.58 = 16.75 < 20 births seen.
    for n1, n2, m in ((10, 15, 5), (7, 30, 7), (8, 8, 7), (60, 9, 7)):
        cr = chapman(n1, n2, m, min_matched=0)
        assert cr.low is not None and cr.low >= n1 + n2 - m
    # Nothing unseen: the interval is the births seen.
    assert chao_lognormal_interval(40.0, 0.0, 40) == (40.0, 40.0)


def test_chapman_too_small_to_tell() -> None:
    assert MIN_MATCHED == 7
    for n1, n2, m in ((40, 0, 0), (40, 10, 0), (40, 10, 6)):
        cr = chapman(n1, n2, m)
        assert cr.too_small and cr.estimate is None and cr.under_reporting is None
        assert (cr.n1, cr.n2, cr.m) == (n1, n2, m)
    assert not chapman(40, 10, 7).too_small
    assert chapman(10, 15, 5).too_small
    # every evidenced birth registered: no sign of under-reporting, a zero-width interval
    full = chapman(40, 10, 10)
    assert full.estimate == pytest.approx(40) and full.under_reporting == pytest.approx(0)
    with pytest.raises(ValueError):
        chapman(5, 10, 6)


def test_rate_keeps_its_parts() -> None:
    assert Rate(3, 4).value == 0.75
    assert Rate(0, 0).value is None


# --- the crafted township --------------------------------------------------------------------
# Period 2027-03: W = 2026-10-01 .. 2027-03-31, recent = 2026-12-30 .. 2027-03-31.
PERIOD = "2027-03"

A1, A2, A3, A4, A5, A6 = (woman_id(date(1990, 1, d), 2 * d) for d in range(1, 7))
B1, B2, B3, B4 = (woman_id(date(1992, 2, d), 2 * d) for d in range(1, 5))
STRANGER = man_id(date(1988, 8, 8))  # a man who received condoms, on no register
NEXT_YEAR, NOV_1, LIGATED = date(2028, 1, 1), date(2026, 11, 1), date(2020, 5, 1)
UNKNOWN_MOTHER = woman_id(date(1991, 9, 9), 88, division="110101")  # on no register


def _woman(pid: str, village: str, marital: str, residence: str, method: str, **kw: object):
    birth = date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
    row: dict[str, object] = {
        "person_id": pid,
        "name": "某" + pid[-4:],
        "birth_date": birth,
        "village_code": village,
        "group_no": 1,
        "marital_status": marital,
        "marriage_date": None if marital == "single" else date(2012, 5, 1),
        "residence": residence,
        "children": 1,
        "method": method,
    }
    row.update(kw)
    return row


def _birth(bid: str, mother: str, sex: str, born: date, policy: str, village: str, reported: date):
    return {
        "birth_id": bid,
        "mother_id": mother,
        "child_name": "婴" + bid,
        "child_sex": sex,
        "child_birth_date": born,
        "birth_order": 1,
        "policy": policy,
        "village_code": village,
        "reported_date": reported,
    }


def township_tables() -> dict[str, list[dict[str, object]]]:
    return {
        "women": [
            _woman(A1, VILLAGE_A, "married", "resident", "iud", method_date=date(2026, 12, 1)),
            _woman(A2, VILLAGE_A, "married", "resident", "oral_pill"),
            _woman(A3, VILLAGE_A, "married", "resident", "none"),
            _woman(A4, VILLAGE_A, "single", "resident", "condom", children=None),  # blank
            _woman(A5, VILLAGE_A, "married", "out", "iud", method_date=date(2015, 3, 1)),
            _woman(A6, VILLAGE_A, "remarried", "out", "tubal_ligation", method_date=LIGATED),
            _woman(B1, VILLAGE_B, "married", "resident", "implant", method_date=date(2025, 1, 1)),
            _woman(B2, VILLAGE_B, "married", "in", "injection"),
            _woman(B3, VILLAGE_B, "married", "resident", "condom"),
            _woman(B4, VILLAGE_B, "married", "resident", "iud", method_date=date(2026, 11, 15)),
        ],
        "births": [
            _birth("b1", A1, "M", date(2026, 11, 10), "in", VILLAGE_A, date(2026, 11, 20)),
            # 55 days to report: not timely; child's name left blank
            {
                **_birth("b2", A2, "F", date(2027, 1, 5), "out", VILLAGE_A, date(2027, 3, 1)),
                "child_name": None,
            },
            _birth("b3", B3, "M", date(2027, 2, 14), "in", VILLAGE_B, date(2027, 2, 20)),  # twins
            _birth("b4", B3, "M", date(2027, 2, 14), "in", VILLAGE_B, date(2027, 2, 20)),
            _birth("b5", A1, "F", date(2026, 9, 1), "in", VILLAGE_A, date(2026, 9, 5)),  # before W
            _birth("b6", B4, "F", date(2026, 10, 20), "in", VILLAGE_B, date(2026, 10, 25)),
        ],
        "procedures": [
            _proc("P1", A1, "iud_insert", date(2026, 12, 1), True, VILLAGE_A),
            _proc("P2", A3, "iud_insert", date(2027, 2, 20), True, VILLAGE_A),  # no birth
            _proc("P3", A6, "tubal_ligation", LIGATED, False, VILLAGE_A),
            _proc("P4", B1, "implant_insert", date(2025, 1, 1), False, VILLAGE_B),
            _proc("P5", B1, "implant_remove", date(2026, 12, 1), False, VILLAGE_B),
            # 24 days after B4's floating notice: the same delivery
            _proc("P6", B4, "iud_insert", date(2026, 11, 15), True, VILLAGE_B),
            _proc("P7", A2, "abortion", date(2027, 1, 20), False, VILLAGE_A),
            # early in W, 34 days after A1's birth b5 of 2026-09-01: a birth before W
            _proc("P8", A1, "iud_insert", date(2026, 10, 5), True, VILLAGE_A),
        ],
        "supply_issues": [
            _issue("S1", A2, VILLAGE_A, "oral_pill", date(2027, 2, 1)),
            _issue("S2", B2, VILLAGE_B, "injection", date(2027, 3, 10)),
            _issue("S3", B2, VILLAGE_B, "injection", date(2027, 3, 15)),
            {**_issue("S4", STRANGER, VILLAGE_B, "condom", date(2027, 1, 10)), "point_code": None},
            _issue("S5", B3, VILLAGE_B, "emergency_pill", date(2027, 3, 1)),
            _issue("S6", A4, VILLAGE_A, "condom", date(2026, 11, 1)),  # not recent
        ],
        "migrants": [
            _migrant(
                "M1", A5, "out", VILLAGE_A, "married", "C1", date(2028, 1, 1), date(2027, 3, 1)
            ),
            _migrant("M2", B2, "in", VILLAGE_B, "married", None, None, None),
            # certificate expired before the period end, feedback not recent
            _migrant(
                "M3", B1, "out", VILLAGE_B, "married", "C3", date(2027, 1, 31), date(2026, 11, 1)
            ),
            {
                **_migrant("M4", A6, "out", VILLAGE_A, "remarried", "C4", NEXT_YEAR, None),
                "return_date": date(2026, 12, 1),  # back home: closed
            },
            _migrant("M5", A4, "out", VILLAGE_A, "single", None, None, None),
        ],
        "migrant_births": [
            _notice("R1", B3, "M", date(2027, 2, 16)),  # B3's twins, notified 2 days off
            _notice("R2", B3, "M", date(2027, 2, 16)),
            _notice("R3", UNKNOWN_MOTHER, "F", date(2027, 1, 20)),  # on no register
            _notice("R4", B4, "F", date(2026, 10, 22)),
        ],
    }


def _proc(pid: str, person: str, kind: str, on: date, postpartum: bool, village: str):
    return {
        "procedure_id": pid,
        "person_id": person,
        "procedure": kind,
        "procedure_date": on,
        "postpartum": postpartum,
        "facility": "乡卫生院",
        "village_code": village,
    }


def _issue(iid: str, person: str, village: str, item: str, on: date):
    return {
        "issue_id": iid,
        "person_id": person,
        "village_code": village,
        "point_code": village,
        "item": item,
        "quantity": 1,
        "issue_date": on,
    }


def _migrant(
    mid: str,
    person: str,
    direction: str,
    village: str,
    marital: str,
    cert: str | None,
    expiry: date | None,
    feedback: date | None,
):
    return {
        "migrant_id": mid,
        "person_id": person,
        "name": "某" + person[-4:],
        "direction": direction,
        "village_code": village,
        "move_date": date(2025, 6, 1),
        "place": "苏州",
        "marital_status": marital,
        "certificate_no": cert,
        "certificate_expiry": expiry,
        "last_feedback_date": feedback,
    }


def _notice(rid: str, mother: str, sex: str, born: date):
    return {
        "report_id": rid,
        "mother_id": mother,
        "child_sex": sex,
        "child_birth_date": born,
        "reported_date": born,
        "place": "苏州",
    }


def _finding(check: str, category: Category, table: str, record: str, village: str | None):
    return Finding(check, category, Severity.ERROR, ("statistics",), table, record, village, "x")


# Findings handed to the correctness score: logic/invalid_id/duplicate count, others do not.
FINDINGS = (
    _finding("marriage-fields", Category.LOGIC, "women", A4, VILLAGE_A),
    _finding("early-marriage", Category.LOGIC, "women", A4, VILLAGE_A),  # same record
    _finding("dup-birth", Category.DUPLICATE, "births", "b2", VILLAGE_A),
    _finding("id-sex", Category.INVALID_ID, "supply_issues", "S4", VILLAGE_B),
    _finding("method-vs-procedure", Category.MISMATCH, "women", A1, VILLAGE_A),  # not counted
    _finding("cell-invalid", Category.LOGIC, "women", "no-such-record", VILLAGE_A),
)


def build_township(folder: Path) -> Path:
    return write_submission(folder, township_tables(), period=PERIOD)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Submission]:
    sub = load_submission(build_township(tmp_path_factory.mktemp("township")))
    try:
        assert sub.findings == ()  # the crafted files load cleanly
        sqlrun.install_params(sub.con, PERIOD, make_window(PERIOD), TOWNSHIP_CODE)
        yield sub
    finally:
        sub.con.close()


@pytest.fixture(scope="module")
def overview(loaded: Submission) -> Overview:
    return compute_overview(loaded.con, FINDINGS)


def _row(rows: Sequence[Any], unit: str | None) -> Any:
    (hit,) = [r for r in rows if (r.level == TOWNSHIP if unit == TOWNSHIP else r.unit == unit)]
    return hit


def test_units_are_the_villages_then_no_village_then_the_township(overview: Overview) -> None:
    with_none = [
        (VILLAGE, VILLAGE_A),
        (VILLAGE, VILLAGE_B),
        (VILLAGE, None),  # R3: a notice of a mother on no register
        (TOWNSHIP, TOWNSHIP_CODE),
    ]
    assert [(r.level, r.unit) for r in overview.four_numbers] == with_none
    assert [(r.level, r.unit) for r in overview.quality] == with_none
    # no indicator counts anything without a village: no such row
    assert [(r.level, r.unit) for r in overview.indicators] == [
        (VILLAGE, VILLAGE_A),
        (VILLAGE, VILLAGE_B),
        (TOWNSHIP, TOWNSHIP_CODE),
    ]
    assert overview.township_code == TOWNSHIP_CODE


def test_four_numbers(overview: Overview) -> None:
    a = _row(overview.four_numbers, VILLAGE_A)
    b = _row(overview.four_numbers, VILLAGE_B)
    none = _row(overview.four_numbers, None)
    t = _row(overview.four_numbers, TOWNSHIP)
    # births in W on the register: A b1, b2 (b5 is before W); B b3, b4 (twins), b6
    assert (a.births_statistics, b.births_statistics, t.births_statistics) == (2, 3, 5)
    # postpartum procedures in W: A P1, P2, P8; B P6
    assert (a.births_technical, b.births_technical, t.births_technical) == (3, 1, 4)
    # notices in W: B R1, R2, R4; no village R3
    assert (b.births_floating, none.births_floating, t.births_floating) == (3, 1, 4)
    assert a.births_floating == 0
    # not on the register: A3's postpartum procedure (P2) and R3's mother
    assert (a.births_unregistered, b.births_unregistered) == (1, 0)
    assert (none.births_unregistered, t.births_unregistered) == (1, 2)
    # long-acting taken up in W: register A1 (iud 12-01) | B4 (iud 11-15) — A5, A6, B1 began
    # before W; latest long-acting procedure in W implying a method: A1 (P1), A3 (P2) | B4 (P6)
    # (B1's latest is the removal P5; A6's ligation P3 is from 2020)
    assert (a.long_acting_statistics, a.long_acting_technical, a.long_acting_gap) == (1, 2, -1)
    assert (b.long_acting_statistics, b.long_acting_technical, b.long_acting_gap) == (1, 1, 0)
    assert (t.long_acting_statistics, t.long_acting_technical) == (2, 3)
    # short-acting (not away): A2 pill, A4 condom | B2 injection, B3 condom;
    # recent recipients of pill/injection/condom: A2 | B2 (twice), the stranger
    assert (a.short_acting_statistics, a.short_acting_supply, a.short_acting_gap) == (2, 1, 1)
    assert (b.short_acting_statistics, b.short_acting_supply, b.short_acting_gap) == (2, 2, 0)
    assert (t.short_acting_statistics, t.short_acting_supply) == (4, 3)
    # away: register A5, A6 | floating open out rows A5 (M1), A4 (M5) | B1 (M3)
    assert (a.out_migrants_statistics, a.out_migrants_floating, a.out_migrants_gap) == (2, 2, 0)
    assert (b.out_migrants_statistics, b.out_migrants_floating, b.out_migrants_gap) == (0, 1, -1)
    assert (t.out_migrants_statistics, t.out_migrants_floating) == (2, 3)
    assert a.has_gap and b.has_gap and t.has_gap


def test_indicators(overview: Overview) -> None:
    a = _row(overview.indicators, VILLAGE_A)
    b = _row(overview.indicators, VILLAGE_B)
    t = _row(overview.indicators, TOWNSHIP)
    # policy: A b1 in, b2 out; B all three in
    assert (a.policy_compliance, b.policy_compliance, t.policy_compliance) == (
        Rate(1, 2),
        Rate(3, 3),
        Rate(4, 5),
    )
    # married women with a method: A1, A2, A5, A6 of A1, A2, A3, A5, A6 | all four of B
    assert a.contraceptive_prevalence == Rate(4, 5)
    assert b.contraceptive_prevalence == Rate(4, 4)
    assert t.contraceptive_prevalence == Rate(8, 9)
    # boys and girls born in W: A b1 M, b2 F | B b3 M, b4 M, b6 F
    assert (a.sex_ratio.males, a.sex_ratio.females) == (1, 1)
    assert (b.sex_ratio.males, b.sex_ratio.females, b.sex_ratio.ratio) == (2, 1, 200.0)
    assert t.sex_ratio == sex_ratio(3, 2)
    # open rows of married women: M1 (A, valid) | M2 (B, none), M3 (B, expired); M4 closed,
    # M5 single
    assert (a.certificate_rate, b.certificate_rate, t.certificate_rate) == (
        Rate(1, 1),
        Rate(0, 2),
        Rate(1, 3),
    )
    # open out rows of married women: M1 fed back 2027-03-01 | M3 last on 2026-11-01
    assert (a.feedback_rate, b.feedback_rate, t.feedback_rate) == (
        Rate(1, 1),
        Rate(0, 1),
        Rate(1, 2),
    )
    # reported within 30 days: A b1 (10 days), not b2 (55) | B all three
    assert (a.timely_reporting, b.timely_reporting, t.timely_reporting) == (
        Rate(1, 2),
        Rate(3, 3),
        Rate(4, 5),
    )


def test_quality_scores(overview: Overview) -> None:
    # Required fields: women 9, births 9, procedures 5, supply_issues 7, migrants 6,
    # migrant_births 5. A: 6 women (54, A4's children blank), 3 births (27, b2's name blank),
    # 5 procedures (25), 2 issues (14), 3 migrant rows (18) = 138 fields, 136 filled, 19 records.
    # B: 4 women (36), 3 births (27), 3 procedures (15), 4 issues (28, S4's point blank),
    # 2 migrant rows (12), 3 notices (15) = 133 fields, 132 filled, 19 records.
    # No village: notice R3 (5 fields, 1 record).
    a = _row(overview.quality, VILLAGE_A)
    b = _row(overview.quality, VILLAGE_B)
    none = _row(overview.quality, None)
    t = _row(overview.quality, TOWNSHIP)
    assert a.completeness == Rate(136, 138)
    assert b.completeness == Rate(132, 133)
    assert none.completeness == Rate(5, 5)
    assert t.completeness == Rate(273, 276)
    # flagged records: A4 (two logic findings), b2 (duplicate) | S4 (invalid ID);
    # a mismatch and a finding on no loaded record do not count
    assert a.correctness == Rate(17, 19)
    assert b.correctness == Rate(18, 19)
    assert none.correctness == Rate(1, 1)
    assert t.correctness == Rate(36, 39)


def test_birth_events_evidenced_outside_the_register(loaded: Submission) -> None:
    rows = loaded.con.execute(
        "SELECT source, mother_id, CAST(event_date AS VARCHAR), village_code, registered, "
        "registered_in_window, in_list_b FROM rpt_birth_evidence"
    ).fetchall()
    assert sorted(rows) == sorted(EXPECTED_EVENTS)


EXPECTED_EVENTS = [
    # R1 and R2 (B3's twins) are one delivery, registered as b3/b4 two days earlier
    ("floating", B3, "2027-02-16", VILLAGE_B, 1, 1, 1),
    # R4 matches b6 (2 days); B4's postpartum P6 24 days later is the same delivery
    ("floating", B4, "2026-10-22", VILLAGE_B, 1, 1, 1),
    ("floating", UNKNOWN_MOTHER, "2027-01-20", None, 0, 0, 1),
    # P8 follows b5 of 2026-09-01: registered, but a birth before W (not on list B)
    ("technical", A1, "2026-10-05", VILLAGE_A, 1, 0, 0),
    # P1 follows b1 (21 days); more than 42 days after P8, so a delivery of its own
    ("technical", A1, "2026-12-01", VILLAGE_A, 1, 1, 1),
    ("technical", A3, "2027-02-20", VILLAGE_A, 0, 0, 1),
]


def test_capture_recapture(overview: Overview) -> None:
    cr = overview.capture_recapture
    # list A: deliveries in W on the register: A1 11-10, A2 01-05, B3 02-14 (twins), B4 10-20
    # list B: B3 (R1+R2), R3, B4 (R4 with P6), A1 (P1), A3 (P2) — not P8 (a September birth)
    # on both: B3, B4, A1 — fewer than 7: too small to tell
    assert (cr.n1, cr.n2, cr.m) == (4, 5, 3)
    assert cr.too_small and cr.estimate is None
    assert cr == chapman(4, 5, 3)


def test_records_view_scores_every_required_contract_column() -> None:
    from audit.core.contract import TABLES

    selects = records_view_sql().split("\nUNION ALL\n")
    assert len(selects) == len(TABLES)
    for t, sql in zip(TABLES, selects, strict=True):
        assert f'FROM "{t.name}" AS t' in sql
        for c in t.columns:
            assert (f't."{c.name}" IS NULL' in sql) == c.required, (t.name, c.name)
        assert f"{sum(c.required for c in t.columns)} AS required" in sql


def test_report_sql_transpiles_to_spark() -> None:
    sqlglot = pytest.importorskip("sqlglot")
    from audit.io.overview import REPORT_DIR

    files = [*sorted(REPORT_DIR.glob("*.sql")), *sorted((REPORT_DIR / "views").glob("*.sql"))]
    assert len(files) == 7
    for path in files:
        out = sqlglot.transpile(path.read_text(encoding="utf-8"), read="duckdb", write="spark")
        assert out and out[0].strip(), path
    sqlglot.transpile(records_view_sql(), read="duckdb", write="spark")


# --- the definitions of 综合节育率 and 政策符合率, through the whole audit ------------------------
def _married_woman(pid: str, born: date | None, method: str) -> dict[str, Any]:
    return {
        "person_id": pid,
        "name": "已婚",
        "birth_date": born,
        "village_code": VILLAGE_A,
        "marital_status": "married",
        "marriage_date": date(2010, 1, 1) if born is None or born.year < 1990 else None,
        "residence": "resident",
        "children": 1,
        "method": method,
        "pregnant": False,
    }


def _birth_in_w(bid: str, mother: str, born: date, policy: str | None) -> dict[str, Any]:
    return {
        "birth_id": bid,
        "mother_id": mother,
        "child_name": "小" + bid,
        "child_sex": "F",
        "child_birth_date": born,
        "birth_order": 1,
        "policy": policy,
        "village_code": VILLAGE_A,
        "reported_date": born,
    }


def test_prevalence_counts_married_women_15_to_49_and_policy_only_known(tmp_path: Path) -> None:
    """Period 2026-10: ages are completed years on 2026-10-31, the period's last day."""
    from audit.app import run_audit

    born = {  # the age each woman is on 2026-10-31
        "49": date(1976, 11, 1),  # 50 the next day
        "50": date(1976, 10, 31),  # 50 that very day
        "51": date(1975, 3, 1),  # the probe of 4/5 against the standard 4/4
        "30": date(1996, 5, 5),
        "15": date(2011, 10, 31),
        "14": date(2011, 11, 1),
    }
    ids = {k: woman_id(b, 2 * i + 2) for i, (k, b) in enumerate(born.items())}
    no_date = woman_id(date(1990, 2, 2), 40)
    women = [
        _married_woman(ids["49"], born["49"], "iud"),
        _married_woman(ids["50"], born["50"], "iud"),
        _married_woman(ids["51"], born["51"], "tubal_ligation"),
        _married_woman(ids["30"], born["30"], "condom"),
        _married_woman(ids["15"], born["15"], "none"),
        _married_woman(ids["14"], born["14"], "oral_pill"),
        _married_woman(no_date, None, "iud"),  # no birth date: age unknown, not counted
    ]
    births = [
        _birth_in_w("B1", ids["30"], date(2026, 10, 2), "in"),
        _birth_in_w("B2", ids["49"], date(2026, 10, 3), "out"),
        _birth_in_w("B3", ids["15"], date(2026, 10, 4), None),  # neither in nor out: left out
    ]
    folder = write_submission(tmp_path / "sub", {"women": women, "births": births})
    report = run_audit(folder, lang="en")
    assert report.overview is not None
    township = _row(report.overview.indicators, TOWNSHIP)
    # married women 15–49: the 49-, 30- and 15-year-olds; with a method: 49 and 30
    assert township.contraceptive_prevalence == Rate(2, 3)
    assert _row(report.overview.indicators, VILLAGE_A).contraceptive_prevalence == Rate(2, 3)
    # B1 in, B2 out, B3 without a policy: 1 of 2, and a finding asks for B3's policy
    assert township.policy_compliance == Rate(1, 2)
    assert township.timely_reporting == Rate(3, 3)  # every birth still counts for timeliness
    assert [(f.check, f.record) for f in report.findings if f.check == "birth-policy-missing"] == [
        ("birth-policy-missing", "B3")
    ]
