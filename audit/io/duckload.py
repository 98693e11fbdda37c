"""Parquet and CSV straight into DuckDB: large submissions without a copy of every table
in Python.

Design decisions:

- The loader's rules stay the only rules. This path takes a Parquet table (a
  file or a folder of parts) or a CSV file only when every cell it holds is
  read exactly as the loader reads it. Parquet: text columns as text, dates
  as Parquet dates, integers as signed integers, booleans as booleans. CSV:
  UTF-8 (a byte-order mark or none) or GB18030, the header on the first line,
  quotes only around whole cells and never around a line break, no blank
  line, no line ended by CR alone, every row exactly as wide as the header
  (DuckDB's strict mode refuses any other). Both: no sub-header row, no total
  or signature rows at the bottom, no unnamed columns. Anything else — title
  rows, a quote inside or after a cell's text, short rows, a
  file the loader refuses, and any error DuckDB or polars raise on the way —
  leaves the table to the
  loader (`audit.io.loader`), which reads it whole as always and words every
  problem. Both paths give the same rows, the same `TableLoad` and the same
  findings; tests compare them on crafted files.
- GB18030 (GBK, GB2312: what Excel writes for a Chinese CSV) is decided by
  the loader's own rule and transcoded a chunk at a time into a UTF-8 copy
  in a private temporary folder, which DuckDB reads and which is removed
  right after: DuckDB's own encodings are an extension and not the loader's
  decoder, and the loader holds the file, its text and its UTF-8 bytes at
  once.
- Quotes: polars and DuckDB agree on cells quoted whole as RFC 4180 writes
  them (what a spreadsheet writes for a cell holding a comma or a quote, or
  for every cell), not at the edges (a quote inside a cell, a space before a
  quote, a line break inside a cell, which also makes a record two lines). So
  every line holding a quote must be a line of such cells (`_QUOTED_LINE`,
  matched by polars over the lines of each 4 MiB of the file that hold a
  quote); anything else goes to the loader.
- DuckDB reads the file itself (`read_parquet`, `read_csv` with every cell as
  text) and the canonical rows are one `INSERT … SELECT`: the file is
  streamed into the table, so peak memory is the table, not the table three
  times over (source frame, text frame, value frame) plus Arrow and, for CSV,
  the file's bytes.
- Cells are normalised in SQL only where SQL and polars provably agree:
  trimming uses the exact character set polars' `strip_chars` strips, and
  an ID's trailing x is upper-cased by the same regular expression. Values
  that need parsing (codes, periods, booleans, numbers or dates written as
  text) are parsed by the loader's own polars expressions over the column's
  distinct texts, found for every such column in one pass: up to a few
  thousand, SQL looks each cell up in that map; beyond (dates of birth in a
  CSV file), a plain DuckDB cast is used only if it gives the loader's value
  for every one of the distinct texts; otherwise the loader reads the file.
- Findings come from one query over the file returning only the rows with
  an empty key or an unreadable cell, numbered as the loader numbers them;
  the loader words them.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from audit.core.contract import Column, ColumnType, Table
from audit.core.exitcodes import AuditError
from audit.core.models import Finding, TableLoad
from audit.io.footer import MAX_FOOTER_ROWS, SIGNATURE_WORDS, TOTAL_WORDS, find_footer
from audit.io.headers import merge_sub_header
from audit.io.loader import (
    _ROW,
    ID_NUMBER_COLUMNS,
    _header_test,
    column_missing,
    map_headers,
    parse_expr,
    source_text,
    word_cell_findings,
)
from audit.io.readers import (
    _BOM,
    _NON_ASCII,
    RawTable,
    _binary_kind,
    _find_header_row,
    _top_records,
    positional,
)
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
# A column with more distinct texts (dates of birth in a CSV file) is read by a DuckDB cast
# checked against the loader's parse of every one of them; more than this, the loader reads it.
MAX_TEXTS = 200_000
# A smaller CSV file is read by the loader: it holds little to copy, and DuckDB's path costs a
# tenth of a second or more per table (planning, a map per column) where the loader's costs a
# few hundredths.
MIN_CSV_BYTES = 4 << 20
# The casts: each applies to a trimmed text, NULL when empty.
_CASTS = {ColumnType.DATE: "TRY_CAST({} AS DATE)", ColumnType.INT: "TRY_CAST({} AS BIGINT)"}

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


class _NotUtf8(_NotClean):
    """The file is not UTF-8 (without a byte-order mark): GB18030, or an error the loader
    words."""


@dataclass(frozen=True)
class _Column:
    """How one canonical column is read: its text (NULL when empty) and its value, in SQL."""

    text: str
    value: str
    empty: str  # the cell is empty (its text is NULL), cheaper than testing the text
    checked: bool  # a cell may be unreadable (cell-invalid)
    unreadable: bool = False  # some cell of the file is: one of its distinct texts does not parse


# `trim(x, WS)`: the whitespace as one string literal, control characters and all (it is
# repeated in every column's expressions; as 25 chr() calls it made planning the INSERT of
# a table with many columns cost more than running it on a small file).
_WS = "'" + WHITESPACE.replace("'", "''") + "'"


# DuckDB's own default lets it take 80% of the machine's memory before spilling; a 10M-woman
# audit then grows to 20 GB on a 24-GB machine shared with others. A sixth is enough for the
# largest township measured: at 10M women (tables 3.75 GB) a limit of 4 GB gave the same
# report in the same time as a quarter (105.7 s against 108.1 s) with a peak of 5.0 GB
# against 7.0 GB (docs/performance.md). Past it DuckDB spills to a private temporary folder.
MEMORY_SHARE = 1 / 6
MIN_MEMORY = 2 << 30


def connect(memory_limit: int | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database for one submission, with a memory limit (`memory_limit`
    bytes, else MEMORY_SHARE of the machine's memory) and a folder of its own to spill to
    (DuckDB creates it only when it spills and removes it when it closes)."""
    con = duckdb.connect(":memory:")
    if memory_limit is None:
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return con  # no figure for the machine's memory: DuckDB's own default
        memory_limit = max(MIN_MEMORY, int(total * MEMORY_SHARE))
    spill = Path(tempfile.gettempdir()) / f"fourcheck-duckdb-{os.getpid()}-{uuid.uuid4().hex}"
    con.execute(f"SET memory_limit = '{memory_limit >> 20}MiB'")
    con.execute(f"SET temp_directory = {_lit(spill)}")
    return con


