"""The §6 figures of a submission, computed once in SQL (checks.md: "What the report also shows").

Design decisions:

- Each figure is plain SQL in `sql/report/` over the loaded canonical tables
  and `audit_params` (views in `sql/report/views/`, installed in name order),
  so the figures transpile to Spark like the checks do. Where the checks
  already define a thing (open migrant rows, a woman's latest long-acting
  procedure) the figures read the same shared view (`sql/views/x_*`), so a
  figure and a finding never disagree on what it means. The queries return
  long rows (unit, measure, count) with the township total from GROUPING
  SETS: a person in two villages is one person in the township.
- The completeness score follows the data contract: its per-record view
  (`rpt_records`) is generated from `Column.required`, so a column made
  required in the contract is scored without touching SQL. The village of a
  record is the table's own `village_code`, except where a table has none
  (`_PLACEMENT`).
- The logical-correctness score needs the findings: the (table, record) of
  every logic, invalid_id and duplicate finding is handed to the engine as a
  table (`rpt_flagged`) and joined to the records.
- The statistics (Wilson, sex ratio, Chapman) are pure functions in
  `audit.core.overview`; this module only counts.
- Every section lists the same villages (every village code any figure
  saw, in code order), then records without a village where a section has
  any, then the township.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from audit.core import contract
from audit.core.models import Category, Finding
from audit.core.overview import (
    TOWNSHIP,
    VILLAGE,
    FourNumbers,
    Indicators,
    Overview,
    Quality,
    Rate,
    chapman,
    sex_ratio,
)
from audit.io import sqlrun
from audit.io.backends import SqlSession
from audit.io.backends.duckdb import sql_session
from audit.io.sqlrun import SQL_DIR

REPORT_DIR = SQL_DIR / "report"

# Findings that make a record logically incorrect (逻辑关系正确性).
FLAGGING_CATEGORIES = frozenset({Category.LOGIC, Category.INVALID_ID, Category.DUPLICATE})

# Tables whose records carry no village_code of their own: (join, village expression).
_PLACEMENT: dict[str, tuple[str, str]] = {
    # village and group rows belong to their village; the township row to the township only
    "stat_reports": (
        "",
        "CASE WHEN t.level = 'village' THEN t.unit_code "
        "WHEN t.level = 'group' THEN SUBSTR(t.unit_code, 1, 12) END",
    ),
    # a village's supply point is coded with the village code; stations are township-level
    "supply_stock": (
        "LEFT JOIN rpt_villages AS v ON v.village_code = t.point_code",
        "v.village_code",
    ),
    # a notice belongs to the mother's village
    "migrant_births": (
        "LEFT JOIN rpt_person_village AS pv ON pv.person_id = t.mother_id",
        "pv.village_code",
    ),
}

_Counts = dict[tuple[bool, str | None], dict[str, int]]


@dataclass(frozen=True)
class RecordFigures:
    """The §6 figures read from the records alone, not from the findings: the four numbers,
    the indicators' counts and capture–recapture's lists. The audit computes them right after
    the views are installed, while GX's import is still running in its thread."""

    four: _Counts
    indicators: _Counts
    capture_recapture: dict[str, Any]


def _install(sql: SqlSession) -> None:
    if not sql.has_view("x_latest_long_acting"):  # the shared views, as the checks read them
        for path in sqlrun.view_files():
            sql.execute(path.read_text(encoding="utf-8"))
    install_report_views(sql)
    sql.execute(records_view_sql())


def record_figures(target: SqlSession | duckdb.DuckDBPyConnection) -> RecordFigures:
    """The figures that do not depend on the findings (audit_params must be installed)."""
    sql = sql_session(target)
    _install(sql)
    return RecordFigures(
        four=_long_counts(sql, "four_numbers.sql"),
        indicators=_long_counts(sql, "indicators.sql"),
        capture_recapture=_query(sql, "capture_recapture.sql")[0],
    )


