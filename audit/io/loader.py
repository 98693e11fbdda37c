"""Loading a submission folder: files → polars → the nine canonical DuckDB tables.

Design decisions:

- Never lose a row silently. Every cell either arrives in its canonical type or
  is NULL with a `cell-invalid` finding naming the column and the raw value; a
  row with an empty primary key is kept and reported (`key-missing`, record
  `#<data row>`); a missing table or non-key column is a completeness finding.
  Rows whose every cell is empty (Excel's formatted-but-blank rows, blank CSV
  lines) are not records and are skipped; row numbers still count them, so
  `#n` is the n-th data row of the file as the officer sees it.
- Only what makes the audit impossible stops it (`AuditError`, exit 2): a path
  that is not a submission, two files for one table, an unreadable file, a
  table without its primary-key column, two headers for one column (which one
  is meant cannot be guessed), an invalid manifest.json.
- Township sheets often carry a title row above the header; the header row is
  the first of the top rows that names every key column.
- Every source type goes through one text form before parsing, so CSV text,
  Excel cells and Parquet columns obey the same rules: dates as YYYY-MM-DD,
  YYYY/M/D, YYYY.MM.DD, YYYY年M月D日, YYYYMMDD, Excel date cells and Excel
  serial day numbers (a numeric cell, or five digits in text: a date cell
  saved as General); only real calendar dates pass. Typed cells that are
  already canonical (Parquet dates, integers, booleans; Excel date cells) skip
  the text round trip.
- Vectorised: each column is normalised by polars expressions over the whole
  table (1,000,000 rows in seconds). Python touches single rows only to word
  findings for the few bad cells.
- The contract (audit.core.contract) is the only source of headers, code
  spellings and booleans, so a new alias is one line there.
- Read-only: files are opened for reading only; nothing is written into the
  submission folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from audit.core import contract
from audit.core.contract import ColumnType, Table
from audit.core.exitcodes import AuditError
from audit.core.messages import message
from audit.core.models import Category, Finding, Severity, TableLoad, sort_findings
from audit.core.period import normalise_period
from audit.io.footer import Footer, TotalRow, find_footer
from audit.io.headers import merge_sub_header
from audit.io.readers import LOST_DIGITS, RawTable, read_table_file, xlsx_number_rows
from audit.io.schema import create_tables
from audit.io.sources import MANIFEST, find_sources

# Columns holding a resident identity number: kept as written, a trailing x upper-cased.
ID_NUMBER_COLUMNS = frozenset({"person_id", "mother_id"})

POLARS_TYPES: dict[ColumnType, pl.DataType] = {
    ColumnType.TEXT: pl.String(),
    ColumnType.CODE: pl.String(),
    ColumnType.PERIOD: pl.String(),
    ColumnType.INT: pl.Int64(),
    ColumnType.DATE: pl.Date(),
    ColumnType.BOOL: pl.Boolean(),
}

_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (after the 1900 leap bug)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

# Dates: 2026-10-01, 2026/10/1, 2026.10.01, 2026年10月1日, optionally followed by a time.
_DATE_SEP = (
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"  # 20261001
_EXCEL_SERIAL = r"^\d{5}(?:\.\d+)?$"  # 46296: a date cell exported as General
# Periods: 2026-10, 2026/10, 2026.10, 2026年10月, 202610.
_PERIOD_SEP = r"^(\d{4})[-/.年](\d{1,2})月?$"
_PERIOD_COMPACT = r"^(\d{4})(\d{2})$"
_INT = r"^[+-]?\d+(?:\.0*)?$"  # "3.0" is how Excel hands over a whole number


@dataclass(frozen=True)
class Submission:
    path: Path
    con: duckdb.DuckDBPyConnection  # in-process DuckDB holding the nine canonical tables
    tables: tuple[TableLoad, ...]  # one per contract table, in contract order
    findings: tuple[Finding, ...]  # load findings, sorted
    manifest: dict[str, str]  # manifest.json content ({} when absent)

    def table(self, name: str) -> TableLoad:
        for t in self.tables:
            if t.table == name:
                return t
        raise KeyError(name)

    def digest(self, name: str) -> TableDigest:
        """Rows, filled cells per column and an order-independent checksum of a loaded table."""
        return table_digest(self.con, contract.table(name))


@dataclass(frozen=True)
class TableDigest:
    """What a canonical table holds, comparable across file formats, encodings and headers."""

    rows: int
    checksum: str  # md5 over the sorted md5s of the rows' canonical values (row order ignored)
    filled: dict[str, int]  # canonical column -> non-NULL cells


def table_digest(con: duckdb.DuckDBPyConnection, t: Table) -> TableDigest:
    # Each value is prefixed so that NULL ('n') and every text ('v...') stay distinct.
    parts = ", ".join(f"coalesce('v' || CAST(\"{c}\" AS VARCHAR), 'n')" for c in t.column_names)
    counts = ", ".join(f'count("{c}")' for c in t.column_names)
    row = con.execute(
        f"SELECT count(*), {counts}, "
        f"(SELECT md5(coalesce(string_agg(h, ',' ORDER BY h), '')) "
        f' FROM (SELECT md5(concat_ws(chr(31), {parts})) AS h FROM "{t.name}")) '
        f'FROM "{t.name}"'
    ).fetchone()
    assert row is not None
    filled = dict(zip(t.column_names, (int(v) for v in row[1:-1]), strict=True))
    return TableDigest(rows=int(row[0]), checksum=str(row[-1]), filled=filled)


def load_submission(path: Path, *, lang: str = "zh", memory_limit: int | None = None) -> Submission:
    """Read a submission folder into a fresh in-process DuckDB database (`memory_limit`: bytes
    it may hold before spilling to disk; None: `audit.io.duckload.connect`'s default)."""
    from audit.io.duckload import connect, load_native  # it builds on this module

    path = Path(path)
    con = connect(memory_limit)
    try:
        create_tables(con)

        loads, findings, manifest = read_submission(
            path,
            lang=lang,
            store=lambda t, frame: _insert(con, t, frame),
            native=lambda t, source: load_native(con, t, source, lang=lang),
        )
    except BaseException:
        con.close()
        raise
    return Submission(path, con, loads, findings, manifest)


def read_submission(
    path: Path,
    *,
    lang: str = "zh",
    store: Callable[[Table, pl.DataFrame], None],
    native: Callable[[Table, Path], tuple[TableLoad, list[Finding]] | None] | None = None,
) -> tuple[tuple[TableLoad, ...], tuple[Finding, ...], dict[str, str]]:
    """Read every table of a submission folder and hand each canonical frame to `store`.

    The engine decides where the rows go (DuckDB, Spark). `native`, when given, may
    load a table itself (Spark reading Parquet) and return its TableLoad and findings,
    or None to leave the file to the loader's own readers.
    """
    path = Path(path)
    files, others = find_sources(path, lang)
    manifest = read_manifest(path, lang=lang)
    loads: list[TableLoad] = []
    findings: list[Finding] = []
    for t in contract.TABLES:  # looked up at call time: the contract is the one source
        source = files.get(t.name)
        if source is None:
            loads.append(TableLoad(t.name, t.ledger.value, None, None, None, 0, ()))
            findings.append(_table_missing(t, others.get(t.name, []), lang))
            continue
        loaded = native(t, source.path) if native is not None and source.sheet is None else None
        if loaded is not None:
            loads.append(loaded[0])
            findings.extend(loaded[1])
            continue
        raw = read_table_file(source.path, lang=lang, is_header=_header_test(t), sheet=source.sheet)
        load, frame, table_findings = normalise_table(t, raw, lang=lang)
        if source.sheet is not None:
            load = replace(load, sheet=source.sheet)
        store(t, frame)
        loads.append(load)
        findings.extend(table_findings)
    return tuple(loads), sort_findings(findings), manifest


# --- the folder ----------------------------------------------------------------------------------


def read_manifest(folder: Path, *, lang: str = "zh") -> dict[str, str]:
    """manifest.json as a dict of strings ({} when absent); AuditError when it is invalid."""
    p = folder / MANIFEST
    if not p.is_file():
        return {}
    try:
        raw = p.read_bytes()
    except OSError as e:
        detail = e.strerror or type(e).__name__
        raise AuditError(message("error-unreadable", lang, file=MANIFEST, detail=detail)) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        detail = f"not UTF-8: {e.reason}"
        raise AuditError(message("error-manifest-json", lang, detail=detail)) from None
    except json.JSONDecodeError as e:
        detail = f"line {e.lineno} column {e.colno}: {e.msg}"
        raise AuditError(message("error-manifest-json", lang, detail=detail)) from None
    except RecursionError:  # arrays or objects nested thousands deep
        detail = "nested too deeply"
        raise AuditError(message("error-manifest-json", lang, detail=detail)) from None
    if not isinstance(data, dict):
        raise AuditError(message("error-manifest-object", lang, found=type(data).__name__))
    out: dict[str, str] = {}
    for key, value in data.items():
        if key in ("period", "township_code", "township_name"):
            if not isinstance(value, str):
                raise AuditError(
                    message("error-manifest-type", lang, key=key, found=json.dumps(value))
                )
        elif not isinstance(value, str):
            continue  # other keys are the township's own notes; only text is carried along
        out[key] = value.strip()
    if out.get("period"):
        period = _normalise_period_text(out["period"])
        try:
            out["period"] = normalise_period(period or "", "manifest.json period")
        except AuditError:
            raise AuditError(message("error-manifest-period", lang, value=out["period"])) from None
    code = out.get("township_code")
    if code and not (len(code) == 12 and code.isdigit()):
        raise AuditError(message("error-manifest-township", lang, value=code))
    return out


def _normalise_period_text(text: str) -> str | None:
    frame = pl.DataFrame({"p": [text]}, schema={"p": pl.String})
    return frame.select(_parse_period(pl.col("p").str.strip_chars())).item()


def _table_missing(t: Table, other_files: list[str], lang: str) -> Finding:
    if other_files:
        msg = message(
            "table-missing-other",
            lang,
            table=t.name,
            title=t.title_zh,
            found=", ".join(other_files),
        )
    else:
        msg = message("table-missing", lang, table=t.name, title=t.title_zh)
    return Finding(
        "table-missing",
        Category.COMPLETENESS,
        Severity.ERROR,
        (t.ledger.value,),
        t.name,
        "",
        None,
        msg,
    )


# --- headers -------------------------------------------------------------------------------------


def _expected_headers(t: Table, column: str, lang: str) -> str:
    c = t.column(column)
    if not c.aliases:
        return c.name
    return message("expected-headers", lang, column=c.name, aliases=", ".join(c.aliases))


def map_headers(t: Table, raw: RawTable, *, lang: str = "zh") -> tuple[dict[str, int], list[str]]:
    """Canonical column → position in the file, and the headers that map to nothing."""
    known = contract.header_map(t)
    positions: dict[str, int] = {}
    extras: list[str] = []
    for i, header in enumerate(raw.headers):
        canonical = known.get(contract.normalise_header(header))
        if canonical is None:
            if header.strip() or _has_values(raw.frame, f"c{i}"):
                extras.append(header if header.strip() else f"#{i + 1}")
            continue
        if canonical in positions:
            both = " / ".join((raw.headers[positions[canonical]], header))
            raise AuditError(
                message(
                    "error-duplicate-column",
                    lang,
                    file=raw.path.name,
                    headers=both,
                    column=canonical,
                )
            )
        positions[canonical] = i
    for key in t.key:
        if key not in positions:
            raise AuditError(
                message(
                    "error-no-key-column",
                    lang,
                    file=raw.path.name,
                    column=key,
                    expected=_expected_headers(t, key, lang),
                )
            )
    return positions, extras


def _header_test(t: Table) -> Callable[[Sequence[str]], bool]:
    """Recognises the header row of `t`: every key column is named in it."""
    known = contract.header_map(t)

    def is_header(cells: Sequence[str]) -> bool:
        found = {known.get(contract.normalise_header(c)) for c in cells}
        return all(k in found for k in t.key)

    return is_header


def _has_values(frame: pl.DataFrame, name: str) -> bool:
    return frame.height > 0 and frame.get_column(name).null_count() < frame.height


# --- cells: any source type → text → canonical type ----------------------------------------------


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    e = e.str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def _number_text(e: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A number as the text a person typed: 3.0 → "3", 340811101001.0 → "340811101001"."""
    if dtype.is_integer():
        return e.cast(pl.String)
    whole = e.is_finite() & (e == e.floor()) & (e.abs() < 9.2e18)
    return (
        pl.when(whole)
        .then(e.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(e.cast(pl.String))
    )


def _serial_to_date_text(e: pl.Expr) -> pl.Expr:
    """Excel serial day number (numeric cell) → 'YYYY-MM-DD'; YYYYMMDD numbers stay as text."""
    as_text = _number_text(e, pl.Float64())
    in_range = (e >= 1) & (e <= _EXCEL_MAX_SERIAL) & ~as_text.str.contains(r"^\d{8}$")
    serial = (pl.lit(_EXCEL_EPOCH) + pl.duration(days=e.floor().cast(pl.Int64))).dt.strftime(
        "%Y-%m-%d"
    )
    return pl.when(in_range).then(serial).otherwise(as_text)


def source_text(name: str, dtype: pl.DataType, ctype: ColumnType) -> pl.Expr:
    """The cell as trimmed text (NULL when empty), whatever type the file gave it."""
    e = pl.col(name)
    if dtype == pl.String:
        return _blank_to_null(e)
    if dtype == pl.Null:
        return e.cast(pl.String)
    if isinstance(dtype, pl.Datetime | pl.Date):
        fmt = "%Y-%m" if ctype is ColumnType.PERIOD else "%Y-%m-%d"
        return e.dt.strftime(fmt)
    if dtype.is_numeric():
        if isinstance(dtype, pl.Decimal):
            e, dtype = e.cast(pl.Float64), pl.Float64()
        if ctype is ColumnType.DATE:
            return _serial_to_date_text(e.cast(pl.Float64))
        return _number_text(e, dtype)
    if dtype == pl.Boolean:
        return e.cast(pl.String)  # "true" / "false", NULL stays NULL
    if dtype.is_nested() or dtype == pl.Object:  # an unmapped list column: filled or not
        return pl.when(e.is_not_null()).then(pl.lit(str(dtype))).otherwise(pl.lit(None, pl.String))
    return _blank_to_null(e.cast(pl.String, strict=False))


def _date_from_parts(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A real calendar date or NULL (2026-02-30 and 2026-13-45 are NULL)."""
    text = pl.format("{}-{}-{}", y.str.zfill(4), m.str.zfill(2), d.str.zfill(2))
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(y.cast(pl.Int32, strict=False) >= 1).then(parsed)


def _parse_date(t: pl.Expr) -> pl.Expr:
    sep = t.str.extract_groups(_DATE_SEP)
    compact = t.str.extract_groups(_DATE_COMPACT)
    serial = t.str.contains(_EXCEL_SERIAL)
    serial_days = t.str.extract(r"^(\d{5})", 1).cast(pl.Int64, strict=False)
    return pl.coalesce(
        _date_from_parts(sep.struct["1"], sep.struct["2"], sep.struct["3"]),
        _date_from_parts(compact.struct["1"], compact.struct["2"], compact.struct["3"]),
        pl.when(serial).then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial_days)),
    )


