"""The GB/T 2260 division codes as a DuckDB table, for the check `id-region`.

The list itself is python-stdnum's (`audit.core.divisions`); here it becomes
`ref_divisions(code, name, first_year, last_year)` so the rule stays one
plain SQL join. It is installed with the shared views (`sqlrun.install_views`),
so every connection that can run the checks has it.
"""

from __future__ import annotations

import duckdb
import polars as pl

from audit.core.divisions import divisions

TABLE = "ref_divisions"


def divisions_frame() -> pl.DataFrame:
    """`ref_divisions` as a frame (any engine loads it from here)."""
    rows = list(divisions().values())
    return pl.DataFrame(
        {
            "code": [d.code for d in rows],
            "name": [d.name for d in rows],
            "first_year": [d.first_year for d in rows],
            "last_year": [d.last_year for d in rows],
        },
        schema={
            "code": pl.String,
            "name": pl.String,
            "first_year": pl.Int32,
            "last_year": pl.Int32,
        },
    )


def install_divisions(con: duckdb.DuckDBPyConnection) -> None:
    frame = divisions_frame()
    # A cursor of its own: `con` may still hold an unfinished result, which DuckDB forbids
    # registering a frame on; the table lands in the same database.
    cur = con.cursor()
    try:
        cur.register("_ref_divisions_frame", frame)
        cur.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM _ref_divisions_frame")
    finally:
        cur.close()


def divisions_select() -> str:
    """The same table as one SELECT of literal rows (for queries exported to run elsewhere)."""

    def lit(v: str | int | None) -> str:
        if v is None:
            return "NULL"
        return str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'"

    rows = ", ".join(
        f"({lit(d.code)}, {lit(d.name)}, {lit(d.first_year)}, {lit(d.last_year)})"
        for d in divisions().values()
    )
    return f"SELECT * FROM (VALUES {rows}) AS t(code, name, first_year, last_year)"
