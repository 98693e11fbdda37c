"""Finding lifecycle (pure): one golden case per status, against a baseline."""

from __future__ import annotations

from audit.core.lifecycle import Baseline, Status, compute_lifecycle, identity, months_between
from audit.core.models import Category, Finding, Severity


def finding(check: str, record: str, message: str = "m", table: str = "women") -> Finding:
    village = "340811101001"
    return Finding(
        check, Category.LOGIC, Severity.ERROR, ("statistics",), table, record, village, message
    )


def test_first_month_everything_is_new() -> None:
    lc = compute_lifecycle([finding("age-range", "A")], "2026-07", None)
    assert lc.previous_period is None
    assert lc.of(finding("age-range", "A")).status is Status.NEW
    assert lc.counts() == {"new": 1, "persisting": 0, "reopened": 0, "resolved": 0}


def test_new_persisting_reopened_resolved() -> None:
    baseline = Baseline(
        period="2026-08",
        run_id="r8",
        findings=(finding("age-range", "A"), finding("early-marriage", "B")),
        since={("age-range", "women", "A"): "2026-07", ("early-marriage", "women", "B"): "2026-08"},
        earlier={("id-sex", "women", "C"): "2026-07", ("age-range", "women", "A"): "2026-07"},
    )
    now = [
        finding("age-range", "A", "a different message this month"),  # persisting since July
        finding("id-sex", "C"),  # seen in July, gone in August: reopened
        finding("id-format", "D"),  # never seen: new
        finding("age-range", "B"),  # same record, other check: new
    ]
    lc = compute_lifecycle(now, "2026-09", baseline)
    a = lc.of(now[0])
    assert (a.status, a.since, a.months) == (Status.PERSISTING, "2026-07", 3)
    c = lc.of(now[1])
    assert (c.status, c.since, c.months, c.last_seen) == (Status.REOPENED, "2026-09", 1, "2026-07")
    assert lc.of(now[2]).status is Status.NEW
    assert lc.of(now[3]).status is Status.NEW
    assert [identity(f) for f in lc.resolved] == [("early-marriage", "women", "B")]
    assert lc.resolved_since == {("early-marriage", "women", "B"): "2026-08"}
    assert lc.counts() == {"new": 2, "persisting": 1, "reopened": 1, "resolved": 1}


def test_identity_is_check_table_record() -> None:
    baseline = Baseline("2026-08", "r", (finding("dup-key", "X", table="procedures"),), {})
    lc = compute_lifecycle([finding("dup-key", "X", table="checkups")], "2026-09", baseline)
    assert lc.of(finding("dup-key", "X", table="checkups")).status is Status.NEW
    assert len(lc.resolved) == 1


def test_a_skipped_month_compares_with_the_previous_audited_period() -> None:
    baseline = Baseline("2026-06", "r", (finding("age-range", "A"),), {})
    lc = compute_lifecycle([finding("age-range", "A")], "2026-09", baseline)
    t = lc.of(finding("age-range", "A"))
    assert (t.status, t.since, t.months) == (Status.PERSISTING, "2026-06", 4)


def test_months_between_crosses_the_year() -> None:
    assert months_between("2025-11", "2026-02") == 4
    assert months_between("2026-09", "2026-09") == 1
