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
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from audit.core.exitcodes import AuditError
from audit.core.messages import message

FORMATS: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx", ".xls": "xls", ".parquet": "parquet"}
WORKBOOK_FORMATS = (".xlsx", ".xls")  # read by calamine (fastexcel): old .xls like .xlsx

_BOM = codecs.BOM_UTF8
_NON_ASCII = re.compile(rb"[\x80-\xff]")
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
    # CSV rows with fewer fields than the header: (data row, fields found)
    short_rows: tuple[tuple[int, int], ...] = ()
    sheet: int | str | None = None  # XLSX: the worksheet read (index or name)


def positional(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def read_table_file(
    path: Path,
    *,
    lang: str = "zh",
    is_header: HeaderTest | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read one table file (of a workbook: the first sheet, or `sheet`). `is_header`
    recognises the header row below any title rows. A folder is a table exported as
    Parquet parts (``women/part-0000.parquet``, ...)."""
    fmt = "parquet" if path.is_dir() else FORMATS[path.suffix.lower()]
    try:
        if fmt == "csv":
            return read_csv_file(path, lang=lang, is_header=is_header)
        if fmt in ("xlsx", "xls"):
            return read_xlsx_file(path, lang=lang, is_header=is_header, sheet=sheet)
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


def _utf8_error_offset(data: bytes, start: int) -> int | None:
    """Offset in `data` of the first byte that is not UTF-8, or None when all of it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for pos in [*range(start, len(data), _CHUNK), len(data)]:
        pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
        try:
            decoder.decode(data[pos : pos + _CHUNK], final=pos >= len(data))
        except UnicodeDecodeError as e:
            # e.start counts from the pending bytes, which precede this chunk in the file.
            return pos - pending + e.start
    return None


def detect_encoding(data: bytes, name: str, *, lang: str = "zh") -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' for these bytes; AuditError if none decodes them.

    When neither decodes the file, the error names the line where the decoding that got
    further stopped: a UTF-8 file with one line pasted in GBK, or cut inside a character,
    is reported at that line, not at the first Chinese character GB18030 rejects.
    """
    encoding = "utf-8-sig" if data.startswith(_BOM) else "utf-8"
    start = len(_BOM) if encoding == "utf-8-sig" else 0
    bad = _utf8_error_offset(data, start)
    if bad is None:
        return encoding
    utf8_line = _line_of(data, bad)
    first_text = _NON_ASCII.search(data, start)
    # A BOM promises UTF-8; so do whole lines of Chinese that are valid UTF-8 before the bad
    # one (GB18030 text is almost never valid UTF-8 for a whole line). Decoding such a file
    # as GB18030 would garble every name silently.
    if encoding == "utf-8-sig" or (first_text and _line_of(data, first_text.start()) < utf8_line):
        raise AuditError(message("error-undecodable-utf8", lang, file=name, line=utf8_line))
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as e:
        gb_line = _line_of(data, e.start)
        if utf8_line > gb_line:
            raise AuditError(
                message("error-undecodable-utf8", lang, file=name, line=utf8_line)
            ) from None
        raise AuditError(message("error-undecodable", lang, file=name, line=gb_line)) from None
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


class _QuoteNeverClosed(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _CsvSyntax(Exception):
    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        self.detail = detail


def _records(text: str | io.TextIOBase, *, strict: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each CSV record; `_QuoteNeverClosed` for a runaway quote.

    The csv module reads a quote that is never closed as one field running to the end of
    the file and stops at its field-size limit (or, `strict`, at the end of the data); the
    record's first line is where it opened.
    """
    stream = io.StringIO(text) if isinstance(text, str) else text
    reader = csv.reader(stream, strict=strict)
    while True:
        first = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            if "field larger" in str(e) or "end of data" in str(e):
                raise _QuoteNeverClosed(first) from None
            raise _CsvSyntax(reader.line_num, str(e)) from None
        yield first, record


def _ragged_line(text: str, n_fields: int, header_row: int) -> tuple[int, int] | None:
    """(line, field count) of the first record with more fields than the header (error path)."""
    for i, (line, record) in enumerate(_records(text, strict=True)):
        if i > header_row and len(record) > n_fields:
            return line, len(record)
    return None


def _bare_cr_to_lf(data: bytes) -> bytes:
    """Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)", old Mac text) → LF."""
    cr = data.count(b"\r")
    if cr and cr > data.count(b"\r\n") and cr > data.count(b"\n"):
        return re.sub(rb"\r(?!\n)", b"\n", data)
    return data


def short_records(data: bytes, n_fields: int, header_row: int) -> tuple[tuple[int, int], ...]:
    """(data row, fields) of every record with fewer fields than the header.

    Blank lines are no records and are not reported (the loader skips them too). Without
    quotes in the file a line is a record and the fields are counted by polars over all
    lines at once; with quotes (a separator or line break inside a cell) the csv module
    reads the records.
    """
    if n_fields <= 1:
        return ()
    if b'"' not in data:
        lines = pl.Series("line", [data.decode("utf-8")]).str.split("\n").explode()
        lines = lines.str.strip_chars_end("\r").slice(header_row + 1)
        frame = pl.DataFrame({"line": lines}).with_row_index("row", offset=1)
        counts = frame.filter(pl.col("line") != "").select(
            "row", (pl.col("line").str.count_matches(",", literal=True) + 1).alias("fields")
        )
        short = counts.filter(pl.col("fields") < n_fields)
        return tuple((int(r), int(f)) for r, f in short.iter_rows())
    out = []
    for i, (_line, record) in enumerate(_records(data.decode("utf-8"))):
        if i > header_row and record and 0 < len(record) < n_fields:
            out.append((i - header_row, len(record)))
    return tuple(out)


def _top_records(data: bytes) -> list[tuple[str, ...]]:
    """The first records, parsed by the csv module so headers stay exactly as written.

    Read from a stream, as far as the records go: a header of any width is read whole.
    """
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", newline="")
    return [tuple(r) for _line, r in itertools.islice(_records(stream), HEADER_SCAN_ROWS)]


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
    data = _bare_cr_to_lf(data)
    try:
        top_rows = _top_records(data)
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
        short = short_records(data, len(headers), header_row)
    except _QuoteNeverClosed as q:
        raise AuditError(message("error-csv-quote", lang, file=name, line=q.line)) from None
    except _CsvSyntax as c:
        detail = f"line {c.line}: {c.detail}"
        raise AuditError(message("error-csv", lang, file=name, detail=detail)) from None
    return RawTable(path, "csv", encoding, headers, frame, short_rows=short)


# --- XLSX --------------------------------------------------------------------------------------


def read_xlsx_file(
    path: Path,
    *,
    lang: str = "zh",
    is_header: HeaderTest | None = None,
    sheet: str | None = None,
) -> RawTable:
    """The first sheet, or `sheet`, of an .xlsx or .xls workbook. Cells keep their Excel
    types; a column mixing types arrives as text."""
    import fastexcel  # polars' calamine engine; used directly to see the headers as written

    name = path.name
    quiet = logging.getLogger("fastexcel")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "falling back to string" notes on empty columns are noise
    try:
        reader = fastexcel.read_excel(path)
        if not reader.sheet_names:
            raise AuditError(message("error-empty-file", lang, file=name))
        which: int | str = 0 if sheet is None else sheet
        top = reader.load_sheet(which, header_row=None, n_rows=HEADER_SCAN_ROWS, dtypes="string")
        top_rows = [tuple(_header_text(v) for v in row) for row in top.to_polars().iter_rows()]
        if not top_rows or not any(any(cells) for cells in top_rows):
            raise AuditError(message("error-empty-file", lang, file=name))
        header_row = _find_header_row(top_rows, is_header)
        loaded = reader.load_sheet(
            which, header_row=header_row, schema_sample_rows=None, dtype_coercion="coerce"
        )
        frame = loaded.to_polars()
    except AuditError:
        raise
    except Exception as e:  # fastexcel raises its own exception types for every kind of damage
        raise AuditError(message("error-xlsx", lang, file=name, detail=_first_line(e))) from None
    finally:
        quiet.setLevel(level)
    headers = list(top_rows[header_row])
    headers += [""] * (frame.width - len(headers))
    frame.columns = positional(frame.width)
    fmt = FORMATS[path.suffix.lower()]
    return RawTable(path, fmt, None, tuple(headers[: frame.width]), frame, sheet=which)


# A number Excel shows for an 18-digit ID typed into a number cell: 15 significant digits.
LOST_DIGITS = r"^\d{15}0{3}$"


def xlsx_number_rows(raw: RawTable, position: int) -> frozenset[int]:
    """Data rows (1 = first below the header) whose cell in column `position` is a number.

    fastexcel gives a column that mixes number and text cells as text, so an ID typed as
    a number (its last digits lost) looks like any other ID. openpyxl knows each cell's
    type; the rows are found below the header row, matched by its texts.
    """
    import openpyxl

    wanted = [h for h in raw.headers if h]
    wb = openpyxl.load_workbook(raw.path, read_only=True, data_only=True)
    try:
        ws = wb[raw.sheet] if isinstance(raw.sheet, str) else wb.worksheets[raw.sheet or 0]
        header_at: int | None = None
        column: int | None = None
        rows: set[int] = set()
        for n, cells in enumerate(ws.iter_rows(), start=1):
            if header_at is None:
                texts = [_header_text(getattr(c, "value", None)) for c in cells]
                if [t for t in texts if t] == wanted:
                    header_at = n
                    column = [i for i, t in enumerate(texts) if t][
                        sum(1 for h in raw.headers[:position] if h)
                    ]
                elif n > 1000:
                    break
                continue
            cell = cells[column] if column is not None and column < len(cells) else None
            value = getattr(cell, "value", None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                rows.add(n - header_at)
        return frozenset(rows)
    finally:
        wb.close()


def _header_text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- Parquet -----------------------------------------------------------------------------------


def read_parquet_file(path: Path, *, lang: str = "zh") -> RawTable:
    name = path.name
    try:
        # A folder of parts reads as one table, parts in name order (row numbers follow it).
        parts = sorted(p for p in path.glob("*.parquet")) if path.is_dir() else path
        frame = pl.read_parquet(parts)
    except Exception as e:  # polars/arrow raise several types for a damaged file
        raise AuditError(message("error-parquet", lang, file=name, detail=_first_line(e))) from None
    headers = tuple(frame.columns)
    frame.columns = positional(len(headers))
    return RawTable(path, "parquet", None, headers, frame)
