"""What a rule reads, and whether it can be evaluated on a submission.

Design decisions:

- A rule that cannot be evaluated is *skipped*, never passed: a missing
  table is loaded empty (the loader reports ``table-missing``), so a rule
  comparing against it would otherwise "pass" without looking. The loader's
  own finding stays an error, so the gate still fails; the skipped rule only
  says why it did not run.
- What a rows rule reads is worked out from its SQL with sqlglot, not
  declared by hand: every table reference, with the shared views in
  ``sql/views/`` (and ``audit_params``) resolved down to the submission's
  tables, and the columns its own SQL reads from those tables (qualified
  against the data contract). A built-in GX rule reads its ``meta.table``
  and its ``kwargs`` columns.
- *Required* versus *optional*. A table or column read only inside a branch
  of a ``UNION`` (id-format over every table's IDs, future-date over every
  date column) adds records of its own; without it the rule still judges
  every record that exists, so it is optional and the rule runs. Anything
  else (a join, ``EXISTS``, the rule's only source) is required: without it
  the rule cannot answer its question (pregnancy-missing without checkups),
  so the rule is skipped.
- Columns are those the rule's own SQL reads. The shared views read many
  columns only to pick one row per person (a struct of the whole row), so
  their columns do not skip the rules that use them; a missing column is
  still a ``column-missing`` finding. Tables are followed through views.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

from audit.core import contract
from audit.core.models import TableLoad
from audit.io.sqlrun import SQL_DIR, view_files
from audit.io.suites import Rule

PARAMS_TABLE = "audit_params"

_REASONS = {
    "table": {
        "zh": "缺少表 {table}",
        "en": "table {table} is missing",
    },
    "column": {
        "zh": "{table} 缺少列 {column}",
        "en": "{table} has no column {column}",
    },
}


@dataclass(frozen=True)
class Reads:
    """The submission's tables and columns a rule (or a view) reads."""

    tables: frozenset[str]  # required: without one of them the rule is skipped
    optional_tables: frozenset[str] = frozenset()  # read only in a UNION branch
    columns: frozenset[tuple[str, str]] = frozenset()  # required (table, column)
    views: frozenset[str] = frozenset()  # shared views it reads (directly or not)

    @property
    def all_tables(self) -> frozenset[str]:
        return self.tables | self.optional_tables


def _schema() -> dict[str, object]:
    return {t.name: dict.fromkeys(t.column_names, "VARCHAR") for t in contract.TABLES}


def _in_union(node: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.SetOperation):
            return True
        parent = parent.parent
    return False


def _parse(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="duckdb")
    body = tree.expression if isinstance(tree, exp.Create) else tree
    if not isinstance(body, exp.Expression):
        raise ValueError("not a query")
    return body


@cache
def _view_sources(sql_dir: Path) -> dict[str, exp.Expression]:
    """The shared views: name → its parsed SELECT, from every `views/*.sql` file."""
    views: dict[str, exp.Expression] = {}
    for folder in (sql_dir, sql_dir / "report"):
        for path in view_files(folder):
            tree = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb")
            if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Table):
                views[tree.this.name] = _parse(path.read_text(encoding="utf-8"))
    return views


def sql_reads(sql: str, sql_dir: Path = SQL_DIR) -> Reads:
    """What a SELECT reads, its views resolved down to the submission's tables."""
    tree = _parse(sql)
    reads = _table_reads(tree, sql_dir.resolve(), ())
    # Columns of the SQL itself only (see the module's design notes), of its required tables.
    return Reads(
        tables=reads.tables,
        optional_tables=reads.optional_tables,
        columns=frozenset(c for c in _columns(tree) if c[0] in reads.tables),
        views=reads.views,
    )


@cache
def _view_reads(name: str, sql_dir: Path, seen: tuple[str, ...]) -> Reads:
    return _table_reads(_view_sources(sql_dir)[name], sql_dir, seen)


def _table_reads(tree: exp.Expression, sql_dir: Path, seen: tuple[str, ...]) -> Reads:
    views = _view_sources(sql_dir)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    required: set[str] = set()
    optional: set[str] = set()
    used_views: set[str] = set()
    for table in tree.find_all(exp.Table):
        name = table.name
        if not name or name in ctes or name == PARAMS_TABLE:
            continue
        in_union = _in_union(table)
        if name in views:
            if name in seen:
                continue
            used_views.add(name)
            inner = _view_reads(name, sql_dir, (*seen, name))
            used_views |= inner.views
            optional |= inner.all_tables if in_union else inner.optional_tables
            if not in_union:
                required |= inner.tables
        elif name in contract.TABLES_BY_NAME:
            (optional if in_union else required).add(name)
    return Reads(
        tables=frozenset(required),
        optional_tables=frozenset(optional - required),
        views=frozenset(used_views),
    )


def _columns(tree: exp.Expression) -> set[tuple[str, str]]:
    """(table, column) pairs the SQL itself reads from the submission's tables, outside UNIONs."""
    try:
        qualified = qualify(
            tree.copy(),
            dialect="duckdb",
            schema=_schema(),
            validate_qualify_columns=False,
            expand_stars=False,
        )
    except Exception:
        # SQL sqlglot cannot qualify still has its tables followed; only column reads are lost.
        return set()
    found: set[tuple[str, str]] = set()
    for scope in traverse_scope(qualified):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if (
                isinstance(source, exp.Table)
                and source.name in contract.TABLES_BY_NAME
                and column.name in contract.table(source.name).column_names
                and not _in_union(column)
            ):
                found.add((source.name, column.name))
    return found


def rule_reads(rule: Rule, sql_dir: Path = SQL_DIR) -> Reads:
    """What one suite rule reads: its SQL for a rows rule, its table and columns otherwise."""
    if rule.is_rows and rule.sql is not None:
        reads = sql_reads(rule.sql, sql_dir)
        # The findings' table is read by definition (a rule over a missing table finds nothing).
        return Reads(
            tables=reads.tables | ({rule.table} - reads.optional_tables),
            optional_tables=reads.optional_tables,
            columns=reads.columns,
            views=reads.views,
        )
    return Reads(
        tables=frozenset({rule.table}),
        columns=frozenset((rule.table, c) for c in rule.columns),
    )


def skip_reason(reads: Reads, tables: Iterable[TableLoad], lang: str) -> str | None:
    """Why a rule cannot be evaluated on this submission, or None when it can."""
    loads = {t.table: t for t in tables}
    texts = _REASONS["table"]
    for name in sorted(reads.tables):
        load = loads.get(name)
        if load is not None and load.path is None:
            return texts.get(lang, texts["zh"]).format(table=name)
    texts = _REASONS["column"]
    for name, column in sorted(reads.columns):
        load = loads.get(name)
        if load is not None and column in load.missing_columns:
            return texts.get(lang, texts["zh"]).format(table=name, column=column)
    return None


def plan(rules: Sequence[Rule], tables: Sequence[TableLoad], lang: str) -> list[str | None]:
    """For each rule, the reason it is skipped, or None to run it.

    A complete submission (every table, every column) skips nothing, and the SQL
    is not analysed at all: the analysis is paid for only when something is missing.
    """
    if not any(t.path is None or t.missing_columns for t in tables):
        return [None] * len(rules)
    return [skip_reason(rule_reads(rule), tables, lang) for rule in rules]
