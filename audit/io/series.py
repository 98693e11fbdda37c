"""The monthly report series inside the audit's engine (see `audit.core.series`).

`history_table` is the earlier periods the history store holds for this
township, long (one row per count), as Arrow: the rows of `report_history`
on any engine (`install_series` fills DuckDB's table with it; the Spark
engine makes it that view). `period_rows` reads the audited period's report
rows back out of `stat_reports` for the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from audit.core.contract import REPORT_COUNT_COLUMNS
from audit.core.series import ReportRow

if TYPE_CHECKING:
    from audit.io.backends import SqlSession


def history_table(rows: Sequence[ReportRow]) -> pa.Table:
    """`report_history`'s rows: period, level, unit_code, measure, value (BIGINT)."""
    flat = [(r, m, v) for r in rows for m, v in r.values]
    return pa.table(
        {
            "period": pa.array([r.period for r, _, _ in flat], pa.string()),
            "level": pa.array([r.level for r, _, _ in flat], pa.string()),
            "unit_code": pa.array([r.unit_code for r, _, _ in flat], pa.string()),
            "measure": pa.array([m for _, m, _ in flat], pa.string()),
            "value": pa.array([v for _, _, v in flat], pa.int64()),
        }
    )


def install_series(con: duckdb.DuckDBPyConnection, rows: Sequence[ReportRow]) -> None:
    if not any(r.values for r in rows):
        return
    con.register("_series", history_table(rows))
    try:
        con.execute("INSERT INTO report_history SELECT * FROM _series")
    finally:
        con.unregister("_series")


def period_rows(session: SqlSession, period: str) -> tuple[ReportRow, ...]:
    """The audited period's township and village rows (one per unit; duplicates keep the first)."""
    cols = ", ".join(f'"{c}"' for c in REPORT_COUNT_COLUMNS)
    # `period` is a normalised YYYY-MM (audit.core.period), safe to inline for every engine.
    found = session.rows(
        f"""
        SELECT level, unit_code, {cols} FROM stat_reports
        WHERE period = '{period}' AND level IN ('township', 'village') AND unit_code IS NOT NULL
        ORDER BY level, unit_code
        """
    )
    rows = [(r["level"], r["unit_code"], *(r[c] for c in REPORT_COUNT_COLUMNS)) for r in found]
    out: dict[tuple[str, str], ReportRow] = {}
    for level, unit, *values in rows:
        key = (str(level), str(unit))
        if key not in out:
            vals = tuple(
                (c, None if v is None else int(v))
                for c, v in zip(REPORT_COUNT_COLUMNS, values, strict=True)
            )
            out[key] = ReportRow(period, key[0], key[1], vals)
    return tuple(out.values())