def _parse_period(t: pl.Expr) -> pl.Expr:
    sep = t.str.extract_groups(_PERIOD_SEP)
    compact = t.str.extract_groups(_PERIOD_COMPACT)
    year = pl.coalesce(sep.struct["1"], compact.struct["1"])
    month = pl.coalesce(sep.struct["2"], compact.struct["2"]).cast(pl.Int32, strict=False)
    ok = (month >= 1) & (month <= 12)
    return pl.when(ok).then(pl.format("{}-{}", year, month.cast(pl.String).str.zfill(2)))


def _parse_int(t: pl.Expr) -> pl.Expr:
    whole = t.str.replace(r"\.0*$", "").str.strip_prefix("+")
    return pl.when(t.str.contains(_INT)).then(whole.cast(pl.Int64, strict=False))


def _parse_bool(t: pl.Expr) -> pl.Expr:
    return t.str.to_lowercase().replace_strict(
        contract.bool_map(), default=None, return_dtype=pl.Boolean
    )


def _parse_code(t: pl.Expr, code_set: str) -> pl.Expr:
    return t.str.to_lowercase().replace_strict(
        contract.code_map(code_set), default=None, return_dtype=pl.String
    )


def parse_expr(t: pl.Expr, column: contract.Column) -> pl.Expr:
    """Canonical value of a text cell, NULL when it cannot be read."""
    ctype = column.type
    if ctype is ColumnType.DATE:
        return _parse_date(t)
    if ctype is ColumnType.PERIOD:
        return _parse_period(t)
    if ctype is ColumnType.INT:
        return _parse_int(t)
    if ctype is ColumnType.BOOL:
        return _parse_bool(t)
    if ctype is ColumnType.CODE:
        assert column.codes is not None
        return _parse_code(t, column.codes)
    if column.name in ID_NUMBER_COLUMNS:
        return t.str.replace(r"x$", "X")
    return t


