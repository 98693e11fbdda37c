"""Parquet straight into DuckDB: large submissions without a copy of every table in Python.

Design decisions:

- The loader's rules stay the only rules. This path takes a Parquet table (a
  file or a folder of parts) only when every cell it holds is read exactly as
  the loader reads it: text columns as text, dates as Parquet dates, integers
  as signed integers, booleans as booleans, no sub-header row, no total or
  signature rows at the bottom, no unnamed columns. Anything else — and any
  error DuckDB or polars raise on the way — leaves the table to the loader
  (`audit.io.loader`), which reads it whole as always and words every
  problem. Both paths give the same rows, the same `TableLoad` and the same
  findings; tests compare them on crafted files.
- DuckDB reads the file itself (`read_parquet`) and the canonical rows are
  one `INSERT … SELECT`: the file is streamed into the table, so peak memory
  is the table, not the table three times over (source frame, text frame,
  value frame) plus Arrow.
- Cells are normalised in SQL only where SQL and polars provably agree:
  trimming uses the exact character set polars' `strip_chars` strips, and
  an ID's trailing x is upper-cased by the same regular expression. Values
  that need parsing (codes, periods, booleans or numbers written as text)
  are parsed by the loader's own polars expressions over the column's
  distinct texts (a few dozen), and SQL looks each cell up in that map; a
  column with too many distinct texts to map goes to the loader.
- Findings come from one query over the file returning only the rows with
  an empty key or an unreadable cell; the loader words them.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from audit.core.contract import Column, ColumnType, Table
from audit.core.exitcodes import AuditError
from audit.core.models import Finding, TableLoad
from audit.io.footer import MAX_FOOTER_ROWS, find_footer
from audit.io.headers import merge_sub_header
from audit.io.loader import (
    _ROW,
    ID_NUMBER_COLUMNS,
    column_missing,
    map_headers,
    parse_expr,
    source_text,
    word_cell_findings,
)
from audit.io.readers import RawTable
from audit.io.schema import SQL_TYPES

# The characters polars' `str.strip_chars()` strips (Unicode White_Space as Rust has it;
# not the separators U+001C..U+001F that Python's str.isspace() adds).
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A column parsed through a map of its distinct texts holds at most this many (codes,
# periods, flags); more, and the loader reads the file.
MAX_DISTINCT = 4096

_INT_TYPES: dict[pl.DataType, str] = {
    pl.Int8(): "TINYINT",
    pl.Int16(): "SMALLINT",
    pl.Int32(): "INTEGER",
    pl.Int64(): "BIGINT",
}
# Types an unmapped column may have: only whether a cell is empty is read from them.
_PLAIN_TYPES = (pl.String, pl.Null, pl.Boolean, pl.Date, pl.Datetime, pl.Decimal)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _NotClean(Exception):
    """The file holds something only the loader reads as the contract says."""


@dataclass(frozen=True)
class _Column:
    """How one canonical column is read: its text (NULL when empty) and its value, in SQL."""

    text: str
    value: str
    empty: str  # the cell is empty (its text is NULL), cheaper than testing the text
    checked: bool  # a cell may be unreadable (cell-invalid)
    unreadable: bool = False  # some cell of the file is: one of its distinct texts does not parse


# `trim(x, WS)`: the whitespace as one constant expression (no literal holds control bytes).
_WS = "(" + " || ".join(f"chr({ord(c)})" for c in WHITESPACE) + ")"


# DuckDB's own default lets it take 80% of the machine's memory before spilling; a 10M-woman
# audit then grows to 20 GB on a 24-GB machine shared with others. A quarter is enough for
# the largest township measured (tables 3.75 GB at 10M women; see docs/performance.md): past
# it DuckDB spills to a private temporary folder instead of growing.
MEMORY_SHARE = 0.25
MIN_MEMORY = 2 << 30


def connect() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database for one submission, with a memory limit and a folder of its
    own to spill to (DuckDB creates it only when it spills and removes it when it closes)."""
    con = duckdb.connect(":memory:")
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return con  # no figure for the machine's memory: DuckDB's own default
    spill = Path(tempfile.gettempdir()) / f"fourcheck-duckdb-{os.getpid()}-{uuid.uuid4().hex}"
    limit_mb = max(MIN_MEMORY, int(total * MEMORY_SHARE)) >> 20
    con.execute(f"SET memory_limit = '{limit_mb}MiB'")
    con.execute(f"SET temp_directory = {_lit(spill)}")
    return con