def load_native(
    con: duckdb.DuckDBPyConnection, t: Table, path: Path, *, lang: str = "zh"
) -> tuple[TableLoad, list[Finding]] | None:
    """Load a clean Parquet or CSV table into `t`'s DuckDB table; None leaves it to the loader."""
    if path.is_file() and path.suffix.lower() == ".csv":
        return load_csv(con, t, path, lang=lang)
    return load_parquet(con, t, path, lang=lang)


def load_parquet(
    con: duckdb.DuckDBPyConnection, t: Table, path: Path, *, lang: str = "zh"
) -> tuple[TableLoad, list[Finding]] | None:
    """Load a clean Parquet table into `t`'s DuckDB table; None leaves it to the loader."""
    if not (path.is_dir() or path.suffix.lower() == ".parquet"):
        return None
    parts = sorted(p for p in path.glob("*.parquet")) if path.is_dir() else [path]
    if not parts:
        return None
    return _attempt(con, t, lambda: _parquet_source(con, path, parts), lang)


def load_csv(
    con: duckdb.DuckDBPyConnection, t: Table, path: Path, *, lang: str = "zh"
) -> tuple[TableLoad, list[Finding]] | None:
    """Load a clean CSV table into `t`'s DuckDB table; None leaves it to the loader."""
    if not (path.is_file() and path.suffix.lower() == ".csv"):
        return None
    if path.stat().st_size < MIN_CSV_BYTES:
        return None
    # A GB18030 file is read from a UTF-8 copy in a folder of its own, removed right after.
    with tempfile.TemporaryDirectory(prefix="fourcheck-csv-") as folder:
        return _attempt(con, t, lambda: _csv_source(t, path, Path(folder)), lang)