def _direct_value(name: str, dtype: pl.DataType, ctype: ColumnType) -> pl.Expr | None:
    """The canonical value straight from a typed source cell (no text round trip), or None."""
    e = pl.col(name)
    if ctype is ColumnType.DATE and dtype == pl.Date:
        return e
    if ctype is ColumnType.DATE and isinstance(dtype, pl.Datetime):
        return e.dt.date()  # an Excel date cell; a time of day, if any, is not part of the date
    if ctype is ColumnType.INT and dtype.is_integer():
        return e.cast(pl.Int64, strict=False)  # a UInt64 beyond BIGINT becomes NULL: reported
    if ctype is ColumnType.BOOL and dtype == pl.Boolean:
        return e
    return None


# --- one table -----------------------------------------------------------------------------------

_ROW = "__row"


def _txt(name: str) -> str:
    return f"__txt_{name}"


def _src(name: str) -> str:
    return f"__src_{name}"


def _number_cells(raw: RawTable, position: int, col: str, lang: str) -> list[int]:
    """Rows of an XLSX text column whose cell is a number that lost digits (none usually).

    Only when some value looks like one (15 digits and 000, as Excel shows an 18-digit
    number) are the cell types read, so a register kept as text costs nothing more.
    """
    text = raw.frame.get_column(col)
    looks_lost = text.str.strip_chars().str.contains(LOST_DIGITS)
    if not looks_lost.any():
        return []
    if raw.format != "xlsx":  # .xls: no cell types beside calamine's; the digits must say it
        return [i + 1 for i, lost in enumerate(looks_lost.to_list()) if lost]
    try:
        return sorted(xlsx_number_rows(raw, position))
    except Exception as e:  # openpyxl is stricter than calamine about a damaged zip
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AuditError(message("error-xlsx", lang, file=raw.path.name, detail=detail)) from None


