"""Reading one table file into a raw polars frame, without interpreting any cell.

The reader's only jobs are bytes → cells and the original headers. A raw
frame has positional column names (`c0`, `c1`, …) so that duplicate, empty
or odd headers in township files never collide; the headers themselves are
kept in `RawTable.headers` for the column mapping and for `audit inspect`.
CSV cells are all text (`infer_schema=False`); XLSX and Parquet keep their
cell types (real Excel date cells arrive as dates), and the loader turns
every type into the canonical one.

CSV encodings are detected, never guessed by a flag: a UTF-8 byte-order mark
means UTF-8 with BOM; otherwise bytes that decode as UTF-8 are UTF-8; otherwise
bytes that decode as GB18030 (a superset of GBK and GB2312) are GB18030;
anything else is an error naming the first undecodable line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from audit.core.exitcodes import AuditError
from audit.core.messages import message

FORMATS: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}

_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 22  # UTF-8 validation reads 4 MiB at a time: no full-size str for big files
HEADER_SCAN_ROWS = 10  # a header row is looked for among the first rows (below title rows)

HeaderTest = Callable[[Sequence[str]], bool]


@dataclass(frozen=True)
class RawTable:
    path: Path
    format: str  # "csv", "xlsx", "parquet"
    encoding: str | None  # CSV only: "utf-8", "utf-8-sig", "gb18030"
    headers: tuple[str, ...]  # original header of c0, c1, … (as written in the file)
    frame: pl.DataFrame  # columns c0, c1, …; one row per data row of the file


def positional(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def read_table_file(
    path: Path, *, lang: str = "zh", is_header: HeaderTest | None = None
) -> RawTable:
    """Read one table file. `is_header` recognises the header row below any title rows."""
    fmt = FORMATS[path.suffix.lower()]
    try:
        if fmt == "csv":
            return read_csv_file(path, lang=lang, is_header=is_header)
        if fmt == "xlsx":
            return read_xlsx_file(path, lang=lang, is_header=is_header)
        return read_parquet_file(path, lang=lang)
    except OSError as e:  # permissions, a file vanishing mid-read, a disk error
        detail = e.strerror or type(e).__name__
        raise AuditError(message("error-unreadable", lang, file=path.name, detail=detail)) from None


def _find_header_row(rows: Sequence[tuple[str, ...]], is_header: HeaderTest | None) -> int:
    """The first row `is_header` accepts among the top rows (title rows above it are skipped);
    the first row when none is accepted, so the error names what that row lacks."""
    if is_header is not None:
        for i, cells in enumerate(rows):
            if is_header(cells):
                return i
    return 0


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# --- CSV ---------------------------------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def detect_encoding(data: bytes, name: str, *, lang: str = "zh") -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' for these bytes; AuditError if none decodes them."""
    encoding = "utf-8-sig" if data.startswith(_BOM) else "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    start = len(_BOM) if encoding == "utf-8-sig" else 0
    try:
        for pos in range(start, len(data), _CHUNK):
            decoder.decode(data[pos : pos + _CHUNK])
        decoder.decode(b"", final=True)
        return encoding
    except UnicodeDecodeError as utf8_error:
        if encoding == "utf-8-sig":  # a BOM promises UTF-8: bad bytes after it are an error
            raise AuditError(
                message("error-undecodable", lang, file=name, line=_line_of(data, utf8_error.start))
            ) from None
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise AuditError(
            message("error-undecodable", lang, file=name, line=_line_of(data, e.start))
        ) from None
    return "gb18030"


def _binary_kind(data: bytes) -> str | None:
    """What a non-text file named .csv most likely is, or None if it looks like text."""
    if data.startswith(b"PK\x03\x04"):
        return "an Excel workbook (.xlsx) or another zip file"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel workbook (.xls)"
    if data.startswith(b"PAR1"):
        return "a Parquet file"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text"
    if b"\x00" in data[:65536]:
        return "binary data"
    return None


def _ragged_line(text: str, n_fields: int, header_row: int) -> tuple[int, int] | None:
    """(line, field count) of the first record with more fields than the header (error path)."""
    reader = csv.reader(io.StringIO(text))
    for record in itertools.islice(reader, header_row + 1, None):
        if len(record) > n_fields:
            return reader.line_num, len(record)
    return None


