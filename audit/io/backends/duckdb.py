"""The default engine: an in-process DuckDB database per audit, suites validated through GX.

Design decision: this module only adapts what the audit always did (the
loader's DuckDB tables, `sqlrun`'s params and views, `audit.io.engine`'s GX
validation) to the `Backend` interface; it adds no behaviour of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from audit.core.models import Window
from audit.core.series import ReportRow
from audit.io import sqlrun
from audit.io.backends import Loaded, SqlSession
from audit.io.series import install_series

if TYPE_CHECKING:
    import pyarrow as pa

    from audit.io.engine import Evaluation, Progress
    from audit.io.suites import Suite


class DuckDBSql:
    """`SqlSession` over a DuckDB connection (which stays the caller's to close)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return sqlrun.fetch_rows(self.con, sql)

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def has_view(self, name: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]
        ).fetchone()
        return bool(row and row[0])


def sql_session(target: SqlSession | duckdb.DuckDBPyConnection) -> SqlSession:
    """A DuckDB connection (tests, bench) or any engine's session, as a `SqlSession`."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        return DuckDBSql(target)
    return target


class DuckDBBackend:
    name = "duckdb"

    def __init__(self, memory_limit: int | None = None) -> None:
        self._con: duckdb.DuckDBPyConnection | None = None
        self._memory_limit = memory_limit

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("no submission loaded")
        return self._con

    def execute(self, sql: str) -> None:
        DuckDBSql(self.con).execute(sql)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return DuckDBSql(self.con).rows(sql)

    def register(self, name: str, table: pa.Table) -> None:
        DuckDBSql(self.con).register(name, table)

    def unregister(self, name: str) -> None:
        DuckDBSql(self.con).unregister(name)

    def has_view(self, name: str) -> bool:
        return DuckDBSql(self.con).has_view(name)

    def load(self, submission: Path, *, lang: str) -> Loaded:
        from audit.io.loader import load_submission

        sub = load_submission(Path(submission), lang=lang, memory_limit=self._memory_limit)
        self._con = sub.con
        return Loaded(sub.tables, sub.findings, sub.manifest)

    def install(
        self,
        period: str,
        window: Window,
        township_code: str | None,
        history: Sequence[ReportRow] = (),
    ) -> None:
        sqlrun.install_params(self.con, period, window, township_code)
        sqlrun.install_views(self.con)
        install_series(self.con, history)

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        township_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation:
        from audit.io.engine import evaluate

        return evaluate(self.con, suites, lang=lang, township_code=township_code, progress=progress)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