def _lost_digits_possible(dtype: pl.DataType, fmt: str) -> bool:
    """Numbers in Excel are doubles (15 significant digits), whatever type polars shows."""
    return dtype.is_float() or (fmt in ("xlsx", "xls") and dtype.is_numeric())


def normalise_table(
    t: Table, raw: RawTable, *, lang: str = "zh"
) -> tuple[TableLoad, pl.DataFrame, list[Finding]]:
    """Map headers and parse cells: the canonical frame (contract order), TableLoad, findings."""
    raw = merge_sub_header(t, raw)  # 避孕措施 over 方法 / 日期: one header per column
    positions, extras = map_headers(t, raw, lang=lang)
    for name, i in positions.items():  # lists and structs (Parquet) are no cell values
        dtype = raw.frame.schema[f"c{i}"]
        if dtype.is_nested() or dtype == pl.Object:
            raise AuditError(
                message(
                    "error-nested-column",
                    lang,
                    file=raw.path.name,
                    header=raw.headers[i],
                    column=name,
                    dtype=str(dtype),
                )
            )
    # Total and signature rows below the data are not records (a total row is checked).
    footer = find_footer(raw.frame)
    src = raw.frame.slice(0, footer.start)
    schema = src.schema
    blank = pl.all_horizontal(
        [source_text(c, schema[c], ColumnType.TEXT).is_null() for c in src.columns]
    )
    work = src.with_row_index(_ROW, offset=1).filter(~blank)

    text_exprs: list[pl.Expr] = [pl.col(_ROW)]
    value_exprs: list[pl.Expr] = [pl.col(_ROW)]
    checked: list[str] = []  # canonical columns whose cells may be invalid
    suspect_numbers: list[str] = []  # ID numbers that came as Excel floats (digits lost)
    for c in t.columns:
        if c.name not in positions:
            value_exprs.append(pl.lit(None, dtype=POLARS_TYPES[c.type]).alias(c.name))
            continue
        col = f"c{positions[c.name]}"
        dtype = schema[col]
        direct = _direct_value(col, dtype, c.type)
        if direct is not None:
            # The source column itself is kept beside its text so the value needs no parsing.
            text_exprs.append(source_text(col, dtype, c.type).alias(_txt(c.name)))
            text_exprs.append(direct.alias(_src(c.name)))
            value_exprs.append(pl.col(_src(c.name)).alias(c.name))
            if c.type is ColumnType.INT and dtype != pl.Int64:
                checked.append(c.name)
            continue
        text_exprs.append(source_text(col, dtype, c.type).alias(_txt(c.name)))
        value = parse_expr(pl.col(_txt(c.name)), c)
        if c.name in ID_NUMBER_COLUMNS and _lost_digits_possible(dtype, raw.format):
            # An 18-digit ID typed into a number cell has lost its last digits: no value is
            # better than a wrong one.
            value = pl.when(pl.col(_txt(c.name)).str.len_chars() < 16).then(value)
            suspect_numbers.append(c.name)
        elif c.name in ID_NUMBER_COLUMNS and raw.format in ("xlsx", "xls") and dtype == pl.String:
            # Number cells among text ones (the IDs ending in X stay text): the column
            # arrives as text, so the number cells are found by their cell type.
            numbers = _number_cells(raw, positions[c.name], col, lang)
            if numbers:
                lost = pl.col(_ROW).is_in(numbers) & (pl.col(_txt(c.name)).str.len_chars() >= 16)
                value = pl.when(~lost).then(value)
                suspect_numbers.append(c.name)
        value_exprs.append(value.alias(c.name))
        if c.type is not ColumnType.TEXT or c.name in suspect_numbers:
            checked.append(c.name)

    texts = work.select(text_exprs)
    values = texts.select(value_exprs)
    canonical = values.select(t.column_names)

    findings = _cell_findings(t, texts, values, checked, suspect_numbers, lang)
    findings += _short_row_findings(t, raw, values, len(raw.headers), footer.start, lang)
    findings += _total_findings(t, raw, footer, values, positions, lang)
    load = TableLoad(
        table=t.name,
        ledger=t.ledger.value,
        path=raw.path.name,
        format=raw.format,
        encoding=raw.encoding,
        rows=canonical.height,
        columns=tuple((c, raw.headers[positions[c]]) for c in t.column_names if c in positions),
        missing_columns=tuple(c for c in t.column_names if c not in positions),
        extra_columns=tuple(extras),
    )
    findings.extend(column_missing(t, raw.path.name, load.missing_columns, lang))
    return load, canonical, findings