def _attempt(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    source: Callable[[], _Source],
    lang: str,
) -> tuple[TableLoad, list[Finding]] | None:
    variables: list[str] = []
    try:
        return _load(con, t, source(), variables, lang)
    except (_NotClean, duckdb.Error, pl.exceptions.PolarsError, OSError):
        return None
    finally:
        for v in variables:
            con.execute(f"RESET VARIABLE {v}")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row of a query, its result finished (DuckDB refuses other work on the
    connection, such as registering a frame, while a result is still open)."""
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1
    return tuple(rows[0])


def _lit(p: Path | str) -> str:
    return "'" + str(p).replace("'", "''") + "'"


@dataclass(frozen=True)
class _Source:
    """A table file as DuckDB reads it, and what the loader records of it."""

    path: Path
    format: str
    encoding: str | None
    headers: tuple[str, ...]  # as written in the file
    schema: list[tuple[str, pl.DataType, str]]  # per column: SQL name, polars type, DuckDB type
    head: pl.DataFrame  # the first data row (columns c0, c1, …): is it a sub-header?
    scan: str  # the data rows, as a table expression
    numbered: str  # the same with `__n`, the loader's row number (1 = first data row)


# --- Parquet -------------------------------------------------------------------------------------


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


def _parquet_source(con: duckdb.DuckDBPyConnection, path: Path, parts: Sequence[Path]) -> _Source:
    schema = _schema(con, parts)
    headers = tuple(name for name, _, _ in schema)
    scan = pl.scan_parquet(list(parts), hive_partitioning=False)
    head = scan.head(1).collect()
    head.columns = positional(len(headers))
    footer = find_footer(scan.tail(MAX_FOOTER_ROWS).collect())
    if footer.totals or footer.signatures:
        raise _NotClean  # total and signature rows are checked by the loader
    # Parts in name order, rows counted from 1 over all of them, as the loader numbers them.
    row = "(file_row_number + 1)"
    if len(parts) > 1:
        offset = 0
        cases = []
        for part in parts:
            cases.append(f"WHEN filename = {_lit(part)} THEN {offset}")
            offset += int(_one(con, f"SELECT count(*) FROM {_read([part])}")[0])
        row = f"(CASE {' '.join(cases)} END + file_row_number + 1)"
    numbered = f"(SELECT *, {row} AS __n FROM {_read(parts, rows=True)})"
    return _Source(path, "parquet", None, headers, schema, head, _read(parts), numbered)


# --- CSV -----------------------------------------------------------------------------------------

_CHUNK = 1 << 22  # the file is checked 4 MiB at a time
_EDGE = 1 << 16  # bytes read at the top (header, first row) and bottom (footer) of a file
_BARE_CR = re.compile(rb"\r(?!\n)")
# A line of fields as RFC 4180 quotes them, none running over a line: each cell plain (no
# quote) or wholly quoted ("" for a quote inside). Such a line is split alike by polars and
# DuckDB; anything else with a quote in it goes to the loader. Matched by polars (Rust's
# regex, linear time: a file with every cell quoted is checked at about 250 MB/s here).
_FIELD = r'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_QUOTED_LINE = rf"^{_FIELD}(?:,{_FIELD})*\r?$"
_FOOTER_WORDS = (*TOTAL_WORDS, *SIGNATURE_WORDS)


def _plain_csv_encoding(path: Path) -> str:
    """'utf-8-sig' or 'utf-8' for a file both readers split alike; `_NotClean` otherwise.

    Read once, a chunk at a time. Whatever the loader reads in its own way goes to it: not
    text (it says what the file is), not UTF-8 (GB18030, or an error naming the line), and
    lines `_LineChecks` refuses.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = _LineChecks()
    with path.open("rb") as f:
        chunk = f.read(_CHUNK)
        if _binary_kind(chunk) is not None:
            raise _NotClean
        encoding = "utf-8-sig" if chunk.startswith(_BOM) else "utf-8"
        if encoding == "utf-8-sig":
            chunk = chunk[len(_BOM) :]
        while chunk:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise (_NotClean if encoding == "utf-8-sig" else _NotUtf8) from None
            lines.feed(chunk)
            chunk = f.read(_CHUNK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _NotClean from None  # cut inside a character at the very end: the loader says so
    lines.close()
    return encoding


class _LineChecks:
    """The lines of a CSV file (UTF-8, fed a chunk at a time) as DuckDB may read them:
    `_NotClean` for a quote anywhere but around a whole cell within one line
    (`_QUOTED_LINE`: quoting rules differ at the edges, e.g. polars rejects a quote inside a
    cell that DuckDB accepts and reads a space before a quote as text, and a line break
    inside a cell would make a record two lines), a line ended by CR alone (rewritten by the
    loader), a blank line (a row for the loader, none for DuckDB: the rows below would be
    numbered differently)."""

    def __init__(self) -> None:
        self.carry = b"\n"  # the last two bytes fed: a blank first line is a blank line
        self.line = b""  # the start of a line the chunk before did not end

    def feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk
        cr = _BARE_CR.search(buf)
        if b"\n\n" in buf or b"\n\r\n" in buf or (cr and cr.end() < len(buf)):
            raise _NotClean
        self.line = _quotes_checked(self.line + chunk)
        self.carry = buf[-2:]

    def close(self) -> None:
        if self.carry.endswith(b"\r"):
            raise _NotClean
        _quotes_checked(self.line + b"\n")


def _quotes_checked(text: bytes) -> bytes:
    """`_NotClean` unless every whole line of `text` (UTF-8) that holds a quote is a
    `_QUOTED_LINE`; returns what follows the last line break (the next chunk goes on with
    it)."""
    end = text.rfind(b"\n") + 1
    start = text.find(b'"', 0, end)
    if start >= 0:
        start = text.rfind(b"\n", 0, start) + 1  # from the first line with a quote
        lines = pl.Series([text[start:end].decode("utf-8")]).str.split("\n").explode()
        quoted = lines.filter(lines.str.contains('"', literal=True))
        if not quoted.str.contains(_QUOTED_LINE).all():
            raise _NotClean
    return text[end:]


def _gb18030_as_utf8(path: Path, folder: Path) -> Path:
    """A UTF-8 copy of a file the loader reads as GB18030 (GBK and GB2312 included), written
    a chunk at a time into `folder` and checked as it is written (`_LineChecks`); `_NotClean`
    for any file the loader would refuse or read in its own way.

    The loader's rule (`audit.io.readers.detect_encoding`): not UTF-8, the first line that is
    not UTF-8 is the first line holding anything but ASCII (whole lines of valid UTF-8 Chinese
    above it make it a damaged UTF-8 file), and the whole file decodes as GB18030. Lines stay
    lines, so rows are numbered as the loader numbers them.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    gb18030 = codecs.getincrementaldecoder("gb18030")()
    target = folder / "gb18030-as-utf-8.csv"
    lines = 0  # newlines before the current chunk
    first_text_line: int | None = None
    bad_line: int | None = None
    checks = _LineChecks()
    with path.open("rb") as f, target.open("wb") as out:
        while chunk := f.read(_CHUNK):
            if first_text_line is None and (found := _NON_ASCII.search(chunk)):
                first_text_line = lines + chunk.count(b"\n", 0, found.start())
            if bad_line is None:
                pending = len(utf8.getstate()[0])  # bytes of a character begun in the last chunk
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as e:
                    bad_line = lines + chunk.count(b"\n", 0, max(0, e.start - pending))
            try:
                text = gb18030.decode(chunk).encode("utf-8")
            except UnicodeDecodeError:
                raise _NotClean from None
            checks.feed(text)
            out.write(text)
            lines += chunk.count(b"\n")
        try:
            text = gb18030.decode(b"", final=True).encode("utf-8")
        except UnicodeDecodeError:
            raise _NotClean from None
        checks.feed(text)
        out.write(text)
    checks.close()
    if bad_line is None or first_text_line != bad_line:
        raise _NotClean
    return target


def _read_csv(path: Path, width: int) -> str:
    """Every cell as text, fields split at commas only, every row exactly `width` fields."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({_lit(path)}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{columns}}}, strict_mode = true, "
        "null_padding = false, encoding = 'utf-8')"
    )


