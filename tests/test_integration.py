"""End to end: the generator's planted faults against the audit's findings.

The generator plants one fault of every check and names it in truth.json; the
audit must report each one (same check, table and record, same category).
A township generated without faults must raise no error or warning outside
plausibility (sex ratio), whatever the period or file format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.app import run_audit
from audit.core.models import AuditReport, Category, Severity
from audit.sample.generator import generate

ROOT = Path(__file__).resolve().parent.parent
CHECKS_MD_SUITES = ("statistics", "cross_ledger", "floating", "supply", "reports")


def _truth(folder: Path) -> list[dict[str, str]]:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def _missed(report: AuditReport, truth: list[dict[str, str]]) -> list[dict[str, str]]:
    found = {(f.check, f.table, f.record): f.category for f in report.findings}
    return [t for t in truth if found.get((t["check"], t["table"], t["record"])) != t["category"]]


def _gated_outside_plausibility(report: AuditReport) -> list[str]:
    return [
        f"{f.check} {f.table} {f.record}: {f.message}"
        for f in report.findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
        and f.category is not Category.PLAUSIBILITY
    ]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faulty") / "township"
    generate(
        out, villages=4, women_per_village=150, period="2026-09", seed=11, faults="all", fmt="csv"
    )
    return out


def test_every_planted_fault_is_found_with_its_category(faulty: Path) -> None:
    truth = _truth(faulty)
    checks_md_ids = {
        e["meta"]["check"]
        for suite in CHECKS_MD_SUITES
        for e in json.loads((ROOT / "expectations" / f"{suite}.json").read_text("utf-8"))[
            "expectations"
        ]
    }
    assert {t["check"] for t in truth} == checks_md_ids
    report = run_audit(faulty, lang="en")
    assert _missed(report, truth) == []


@pytest.mark.parametrize(
    ("period", "fmt", "seed"),
    [("2026-09", "csv", 3), ("2026-10", "parquet", 5), ("2027-03", "xlsx", 8)],
)
def test_a_clean_township_raises_nothing_outside_plausibility(
    tmp_path: Path, period: str, fmt: str, seed: int
) -> None:
    out = tmp_path / "clean"
    generate(
        out, villages=3, women_per_village=150, period=period, seed=seed, faults="none", fmt=fmt
    )
    report = run_audit(out, lang="en")
    assert report.period == period
    assert _gated_outside_plausibility(report) == []


def test_the_demo_reports_its_planted_problems() -> None:
    demo = ROOT / "sample_data" / "demo"
    report = run_audit(demo, lang="zh")
    assert _missed(report, _truth(demo)) == []
    assert not [f for f in report.findings if f.check in ("cell-invalid", "column-missing")]
