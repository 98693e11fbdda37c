"""The project's SQL on Spark: sqlglot transpiles it, and built-in expectations as SQL.

Design decisions:

- Every file under ``sql/`` is written once, in DuckDB's dialect, and runs on
  Spark as sqlglot's translation (``read="duckdb", write="spark"``); nothing
  is hand-edited afterwards except that a view (or a table built from a
  query) becomes a *temporary* view (a Spark session's catalog may not hold
  permanent views over temporary tables, and a table would be written to the
  warehouse folder). Where the two engines' semantics differ, the SQL files are written
  so both agree (see docs/architecture.md, "Engines"), and golden tests hold
  each such construct to one answer on both.
- A built-in GX expectation on Spark is its SQL equivalent, built from the
  suite entry's kwargs in DuckDB's dialect too (so the DuckDB tests can hold
  the form to GX's own answer): the predicate that marks a row unexpected,
  and the basis GX divides by for ``mostly`` (non-NULL values for every type
  but the NULL checks, which count every row). Only the column-map types
  below have a form; any other type stops a Spark run naming the rule.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from audit.core.exitcodes import AuditError
from audit.io.suites import Rule, index_columns

_VIEW = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+(?:VIEW|TABLE)\s+(`?)(\w+)\1", re.IGNORECASE)
_TEMP_VIEW = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TEMPORARY\s+VIEW\s+`?(\w+)`?", re.I)


@functools.lru_cache(maxsize=512)
def to_spark(sql: str) -> str:
    """One DuckDB-dialect statement as Spark SQL.

    A view, and a table built from a query (``sql/views`` builds what many checks read as
    tables), becomes a temporary view, which the Spark backend caches: a session-local,
    computed-once table, with nothing written to a warehouse.
    """
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        out = sqlglot.transpile(sql, read="duckdb", write="spark", comments=False)
    except SqlglotError as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise AuditError(f"SQL that Spark cannot be given (sqlglot: {first})") from None
    if len(out) != 1:
        raise AuditError(f"expected one SQL statement, found {len(out)}")
    return _VIEW.sub(r"CREATE OR REPLACE TEMPORARY VIEW \1\2\1", out[0], count=1)


def view_name(statement: str) -> str | None:
    """The view a (Spark) statement creates, if it creates one."""
    match = _TEMP_VIEW.match(statement)
    return match.group(1) if match else None


# --- built-in expectations -------------------------------------------------------------------


def literal(value: Any) -> str:
    """A JSON value from a suite entry as a DuckDB SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise AuditError(f"{json.dumps(value)}: not a value a SQL form can use")


def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _between(lo: str, hi: str, strict_lo: bool, strict_hi: bool, x: str) -> str:
    parts = []
    if lo != "NULL":
        parts.append(f"{x} {'>' if strict_lo else '>='} {lo}")
    if hi != "NULL":
        parts.append(f"{x} {'<' if strict_hi else '<='} {hi}")
    return " AND ".join(parts) or "TRUE"


def _predicates() -> dict[str, Callable[[str, str, Mapping[str, Any]], str]]:
    """Expectation type -> the predicate of an unexpected (non-NULL) value of `x` in table `t`."""

    def in_set(kw: Mapping[str, Any]) -> str:
        values = kw.get("value_set") or []
        return ", ".join(literal(v) for v in values) or "NULL"

    return {
        "expect_column_values_to_be_unique": lambda t, x, kw: (
            f"{x} IN (SELECT {x} FROM {t} WHERE {x} IS NOT NULL GROUP BY {x} HAVING count(*) > 1)"
        ),
        "expect_column_values_to_match_regex": lambda t, x, kw: (
            f"NOT regexp_matches({x}, {literal(kw['regex'])})"
        ),
        "expect_column_values_to_not_match_regex": lambda t, x, kw: (
            f"regexp_matches({x}, {literal(kw['regex'])})"
        ),
        "expect_column_values_to_be_in_set": lambda t, x, kw: f"{x} NOT IN ({in_set(kw)})",
        "expect_column_values_to_not_be_in_set": lambda t, x, kw: f"{x} IN ({in_set(kw)})",
        "expect_column_values_to_be_between": lambda t, x, kw: (
            "NOT ("
            + _between(
                literal(kw.get("min_value")),
                literal(kw.get("max_value")),
                bool(kw.get("strict_min")),
                bool(kw.get("strict_max")),
                x,
            )
            + ")"
        ),
        "expect_column_value_lengths_between": lambda t, x, kw: (
            "NOT ("
            + _between(
                literal(kw.get("min_value")),
                literal(kw.get("max_value")),
                False,
                False,
                f"length({x})",
            )
            + ")"
        ),
        "expect_column_value_lengths_to_equal": lambda t, x, kw: (
            f"length({x}) <> {literal(kw['value'])}"
        ),
    }


# NULL checks look at every row; the rest only at non-NULL values (as GX does).
_NULL_TYPES = {
    "expect_column_values_to_not_be_null": "{x} IS NULL",
    "expect_column_values_to_be_null": "{x} IS NOT NULL",
}
SPARK_BUILTIN_TYPES = frozenset({*_NULL_TYPES, *_predicates()})
BUILTIN_SQL_TYPES = SPARK_BUILTIN_TYPES  # on DuckDB too (audit.io.engine)


@dataclass(frozen=True)
class BuiltinForm:
    """A built-in expectation as SQL: its counts (one row) and its unexpected rows."""

    counts: str  # columns: elements, basis, unexpected
    rows: str  # the index columns, then __domain_0 (the expectation's column)


def builtin_sql(rule: Rule) -> BuiltinForm:
    """The SQL form of a built-in rule; AuditError when its type has none."""
    kwargs = dict(rule.entry.get("kwargs") or {})
    if rule.type not in SPARK_BUILTIN_TYPES or not rule.row_level or len(rule.columns) != 1:
        raise AuditError(
            f"{rule.source}: {rule.type} has no SQL form for the Spark engine (it has: "
            f"{', '.join(sorted(SPARK_BUILTIN_TYPES))}); run this suite with --engine duckdb"
        )
    t, x = _col(rule.table), _col(rule.columns[0])
    try:
        if rule.type in _NULL_TYPES:
            unexpected, basis = _NULL_TYPES[rule.type].format(x=x), "count(*)"
        else:
            unexpected = f"{x} IS NOT NULL AND {_predicates()[rule.type](t, x, kwargs)}"
            basis = f"count({x})"
    except KeyError as e:
        raise AuditError(f"{rule.source}: kwargs has no {e.args[0]!r}") from None
    counts = (
        f"SELECT count(*) AS elements, {basis} AS basis, "
        f"sum(CASE WHEN {unexpected} THEN 1 ELSE 0 END) AS unexpected FROM {t}"
    )
    index = ", ".join(_col(c) for c in index_columns(rule.table))
    rows = f"SELECT {index}, {x} AS __domain_0 FROM {t} WHERE {unexpected}"
    return BuiltinForm(counts, rows)


def index_row(rule: Rule, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of `BuiltinForm.rows` as the engine's built-in rows are: index, then domain."""
    out = {c: row[c] for c in index_columns(rule.table)}
    out[rule.columns[0]] = row["__domain_0"]
    return out
