"""The Spark engine on every rule's failing path, and the county run on Spark.

Each rule that finds something on DuckDB must find the same on Spark: a
township where every rule but the trends has findings, the one trend rule a
short series cannot reach, and a county with every cross-township fault.
Set-up and helpers: tests/spark_support.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from audit.app import run_audit
from audit.core.models import AuditReport
from tests.spark_support import SPARK, both, needs_spark, same_report


def _rules_without_findings(report: AuditReport) -> set[str]:
    """Rules of the suites no finding of `report` comes from (a built-in rule: on its table)."""
    from audit.io.suites import load_suites

    found = {(f.check, f.table) for f in report.findings}
    checks = {f.check for f in report.findings}
    return {
        rule.check
        for suite in load_suites(None)
        for rule in suite.rules
        if (rule.check not in checks if rule.is_rows else (rule.check, rule.table) not in found)
    }


@needs_spark
def test_every_rule_finds_on_spark_what_it_finds_on_duckdb(spark: Any, tmp_path: Path) -> None:
    # A township with every planted fault, plus the three built-in faults the generator plants on
    # other tables only (a repeated key, a missing date, a malformed village code on the
    # technical-service records): every rule but the trends (their own tests) has findings,
    # so each one's failing path is compared, not only its passing one.
    from audit.sample.generator import generate

    folder = tmp_path / "township"
    generate(
        folder, villages=3, women_per_village=60, period="2026-10", seed=3, faults="all",
        fmt="csv",
    )  # fmt: skip
    for name, key, day in (
        ("procedures", "procedure_id", "procedure_date"),
        ("checkups", "checkup_id", "checkup_date"),
    ):
        rows = pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        repeated = rows[0]
        undated = rows[1].with_columns(
            pl.lit(rows[1, key] + "X").alias(key), pl.lit(None).alias(day)
        )
        misplaced = rows[2].with_columns(
            pl.lit(rows[2, key] + "Y").alias(key), pl.lit("3408111010").alias("village_code")
        )
        pl.concat([rows, repeated, undated, misplaced]).write_csv(folder / f"{name}.csv")
    duck, on_spark = both(folder, lang="en")
    same_report(duck, on_spark)
    assert all(check.evaluated for check in on_spark.checks)
    assert _rules_without_findings(on_spark) == {
        "trend-outlier",
        "trend-year-to-date",
        "trend-method-balance",
    }


@needs_spark
def test_year_to_date_trend_gives_the_same_findings_on_spark(spark: Any, tmp_path: Path) -> None:
    # The one trend rule a three-month series cannot reach (it needs a whole earlier statistical
    # year): tests/test_checks_trends.py's golden input, on both engines.
    from audit.io.suites import SUITES_DIR
    from tests.helpers import write_submission
    from tests.test_checks_trends import VILLAGE_A, VILLAGE_B, births_series

    suites = tmp_path / "suites"
    suites.mkdir()
    shutil.copy(SUITES_DIR / "trends.json", suites / "trends.json")
    rows = births_series([2] * 12 + [4] * 6, "2026-03")
    rows += births_series([2] * 12 + [3, 2, 3, 2, 3, 2], "2026-03", VILLAGE_B)
    folder = write_submission(tmp_path / "s", {"stat_reports": rows}, period="2026-03")
    duck = run_audit(folder, lang="en", suites_dir=suites)
    on_spark = run_audit(folder, lang="en", suites_dir=suites, engine=SPARK)
    same_report(duck, on_spark)
    assert [(f.check, f.record) for f in on_spark.findings if f.check.startswith("trend-")] == [
        ("trend-year-to-date", f"2026-03|village|{VILLAGE_A}")
    ]


@needs_spark
def test_county_run_on_spark_gives_thesame_report(spark: Any, tmp_path: Path) -> None:
    # Every cross-township rule over two townships with the county's faults planted; the
    # townships' own rules are the parity tests above, so each runs one of them here.
    from audit.county import run_county
    from audit.io.county import county_suites
    from audit.render.county.json import county_document, render
    from audit.sample.county import generate_county

    county = tmp_path / "county"
    generate_county(
        county, townships=2, villages=2, women_per_village=60, period="2026-10", seed=5,
        faults="all", fmt="csv",
    )  # fmt: skip
    rules = sorted({r.check for suite in county_suites(None) for r in suite.rules})
    select = (*rules, "dup-person")
    duck = run_county(county, lang="en", select=select)
    on_spark = run_county(county, lang="en", select=select, engine=SPARK)
    assert on_spark.meta["engine"] == "spark"
    spark_doc = county_document(on_spark)
    assert spark_doc.pop("engine") == "spark"
    assert [t.pop("engine") for t in spark_doc["townships"]] == ["spark", "spark"]
    assert json.dumps(spark_doc, ensure_ascii=False) == json.dumps(
        county_document(duck), ensure_ascii=False
    )
    assert json.loads(render(on_spark))["engine"] == "spark"  # valid by county.schema.json
    truth = json.loads((county / "truth.json").read_text(encoding="utf-8"))
    found = {(c.finding.check, c.finding.record) for c in on_spark.findings}
    assert {(t["check"], t["record"]) for t in truth} <= found
    assert {c.check for c in on_spark.checks if c.evaluated} >= set(rules)
    # The run used the session it found and left it running.
    assert spark.sparkContext._jsc is not None
    assert spark.sql("SELECT 1 AS one").collect()[0]["one"] == 1
