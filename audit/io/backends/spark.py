"""The Spark engine: the same rules, the same findings, on Apache Spark.

Design decisions:

- Nothing is written twice. Every SQL text (checks, shared views, §6 figures,
  the built-in expectations' SQL forms) is the DuckDB-dialect text the default
  engine runs, transpiled once by sqlglot (`audit.io.sparksql`); findings,
  results and the report are built by the same functions as on DuckDB
  (`audit.io.engine.rows_outcome` / `builtin_outcome`), so every renderer
  works unchanged and the two engines' JSON differs only by ``"engine"``.
- Rows rules run as plain Spark SQL: one query per rule, every row collected
  (GX would add two passes over the same query and nothing else). Built-in
  expectations run as their SQL equivalents (`audit.io.sparksql.builtin_sql`),
  the unexpected-row predicates GX itself uses, with GX's `mostly` arithmetic;
  a built-in type without such a form stops the audit (exit 2) naming the rule,
  rather than being skipped.
- Loading: the nine tables are Spark temporary views. CSV and XLSX go through
  the loader's rules (polars) and are handed to Spark as Arrow. Parquet — a
  file or a folder of parts — is read by Spark itself (`audit.io.sparkload`)
  when its columns already have the contract's types and values, which one
  aggregate pass verifies; a table that needs the loader's repairs (aliases,
  text dates, blank keys) is read through the loader like CSV, so the load
  findings are always the loader's.
- Where it runs: ``--spark-master`` (``local[2]``, ``spark://…``, ``yarn``, or
  ``sc://…`` for Spark Connect), else ``SPARK_REMOTE``, else ``local[*]``;
  ``--spark-conf k=v`` settings win over the defaults below. A session that
  was already active (a notebook, the tests) is used and left running; one
  this module started is stopped when the audit ends.
- pyspark is an optional extra: without it, or without a Java runtime for a
  local session, the audit stops with exit 2 and the command that fixes it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.core.models import CheckResult, Finding, Window
from audit.core.series import ReportRow
from audit.io import sparksql, sqlrun
from audit.io.backends import EngineOptions, Loaded
from audit.io.series import history_table
from audit.io.suites import Rule

if TYPE_CHECKING:
    import pyarrow as pa

    from audit.io.engine import Evaluation, Progress
    from audit.io.suites import Suite

INSTALL_HINT = "pip install 'fourcheck[spark]'"
JAVA_HINT = "apt-get install openjdk-17-jre-headless"
LOG4J = Path(__file__).with_name("spark-log4j2.properties")

# Settings for a session this module starts; --spark-conf overrides any of them.
DEFAULT_CONF: dict[str, str] = {
    "spark.app.name": "fourcheck",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Dates are dates: no time zone may move one across midnight.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

# pyspark warns that it does not fully support pandas 3, on import and again when it converts
# Arrow data; the audit hands Spark Arrow tables, never pandas, and the parity tests hold its
# results to DuckDB's, so the warning only clutters the audit's stderr.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)

# Rules whose queries Spark is given at once (jobs of one session run side by side).
CONCURRENT_RULES = 4

SPARK_TYPES: dict[contract.ColumnType, str] = {
    contract.ColumnType.TEXT: "STRING",
    contract.ColumnType.CODE: "STRING",
    contract.ColumnType.PERIOD: "STRING",
    contract.ColumnType.INT: "BIGINT",
    contract.ColumnType.DATE: "DATE",
    contract.ColumnType.BOOL: "BOOLEAN",
}


def table_schema(t: contract.Table) -> str:
    """The Spark DDL schema of a canonical table (contract order)."""
    return ", ".join(f"`{c.name}` {SPARK_TYPES[c.type]}" for c in t.columns)


def start_session(options: EngineOptions) -> tuple[Any, bool, Path | None]:
    """The SparkSession to use, whether this audit started it (and so stops it), and the
    scratch folder it made for that session (removed when the audit closes it)."""
    if options.spark_session is not None:
        return options.spark_session, False, None
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise AuditError(
            f"--engine spark needs pyspark, which is not installed: {INSTALL_HINT}"
        ) from None
    master = options.spark_master
    remote = master if master and master.startswith("sc://") else None
    if master is None and os.environ.get("SPARK_REMOTE"):
        remote = os.environ["SPARK_REMOTE"]
    if remote is None:
        active = SparkSession.getActiveSession()
        if active is not None and master is None:
            for key, value in options.spark_conf:
                active.conf.set(key, value)
            return active, False, None
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise AuditError(
                f"--engine spark runs Spark on this machine, which needs Java 17 or newer "
                f"(none found: no java on PATH, no JAVA_HOME): {JAVA_HINT}"
            )
    builder = SparkSession.builder
    builder = builder.remote(remote) if remote else builder.master(master or "local[*]")
    defaults = dict(DEFAULT_CONF)
    scratch: Path | None = None
    if remote is None:
        # The driver JVM starts here: its log goes to stderr at ERROR only, not Spark's chatter.
        defaults["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"
        # Spark makes its warehouse folder where it runs, which may be the submission folder
        # (an audit never writes there): a private one, removed with the session, instead.
        scratch = Path(tempfile.mkdtemp(prefix="fourcheck-spark-"))
        defaults["spark.sql.warehouse.dir"] = str(scratch / "warehouse")
        if (master or "local").startswith("local"):
            # Python workers Spark starts on this machine run this interpreter (its packages),
            # not whatever `python3` is first on PATH.
            defaults["spark.pyspark.python"] = sys.executable
    for key, value in {**defaults, **dict(options.spark_conf)}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # Py4J, gRPC and JVM start-up errors have no common base
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        where = remote or master or "local[*]"
        raise AuditError(f"Spark could not start ({where}): {first}") from None
    if remote is None:
        spark.sparkContext.setLogLevel("ERROR")
    return spark, True, scratch


@contextmanager
def held_session(options: EngineOptions) -> Iterator[EngineOptions]:
    """One session for several audits (a county run): options that make each use it.

    Started (or found) once, as a single audit would; every backend opened with
    the options yielded runs on it and leaves it running; stopped at the end
    when it was started here.
    """
    spark, owned, scratch = start_session(options)
    try:
        yield replace(options, spark_session=spark)
    finally:
        release_session(spark, owned, scratch)


def release_session(spark: Any, owned: bool, scratch: Path | None) -> None:
    """Stop a session `start_session` started (one found running is left) and remove its
    scratch folder."""
    try:
        if owned:
            spark.stop()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


class SparkBackend:
    name = "spark"

    def __init__(self, options: EngineOptions) -> None:
        self.spark, self._owned, self._scratch = start_session(options)
        self._views: set[str] = set()
        self._cached: list[Any] = []

    # --- SqlSession ------------------------------------------------------------------------------

    def execute(self, sql: str) -> None:
        statement = sparksql.to_spark(sql)
        name = sparksql.view_name(statement)
        self.spark.sql(statement)
        if name:
            self._views.add(name)
            # A shared view or table is read by many rules: computed once, on first use, then kept.
            self.spark.catalog.cacheTable(name)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [r.asDict(recursive=True) for r in self.spark.sql(sparksql.to_spark(sql)).collect()]

    def register(self, name: str, table: pa.Table) -> None:
        self.view(name, self.spark.createDataFrame(table))

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self._views.discard(name)

    def has_view(self, name: str) -> bool:
        return name in self._views

    def view(self, name: str, frame: Any) -> None:
        """Make a Spark DataFrame queryable under `name` (dropped when the backend closes)."""
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    # --- Backend ---------------------------------------------------------------------------------

    def load(self, submission: Path, *, lang: str) -> Loaded:
        from audit.io import sparkload
        from audit.io.loader import read_submission

        stored: set[str] = set()

        def store(t: contract.Table, frame: Any) -> None:
            arrow = sparkload.arrow_of(frame)
            self._table(t, self.spark.createDataFrame(arrow, schema=table_schema(t)))
            stored.add(t.name)

        def native(t: contract.Table, path: Path) -> Any:
            found = sparkload.read_parquet(self.spark, t, path, lang=lang)
            if found is None:
                return None
            frame, load, findings = found
            self._table(t, frame)
            stored.add(t.name)
            return load, findings

        tables, findings, manifest = read_submission(
            Path(submission), lang=lang, store=store, native=native
        )
        for t in contract.TABLES:  # a missing table is there, empty, as on DuckDB
            if t.name not in stored:
                self.view(t.name, self.spark.createDataFrame([], schema=table_schema(t)))
        return Loaded(tables, findings, manifest)

    def _table(self, t: contract.Table, frame: Any) -> None:
        # Every rule reads the tables again; keep them in memory (spilling to disk) once read.
        frame = frame.persist()
        self._cached.append(frame)
        self.view(t.name, frame)

    def install(
        self,
        period: str,
        window: Window,
        township_code: str | None,
        history: Sequence[ReportRow] = (),
    ) -> None:
        params = self.spark.createDataFrame(
            [
                (
                    period,
                    window.end.replace(day=1),
                    window.end,
                    window.start,
                    window.recent_start,
                    township_code,
                )
            ],
            schema="period STRING, period_start DATE, period_end DATE, window_start DATE, "
            "recent_start DATE, township_code STRING",
        )
        self.view("audit_params", params)
        # Earlier periods' report rows (the history store's, read on this machine): small, so
        # handed to Spark as one Arrow table, before the views that read it are created.
        self.view(
            "report_history",
            self.spark.createDataFrame(
                history_table(history),
                schema="period STRING, level STRING, unit_code STRING, measure STRING, "
                "value BIGINT",
            ),
        )
        # The reference table of GB/T 2260 division codes (id-region), as on DuckDB.
        from audit.io.divisions import TABLE, divisions_frame
        from audit.io.sparkload import arrow_of

        self.register(TABLE, arrow_of(divisions_frame()))
        for path in sqlrun.view_files():
            self.execute(path.read_text(encoding="utf-8"))

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        township_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation:
        from audit.io.engine import Evaluation, NoProgress, RuleTiming

        progress = progress or NoProgress()
        rules = [rule for suite in suites for rule in suite.rules]
        for rule in rules:  # every SQL bound (analysed, not run) first: a broken suite fails fast
            self._bind(rule)
        counts = self.rows(
            " UNION ALL ".join(
                f"SELECT '{t}' AS name, count(*) AS n FROM \"{t}\"" for t in contract.TABLE_NAMES
            )
        )
        row_counts = {str(r["name"]): int(r["n"]) for r in counts}
        progress.stage("checks", len(rules))
        checks: list[CheckResult] = []
        findings: list[Finding] = []
        timings: list[RuleTiming] = []
        # Spark runs jobs of several threads side by side: while one rule's job waits on a
        # shuffle, another's is planned. Results are taken in suite order all the same.
        with ThreadPoolExecutor(max_workers=CONCURRENT_RULES) as pool:
            futures = [
                pool.submit(self._timed_outcome, rule, row_counts, lang, township_code)
                for rule in rules
            ]
            for rule, future in zip(rules, futures, strict=True):
                check, found, seconds = future.result()
                timings.append(
                    RuleTiming(rule.check, gx_seconds=0.0, fetch_seconds=0.0, sql_seconds=seconds)
                )
                checks.append(check)
                findings.extend(found)
                progress.advance("checks", rule.check)
        return Evaluation(tuple(checks), tuple(findings), tuple(timings))

    def _timed_outcome(
        self, rule: Rule, row_counts: dict[str, int], lang: str, township_code: str | None
    ) -> tuple[CheckResult, list[Finding], float]:
        started = time.perf_counter()
        check, found = self._outcome(rule, row_counts, lang, township_code)
        return check, found, time.perf_counter() - started

    def _bind(self, rule: Rule) -> None:
        if not rule.is_rows:
            sparksql.builtin_sql(rule)  # AuditError for a type without a SQL form
            return
        assert rule.sql is not None
        try:
            names = tuple(self.spark.sql(sparksql.to_spark(rule.sql)).columns)
        except AuditError:
            raise
        except Exception as e:  # the analyser's errors (Py4J or Connect) share no base class
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise AuditError(
                f"{rule.source}: the check's SQL does not run on Spark: {first}"
            ) from None
        from audit.io.engine import check_rule_columns

        check_rule_columns(rule, names)

    def _outcome(
        self, rule: Rule, row_counts: dict[str, int], lang: str, township_code: str | None
    ) -> tuple[CheckResult, list[Finding]]:
        from audit.io.engine import builtin_outcome, rows_outcome, within_tolerance

        if rule.is_rows:
            return rows_outcome(rule, self.rows(rule.sql or ""), row_counts[rule.table], lang)
        form = sparksql.builtin_sql(rule)
        counts = self.rows(form.counts)[0]
        unexpected, basis = int(counts["unexpected"] or 0), int(counts["basis"] or 0)
        rows = self.rows(form.rows) if unexpected else []
        return builtin_outcome(
            rule,
            [sparksql.index_row(rule, row) for row in rows],
            int(counts["elements"] or 0),
            lang,
            township_code,
            success=within_tolerance(unexpected, basis, rule.mostly),
        )

    def close(self) -> None:
        try:
            for name in sorted(self._views):
                self.spark.catalog.dropTempView(name)
            for frame in self._cached:
                frame.unpersist()
        finally:
            self._views.clear()
            self._cached.clear()
            release_session(self.spark, self._owned, self._scratch)
