"""DuckDB schema of a submission, derived from the contract (one place for types)."""

from __future__ import annotations

import duckdb

from audit.core.contract import TABLES, ColumnType, Table

SQL_TYPES: dict[ColumnType, str] = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.CODE: "VARCHAR",
    ColumnType.PERIOD: "VARCHAR",
    ColumnType.INT: "BIGINT",
    ColumnType.DATE: "DATE",
    ColumnType.BOOL: "BOOLEAN",
}


def create_table_sql(t: Table) -> str:
    cols = ", ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in t.columns)
    return f'CREATE OR REPLACE TABLE "{t.name}" ({cols})'


# Earlier periods' report counts from the history store, long (one row per count): what the
# consistency-over-time rules compare a month with (audit.io.series fills it; empty without).
REPORT_HISTORY_SQL = (
    "CREATE OR REPLACE TABLE report_history (period VARCHAR, level VARCHAR, "
    "unit_code VARCHAR, measure VARCHAR, value BIGINT)"
)


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the nine canonical tables and the (empty) report history."""
    for t in TABLES:
        con.execute(create_table_sql(t))
    con.execute(REPORT_HISTORY_SQL)
