"""Golden tests of the consistency-over-time checks (trend-*): tiny report series, exact findings.

Each case writes stat_reports rows of a few villages over earlier months (or hands them in as
the history's rows) and runs the real audit with the `trends` suite only.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from audit.app import run_audit
from audit.core.contract import REPORT_COUNT_COLUMNS
from audit.core.models import Finding
from audit.core.series import ReportRow
from audit.io.sqlrun import SQL_DIR
from audit.io.suites import SUITES_DIR
from tests.helpers import VILLAGE_A, VILLAGE_B, woman_id, write_submission

CHECKS = ("trend-outlier", "trend-year-to-date", "trend-method-balance")


def periods(last: str, n: int) -> list[str]:
    """The n periods ending with `last`, oldest first."""
    y, m = int(last[:4]), int(last[5:])
    k = y * 12 + m - 1
    return [f"{(k - i) // 12}-{(k - i) % 12 + 1:02d}" for i in range(n - 1, -1, -1)]


def row(period: str, village: str, **counts: int) -> dict[str, Any]:
    return {
        "period": period,
        "level": "village",
        "unit_code": village,
        **{c: counts.get(c, 0) for c in REPORT_COUNT_COLUMNS},
    }


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trends") / "suites"
    folder.mkdir()
    shutil.copy(SUITES_DIR / "trends.json", folder / "trends.json")
    return folder


def audit(
    root: Path,
    suites: Path,
    period: str,
    rows: list[dict[str, Any]],
    *,
    history: list[ReportRow] | None = None,
    procedures: list[dict[str, Any]] | None = None,
) -> list[Finding]:
    folder = write_submission(
        root, {"stat_reports": rows, "procedures": procedures or []}, period=period
    )
    report = run_audit(
        folder,
        lang="en",
        suites_dir=suites,
        series=(lambda township, chosen: history or []) if history is not None else None,
    )
    return [f for f in report.findings if f.check in CHECKS]


def births_series(values: list[int], last: str, village: str = VILLAGE_A) -> list[dict[str, Any]]:
    return [
        row(p, village, births_total=v, births_order1=v, births_male=v)
        for p, v in zip(periods(last, len(values)), values, strict=True)
    ]


HISTORY_BIRTHS = [1, 0, 2, 1, 0, 1, 1, 2, 0, 1, 1, 0]


def test_outlier_against_the_village_own_months(tmp_path: Path, suites: Path) -> None:
    rows = births_series([*HISTORY_BIRTHS, 9], "2026-09") + births_series(
        [*HISTORY_BIRTHS, 3], "2026-09", VILLAGE_B
    )
    found = audit(tmp_path / "s", suites, "2026-09", rows)
    assert [
        (f.check, f.table, f.record, f.village_code, f.severity, f.category) for f in found
    ] == [
        (
            "trend-outlier",
            "stat_reports",
            f"2026-09|village|{VILLAGE_A}",
            VILLAGE_A,
            "warning",
            "plausibility",
        )
    ]  # village B: 3 against a median of 1 is within the small-count floor
    assert found[0].message == (
        f"2026-09 village {VILLAGE_A}: births_total is 9 this month; its previous 12 months "
        "(2025-09 to 2026-08) give about 1.0 (median, spread ±1.0); modified z-score 8.0 is "
        "beyond ±3.5: check this month's figure"
    )


def test_outlier_needs_six_earlier_months(tmp_path: Path, suites: Path) -> None:
    rows = births_series([1, 0, 2, 1, 0, 9], "2026-09")
    assert audit(tmp_path / "s", suites, "2026-09", rows) == []
    assert audit(tmp_path / "first", suites, "2026-09", births_series([9], "2026-09")) == []


def test_outlier_reads_the_history_and_the_submission_wins(tmp_path: Path, suites: Path) -> None:
    months = periods("2026-08", 12)
    history = [
        ReportRow(p, "village", VILLAGE_A, (("births_total", v), ("users_iud", 100)))
        for p, v in zip(months, HISTORY_BIRTHS, strict=True)
    ]
    current = [
        row("2026-09", VILLAGE_A, births_total=9, births_order1=9, births_male=9, users_iud=100)
    ]
    found = audit(tmp_path / "h", suites, "2026-09", current, history=history)
    assert [(f.check, f.record) for f in found] == [
        ("trend-outlier", f"2026-09|village|{VILLAGE_A}")
    ]
    assert "previous 12 months (2025-09 to 2026-08) give about 1.0" in found[0].message
    # the submission re-states 2026-08 as 9 births: its row wins over the recorded one
    restated = [
        row("2026-08", VILLAGE_A, births_total=9, births_order1=9, births_male=9, users_iud=100),
        *current,
    ]
    found = audit(tmp_path / "r", suites, "2026-09", restated, history=history)
    assert [f.check for f in found] == ["trend-outlier"]
    assert "give about 1.0" in found[0].message  # the median of 11 ones and zeros and one 9


def test_year_to_date_against_earlier_years(tmp_path: Path, suites: Path) -> None:
    # 2024-10 .. 2026-03: the earlier statistical year has 2 births a month, this one 4
    earlier = [2] * 12
    this_year = [4] * 6
    rows = births_series([*earlier, *this_year], "2026-03")
    steady = [3, 2, 3, 2, 3, 2]  # 15 against 12: ratio 1.25, within ±33 %
    rows += births_series([*earlier, *steady], "2026-03", VILLAGE_B)
    found = audit(tmp_path / "s", suites, "2026-03", rows)
    assert [(f.check, f.record) for f in found] == [
        ("trend-year-to-date", f"2026-03|village|{VILLAGE_A}")
    ]
    assert found[0].message == (
        f"2026-03 village {VILLAGE_A}: births_total totals 24 this statistical year so far "
        "(6 months) against an average of 12.0 over the same months of 1 earlier years; the "
        "ratio 2.0 is outside ±33 %: check for missed or extra reports"
    )


def test_year_to_date_needs_a_complete_earlier_year(tmp_path: Path, suites: Path) -> None:
    rows = births_series([2] * 12 + [4] * 6, "2026-03")
    rows = [r for r in rows if r["period"] != "2024-12"]  # a gap in the earlier year
    assert audit(tmp_path / "s", suites, "2026-03", rows) == []


def test_method_balance_iud_and_implant(tmp_path: Path, suites: Path) -> None:
    rows = [
        row("2026-08", VILLAGE_A, users_iud=100, users_implant=10),
        row(
            "2026-09",
            VILLAGE_A,
            users_iud=110,
            users_implant=20,
            proc_iud_insert=2,
            proc_iud_remove=1,
        ),
        row("2026-08", VILLAGE_B, users_iud=100, users_implant=10),
        row("2026-09", VILLAGE_B, users_iud=102, users_implant=11, proc_iud_insert=2),
    ]
    procedures = [
        {
            "procedure_id": f"P{i}",
            "person_id": woman_id(date(1990, 1, 1 + i)),
            "procedure": "implant_insert",
            "procedure_date": date(2026, 9, 10),
            "postpartum": False,
            "village_code": village,
        }
        for i, village in enumerate([VILLAGE_A, VILLAGE_A, VILLAGE_B])
    ]
    found = audit(tmp_path / "s", suites, "2026-09", rows, procedures=procedures)
    assert [(f.check, f.record) for f in found] == [
        ("trend-method-balance", f"2026-09|village|{VILLAGE_A}"),
        ("trend-method-balance", f"2026-09|village|{VILLAGE_A}"),
    ]
    assert sorted(f.message for f in found) == [
        f"2026-09 village {VILLAGE_A}: implant users went from 10 in 2026-08 to 20 (+10), but "
        "the month's insertions 2 minus removals 0 give +2, so about 12 users were expected "
        "(gap +8): check the users or the operations",
        f"2026-09 village {VILLAGE_A}: iud users went from 100 in 2026-08 to 110 (+10), but "
        "the month's insertions 2 minus removals 1 give +1, so about 101 users were expected "
        "(gap +9): check the users or the operations",
    ]
    # without last month's row there is nothing to compare
    current = [r for r in rows if r["period"] == "2026-09"]
    assert audit(tmp_path / "c", suites, "2026-09", current, procedures=procedures) == []


@pytest.mark.parametrize("check", CHECKS)
def test_sql_transpiles_and_the_suite_declares_it(check: str) -> None:
    text = (SQL_DIR / "checks" / f"{check}.sql").read_text(encoding="utf-8")
    assert len(sqlglot.transpile(text, read="duckdb", write="spark")) == 1
    suite = json.loads((SUITES_DIR / "trends.json").read_text(encoding="utf-8"))
    (entry,) = [e for e in suite["expectations"] if e["meta"]["check"] == check]
    assert entry["severity"] == "warning" and entry["meta"]["category"] == "plausibility"


def test_views_transpile() -> None:
    text = (SQL_DIR / "views" / "40_trend_series.sql").read_text(encoding="utf-8")
    assert len(sqlglot.transpile(text, read="duckdb", write="spark")) == 1


def test_checks_are_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "monthly-cycle.md").read_text(
        encoding="utf-8"
    )
    for check in CHECKS:
        assert f"| `{check}` | plausibility | warning |" in doc
