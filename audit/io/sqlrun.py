"""The SQL side of rules: the parameters table, shared views, running a check query.

Check and view files are plain SQL over canonical tables; the only
run-time inputs are the one-row `audit_params` table, the reference table
`ref_divisions` (GB/T 2260 division codes, installed with the views) and the
views in `sql/views/`, so the same files can be transpiled to Spark unchanged.

A file in `sql/views/` is one `CREATE OR REPLACE VIEW` or, for what several
checks read (the parsed ID numbers, the per-person look-ups),
`CREATE OR REPLACE TABLE ... AS SELECT`: built once per audit, in name order,
after the parameters it may read, instead of being re-derived by every check
that joins it.

The SQL ships inside the package: the repository's `sql/` folder *is* the
sub-package `audit.sql` (pyproject maps it), so it is found through
importlib.resources in a wheel, an editable install and a checkout alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb

from audit.core.models import Window
from audit.io.divisions import install_divisions


def package_dir(package: str) -> Path:
    """The folder of a data sub-package (`audit.sql`, `audit.expectations`) on disk."""
    # A wheel or an editable install puts the package on disk; files() then returns a Path.
    return Path(str(files(package)))


SQL_DIR = package_dir("audit.sql")


def install_params(
    con: duckdb.DuckDBPyConnection, period: str, window: Window, township_code: str | None
) -> None:
    con.execute(
        """
        CREATE OR REPLACE TABLE audit_params AS
        SELECT ?::VARCHAR AS period,
               ?::DATE AS period_start,
               ?::DATE AS period_end,
               ?::DATE AS window_start,
               ?::DATE AS recent_start,
               ?::VARCHAR AS township_code
        """,
        [
            period,
            window.end.replace(day=1),
            window.end,
            window.start,
            window.recent_start,
            township_code,
        ],
    )


def view_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted((sql_dir / "views").glob("*.sql"))


def install_views(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    install_divisions(con)
    for path in view_files(sql_dir):
        con.execute(path.read_text(encoding="utf-8"))


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Run a query and return its rows as dicts (column name -> value)."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def iter_rows(
    con: duckdb.DuckDBPyConnection, sql: str, batch: int = 10_000
) -> Iterator[dict[str, Any]]:
    """`fetch_rows` a batch at a time: the rows of a large result are never all in memory."""
    cur = con.cursor()  # its own cursor: the caller may query the connection meanwhile
    try:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        while chunk := cur.fetchmany(batch):
            for row in chunk:
                yield dict(zip(names, row, strict=True))
    finally:
        cur.close()