def load_parquet(
    con: duckdb.DuckDBPyConnection, t: Table, path: Path, *, lang: str = "zh"
) -> tuple[TableLoad, list[Finding]] | None:
    """Load a clean Parquet table into `t`'s DuckDB table; None leaves it to the loader."""
    if not (path.is_dir() or path.suffix.lower() == ".parquet"):
        return None
    parts = sorted(p for p in path.glob("*.parquet")) if path.is_dir() else [path]
    if not parts:
        return None
    variables: list[str] = []
    try:
        return _load(con, t, path, parts, variables, lang)
    except (_NotClean, duckdb.Error, pl.exceptions.PolarsError, OSError):
        return None
    finally:
        for v in variables:
            con.execute(f"RESET VARIABLE {v}")


def _lit(p: Path | str) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def _read(files: Sequence[Path], *, rows: bool = False) -> str:
    extra = ""
    if rows:
        extra = ", file_row_number = true" + (", filename = true" if len(files) > 1 else "")
    names = ", ".join(_lit(p) for p in files)
    return f"read_parquet([{names}], hive_partitioning = false{extra})"


def _schema(
    con: duckdb.DuckDBPyConnection, parts: Sequence[Path]
) -> list[tuple[str, pl.DataType, str]]:
    """(name, polars type, DuckDB type) of each column, the same in every part."""
    first: list[tuple[str, pl.DataType, str]] | None = None
    for part in parts:
        schema = pl.read_parquet_schema(part)
        described = con.execute(f"DESCRIBE SELECT * FROM {_read([part])}").fetchall()
        names = [str(r[0]) for r in described]
        if names != list(schema) or len(set(names)) != len(names):
            raise _NotClean
        cols = [(n, schema[n], str(r[1])) for n, r in zip(names, described, strict=True)]
        if first is None:
            first = cols
        elif cols != first:
            raise _NotClean
    assert first is not None
    return first


# Every whitespace character sorts (as UTF-8 bytes) below "!" or between U+0085 and U+3000:
# a byte comparison that is nearly free rules most cells out before any character is read.
_MAY_START_BLANK = "({col} < '!' OR ({col} >= chr(133) AND {col} <= chr(12288)))"


def _empty_sql(name: str, dtype: pl.DataType, duck: str) -> str:
    """True when the cell is empty as the loader sees it (NULL, or only whitespace).

    Cheap tests first: DuckDB evaluates the rest only for the rows they leave."""
    col = _q(name)
    if dtype == pl.String and duck == "VARCHAR":
        first = _MAY_START_BLANK.format(col=col)
        spaces = f"{first} AND contains({_WS}, left({col}, 1)) AND {_trimmed(col)} = ''"
        return f"({col} IS NULL OR {col} = '' OR ({spaces}))"
    if isinstance(dtype, _PLAIN_TYPES) or dtype.is_integer() or dtype.is_float():
        return f"{col} IS NULL"
    raise _NotClean


def _trimmed(col: str) -> str:
    """`strip_chars()` as polars does it; trim() with a character set is ten times slower
    than a look at the two ends, so only cells that start or end with whitespace get it."""
    first = _MAY_START_BLANK.format(col=col)
    ends = f"({first} AND contains({_WS}, left({col}, 1))) OR contains({_WS}, right({col}, 1))"
    return f"(CASE WHEN {ends} THEN trim({col}, {_WS}) ELSE {col} END)"