def _csv_source(t: Table, path: Path, folder: Path) -> _Source:
    """A CSV file with its header on the first line, quotes only around whole cells on one
    line, no blank lines, no footer
    (a GB18030 file: its UTF-8 copy in `folder`, tested the same way)."""
    source = path  # the file DuckDB reads; `path` is the one the loader names
    try:
        encoding = _plain_csv_encoding(path)
    except _NotUtf8:
        source = _gb18030_as_utf8(path, folder)
        encoding = "gb18030"
    bom = len(_BOM) if encoding == "utf-8-sig" else 0
    size = source.stat().st_size
    with source.open("rb") as f:
        top = f.read(_EDGE)[bom:]
    if top.count(b"\n") < 2 and size > _EDGE:
        raise _NotClean  # header and first row longer than what is read of the top
    try:
        records = _top_records(top)
    except Exception:  # the csv module's own complaints: the loader words them
        raise _NotClean from None
    if not records or _find_header_row(records, _header_test(t)) != 0:
        raise _NotClean  # title rows above the header: the loader finds the header row
    headers = records[0]
    names = positional(len(headers))
    first = records[1] if len(records) > 1 else None
    if first is not None and len(first) != len(headers):
        raise _NotClean
    head = pl.DataFrame(
        {n: [] if first is None else [first[i] or None] for i, n in enumerate(names)},
        schema={n: pl.String for n in names},
    )
    header_end = bom + top.index(b"\n") + 1 if b"\n" in top else size
    if _csv_footer_possible(source, header_end, size):
        raise _NotClean  # total and signature rows are checked by the loader
    scan = _read_csv(source, len(headers))
    schema: list[tuple[str, pl.DataType, str]] = [(n, pl.String(), "VARCHAR") for n in names]
    numbered = f"(SELECT row_number() OVER () AS __n, * FROM {scan})"
    return _Source(path, "csv", encoding, tuple(headers), schema, head, scan, numbered)


