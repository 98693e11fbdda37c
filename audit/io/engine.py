"""The audit engine: suite rules → GX validation inside DuckDB → findings.

Design decisions:

- GX validates the submission's own DuckDB database as a SQL data source (the
  shim in `audit.io.gx_shim`); every metric is a query DuckDB runs, no table
  is copied to Python. One ephemeral GX context per audit, analytics and
  progress bars off, one table asset per canonical table; each rule is
  validated on the batch of its ``meta.table``.
- Each rule is evaluated once. A rows rule's SQL runs once, into a table of
  its rows (``fourcheck_rule_<n>``, dropped right after); GX validates that
  table with the rule's own ``UnexpectedRowsExpectation`` — GX's count and its
  200-row sample are then reads of a small table, not two more runs of the
  check — and the findings are those same rows, read back in the SQL's order.
  GX still decides success from the suite entry.
- A built-in column-map rule with a SQL form (`audit.io.sparksql.builtin_sql`:
  GX's own unexpected-row predicate, the form the Spark engine runs) is
  evaluated like a rows rule: its unexpected rows are selected once into a
  table, GX counts them (an ``UnexpectedRowsExpectation`` with the entry's
  meta and severity), and the findings are those rows. GX's own SQL for these
  types scanned more than needed (uniqueness as a window count over the whole
  column: 32 s of a 10-million-woman audit); ``mostly`` is applied over GX's
  basis (non-NULL values; every row for the NULL checks), read only when a
  tolerance has to be judged.
- Other built-in rules are validated with GX's ``BOOLEAN_ONLY`` result format,
  which resolves their counts in one aggregate query; ``unexpected_index_query``
  (GX's SQL for the failing rows, with the table's key, village and person as
  index columns) is run only when the rule can have failing rows (it failed,
  or it has a ``mostly`` tolerance). Element counts are the table's rows, as in
  GX's result. Table-level (aggregate) expectations keep ``BASIC``: their
  message needs GX's observed value.
- ``mostly`` is a tolerance. When the failing fraction is within it the rule
  succeeds, and its records are still reported, graded ``info``. For a rows
  rule the fraction is failing rows ÷ rows of ``meta.table`` (GX's
  ``UnexpectedRowsExpectation`` has no ``mostly``; the engine applies the
  same rule as GX's map expectations).
- A rows rule's SQL is bound before anything runs: it must return ``record``
  and ``village_code``, and its message templates may use only columns it
  returns; an unknown ``severity`` or ``table_name`` in a row is a suite
  error. All are `AuditError`s naming the suite file and position.
- Messages: ``str.format`` over the row's columns; NULL reads as 空/empty and
  booleans as 是/否 or yes/no, other values keep their type so format specs
  work.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb

from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.core.models import CheckResult, Finding, Severity
from audit.core.numbers import Figure
from audit.io import gx_shim
from audit.io.sparksql import BUILTIN_SQL_TYPES, BuiltinForm, builtin_sql, index_row
from audit.io.sqlrun import fetch_rows, iter_rows
from audit.io.suites import (
    REQUIRED_COLUMNS,
    Rule,
    Suite,
    index_columns,
    rows_query,
    template_fields,
)

DATASOURCE = "submission"

_NULL_TEXT = {"zh": "空", "en": "empty"}
_BOOL_TEXT = {"zh": ("否", "是"), "en": ("no", "yes")}


class Progress(Protocol):
    """Where the engine reports how far it is (the CLI draws it with rich on a terminal)."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, name: str, description: str | None = None) -> None: ...


class NoProgress:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, name: str, description: str | None = None) -> None:
        pass


@dataclass(frozen=True)
class RuleTiming:
    """Seconds one rule took: its SQL (rows rules), GX's validation, fetching its records."""

    check: str
    gx_seconds: float
    fetch_seconds: float
    sql_seconds: float = 0.0


@dataclass(frozen=True)
class Evaluation:
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    timings: tuple[RuleTiming, ...]


