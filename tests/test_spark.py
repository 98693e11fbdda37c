"""The Spark engine: the same reports as DuckDB, and the constructs where the two differ.

The demo, and a township with every fault, a history and a drift, audited on
both engines; then golden inputs for the SQL constructs the engines read
differently. Every rule's failing path and the county run are in
test_spark_rules.py (a module of its own, so the two run side by side).
Set-up and helpers: tests/spark_support.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from audit.app import run_audit
from audit.cli import app
from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.io.backends import parse_conf
from audit.io.loader import POLARS_TYPES
from audit.io.sparksql import to_spark
from audit.io.sqlrun import SQL_DIR
from tests.spark_support import DEMO, MISSING, SPARK, both, needs_spark, same_report

# --- parity -------------------------------------------------------------------------------------


@needs_spark
def test_demo_gives_the_same_report_on_spark(spark: Any) -> None:
    duck, on_spark = both(DEMO)
    same_report(duck, on_spark)
    assert len(on_spark.findings) > 0


@needs_spark
def test_parquet_that_needs_the_loaders_repairs_goes_through_the_loader(
    spark: Any, tmp_path: Path
) -> None:
    from audit.io import sparkload

    path = tmp_path / "women.parquet"
    pl.DataFrame(
        {
            "身份证号": ["340811199001010022", None],
            "姓名": [" 王芳", "李娜"],
            "居住状态": ["常住", "resident"],
        }
    ).write_parquet(path)
    # a blank key (key-missing), white space to trim and a Chinese code alias: the loader's work
    assert sparkload.read_parquet(spark, contract.table("women"), path, lang="en") is None


@needs_spark
def test_township_with_every_fault_and_a_history_gives_thesame_report(
    spark: Any, tmp_path: Path
) -> None:
    # A monthly series with every fault planted and a drift in its last month: two months
    # recorded in a history (as `audit run --history` records them), the third audited against
    # that history on each engine, so the consistency-over-time rules (trend-*) run on both.
    from audit.io import sparkload
    from audit.io.history import read_series, record_run
    from audit.monthly import input_files
    from audit.sample.series import generate_series

    months = ("2026-07", "2026-08", "2026-09")
    folder = tmp_path / "township"
    generate_series(
        folder,
        months=f"{months[0]}:{months[-1]}",
        villages=3,
        women_per_village=60,
        seed=1,
        faults="all",
        fmt="parquet",
        drift=True,
    )
    db = tmp_path / "history.duckdb"
    for month in months[:2]:
        report = run_audit(folder / month, lang="en")
        record_run(db, report, input_files(folder / month, report), suites="", submission=month)
    last = folder / months[2]
    # The register as large exports come: a folder of Parquet parts, read by Spark itself.
    women = pl.read_parquet(last / "women.parquet")
    (last / "women.parquet").unlink()
    (last / "women").mkdir()
    half = women.height // 2
    women[:half].write_parquet(last / "women" / "part-00000.parquet")
    women[half:].write_parquet(last / "women" / "part-00001.parquet")
    read = sparkload.read_parquet(spark, contract.table("women"), last / "women", lang="en")
    assert read is not None, "a canonical Parquet export is read by Spark, not the loader"
    assert (read[1].rows, read[1].format, read[1].path) == (women.height, "parquet", "women")

    def series(township: str, period: str) -> Any:
        return read_series(db, township, period)

    duck = run_audit(last, lang="en", series=series)
    on_spark = run_audit(last, lang="en", series=series, engine=SPARK)
    same_report(duck, on_spark)
    assert {t.table: t.rows for t in on_spark.tables}["women"] == women.height
    truth = json.loads((last / "truth.json").read_text(encoding="utf-8"))
    found = {(f.check, f.table, f.record) for f in on_spark.findings}
    assert [t for t in truth if (t["check"], t["table"], t["record"]) not in found] == []
    planted = {(t["check"], t["record"]) for t in truth if t["check"].startswith("trend-")}
    trends = {(f.check, f.record) for f in on_spark.findings if f.check.startswith("trend-")}
    assert planted and trends == planted


# --- the constructs where Spark and DuckDB differ (golden: tiny input, exact answer) ------------


def _frame(table: str, rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    t = contract.table(table)
    schema = {c.name: POLARS_TYPES[c.type] for c in t.columns}
    return pl.DataFrame(
        [{c: row.get(c) for c in schema} for row in rows], schema=schema, orient="row"
    )


def _onboth(
    spark: Any, tables: Mapping[str, pl.DataFrame], views: Sequence[str], query: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """`query` (DuckDB dialect) after the named `sql/views` files, on DuckDB and on Spark."""
    con = duckdb.connect()
    try:
        for name, frame in tables.items():
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
            arrow = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
            spark.createDataFrame(arrow).createOrReplaceTempView(name)
        for view in views:
            text = (SQL_DIR / "views" / view).read_text(encoding="utf-8")
            con.execute(text)
            spark.sql(to_spark(text))
        duck = [tuple(r) for r in con.execute(query).fetchall()]
    finally:
        con.close()
    on_spark = [tuple(r) for r in spark.sql(to_spark(query)).collect()]
    return duck, on_spark


W1 = "340811199001010022"


@needs_spark
def test_struct_min_puts_null_fields_last_on_both_engines(spark: Any) -> None:
    # One woman on the register twice, once without a village: the row with one is chosen.
    women = _frame(
        "women",
        [
            {"person_id": W1, "name": "王芳", "village_code": None},
            {"person_id": W1, "name": "王芳", "village_code": "340811101001", "group_no": 2},
        ],
    )
    duck, on_spark = _onboth(
        spark,
        {"women": women},
        ["23_x_women_person.sql"],
        "SELECT person_id, village_code, group_no, register_rows FROM x_women_person",
    )
    assert duck == on_spark == [(W1, "340811101001", 2, 2)]


@needs_spark
def test_struct_max_keeps_the_null_field_row_on_both_engines(spark: Any) -> None:
    # Two rows of one migrants record, alike up to a name one of them lacks.
    rows = [
        {"migrant_id": "M1", "person_id": W1, "name": None, "direction": "out"},
        {"migrant_id": "M1", "person_id": W1, "name": "王芳", "direction": "out"},
    ]
    duck, on_spark = _onboth(
        spark,
        {"migrants": _frame("migrants", rows)},
        ["24_x_migrant_person.sql"],
        "SELECT person_id, migrant_id, name, direction, is_open FROM x_migrant_person",
    )
    assert duck == on_spark == [(W1, "M1", None, "out", True)]


@needs_spark
def test_date_arithmetic_integer_division_null_order_and_collation_agree(spark: Any) -> None:
    births = _frame(
        "births",
        [
            {
                "birth_id": "B1",
                "child_birth_date": date(2026, 1, 31),
                "reported_date": date(2026, 3, 1),
            },
            {"birth_id": "B2", "child_birth_date": date(2024, 2, 29), "reported_date": None},
            {"birth_id": "b3", "child_birth_date": None, "reported_date": date(2026, 1, 1)},
            {
                "birth_id": "乙",
                "child_birth_date": date(2025, 12, 31),
                "reported_date": date(2026, 1, 1),
            },
        ],
    )
    query = """
        SELECT birth_id,
               -- DuckDB's date ± interval is a TIMESTAMP, Spark's a DATE: cast back, as sql/ does
               CAST(child_birth_date + INTERVAL 42 DAY AS DATE) AS due,
               CAST(reported_date - INTERVAL 7 DAY AS DATE) AS week_before,
               date_diff('day', child_birth_date, reported_date) AS days,
               year(child_birth_date) AS y,
               month(child_birth_date) AS m,
               7 / 2 AS ratio,
               CAST(7 AS BIGINT) % 3 AS remainder
        FROM births
        ORDER BY reported_date, birth_id
    """
    duck, on_spark = _onboth(spark, {"births": births}, [], query)
    assert duck == on_spark
    assert duck == [
        ("b3", None, date(2025, 12, 25), None, None, None, 3.5, 1),
        ("乙", date(2026, 2, 11), date(2025, 12, 25), 1, 2025, 12, 3.5, 1),
        ("B1", date(2026, 3, 14), date(2026, 2, 22), 29, 2026, 1, 3.5, 1),
        ("B2", date(2024, 4, 11), None, None, 2024, 2, 3.5, 1),
    ]
    # Binary (code point) order on both: upper case, then lower case, then Chinese.
    duck, on_spark = _onboth(
        spark, {"births": births}, [], "SELECT birth_id FROM births ORDER BY birth_id"
    )
    assert duck == on_spark == [("B1",), ("B2",), ("b3",), ("乙",)]


def test_no_check_uses_arg_max_or_arg_min() -> None:
    # DuckDB's arg_max skips NULL values and Spark's MAX_BY does not: the SQL takes the max of
    # a struct instead (see x_women_person), so one row's fields are never mixed with another's.
    # What the Spark engine runs: checks, shared views, §6 figures (the county run is DuckDB's).
    spark_sql = [p for p in sorted(SQL_DIR.rglob("*.sql")) if "county" not in p.parts]
    assert len(spark_sql) > 50
    for path in spark_sql:
        text = path.read_text(encoding="utf-8").lower()
        code = "\n".join(line.split("--")[0] for line in text.splitlines())
        assert "arg_max(" not in code and "arg_min(" not in code, path


def test_every_sql_file_transpiles_to_spark() -> None:
    files = sorted(SQL_DIR.rglob("*.sql"))
    assert len(files) > 50
    for path in files:
        out = to_spark(path.read_text(encoding="utf-8"))
        if "views" in path.parts:
            assert out.startswith("CREATE OR REPLACE TEMPORARY VIEW "), path


# --- choosing the engine ------------------------------------------------------------------------


def _tiny_county(root: Path) -> Path:
    """A county folder of two townships (only a register header each): enough to be one."""
    for name in ("t1", "t2"):
        (root / name).mkdir(parents=True)
        (root / name / "women.csv").write_text("id_number,name,village_code\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("command", ["run", "county"])
def test_without_pyspark_spark_engine_exits_2_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    target = DEMO if command == "run" else _tiny_county(tmp_path / "county")
    result = CliRunner().invoke(app, [command, str(target), "--engine", "spark"])
    assert result.exit_code == 2
    assert "pip install 'fourcheck[spark]'" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.rglob("*.json")) == []  # no report, no history


def test_a_county_select_typo_stops_before_spark_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without pyspark, starting Spark would stop the run with the install command: the name
    # is checked first, against the township and the cross-township ids alike.
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    county = _tiny_county(tmp_path / "county")
    result = CliRunner().invoke(
        app, ["county", str(county), "--engine", "spark", "--select", "county-dup-person,nosuch"]
    )
    assert result.exit_code == 2
    assert "--select: nosuch is neither a check id nor a category" in result.output
    assert "county-dup-person" in result.output and "dup-person" in result.output
    assert "pip install" not in result.output


@pytest.mark.parametrize("command", ["run", "county"])
def test_spark_options_need_the_spark_engine_and_key_value_settings(
    tmp_path: Path, command: str
) -> None:
    target = DEMO if command == "run" else _tiny_county(tmp_path / "county")
    result = CliRunner().invoke(app, [command, str(target), "--spark-conf", "a=b"])
    assert result.exit_code == 2 and "--engine spark" in result.output
    assert parse_conf(["spark.driver.memory=8g", " k = v "]) == (
        ("spark.driver.memory", "8g"),
        ("k", "v"),
    )
    with pytest.raises(AuditError, match="KEY=VALUE"):
        parse_conf(["spark.driver.memory"])


_OWN_SESSION = """
from audit.io.backends import EngineOptions
from audit.io.backends.spark import SparkBackend
backend = SparkBackend(EngineOptions(engine="spark", spark_master="local[1]"))
backend.spark.sql("SHOW DATABASES").collect()  # Spark makes its warehouse folder here
print(backend._scratch, (backend._scratch / "warehouse").is_dir())
backend.close()
"""


def test_a_session_the_audit_starts_writes_nothing_where_it_runs(tmp_path: Path) -> None:
    if MISSING:
        pytest.skip(MISSING)
    import subprocess

    run_in = tmp_path / "submission"  # an audit may be run from inside the submission folder
    run_in.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", _OWN_SESSION], cwd=run_in, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    scratch, made = proc.stdout.split()
    assert made == "True"  # the warehouse went to the private folder ...
    assert not Path(scratch).exists()  # ... which closing the session removed
    assert list(run_in.iterdir()) == []  # no spark-warehouse/ where the audit ran