def _csv_footer_possible(path: Path, header_end: int, size: int) -> bool:
    """Whether a total or signature word appears in the last rows (folded as the footer
    test folds a cell): only then can there be a footer."""
    start = max(header_end, size - _EDGE)
    with path.open("rb") as f:
        f.seek(start)
        bottom = f.read()
    if start > header_end and bottom.count(b"\n") < MAX_FOOTER_ROWS + 1:
        return True  # rows too long to see the last ones whole here
    folded = re.sub(r"\s+", "", bottom.decode("utf-8", errors="ignore")).lower()
    return any(word in folded for word in _FOOTER_WORDS)


# --- cells ---------------------------------------------------------------------------------------


# Every whitespace character sorts (as UTF-8 bytes) below "!" or from U+0085 to U+3000:
# a byte comparison that is nearly free rules most cells out before any character is read.
# (A cell starting with U+3000 sorts above chr(12288) when more follows: the bound is U+3001.)
_MAY_START_BLANK = "({col} < '!' OR ({col} >= chr(133) AND {col} < chr(12289)))"
_STARTS_FILLED = "({col} >= '!' AND ({col} < chr(133) OR {col} >= chr(12289)))"


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


def _filled_sql(name: str, dtype: pl.DataType, duck: str) -> str:
    """True when the cell is not empty; almost every filled cell is told by its first byte,
    so a row's test usually ends at its first column (DuckDB evaluates an OR's next term
    only for the rows still undecided)."""
    if dtype == pl.String and duck == "VARCHAR":
        first = _STARTS_FILLED.format(col=_q(name))
        return f"({first} OR NOT {_empty_sql(name, dtype, duck)})"
    return f"NOT {_empty_sql(name, dtype, duck)}"