def read_csv_file(path: Path, *, lang: str = "zh", is_header: HeaderTest | None = None) -> RawTable:
    name = path.name
    data = path.read_bytes()
    kind = _binary_kind(data)
    if kind is not None:
        raise AuditError(message("error-binary-csv", lang, file=name, what=kind))
    encoding = detect_encoding(data, name, lang=lang)
    if encoding == "utf-8-sig":
        data = data[len(_BOM) :]
    elif encoding == "gb18030":
        data = data.decode("gb18030").encode("utf-8")
    if not data.strip():
        raise AuditError(message("error-empty-file", lang, file=name))
    # The header row is parsed here, by the csv module, so headers stay exactly as written.
    head = data[: 1 << 16].decode("utf-8", errors="ignore")
    top_rows = [tuple(r) for r in itertools.islice(csv.reader(io.StringIO(head)), HEADER_SCAN_ROWS)]
    header_row = _find_header_row(top_rows, is_header)
    headers = top_rows[header_row] if top_rows else ()
    if not headers:
        raise AuditError(message("error-empty-file", lang, file=name))
    try:
        frame = pl.read_csv(
            data,
            has_header=True,
            skip_rows=header_row,
            new_columns=positional(len(headers)),
            infer_schema=False,
            encoding="utf8",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as e:
        text = data.decode("utf-8", errors="replace")
        ragged = _ragged_line(text, len(headers), header_row)
        if ragged is not None:
            line, found = ragged
            raise AuditError(
                message(
                    "error-csv-ragged",
                    lang,
                    file=name,
                    line=line,
                    found=found,
                    expected=len(headers),
                )
            ) from None
        raise AuditError(message("error-csv", lang, file=name, detail=_first_line(e))) from None
    return RawTable(path, "csv", encoding, headers, frame)


# --- XLSX --------------------------------------------------------------------------------------


def read_xlsx_file(
    path: Path, *, lang: str = "zh", is_header: HeaderTest | None = None
) -> RawTable:
    """First sheet. Cells keep their Excel types; a column mixing types arrives as text."""
    import fastexcel  # polars' calamine engine; used directly to see the headers as written

    name = path.name
    quiet = logging.getLogger("fastexcel")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "falling back to string" notes on empty columns are noise
    try:
        reader = fastexcel.read_excel(path)
        if not reader.sheet_names:
            raise AuditError(message("error-empty-file", lang, file=name))
        top = reader.load_sheet(0, header_row=None, n_rows=HEADER_SCAN_ROWS, dtypes="string")
        top_rows = [tuple(_header_text(v) for v in row) for row in top.to_polars().iter_rows()]
        if not top_rows or not any(any(cells) for cells in top_rows):
            raise AuditError(message("error-empty-file", lang, file=name))
        header_row = _find_header_row(top_rows, is_header)
        sheet = reader.load_sheet(
            0, header_row=header_row, schema_sample_rows=None, dtype_coercion="coerce"
        )
        frame = sheet.to_polars()
    except AuditError:
        raise
    except Exception as e:  # fastexcel raises its own exception types for every kind of damage
        raise AuditError(message("error-xlsx", lang, file=name, detail=_first_line(e))) from None
    finally:
        quiet.setLevel(level)
    headers = list(top_rows[header_row])
    headers += [""] * (frame.width - len(headers))
    frame.columns = positional(frame.width)
    return RawTable(path, "xlsx", None, tuple(headers[: frame.width]), frame)


def _header_text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- Parquet -----------------------------------------------------------------------------------


def read_parquet_file(path: Path, *, lang: str = "zh") -> RawTable:
    name = path.name
    try:
        frame = pl.read_parquet(path)
    except Exception as e:  # polars/arrow raise several types for a damaged file
        raise AuditError(message("error-parquet", lang, file=name, detail=_first_line(e))) from None
    headers = tuple(frame.columns)
    frame.columns = positional(len(headers))
    return RawTable(path, "parquet", None, headers, frame)