def column_missing(t: Table, file_name: str, missing: Sequence[str], lang: str) -> list[Finding]:
    """One `column-missing` finding per contract column the file does not have."""
    return [
        Finding(
            "column-missing",
            Category.COMPLETENESS,
            Severity.WARNING,
            (t.ledger.value,),
            t.name,
            "",
            None,
            message(
                "column-missing",
                lang,
                file=file_name,
                column=column,
                expected=_expected_headers(t, column, lang),
            ),
        )
        for column in missing
    ]


def _village_expr(t: Table) -> pl.Expr:
    """Where a finding on a row of this table is sent (NULL when the table cannot say)."""
    names = t.column_names
    if "village_code" in names:
        return pl.col("village_code")
    if "unit_code" in names:  # stat_reports: township, village or "<village>-<group>"
        return pl.col("unit_code").str.slice(0, 12)
    if "point_code" in names:  # supply_stock: a village or a station
        return pl.col("point_code")
    return pl.lit(None, dtype=pl.String)


def _cell_findings(
    t: Table,
    texts: pl.DataFrame,
    values: pl.DataFrame,
    checked: Sequence[str],
    suspect_numbers: Sequence[str],
    lang: str,
) -> list[Finding]:
    """key-missing and cell-invalid findings; Python sees only the rows that have one."""
    keys = list(t.key)
    invalid = {c: pl.col(_txt(c)).is_not_null() & pl.col(c).is_null() for c in checked}
    key_empty = pl.any_horizontal([pl.col(_txt(k)).is_null() for k in keys])
    both = pl.concat([texts, values.drop(_ROW)], how="horizontal")
    flagged = pl.any_horizontal([key_empty, *invalid.values()])
    bad = both.filter(flagged).select(
        pl.col(_ROW),
        *(
            pl.coalesce(pl.col(k).cast(pl.String), pl.col(_txt(k))).alias(f"__key_{k}")
            for k in keys
        ),
        _village_expr(t).alias("__village"),
        *(pl.col(_txt(k)).alias(f"__keytxt_{k}") for k in keys),
        *(invalid[c].alias(f"__bad_{c}") for c in checked),
        *(pl.col(_txt(c)).alias(f"__raw_{c}") for c in checked),
    )
    return word_cell_findings(t, bad.iter_rows(named=True), checked, suspect_numbers, lang)