def _mapped(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    column: Column,
    name: str,
    source: str,
    variables: list[str],
) -> _Column:
    """A column whose text is parsed: the loader's own expressions over its distinct cells,
    then each cell looked up as it stands (no trimming per row)."""
    col = _q(name)
    found = con.execute(
        f"SELECT DISTINCT {col} FROM {source} WHERE {col} IS NOT NULL LIMIT {MAX_DISTINCT + 1}"
    ).fetchall()
    if len(found) > MAX_DISTINCT:
        raise _NotClean
    frame = pl.DataFrame({"c": [r[0] for r in found]}, schema={"c": pl.String})
    text = source_text("c", pl.String(), column.type)
    parsed = frame.with_columns(parse_expr(text, column).alias("v")).drop_nulls("v")
    variable = f"fourcheck_load_{t.name}_{column.name}"
    con.execute(
        f"SET VARIABLE {variable} = MAP(?::VARCHAR[], ?::{SQL_TYPES[column.type]}[])",
        [parsed.get_column("c").to_list(), parsed.get_column("v").to_list()],
    )
    variables.append(variable)
    value = f"map_extract_value(getvariable('{variable}'), {col})"
    empty = _empty_sql(name, pl.String(), "VARCHAR")
    unreadable = parsed.height < frame.select(text.is_not_null().sum()).item()
    return _Column(f"nullif({_trimmed(col)}, '')", value, empty, True, unreadable)


def _column(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    column: Column,
    source_column: tuple[str, pl.DataType, str],
    source: str,
    variables: list[str],
) -> _Column:
    name, dtype, duck = source_column
    ctype = column.type
    col = _q(name)
    if dtype == pl.Null:
        null = f"NULL::{SQL_TYPES[ctype]}"
        return _Column("NULL::VARCHAR", null, "true", ctype is not ColumnType.TEXT)
    if dtype == pl.String and duck == "VARCHAR":
        if ctype is not ColumnType.TEXT:
            return _mapped(con, t, column, name, source, variables)
        text = f"nullif({_trimmed(col)}, '')"
        empty = _empty_sql(name, dtype, duck)
        if column.name in ID_NUMBER_COLUMNS:
            upper_x = f"CASE WHEN suffix({text}, 'x') THEN left({text}, -1) || 'X' ELSE {text} END"
            return _Column(text, upper_x, empty, False)
        return _Column(text, text, empty, False)
    empty = f"{col} IS NULL"
    if ctype is ColumnType.DATE and dtype == pl.Date and duck == "DATE":
        return _Column(f"strftime({col}, '%Y-%m-%d')", col, empty, False)
    if ctype is ColumnType.BOOL and dtype == pl.Boolean and duck == "BOOLEAN":
        return _Column(f"CAST({col} AS VARCHAR)", col, empty, False)
    if ctype is ColumnType.INT and _INT_TYPES.get(dtype) == duck:
        return _Column(f"CAST({col} AS VARCHAR)", f"CAST({col} AS BIGINT)", empty, False)
    raise _NotClean


def _load(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    path: Path,
    parts: Sequence[Path],
    variables: list[str],
    lang: str,
) -> tuple[TableLoad, list[Finding]]:
    schema = _schema(con, parts)
    headers = tuple(name for name, _, _ in schema)
    if any(not h.strip() for h in headers):
        raise _NotClean  # an unnamed column counts only when it holds values: the loader looks
    scan = pl.scan_parquet(list(parts), hive_partitioning=False)
    head = scan.head(1).collect()
    head.columns = [f"c{i}" for i in range(len(headers))]
    raw_head = RawTable(path, "parquet", None, headers, head)
    if merge_sub_header(t, raw_head) is not raw_head:
        raise _NotClean  # a sub-header row: the loader folds it into the header
    try:
        positions, extras = map_headers(t, raw_head, lang=lang)
    except AuditError:
        raise _NotClean from None  # the loader words it, after reading the file as it does
    footer = find_footer(scan.tail(MAX_FOOTER_ROWS).collect())
    if footer.totals or footer.signatures:
        raise _NotClean  # total and signature rows are checked by the loader

    source = _read(parts)
    columns = {
        c.name: _column(con, t, c, schema[positions[c.name]], source, variables)
        for c in t.columns
        if c.name in positions
    }
    blank = " AND ".join(_empty_sql(n, d, k) for n, d, k in schema)
    # Parts in name order, rows counted from 1 over all of them, as the loader numbers them.
    row = "(file_row_number + 1)"
    if len(parts) > 1:
        offset = 0
        cases = []
        for part in parts:
            cases.append(f"WHEN filename = {_lit(part)} THEN {offset}")
            found = con.execute(f"SELECT count(*) FROM {_read([part])}").fetchone()
            offset += int(found[0]) if found else 0
        row = f"(CASE {' '.join(cases)} END + file_row_number + 1)"

    con.begin()
    try:
        inserted = 0
        if columns:
            names = ", ".join(_q(c) for c in columns)
            values = ", ".join(f"{v.value} AS {_q(c)}" for c, v in columns.items())
            found = con.execute(
                f"INSERT INTO {_q(t.name)} ({names}) "
                f"SELECT {values} FROM {source} WHERE NOT ({blank})"
            ).fetchone()
            inserted = int(found[0]) if found else 0
        findings = []
        if _may_flag(con, t, columns):
            findings = _findings(con, t, columns, _read(parts, rows=True), row, blank, lang)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    load = TableLoad(
        table=t.name,
        ledger=t.ledger.value,
        path=path.name,
        format="parquet",
        encoding=None,
        rows=inserted,
        columns=tuple((c, headers[positions[c]]) for c in t.column_names if c in positions),
        missing_columns=tuple(c for c in t.column_names if c not in positions),
        extra_columns=tuple(extras),
    )
    findings.extend(column_missing(t, path.name, load.missing_columns, lang))
    return load, findings