def evaluate(
    con: duckdb.DuckDBPyConnection,
    suites: Sequence[Suite],
    *,
    lang: str,
    township_code: str | None,
    progress: Progress | None = None,
) -> Evaluation:
    """Run every rule of every suite on the loaded submission (params and views installed)."""
    progress = progress or NoProgress()
    rules = [rule for suite in suites for rule in suite.rules]
    for rule in rules:  # every SQL bound before anything runs: a broken suite fails fast
        if rule.is_rows:
            bind_rows_rule(con, rule)
    row_counts = _row_counts(con)
    progress.stage("checks", len(rules))
    checks: list[CheckResult] = []
    findings: list[Finding] = []
    timings: list[RuleTiming] = []
    with _GXSession(con) as session, _RuleTables(con, rules) as rule_tables:
        for number, rule in enumerate(rules):
            form = builtin_form(rule)
            table, sql_seconds = rule_tables.take(number)
            materialised = time.perf_counter()
            try:
                result = session.validate(rule, table)
                validated = time.perf_counter()
                if table is not None and form is not None:
                    check, found = _builtin_rows_outcome(
                        con, rule, result, table, row_counts[rule.table], lang, township_code
                    )
                elif table is not None:
                    check, found = _rows_outcome(
                        con, rule, result, table, row_counts[rule.table], lang
                    )
                else:
                    check, found = _builtin_outcome(
                        con, rule, result, row_counts[rule.table], lang, township_code
                    )
            finally:
                if table is not None:
                    con.execute(f'DROP TABLE IF EXISTS "{table}"')
            timings.append(
                RuleTiming(
                    rule.check,
                    gx_seconds=validated - materialised,
                    fetch_seconds=time.perf_counter() - validated,
                    sql_seconds=sql_seconds,
                )
            )
            checks.append(check)
            findings.extend(found)
            progress.advance("checks", rule.check)
    return Evaluation(tuple(checks), tuple(findings), tuple(timings))


# --- a rows rule, evaluated once ------------------------------------------------------------------

RULE_TABLE = "fourcheck_rule_{number:03d}"


def _materialise(
    con: duckdb.DuckDBPyConnection, rule: Rule, number: int, sql: str | None = None
) -> str:
    """Run a rule's SQL once (a rows rule's own, or `sql`), into a table of its rows (kept in
    the SQL's order)."""
    sql = sql if sql is not None else rule.sql
    assert sql is not None
    table = RULE_TABLE.format(number=number)
    body = sql.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    try:
        # A plain table, not TEMP: GX reads through cursors of this connection, and DuckDB's
        # temporary tables belong to the one connection that made them.
        con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM (\n{body}\n) AS rule_rows')
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AuditError(
            f"{rule.source}: the check's SQL failed on this submission: {first}"
        ) from None
    return table


class _Stopped(Exception):
    """A rule's SQL not started because the evaluation is being left (an error, Ctrl-C)."""


class _RuleTables:
    """Each rule's rows selected into its table one rule ahead of GX.

    The next rule's SQL runs on a cursor in a worker thread while GX validates this one:
    DuckDB releases the GIL while it runs a query, so its work overlaps GX's own Python
    (building the validator and its metrics, about 25 ms a rule), which would otherwise
    add up serially. The rules are still taken, validated and reported in suite order, and
    an error in a rule's SQL surfaces when that rule's turn comes, as before.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, rules: Sequence[Rule]) -> None:
        self._con = con
        self._rules = rules
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fourcheck-rule-sql")
        self._pending: dict[int, Future[tuple[str, float]]] = {}
        self._cursor: duckdb.DuckDBPyConnection | None = None  # the SQL running now, if any
        self._closing = False

    def __enter__(self) -> _RuleTables:
        return self

    def _submit(self, number: int) -> None:
        if number >= len(self._rules) or number in self._pending:
            return
        rule = self._rules[number]
        form = builtin_form(rule)
        sql = rule.sql if rule.is_rows else form.rows if form is not None else None
        if sql is not None:
            self._pending[number] = self._pool.submit(self._run, rule, number, sql)

    def _run(self, rule: Rule, number: int, sql: str) -> tuple[str, float]:
        started = time.perf_counter()
        cursor = self._con.cursor()  # a connection of its own to the same database
        self._cursor = cursor
        try:
            # Set before `_closing` is read, as `__exit__` sets `_closing` before it reads
            # the cursor: either this query is never started or it is interrupted.
            if self._closing:
                raise _Stopped
            return _materialise(cursor, rule, number, sql), time.perf_counter() - started
        finally:
            self._cursor = None
            cursor.close()

    def take(self, number: int) -> tuple[str | None, float]:
        """Rule `number`'s table (None for a rule validated by GX alone) and its SQL's seconds;
        the next rule's SQL is started before this one is waited for."""
        self._submit(number)
        self._submit(number + 1)
        future = self._pending.pop(number, None)
        return future.result() if future is not None else (None, 0.0)

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # After an error (or Ctrl-C) a rule may still be running ahead: stop its query rather
        # than wait for it (at 10M women one can take tens of seconds), and drop its table,
        # so nothing is left behind in the database.
        if kind is not None:
            self._closing = True
            for future in self._pending.values():
                future.cancel()  # not started yet: never will be
            cursor = self._cursor
            if cursor is not None:
                with contextlib.suppress(duckdb.Error):
                    cursor.interrupt()
        for number, future in self._pending.items():
            with contextlib.suppress(Exception, CancelledError):  # not the error reported
                future.result()
            self._con.execute(f'DROP TABLE IF EXISTS "{RULE_TABLE.format(number=number)}"')
        self._pending.clear()
        self._pool.shutdown(wait=True)