def word_cell_findings(
    t: Table,
    rows: Iterable[dict[str, Any]],
    checked: Sequence[str],
    suspect_numbers: Sequence[str],
    lang: str,
) -> list[Finding]:
    """The findings of the flagged rows, each a dict of `_ROW`, `__key_<key>` (the key as
    text), `__village`, `__keytxt_<key>` (the key's cell text, None when empty), and for
    each checked column `__bad_<column>` and `__raw_<column>` (its cell text)."""
    keys = list(t.key)
    ledgers = (t.ledger.value,)
    findings: list[Finding] = []
    for row in rows:
        village = row["__village"]
        empty_keys = [k for k in keys if row[f"__keytxt_{k}"] is None]
        if empty_keys:
            record = f"#{row[_ROW]}"
            findings.append(
                Finding(
                    "key-missing",
                    Category.COMPLETENESS,
                    Severity.ERROR,
                    ledgers,
                    t.name,
                    record,
                    village,
                    message("key-missing", lang, row=row[_ROW], columns=", ".join(empty_keys)),
                )
            )
        else:
            record = "|".join(str(row[f"__key_{k}"]) for k in keys)
        for c in checked:
            if row[f"__bad_{c}"]:
                findings.append(
                    Finding(
                        "cell-invalid",
                        Category.LOGIC,
                        Severity.ERROR,
                        ledgers,
                        t.name,
                        record,
                        village,
                        _invalid_message(t, c, row[f"__raw_{c}"], c in suspect_numbers, lang),
                    )
                )
    return findings