def compute_overview(
    target: SqlSession | duckdb.DuckDBPyConnection,
    findings: Iterable[Finding],
    figures: RecordFigures | None = None,
) -> Overview:
    """All §6 figures of the loaded submission (audit_params must be installed); `figures`
    when `record_figures` has already been run on it (its views are then in place).

    `target` is any engine's `SqlSession` (or a DuckDB connection); the SQL is DuckDB's.
    """
    sql = sql_session(target)
    if figures is None:
        figures = record_figures(sql)
    # Two columns of references, made distinct by polars: a set of (table, record) tuples
    # cost about 150 bytes a finding, and a report may hold millions (quality.sql takes
    # DISTINCT again, so order does not matter).
    tables: list[str] = []
    records: list[str] = []
    for f in findings:
        if f.category in FLAGGING_CATEGORIES:
            tables.append(f.table)
            records.append(f.record)
    frame = pl.DataFrame(
        {"table_name": tables, "record": records},
        schema={"table_name": pl.String, "record": pl.String},
    ).unique()
    del tables, records
    sql.register("rpt_flagged", frame.to_arrow(compat_level=pl.CompatLevel.oldest()))
    try:
        quality = {
            (bool(r["is_township"]), r["village_code"]): r for r in _query(sql, "quality.sql")
        }
    finally:
        sql.unregister("rpt_flagged")
    four, indicators, crr = figures.four, figures.indicators, figures.capture_recapture
    params = sql.rows("SELECT township_code FROM audit_params")
    township_code = params[0]["township_code"] if params else None

    # Every section lists every village; records without a village only where there are some.
    villages = sorted(
        {v for is_township, v in [*four, *indicators, *quality] if not is_township and v}
    )

    def units(found: Iterable[tuple[bool, str | None]]) -> list[tuple[bool, str | None]]:
        none = [(False, None)] if (False, None) in set(found) else []
        return [(False, v) for v in villages] + none + [(True, None)]

    def level_unit(key: tuple[bool, str | None]) -> tuple[str, str | None]:
        return (TOWNSHIP, township_code) if key[0] else (VILLAGE, key[1])

    four_rows = tuple(
        # every measure of the query is a field of the row (a typo fails loudly here)
        replace(FourNumbers(*level_unit(k)), **_as_fields(four.get(k, {})))
        for k in units(four)
    )
    indicator_rows = tuple(
        _indicators(*level_unit(k), indicators.get(k, {})) for k in units(indicators)
    )
    quality_rows = tuple(_quality(*level_unit(k), quality.get(k)) for k in units(quality))
    n1, n2, m = int(crr["n1"]), int(crr["n2"]), int(crr["m"])
    # Two notices of one delivery more than a week apart could both match one birth; m can
    # never exceed the births on list A.
    m = min(m, n1, n2)
    return Overview(
        township_code=township_code,
        four_numbers=four_rows,
        indicators=indicator_rows,
        quality=quality_rows,
        capture_recapture=chapman(n1, n2, m),
    )


def report_view_files(report_dir: Path = REPORT_DIR) -> list[Path]:
    return sorted((report_dir / "views").glob("*.sql"))


def install_report_views(
    target: SqlSession | duckdb.DuckDBPyConnection, report_dir: Path = REPORT_DIR
) -> None:
    sql = sql_session(target)
    for path in report_view_files(report_dir):
        sql.execute(path.read_text(encoding="utf-8"))


def _record_key_sql(t: contract.Table) -> str:
    """The record key as findings spell it: the key value, composite keys joined by '|'."""
    parts = [f'CAST(t."{c}" AS VARCHAR)' for c in t.key]
    if len(parts) == 1:
        return parts[0]
    return " || '|' || ".join(f"COALESCE({p}, '')" for p in parts)


def records_view_sql() -> str:
    """`rpt_records`: each record of the nine tables, its village, filled and required fields."""
    selects: list[str] = []
    for t in contract.TABLES:
        required = [c.name for c in t.columns if c.required]
        join, village = _PLACEMENT.get(t.name, ("", "t.village_code"))
        filled = (
            " + ".join(f'CASE WHEN t."{c}" IS NULL THEN 0 ELSE 1 END' for c in required)
            if required
            else "0"
        )
        selects.append(
            f"SELECT '{t.name}' AS table_name, {_record_key_sql(t)} AS record, "
            f"{village} AS village_code, {filled} AS filled, {len(required)} AS required "
            f'FROM "{t.name}" AS t {join}'.rstrip()
        )
    return "CREATE OR REPLACE VIEW rpt_records AS\n" + "\nUNION ALL\n".join(selects)


def _query(sql: SqlSession, name: str) -> list[dict[str, Any]]:
    return sql.rows((REPORT_DIR / name).read_text(encoding="utf-8"))


def _long_counts(sql: SqlSession, name: str) -> _Counts:
    out: _Counts = {}
    for r in _query(sql, name):
        key = (bool(r["is_township"]), None if r["is_township"] else r["village_code"])
        out.setdefault(key, {})[r["measure"]] = int(r["n"])
    return out


def _as_fields(counts: dict[str, int]) -> dict[str, Any]:
    return dict(counts)


def _indicators(level: str, unit: str | None, c: dict[str, int]) -> Indicators:
    births = c.get("births", 0)
    return Indicators(
        level=level,
        unit=unit,
        policy_compliance=Rate(c.get("births_policy_in", 0), c.get("births_policy_known", 0)),
        contraceptive_prevalence=Rate(c.get("married_with_method", 0), c.get("married", 0)),
        sex_ratio=sex_ratio(c.get("births_male", 0), c.get("births_female", 0)),
        certificate_rate=Rate(c.get("certificate_valid", 0), c.get("certificate_rows", 0)),
        feedback_rate=Rate(c.get("feedback_recent", 0), c.get("feedback_rows", 0)),
        timely_reporting=Rate(c.get("births_timely", 0), births),
    )


def _quality(level: str, unit: str | None, row: dict[str, Any] | None) -> Quality:
    if row is None:
        return Quality(level, unit, Rate(0, 0), Rate(0, 0))
    return Quality(
        level,
        unit,
        completeness=Rate(int(row["filled"] or 0), int(row["required"] or 0)),
        correctness=Rate(int(row["clean"] or 0), int(row["records"] or 0)),
    )