def _trimmed(col: str) -> str:
    """`strip_chars()` as polars does it; trim() with a character set is ten times slower
    than a look at the two ends, so only cells that start or end with whitespace get it."""
    first = _MAY_START_BLANK.format(col=col)
    ends = f"({first} AND contains({_WS}, left({col}, 1))) OR contains({_WS}, right({col}, 1))"
    return f"(CASE WHEN {ends} THEN trim({col}, {_WS}) ELSE {col} END)"


def _texted(column: Column, dtype: pl.DataType, duck: str) -> bool:
    """A column whose cells are text to parse (codes, periods, numbers, dates or flags)."""
    return dtype == pl.String and duck == "VARCHAR" and column.type is not ColumnType.TEXT


def _distinct_texts(
    con: duckdb.DuckDBPyConnection, source: str, names: Sequence[str]
) -> dict[str, list[str]]:
    """The distinct cells of each of these text columns, in one pass over the file."""
    if not names:
        return {}
    lists = ", ".join(f"list(DISTINCT {_q(n)}) FILTER (WHERE {_q(n)} IS NOT NULL)" for n in names)
    found = _one(con, f"SELECT {lists} FROM {source}")
    return {n: list(v or []) for n, v in zip(names, found, strict=True)}


def _mapped(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    column: Column,
    name: str,
    texts: list[str],
    variables: list[str],
) -> _Column:
    """A column whose text is parsed: the loader's own expressions over its distinct cells;
    then each cell is looked up in that map as it stands (no trimming per row), or, for a
    column with more distinct cells than a map holds (dates of birth), read by a DuckDB cast
    that gives the loader's value for every one of them."""
    if len(texts) > MAX_TEXTS:
        raise _NotClean
    col = _q(name)
    frame = pl.DataFrame({"c": texts}, schema={"c": pl.String})
    text = source_text("c", pl.String(), column.type)
    parsed = frame.with_columns(parse_expr(text, column).alias("v"))
    readable = parsed.drop_nulls("v")
    empty = _empty_sql(name, pl.String(), "VARCHAR")
    unreadable = readable.height < frame.select(text.is_not_null().sum()).item()
    trimmed = f"nullif({_trimmed(col)}, '')"
    if len(texts) <= MAX_DISTINCT:
        variable = f"fourcheck_load_{t.name}_{column.name}"
        con.execute(
            f"SET VARIABLE {variable} = MAP(?::VARCHAR[], ?::{SQL_TYPES[column.type]}[])",
            [readable.get_column("c").to_list(), readable.get_column("v").to_list()],
        )
        variables.append(variable)
        value = f"map_extract_value(getvariable('{variable}'), {col})"
        return _Column(trimmed, value, empty, True, unreadable)
    cast = _CASTS.get(column.type)
    if cast is None:
        raise _NotClean
    view = f"__fourcheck_texts_{t.name}_{column.name}"
    con.register(view, parsed.to_arrow())
    try:
        read = cast.format(f"nullif({_trimmed('c')}, '')")
        found = _one(con, f"SELECT count(*) FROM {_q(view)} WHERE {read} IS DISTINCT FROM v")
    finally:
        con.unregister(view)
    if found[0]:
        raise _NotClean  # some text DuckDB reads otherwise than the loader
    return _Column(trimmed, cast.format(trimmed), empty, True, unreadable)


