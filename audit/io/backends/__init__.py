"""Where an audit's SQL runs: one small interface, one module per engine.

Design decisions:

- The checks are data (``sql/`` files written in DuckDB's dialect, suite
  entries in ``expectations/``); an engine is whatever can load the nine
  canonical tables, install ``audit_params`` and the shared views, run a
  rule's SQL and a built-in expectation, and answer the §6 figures' queries.
  `Backend` is that, and nothing more: the orchestration (`audit.app`), the
  finding model and every renderer are the same for all engines.
- SQL handed to a backend is always in DuckDB's dialect, the one the files are
  written in; a backend that speaks another dialect transpiles it (Spark:
  sqlglot), so there is never a second copy of a check.
- DuckDB (`audit.io.backends.duckdb`) is the default and validates the suites
  through GX inside DuckDB. Spark (`audit.io.backends.spark`) is an optional
  extra, imported only when asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from audit.core.exitcodes import AuditError
from audit.core.models import Finding, TableLoad, Window
from audit.core.series import ReportRow

if TYPE_CHECKING:
    import pyarrow as pa

    from audit.io.engine import Evaluation, Progress
    from audit.io.suites import Suite

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"


@dataclass(frozen=True)
class EngineOptions:
    """Which engine runs the audit, and where (Spark: master URL and settings)."""

    engine: str = DEFAULT_ENGINE
    spark_master: str | None = None  # None: SPARK_REMOTE when set, else local[*]
    spark_conf: tuple[tuple[str, str], ...] = ()
    # DuckDB: bytes the submission's database may hold before it spills to disk (None: a
    # share of the machine's memory, `audit.io.duckload.MEMORY_SHARE`).
    memory_limit: int | None = None
    # An open Spark session to run on and leave running (a county run shares one among its
    # townships and its own checks); None: the audit finds or starts one.
    spark_session: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Loaded:
    """What loading a submission gave: one TableLoad per table, load findings, manifest."""

    tables: tuple[TableLoad, ...]
    findings: tuple[Finding, ...]
    manifest: dict[str, str]


class SqlSession(Protocol):
    """Running DuckDB-dialect SQL over the loaded submission (what the §6 figures need)."""

    def execute(self, sql: str) -> None:
        """Run a statement (CREATE OR REPLACE VIEW ...)."""

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Run a query; its rows as dicts (column name -> Python value)."""

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under `name` until `unregister`."""

    def unregister(self, name: str) -> None: ...

    def has_view(self, name: str) -> bool: ...


class Backend(SqlSession, Protocol):
    """An engine an audit runs on."""

    name: str

    def load(self, submission: Path, *, lang: str) -> Loaded:
        """Read the submission folder into the engine's nine canonical tables."""

    def install(
        self,
        period: str,
        window: Window,
        township_code: str | None,
        history: Sequence[ReportRow] = (),
    ) -> None:
        """Create `audit_params`, `report_history` (earlier periods' report rows, for the
        consistency-over-time rules) and the shared views of ``sql/views/``."""

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        township_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation:
        """Every rule of every suite: results and findings."""

    def close(self) -> None: ...


def open_backend(options: EngineOptions | None = None) -> Backend:
    options = options or EngineOptions()
    if options.engine == "duckdb":
        from audit.io.backends.duckdb import DuckDBBackend

        return DuckDBBackend(options.memory_limit)
    if options.engine == "spark":
        from audit.io.backends.spark import SparkBackend

        return SparkBackend(options)
    raise AuditError(f"--engine {options.engine}: expected one of {', '.join(ENGINES)}")


def parse_conf(pairs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``--spark-conf k=v`` options as (key, value) pairs; AuditError for a malformed one."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AuditError(
                f"--spark-conf {pair!r}: expected KEY=VALUE, e.g. spark.driver.memory=8g"
            )
        out.append((key.strip(), value.strip()))
    return tuple(out)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
MIN_MEMORY_LIMIT = 256 << 20  # below this DuckDB cannot even hold a small township's tables


def parse_memory(text: str, what: str = "--memory-limit") -> int:
    """A memory size as bytes: ``4GB``, ``4g``, ``4096MiB``, ``1.5G`` (units of 1024, as
    DuckDB's own GiB); AuditError naming `what` for anything else or below 256 MB."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise AuditError(f"{what} {text!r}: expected a size such as 4GB, 6g or 4096MB")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < MIN_MEMORY_LIMIT:
        raise AuditError(f"{what} {text!r}: at least 256MB")
    return size
