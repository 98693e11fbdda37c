"""`audit suites export`: the suites as Great Expectations loads them, queries inlined.

Design decisions:

- The suite files keep each rows rule's SQL in its own file (`meta.sql`), so
  the rules stay portable SQL that is reviewed and tested on its own. GX's
  `UnexpectedRowsExpectation` wants the query in `kwargs`; the export writes
  exactly that: `unexpected_rows_query` is the rule's SQL with every shared
  view it reads (`sql/views/`) prepended as a CTE, in install order, and
  `{batch}` bound as the engine binds it (`audit.io.suites.rows_query`);
  the reference table `ref_divisions` (id-region) becomes a CTE of literal
  rows. The query then reads nothing but the submission's tables and
  `audit_params` — or, with a period given, not even that: the parameters
  become one more CTE of literal values.
- Built-in GX expectations are written as they are. Every entry keeps its
  `meta` (check, category, ledgers, titles, messages; `meta.sql` names the
  source file), so nothing fourcheck knows is lost.
- The suites are validated by the same strict loader first: a broken suite
  is not exported. Files are written atomically, one per suite.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from audit.core.exitcodes import AuditError
from audit.core.period import make_window, parse_period
from audit.io import divisions
from audit.io.output import write_atomic
from audit.io.sqlrun import SQL_DIR, view_files
from audit.io.suites import load_suites, rows_query

PARAMS_TABLE = "audit_params"


def _views() -> list[tuple[str, exp.Expression]]:
    """The shared views in install order: (name, SELECT)."""
    views = []
    for path in view_files(SQL_DIR):
        tree = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb")
        if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Table):
            body = tree.expression
            if isinstance(body, exp.Expression):
                views.append((tree.this.name, body))
    return views


def _params_select(period: str, window_start: date | None, township_code: str | None) -> str:
    window = make_window(period, window_start)
    township = "NULL" if township_code is None else "'" + township_code.replace("'", "''") + "'"
    return (
        f"SELECT CAST('{period}' AS VARCHAR) AS period,"
        f" DATE '{window.end.replace(day=1).isoformat()}' AS period_start,"
        f" DATE '{window.end.isoformat()}' AS period_end,"
        f" DATE '{window.start.isoformat()}' AS window_start,"
        f" DATE '{window.recent_start.isoformat()}' AS recent_start,"
        f" CAST({township} AS VARCHAR) AS township_code"
    )


def _parse(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="duckdb")
    if not isinstance(tree, exp.Expression):
        raise ValueError("not a query")
    return tree


def _names(tree: exp.Expression) -> set[str]:
    return {t.name for t in tree.find_all(exp.Table)}


def inline_sql(sql: str, params: str | None = None) -> str:
    """The rule's SELECT with the views it reads (and the parameters, if given) as CTEs."""
    tree = _parse(sql)
    views = _views()
    by_name = dict(views)
    needed: set[str] = set()
    pending = [n for n in _names(tree) if n in by_name]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(n for n in _names(by_name[name]) if n in by_name)
    ctes: list[exp.CTE] = []
    if params is not None:
        ctes.append(_cte(PARAMS_TABLE, _parse(params)))
    reads = _names(tree).union(*(_names(by_name[n]) for n in needed))
    if divisions.TABLE in reads:  # the reference table of id-region, as literal rows
        ctes.append(_cte(divisions.TABLE, _parse(divisions.divisions_select())))
    ctes.extend(_cte(name, body.copy()) for name, body in views if name in needed)
    existing = tree.args.get("with_")
    if isinstance(existing, exp.With):
        ctes.extend(existing.expressions)
    if ctes:
        tree.set("with_", exp.With(expressions=ctes))
    return str(tree.sql(dialect="duckdb", pretty=True))


def _cte(name: str, body: exp.Expression) -> exp.CTE:
    return exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name)))


def export_suites(
    out_dir: Path,
    *,
    suites_dir: Path | None = None,
    period: str | None = None,
    window_start: date | None = None,
    township_code: str | None = None,
) -> list[Path]:
    if period is None and (window_start is not None or township_code is not None):
        raise AuditError("--window-start and --township bind parameters: add --period YYYY-MM")
    params = None
    if period is not None:
        parse_period(period)
        params = _params_select(period, window_start, township_code)
    suites = load_suites(suites_dir)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AuditError(f"{out_dir}: not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AuditError(f"{out_dir}: cannot create the folder ({e.strerror})") from None
    written = []
    for suite in suites:
        data = json.loads(suite.path.read_text(encoding="utf-8-sig"))
        entries: list[dict[str, Any]] = []
        for entry, rule in zip(data["expectations"], suite.rules, strict=True):
            out = copy.deepcopy(entry)
            if rule.is_rows and rule.sql is not None:
                out["kwargs"] = {
                    **{k: v for k, v in out.get("kwargs", {}).items() if k != "mostly"},
                    "unexpected_rows_query": rows_query(inline_sql(rule.sql, params)),
                }
                if rule.mostly is not None:
                    # GX's UnexpectedRowsExpectation has no `mostly`; fourcheck applies it.
                    out.setdefault("meta", {})["mostly"] = rule.mostly
            entries.append(out)
        data["expectations"] = entries
        path = out_dir / suite.path.name
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        written.append(path)
    return written