def _column(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    column: Column,
    source_column: tuple[str, pl.DataType, str],
    texts: dict[str, list[str]],
    variables: list[str],
) -> _Column:
    name, dtype, duck = source_column
    ctype = column.type
    col = _q(name)
    if dtype == pl.Null:
        null = f"NULL::{SQL_TYPES[ctype]}"
        return _Column("NULL::VARCHAR", null, "true", ctype is not ColumnType.TEXT)
    if _texted(column, dtype, duck):
        return _mapped(con, t, column, name, texts[name], variables)
    if dtype == pl.String and duck == "VARCHAR":
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


# --- one table -----------------------------------------------------------------------------------


def _load(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    src: _Source,
    variables: list[str],
    lang: str,
) -> tuple[TableLoad, list[Finding]]:
    if any(not h.strip() for h in src.headers):
        raise _NotClean  # an unnamed column counts only when it holds values: the loader looks
    raw_head = RawTable(src.path, src.format, src.encoding, src.headers, src.head)
    if merge_sub_header(t, raw_head) is not raw_head:
        raise _NotClean  # a sub-header row: the loader folds it into the header
    try:
        positions, extras = map_headers(t, raw_head, lang=lang)
    except AuditError:
        raise _NotClean from None  # the loader words it, after reading the file as it does

    used = {c.name: src.schema[positions[c.name]] for c in t.columns if c.name in positions}
    texted = [s[0] for c, s in used.items() if _texted(t.column(c), s[1], s[2])]
    texts = _distinct_texts(con, src.scan, texted)
    columns = {c: _column(con, t, t.column(c), s, texts, variables) for c, s in used.items()}
    filled = " OR ".join(_filled_sql(n, d, k) for n, d, k in src.schema)  # a record

    con.begin()
    try:
        inserted = 0
        if columns:
            names = ", ".join(_q(c) for c in columns)
            values = ", ".join(f"{v.value} AS {_q(c)}" for c, v in columns.items())
            inserted = int(
                _one(
                    con,
                    f"INSERT INTO {_q(t.name)} ({names}) "
                    f"SELECT {values} FROM {src.scan} WHERE {filled}",
                )[0]
            )
        findings = []
        if _may_flag(con, t, columns):
            findings = _findings(con, t, columns, src.numbered, "__n", filled, lang)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    load = TableLoad(
        table=t.name,
        ledger=t.ledger.value,
        path=src.path.name,
        format=src.format,
        encoding=src.encoding,
        rows=inserted,
        columns=tuple((c, src.headers[positions[c]]) for c in t.column_names if c in positions),
        missing_columns=tuple(c for c in t.column_names if c not in positions),
        extra_columns=tuple(extras),
    )
    findings.extend(column_missing(t, src.path.name, load.missing_columns, lang))
    return load, findings


def _may_flag(con: duckdb.DuckDBPyConnection, t: Table, columns: dict[str, _Column]) -> bool:
    """Whether any row can have a finding: an unreadable text among a column's distinct
    ones, or an empty key in the rows just inserted (a key's value is NULL exactly when its
    cell is empty, once every text of the column parses)."""
    if any(c.unreadable for c in columns.values()):
        return True
    keys = " OR ".join(f"{_q(k)} IS NULL" for k in t.key)
    return bool(_one(con, f"SELECT count(*) FROM {_q(t.name)} WHERE {keys}")[0])


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
    filled: str,
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
        f"SELECT {', '.join(select)} FROM {source} WHERE ({flagged}) AND ({filled}) "
        f"ORDER BY {_q(_ROW)}"
    )
    names = [d[0] for d in cur.description]
    rows = (dict(zip(names, r, strict=True)) for r in cur.fetchall())
    return word_cell_findings(t, rows, checked, (), lang)