def _may_flag(con: duckdb.DuckDBPyConnection, t: Table, columns: dict[str, _Column]) -> bool:
    """Whether any row can have a finding: an unreadable text among a column's distinct
    ones, or an empty key in the rows just inserted (a key's value is NULL exactly when its
    cell is empty, once every text of the column parses)."""
    if any(c.unreadable for c in columns.values()):
        return True
    keys = " OR ".join(f"{_q(k)} IS NULL" for k in t.key)
    found = con.execute(f"SELECT count(*) FROM {_q(t.name)} WHERE {keys}").fetchone()
    return bool(found and found[0])


def _village_sql(t: Table, columns: dict[str, _Column]) -> str:
    """As the loader's `_village_expr`, over the canonical values."""

    def value(name: str) -> str:
        return columns[name].value if name in columns else "NULL::VARCHAR"

    names = t.column_names
    if "village_code" in names:
        return value("village_code")
    if "unit_code" in names:
        return f"substr({value('unit_code')}, 1, 12)"
    if "point_code" in names:
        return value("point_code")
    return "NULL::VARCHAR"


def _findings(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    columns: dict[str, _Column],
    source: str,
    row: str,
    blank: str,
    lang: str,
) -> list[Finding]:
    """key-missing and cell-invalid findings: only the flagged rows leave DuckDB."""
    keys = list(t.key)
    checked = [c for c in t.column_names if c in columns and columns[c].checked]
    none = _Column("NULL::VARCHAR", "NULL::VARCHAR", "true", False)
    key_text = {k: columns.get(k, none).text for k in keys}
    invalid = {c: f"(NOT {columns[c].empty} AND {columns[c].value} IS NULL)" for c in checked}
    flagged = " OR ".join([*(columns.get(k, none).empty for k in keys), *invalid.values()])
    select = [
        f"{row} AS {_q(_ROW)}",
        *(
            f"coalesce(CAST({columns.get(k, none).value} AS VARCHAR), {key_text[k]}) "
            f"AS {_q('__key_' + k)}"
            for k in keys
        ),
        f"{_village_sql(t, columns)} AS __village",
        *(f"{key_text[k]} AS {_q('__keytxt_' + k)}" for k in keys),
        *(f"{invalid[c]} AS {_q('__bad_' + c)}" for c in checked),
        *(f"{columns[c].text} AS {_q('__raw_' + c)}" for c in checked),
    ]
    cur = con.execute(
        f"SELECT {', '.join(select)} FROM {source} WHERE ({flagged}) AND NOT ({blank}) "
        f"ORDER BY {_q(_ROW)}"
    )
    names = [d[0] for d in cur.description]
    rows = (dict(zip(names, r, strict=True)) for r in cur.fetchall())
    return word_cell_findings(t, rows, checked, (), lang)