def _total_findings(
    t: Table,
    raw: RawTable,
    footer: Footer,
    values: pl.DataFrame,
    positions: dict[str, int],
    lang: str,
) -> list[Finding]:
    """total-row: a total row below the data that disagrees with the records above it."""
    findings = []

    def finding(total: TotalRow, key: str, **fields: object) -> Finding:
        return Finding(
            "total-row",
            Category.ARITHMETIC,
            Severity.ERROR,
            (t.ledger.value,),
            t.name,
            f"#{total.row}",
            None,
            message(key, lang, file=raw.path.name, row=total.row, text=total.text, **fields),
        )

    for total in footer.totals:
        stated = total.stated_count()
        if stated is not None and stated != values.height:
            findings.append(finding(total, "total-row-count", stated=stated, rows=values.height))
        for c in t.columns:
            if c.type is not ColumnType.INT or c.name not in positions:
                continue
            cell = total.cells[positions[c.name]]
            if cell is None or not re.fullmatch(_INT, cell):
                continue
            stated_sum = int(cell.split(".")[0])
            actual = sum(values.get_column(c.name).drop_nulls().to_list())
            if stated_sum != actual:
                findings.append(
                    finding(total, "total-row-sum", column=c.name, stated=stated_sum, sum=actual)
                )
    return findings


