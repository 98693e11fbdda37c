"""Accepted exceptions (pure): matching, expiry, stale rows, the gate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from audit.core.acceptance import Acceptance, apply_acceptances
from audit.core.exitcodes import ExitCode, FailOn, exit_code_for
from tests.test_history import finding, make_report

TOWNSHIP = "340811101000"


def acc(record: str, expires: str = "2026-12", township: str = TOWNSHIP) -> Acceptance:
    return Acceptance(
        township, "age-range", "women", record, "why", "me", date(2026, 9, 1), expires
    )


def test_match_expiry_stale_and_other_townships() -> None:
    findings = [finding("age-range", "A"), finding("age-range", "B"), finding("age-range", "C")]
    rows = [
        acc("A"),  # in force
        acc("B", expires="2026-08"),  # expired: B counts again
        acc("Z"),  # matches nothing: stale
        acc("Y", expires="2026-01"),  # expired and matching nothing: neither stale nor listed
        acc("C", township="340811102000"),  # another township: ignored
    ]
    out = apply_acceptances(rows, findings, period="2026-09", township_code=TOWNSHIP, source="f")
    assert set(out.accepted) == {("age-range", "women", "A")}
    assert [a.record for a in out.expired] == ["B"]
    assert [a.record for a in out.stale] == ["Z"]


def test_county_wide_row_and_the_township_row_wins() -> None:
    county = acc("A", township="")
    own = replace(acc("A"), reason="checked at the household")
    out = apply_acceptances(
        [county, own],
        [finding("age-range", "A")],
        period="2026-09",
        township_code=TOWNSHIP,
        source="f",
    )
    assert out.accepted[("age-range", "women", "A")].reason == "checked at the household"


def test_the_last_period_is_inclusive_and_the_gate_ignores_accepted() -> None:
    report = make_report("2026-12", [finding("age-range", "A")])
    assert exit_code_for(report, FailOn.ERROR) is ExitCode.FINDINGS
    out = apply_acceptances(
        [acc("A", expires="2026-12")],
        report.findings,
        period="2026-12",
        township_code=TOWNSHIP,
        source="f",
    )
    assert exit_code_for(replace(report, acceptances=out), FailOn.ERROR) is ExitCode.OK
    later = make_report("2027-01", [finding("age-range", "A")])
    out = apply_acceptances(
        [acc("A", expires="2026-12")],
        later.findings,
        period="2027-01",
        township_code=TOWNSHIP,
        source="f",
    )
    assert exit_code_for(replace(later, acceptances=out), FailOn.ERROR) is ExitCode.FINDINGS