# --- binding a rows rule's SQL --------------------------------------------------------------------


def bind_rows_rule(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[str, ...]:
    """The columns a rows rule's SQL returns (bound, not run); AuditError when unusable."""
    assert rule.sql is not None
    try:
        names = tuple(con.sql(rule.sql).columns)
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AuditError(f"{rule.source}: the check's SQL does not run: {first}") from None
    check_rule_columns(rule, names)
    return names


def check_rule_columns(rule: Rule, names: Sequence[str]) -> None:
    """A rows rule's SQL must return `record`, `village_code` and every column its message
    templates use; AuditError naming the suite entry otherwise (both engines bind with it)."""
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise AuditError(
                f"{rule.source}: the check's SQL returns no column {required!r} "
                f"(it returns {', '.join(names)})"
            )
    for lang, template in rule.message.items():
        missing = sorted(template_fields(template) - set(names))
        if missing:
            raise AuditError(
                f"{rule.source}: meta.message.{lang} uses {{{missing[0]}}}, which the check's "
                f"SQL does not return (columns: {', '.join(names)})"
            )


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    parts = " UNION ALL ".join(
        f"SELECT '{t}' AS name, count(*) AS n FROM \"{t}\"" for t in contract.TABLE_NAMES
    )
    return {str(name): int(n) for name, n in con.execute(parts).fetchall()}


# --- GX -----------------------------------------------------------------------------------------


class _GXSession:
    """An ephemeral GX context, the submission as its SQL data source; closed when done."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._creator = gx_shim.DuckDBCreator(con)
        self._batches: dict[str, Any] = {}

    def __enter__(self) -> _GXSession:
        self._context = gx_shim.ephemeral_context()
        self._source = self._context.data_sources.add_sql(
            DATASOURCE,
            connection_string="duckdb:///:memory:",  # unused: the creator supplies connections
            kwargs={"creator": self._creator},
        )
        return self

    def batch(self, table: str) -> Any:
        if table not in self._batches:
            asset = self._source.add_table_asset(table, table_name=table)
            definition = asset.add_batch_definition_whole_table(table)
            self._batches[table] = definition.get_batch()
        return self._batches[table]

    def validate(self, rule: Rule, rows_table: str | None = None) -> Any:
        expectation = rule.expectation
        if rows_table is not None and not rule.is_rows:
            # A built-in rule's unexpected rows, already selected by its SQL form: GX counts
            # them with the suite entry's own meta and severity.
            from great_expectations.expectations import UnexpectedRowsExpectation

            query = rows_query(f'SELECT * FROM "{rows_table}"')
            expectation = UnexpectedRowsExpectation(
                unexpected_rows_query=query,
                meta=expectation.meta,
                severity=expectation.severity,
            )
            result_format: dict[str, Any] = {"result_format": "SUMMARY"}
        elif rows_table is not None:
            # The rule's own expectation, pointed at the table its SQL was run into.
            query = rows_query(f'SELECT * FROM "{rows_table}"')
            expectation = expectation.copy(update={"unexpected_rows_query": query})
            result_format = {"result_format": "SUMMARY"}
        elif rule.row_level:
            result_format = {
                "result_format": "BOOLEAN_ONLY",
                "unexpected_index_column_names": list(index_columns(rule.table)),
                "return_unexpected_index_query": True,
            }
        else:
            result_format = {"result_format": "BASIC"}
        result = self.batch(rule.table).validate(expectation, result_format=result_format)
        raise_if_errored(result, rule)
        return result

    def __exit__(self, *exc: object) -> None:
        try:
            self._source.get_execution_engine().close()
            self._source.get_engine().dispose()
            self._context.data_sources.delete(DATASOURCE)
        finally:
            self._creator.release()
            self._batches.clear()


def rule_errors(exception_info: Any) -> list[str]:
    """The messages of every error GX caught while evaluating one rule.

    GX reports an error either at the top of ``exception_info`` or, since 1.x, nested
    per metric (``{"('table.row_count', …)": {"raised_exception": True, …}}``); both
    shapes are read, so a rule whose SQL raised is never mistaken for a rule that passed.
    """
    if not isinstance(exception_info, Mapping):
        return []
    infos = [exception_info, *(v for v in exception_info.values() if isinstance(v, Mapping))]
    errors = []
    for info in infos:
        if info.get("raised_exception"):
            lines = str(info.get("exception_message") or "").strip().splitlines()
            errors.append(lines[0] if lines else "unknown error")
    return errors


def raise_if_errored(result: Any, rule: Rule) -> None:
    """AuditError (exit 2) naming the rule and the cause when GX could not evaluate it."""
    errors = rule_errors(getattr(result, "exception_info", None))
    if errors:
        raise AuditError(
            f"{rule.source}: the check could not be evaluated, so the audit is incomplete: "
            f"{errors[0]}"
        )


# --- findings -----------------------------------------------------------------------------------


def village_of(table: str, row: Mapping[str, Any], township_code: str | None) -> str | None:
    """Where a finding on a row of this table is sent (the loader's rule, on a fetched row)."""
    t = contract.table(table)
    if "village_code" in t.column_names:
        value = row.get("village_code")
    elif "unit_code" in t.column_names:  # stat_reports: township, village or "<village>-<group>"
        value = (row.get("unit_code") or "")[:12] or None
    elif "point_code" in t.column_names:  # supply_stock: a village or a station
        value = row.get("point_code")
    else:
        value = None
    return str(value) if value is not None else township_code


def record_of(values: Iterable[Any]) -> str:
    return "|".join("" if v is None else str(v) for v in values)


def _graded(rule: Rule, success: bool, count: int) -> Severity:
    """The severity of a rule's findings: `info` when they are within its tolerance."""
    return Severity.INFO if success and count else rule.severity


def _text_value(value: Any, lang: str) -> Any:
    if value is None:
        return _NULL_TEXT.get(lang, _NULL_TEXT["zh"])
    if isinstance(value, bool):
        return _BOOL_TEXT.get(lang, _BOOL_TEXT["zh"])[value]
    if isinstance(value, float):
        return Figure(value)  # `{ratio:.1f}` rounds as every table of the report does
    return value


def _message(rule: Rule, lang: str, fields: Mapping[str, Any]) -> str:
    template = rule.text("message", lang)
    try:
        return template.format_map({k: _text_value(v, lang) for k, v in fields.items()})
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as e:
        raise AuditError(
            f"{rule.source}: meta.message.{lang} cannot be filled from the row "
            f"({type(e).__name__}: {e})"
        ) from None


def _check_result(
    rule: Rule, lang: str, *, unexpected: int, elements: int | None, success: bool
) -> CheckResult:
    return CheckResult(
        check=rule.check,
        category=rule.category,
        severity=rule.severity,
        ledgers=rule.ledgers,
        table=rule.table,
        title=rule.text("title", lang),
        suite=rule.suite,
        unexpected_count=unexpected,
        element_count=elements,
        mostly=rule.mostly,
        success=success,
    )


def within_tolerance(unexpected: int, elements: int, mostly: float | None) -> bool:
    """GX's `mostly`: success when at least that fraction of the elements pass."""
    if unexpected == 0:
        return True
    if mostly is None or elements == 0:
        return False
    return (elements - unexpected) / elements >= mostly


def _rows_outcome(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    result: Any,
    table: str,
    elements: int,
    lang: str,
) -> tuple[CheckResult, list[Finding]]:
    unexpected = int(result.result.get("observed_value") or 0)
    rows: Iterable[Mapping[str, Any]] = ()
    if unexpected:
        # The rows GX counted, in the order the SQL gave them (insertion order), read a batch
        # at a time: each row becomes its finding as it is read, so a rule failing on millions
        # of records never holds them all as rows besides their findings.
        rows = iter_rows(con, f'SELECT * FROM "{table}" ORDER BY rowid')
    return rows_outcome(rule, rows, elements, lang, unexpected=unexpected)


def rows_outcome(
    rule: Rule,
    rows: Iterable[Mapping[str, Any]],
    elements: int,
    lang: str,
    *,
    unexpected: int | None = None,
) -> tuple[CheckResult, list[Finding]]:
    """A rows rule's result and findings from every row its SQL returned (any engine).

    `rows` may be read once (an iterator) when `unexpected` gives their number; without it
    they must be a sequence, and their number is its length.
    """
    if unexpected is None:
        assert isinstance(rows, Sequence), "rows_outcome: give `unexpected` with an iterator"
        count = len(rows)
    else:
        count = unexpected
    success = within_tolerance(count, elements, rule.mostly)
    default = _graded(rule, success, count)
    findings = []
    # One string object per distinct table and village across the rule's findings, not one
    # per finding (a rule can fail on millions of records of a few hundred villages).
    shared: dict[str, str] = {}
    for row in rows:
        severity = default
        graded = row.get("severity")
        if graded is not None and default is not Severity.INFO:
            try:
                severity = Severity(graded)
            except ValueError:
                raise AuditError(
                    f"{rule.source}: the check's SQL returned severity {graded!r} "
                    "(expected error, warning or info)"
                ) from None
        table = row.get("table_name") or rule.table
        if table not in contract.TABLES_BY_NAME:
            raise AuditError(
                f"{rule.source}: the check's SQL returned table_name {table!r}, "
                "which is not a table of the submission"
            )
        village = None if row["village_code"] is None else str(row["village_code"])
        findings.append(
            Finding(
                check=rule.check,
                category=rule.category,
                severity=severity,
                ledgers=rule.ledgers,
                table=shared.setdefault(table, table),
                record="" if row["record"] is None else str(row["record"]),
                village_code=None if village is None else shared.setdefault(village, village),
                message=_message(rule, lang, row),
            )
        )
    check = _check_result(rule, lang, unexpected=count, elements=elements, success=success)
    return check, findings


def builtin_form(rule: Rule) -> BuiltinForm | None:
    """The SQL form of a built-in column-map rule (None for rows rules and the rest)."""
    if rule.is_rows or not rule.row_level or len(rule.columns) != 1:
        return None
    if rule.type not in BUILTIN_SQL_TYPES:
        return None
    return builtin_sql(rule)


def _builtin_rows_outcome(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    result: Any,
    table: str,
    elements: int,
    lang: str,
    township_code: str | None,
) -> tuple[CheckResult, list[Finding]]:
    """A built-in rule evaluated as its SQL form: GX's count of the unexpected rows, the
    suite's `mostly` over GX's basis (non-NULL values, or every row for the NULL checks)."""
    unexpected = int(result.result.get("observed_value") or 0)
    rows: list[dict[str, Any]] = []
    basis = elements
    if unexpected:
        # Read a batch at a time: only each row's index form is kept (the rows are sorted by
        # their key below, so they are all held once).
        rows = [
            index_row(rule, r) for r in iter_rows(con, f'SELECT * FROM "{table}" ORDER BY rowid')
        ]
        if rule.mostly is not None:
            form = builtin_sql(rule)
            basis = int(fetch_rows(con, form.counts)[0]["basis"] or 0)
    return builtin_outcome(
        rule,
        rows,
        elements,
        lang,
        township_code,
        success=within_tolerance(unexpected, basis, rule.mostly),
    )


def _builtin_outcome(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    result: Any,
    elements: int,
    lang: str,
    township_code: str | None,
) -> tuple[CheckResult, list[Finding]]:
    res = dict(result.result or {})
    success = bool(result.success)
    rows: list[dict[str, Any]] = []
    # BOOLEAN_ONLY: GX says whether the rule passed; failing rows can exist only when it did not,
    # or when a tolerance let them through.
    if rule.row_level and (not success or rule.mostly is not None):
        query = res.get("unexpected_index_query")
        if not isinstance(query, str):
            raise AuditError(f"{rule.source}: GX returned no query for its failing rows")
        rows = _index_rows(con, rule, query)
    return builtin_outcome(
        rule,
        rows,
        elements,
        lang,
        township_code,
        success=success,
        observed_value=res.get("observed_value"),
    )


def builtin_outcome(
    rule: Rule,
    rows: Sequence[Mapping[str, Any]],
    elements: int,
    lang: str,
    township_code: str | None,
    *,
    success: bool,
    observed_value: Any = None,
) -> tuple[CheckResult, list[Finding]]:
    """A built-in rule's result and findings from its failing rows (index, then domain columns).

    Any engine: DuckDB gets the rows from GX's own query, Spark from the rule's SQL form.
    """
    title = rule.text("title", lang)
    kwargs = {k: v for k, v in rule.entry.get("kwargs", {}).items() if k != "mostly"}
    base = {**kwargs, "table": rule.table, "title": title, "column": ", ".join(rule.columns)}
    if not rule.row_level:
        findings = []
        if not success:
            fields = {**base, "observed_value": observed_value}
            findings.append(
                Finding(
                    check=rule.check,
                    category=rule.category,
                    severity=rule.severity,
                    ledgers=rule.ledgers,
                    table=rule.table,
                    record="",
                    village_code=township_code,
                    message=_message(rule, lang, fields),
                )
            )
        check = _check_result(rule, lang, unexpected=len(findings), elements=None, success=success)
        return check, findings

    t = contract.table(rule.table)
    rows = sorted(rows, key=lambda r: record_of(r[k] for k in t.key))
    severity = _graded(rule, success, len(rows))
    findings = []
    for row in rows:
        domain = [row[c] for c in rule.columns if c in row]
        fields = {
            **base,
            **row,
            "record": record_of(row[k] for k in t.key),
            "village_code": village_of(rule.table, row, township_code),
            "value": domain[0] if len(domain) == 1 else ", ".join(str(v) for v in domain),
        }
        findings.append(
            Finding(
                check=rule.check,
                category=rule.category,
                severity=severity,
                ledgers=rule.ledgers,
                table=rule.table,
                record=fields["record"],
                village_code=fields["village_code"],
                message=_message(rule, lang, fields),
            )
        )
    check = _check_result(rule, lang, unexpected=len(rows), elements=elements, success=success)
    # Rows that share a key (the very thing a uniqueness rule finds) are one record to fix.
    return check, list(dict.fromkeys(findings))


def _index_rows(con: duckdb.DuckDBPyConnection, rule: Rule, query: str) -> list[dict[str, Any]]:
    """Every failing row of a built-in rule: GX's index query, run in DuckDB, by position.

    GX selects the index columns first, then the domain column(s), which it may
    alias (``person_id AS person_id__1``) when a domain column is also an index one.
    """
    sql = query.strip().rstrip(";")
    index = index_columns(rule.table)
    rows = []
    try:
        cur = con.execute(sql)
        # A batch at a time: the rows are kept as dictionaries only, not also as tuples.
        while batch := cur.fetchmany(10_000):
            for values in batch:
                row = dict(zip(index, values[: len(index)], strict=True))
                for name, value in zip(rule.columns, values[len(index) :], strict=False):
                    row[name] = value
                rows.append(row)
    except duckdb.Error as e:
        raise AuditError(
            f"{rule.source}: GX's query for the failing rows does not run: {e}"
        ) from None
    return rows