def _short_row_findings(
    t: Table, raw: RawTable, values: pl.DataFrame, n_fields: int, end: int, lang: str
) -> list[Finding]:
    """row-short: a CSV row with fewer fields than the header (its last cells were lost)."""
    short_rows = [(r, f) for r, f in raw.short_rows if r <= end]  # footer rows are no records
    if not short_rows:
        return []
    short = pl.DataFrame(
        {_ROW: [r for r, _ in short_rows], "__fields": [f for _, f in short_rows]},
        schema={_ROW: values.schema[_ROW], "__fields": pl.Int64},
    )
    rows = short.join(values, on=_ROW, how="left").with_columns(_village_expr(t).alias("__v"))
    findings = []
    for row in rows.iter_rows(named=True):
        keys = [row.get(k) for k in t.key]
        record = f"#{row[_ROW]}" if any(k is None for k in keys) else "|".join(map(str, keys))
        findings.append(
            Finding(
                "row-short",
                Category.COMPLETENESS,
                Severity.ERROR,
                (t.ledger.value,),
                t.name,
                record,
                row["__v"],
                message(
                    "row-short",
                    lang,
                    file=raw.path.name,
                    row=row[_ROW],
                    found=row["__fields"],
                    expected=n_fields,
                ),
            )
        )
    return findings


def _invalid_message(t: Table, column: str, value: Any, id_number: bool, lang: str) -> str:
    c = t.column(column)
    if id_number:
        return message("cell-invalid-id-number", lang, column=column, value=value)
    if c.type is ColumnType.CODE:
        assert c.codes is not None
        codes = ", ".join(contract.CODE_SETS[c.codes])
        return message("cell-invalid-code", lang, column=column, value=value, codes=codes)
    key = {
        ColumnType.DATE: "cell-invalid-date",
        ColumnType.PERIOD: "cell-invalid-period",
        ColumnType.INT: "cell-invalid-int",
        ColumnType.BOOL: "cell-invalid-bool",
    }[c.type]
    return message(key, lang, column=column, value=value)


# --- DuckDB --------------------------------------------------------------------------------------


def _insert(con: duckdb.DuckDBPyConnection, t: Table, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    view = f"__load_{t.name}"
    con.register(view, frame.to_arrow())
    try:
        cols = ", ".join(f'"{c}"' for c in t.column_names)
        con.execute(f'INSERT INTO "{t.name}" ({cols}) SELECT {cols} FROM "{view}"')
    finally:
        con.unregister(view)
