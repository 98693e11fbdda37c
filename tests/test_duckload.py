"""Parquet and CSV read by DuckDB itself: the same rows, TableLoad and findings as the
loader's path.

Each test loads one crafted submission twice — once through the loader's own polars
path, once as `load_submission` does (DuckDB reading clean Parquet and CSV) — and
compares everything, row order included. Files the DuckDB path must not take are
checked to fall back, with the loader's findings (or its error) unchanged.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.io import duckload
from audit.io.duckload import WHITESPACE, connect, load_native
from audit.io.loader import _insert, read_submission
from audit.io.schema import create_tables
from tests.fixtures.loader import W1, W2, W3, WX, write_canonical
from tests.helpers import VILLAGE_A, VILLAGE_B


@pytest.fixture(autouse=True)
def _small_csv_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crafted CSV files are tiny; DuckDB's path is tried on them all the same."""
    monkeypatch.setattr(duckload, "MIN_CSV_BYTES", 0)


def _load(folder: Path, *, native: bool) -> tuple[Any, ...]:
    con = duckdb.connect()
    create_tables(con)
    taken: list[str] = []

    def straight(t: contract.Table, path: Path) -> Any:
        loaded = load_native(con, t, path, lang="en")
        if loaded is not None:
            taken.append(t.name)
        return loaded

    loads, findings, _ = read_submission(
        folder,
        lang="en",
        store=lambda t, frame: _insert(con, t, frame),
        native=straight if native else None,
    )
    rows = {t.name: con.execute(f'SELECT * FROM "{t.name}"').fetchall() for t in contract.TABLES}
    return loads, findings, rows, taken


def same_both_ways(folder: Path) -> tuple[Any, list[str]]:
    """Load both ways, assert every outcome is identical; the findings and the tables
    DuckDB read itself."""
    loads, findings, rows, _ = _load(folder, native=False)
    loads2, findings2, rows2, taken = _load(folder, native=True)
    assert loads2 == loads
    assert findings2 == findings
    assert rows2 == rows  # in file order
    return findings, taken


WOMEN: dict[str, Any] = {
    # padded with every kind of whitespace polars strips; an empty key; x-ended IDs
    "person_id": [f"\u3000{W1}\t", None, WX.lower(), " ", W2, None, "  "],
    # U+3000 followed by more: sorts above U+3000 itself, still stripped
    "name": [" 张秀英\u00a0", "李娜", "\u2003", None, "\u3000王芳", None, "\u3000\u3000"],
    "birth_date": [date(1990, 3, 4), None, date(1992, 5, 6), None, date(1995, 7, 9), None, None],
    "village_code": [VILLAGE_A, VILLAGE_B, f" {VILLAGE_A} ", None, VILLAGE_B, None, None],
    "group_no": pl.Series([3, 12, None, None, 7, None, None], dtype=pl.Int16),
    # codes: canonical, an alias in Chinese, upper case, padded, and two unreadable ones
    "marital_status": [" Married", "未婚", "widowed ", None, "engaged", None, None],
    "residence": ["resident", "外出", "RESIDENT", "", "\u3000常住 ", None, None],
    "method": ["iud", "none", "上环", None, "magic", None, None],
    "pregnant": [False, True, None, None, False, None, None],
    # dates as text: parsed by the loader's own rules, once per distinct text
    "marriage_date": ["2012-05-01", "2012年5月1日", " 20120501", None, "2012/2/30", None, None],
    "children": pl.Series([2, 0, 1, None, 3, None, None], dtype=pl.Int32),
    "notes": ["x", None, None, None, None, None, " "],  # not a contract column
    "illness": pl.Series([None] * 7, dtype=pl.Null),
}


def test_clean_parquet_loads_straight_with_the_loaders_findings(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    pl.DataFrame(WOMEN).write_parquet(tmp_path / "women.parquet")
    findings, taken = same_both_ways(tmp_path)
    assert "women" in taken
    women = [(f.check, f.record, f.message) for f in findings if f.table == "women"]
    # rows 4, 6 and 7 hold nothing but whitespace and NULLs: no records, not reported
    assert [(c, r) for c, r, _ in women] == [
        ("cell-invalid", W2),
        ("cell-invalid", W2),
        ("cell-invalid", W2),
        ("key-missing", "#2"),
        *[("column-missing", "")] * 3,
    ]
    assert [m.split(":")[0] for _, _, m in women[:3]] == [
        "marital_status",
        "marriage_date",
        "method",
    ]


def test_parts_of_a_folder_number_rows_across_parts(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    (tmp_path / "women").mkdir()
    frame = pl.DataFrame(WOMEN)
    frame.slice(0, 3).write_parquet(tmp_path / "women" / "part-0000.parquet")
    frame.slice(3).write_parquet(tmp_path / "women" / "part-0001.parquet")
    findings, taken = same_both_ways(tmp_path)
    assert "women" in taken
    assert [f.record for f in findings if f.check == "key-missing"] == ["#2"]
    # a key missing in the second part is numbered after the first part's rows
    frame.slice(0, 3).write_parquet(tmp_path / "women" / "part-0001.parquet")
    findings, _ = same_both_ways(tmp_path)
    assert [f.record for f in findings if f.check == "key-missing"] == ["#2", "#5"]


@pytest.mark.parametrize(
    "change",
    [
        # a sub-header row under the header: 出生 over 日期 is birth_date
        lambda f: pl.DataFrame(
            {
                "person_id": [None, W1],
                "name": [None, "张秀英"],
                "出生": ["日期", "1990-03-04"],
                "village_code": [None, VILLAGE_A],
            }
        ),
        # a total row at the bottom
        lambda f: f.cast(pl.String).vstack(
            pl.DataFrame({c: ["合计 3人" if c == "person_id" else None] for c in f.columns}).cast(
                pl.String
            )
        ),
        # an ID stored as a number: its last digits may be lost
        lambda f: f.with_columns(pl.Series("person_id", [float(W1)] * f.height)),
        # a time stamp with a time zone: which day it is depends on the zone
        lambda f: f.with_columns(pl.col("birth_date").cast(pl.Datetime("us", "Asia/Shanghai"))),
        # an unsigned integer (may not fit)
        lambda f: f.with_columns(pl.col("children").cast(pl.UInt64)),
    ],
    ids=["sub-header", "total-row", "float-id", "zoned-time", "unsigned"],
)
def test_files_only_the_loader_reads_as_the_contract_says_fall_back(
    tmp_path: Path, change: Any
) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    frame = pl.DataFrame(WOMEN).drop("illness", "notes")
    change(frame).write_parquet(tmp_path / "women.parquet")
    _, taken = same_both_ways(tmp_path)
    assert "women" not in taken


def test_whitespace_is_what_polars_strips() -> None:
    every = "".join(chr(c) for c in range(1, 0x3001) if not 0xD800 <= c < 0xE000)
    padded = pl.Series([f"{ch}a{ch}" for ch in every])
    stripped = {every[i] for i, v in enumerate(padded.str.strip_chars()) if v == "a"}
    assert stripped == set(WHITESPACE)


def test_an_empty_key_is_found_when_every_cell_reads(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    frame = pl.DataFrame(WOMEN).drop("marital_status", "method", "marriage_date")
    frame.write_parquet(tmp_path / "women.parquet")
    findings, taken = same_both_ways(tmp_path)
    assert "women" in taken
    assert [f.record for f in findings if f.check in ("key-missing", "cell-invalid")] == ["#2"]


def test_the_database_spills_to_its_own_folder_beyond_a_sixth_of_the_memory() -> None:
    con = connect()
    limit, spill = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone() or (None, None)
    con.close()
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    gib = float(str(limit).removesuffix(" GiB")) if str(limit).endswith("GiB") else None
    assert gib is not None and abs(gib * (1 << 30) - max(2 << 30, total // 6)) < 0.1 * (1 << 30)
    # DuckDB creates the folder only when it spills (and removes it on close)
    assert Path(str(spill)).name.startswith("fourcheck-duckdb-")
    assert not Path(str(spill)).exists()


# --- CSV -----------------------------------------------------------------------------------------

CSV_HEADER = (
    # Chinese aliases for some columns, canonical names for others; an extra column;
    # pregnancy_date missing
    "身份证号,姓名,birth_date,village_code,group_no,central_household,婚姻状况,marriage_date,"
    "residence,children,避孕方法,method_date,pregnant,备注"
)
CSV_ROWS = [
    f"\u3000{W1}\t, 张秀英\u00a0,1990-03-04,{VILLAGE_A},3,A-3-1, Married,2012年5月1日,"
    "resident,2,上环,2015-06-01,false,x",
    f",李娜,1995-07-09,{VILLAGE_B},12,,未婚,,外出,0,none,,true,",  # an empty key: #2
    ",,,,,,,,,,,,,",  # every cell empty: no record, still counted
    " ,\u3000,\u2003, ,,\u3000\u3000,,,,,,,,",  # only whitespace: no record either
    f"{WX.lower()},\u3000王芳,1992-05-06, {VILLAGE_A} ,7,\u3000\u3000,engaged,2012/2/30,"
    "RESIDENT,1,magic, 20150601 ,FALSE,",
    f"{W2},李娜,1995-7-9,{VILLAGE_B},x,B,widowed ,,常住,3,none,,是,",
]


def _women_csv(
    folder: Path,
    rows: list[str] = CSV_ROWS,
    *,
    header: str = CSV_HEADER,
    end: str = "\r\n",
    encoding: str = "utf-8",
) -> Path:
    write_canonical(folder)
    path = folder / "women.csv"
    path.write_bytes((end.join([header, *rows]) + end).encode(encoding))
    return path


def test_clean_csv_loads_straight_with_the_loaders_findings(tmp_path: Path) -> None:
    _women_csv(tmp_path)
    findings, taken = same_both_ways(tmp_path)
    # the canonical tables written by the test helpers are clean CSV too
    assert taken == [t.name for t in contract.TABLES]
    women = [(f.check, f.record, f.message.split(":")[0]) for f in findings if f.table == "women"]
    # rows 3 and 4 hold nothing but empty cells and whitespace: no records, not reported
    assert women == [
        ("cell-invalid", WX, "marital_status"),
        ("cell-invalid", WX, "marriage_date"),
        ("cell-invalid", WX, "method"),
        ("cell-invalid", W2, "group_no"),
        ("key-missing", "#2", "data row 2 (below the header)"),
        ("column-missing", "", "women.csv"),
    ]
    loads, _, rows, _ = _load(tmp_path, native=True)
    assert loads[0].extra_columns == ("备注",)
    assert [r[:2] for r in rows["women"]] == [
        (W1, "张秀英"),
        (None, "李娜"),
        (WX, "王芳"),  # the x upper-cased; U+3000 stripped
        (W2, "李娜"),
    ]


def test_a_byte_order_mark_and_a_file_without_records(tmp_path: Path) -> None:
    _women_csv(tmp_path, encoding="utf-8-sig")
    (tmp_path / "births.csv").write_bytes(
        b"\xef\xbb\xbf" + ",".join(contract.table("births").column_names).encode() + b"\n"
    )
    _, taken = same_both_ways(tmp_path)
    assert {"women", "births"} <= set(taken)
    loads, *_ = _load(tmp_path, native=True)
    women, births = loads[0], loads[1]
    assert (women.encoding, births.encoding, births.rows) == ("utf-8-sig", "utf-8-sig", 0)


def test_many_distinct_dates_are_read_by_a_cast_that_agrees_with_the_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckload, "MAX_DISTINCT", 1)  # every date column is beyond a map
    rows = [r for r in CSV_ROWS if "magic" not in r]  # codes beyond a map would fall back
    rows = [
        ",".join(c if i in (0, 1, 2, 3, 7) else "" for i, c in enumerate(r.split(",")))
        for r in rows
    ]
    _women_csv(tmp_path, rows)
    findings, taken = same_both_ways(tmp_path)
    assert "women" in taken
    assert [f.record for f in findings if f.check == "key-missing"] == ["#2"]
    # a date the cast reads otherwise (or not at all): the loader reads the file
    _women_csv(tmp_path, [*rows, f"{W3},王五,19880101,{VILLAGE_A},,,,,,,,,,"])
    _, taken = same_both_ways(tmp_path)
    assert "women" not in taken


def test_a_gb18030_file_is_read_from_a_utf8_copy_with_the_loaders_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GBK/GB18030, as Excel saves a Chinese CSV: transcoded a chunk at a time into a private
    copy that DuckDB reads; rows, TableLoad (encoding gb18030) and findings as the loader's."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    _women_csv(tmp_path / "t", encoding="gb18030")
    findings, taken = same_both_ways(tmp_path / "t")
    assert "women" in taken
    loads, _, rows, _ = _load(tmp_path / "t", native=True)
    assert loads[0].encoding == "gb18030" and loads[0].path == "women.csv"
    assert [r[1] for r in rows["women"]] == ["张秀英", "李娜", "王芳", "李娜"]
    assert [(f.check, f.record) for f in findings if f.table == "women"][-2:] == [
        ("key-missing", "#2"),
        ("column-missing", ""),
    ]
    assert list(temp.iterdir()) == []  # the copy's folder is gone


@pytest.mark.parametrize(
    "damage",
    [
        "utf8-lines-above",  # Chinese lines in UTF-8, then one in GBK: a damaged UTF-8 file
        "not-gb18030",  # bytes neither encoding reads: the loader names the line
        "gb18030-with-quote",  # GB18030 with a quote after a space: the loader's reading
    ],
)
def test_gb18030_files_the_loader_treats_otherwise_are_left_to_it(
    tmp_path: Path, damage: str
) -> None:
    path = _women_csv(tmp_path, encoding="gb18030")
    text = path.read_bytes()
    if damage == "utf8-lines-above":
        utf8 = _women_csv(tmp_path).read_bytes()
        lines = utf8.split(b"\r\n")
        text = b"\r\n".join([*lines[:6], text.split(b"\r\n")[6], *lines[7:]])
    elif damage == "not-gb18030":
        text = text.replace("李娜".encode("gb18030"), b"\x81\x20", 1)
    else:
        text = text.replace("张秀英".encode("gb18030"), '"张秀英"'.encode("gb18030"), 1)
    path.write_bytes(text)
    try:
        _, taken = same_both_ways(tmp_path)
    except AuditError as e:  # refused by the loader: refused the same way
        with pytest.raises(AuditError) as both:
            _load(tmp_path, native=True)
        assert str(both.value) == str(e)
        assert damage != "gb18030-with-quote"
        return
    assert "women" not in taken
    assert damage == "gb18030-with-quote"


# Cells quoted as spreadsheets write them: a comma and a doubled quote inside, an empty quoted
# cell, quoted header names, a quoted key padded with whitespace, every cell of a row quoted.
QUOTED_ROWS = [
    CSV_ROWS[0].replace(" 张秀英\u00a0", '"张秀英, 小名""英子"""').replace("A-3-1", '""'),
    f'"",李娜,1995-07-09,{VILLAGE_B},12,,未婚,,外出,0,none,,true,',
    ",,,,,,,,,,,,,",
    ",".join(f'"{c}"' for c in CSV_ROWS[4].split(",")),
    CSV_ROWS[5].replace(f"{W2},", f'" {W2}\t",'),
]
QUOTED_HEADER = CSV_HEADER.replace("身份证号,姓名", '"身份证号","姓名"')


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_cells_quoted_whole_on_one_line_load_straight(tmp_path: Path, encoding: str) -> None:
    _women_csv(tmp_path, QUOTED_ROWS, header=QUOTED_HEADER, encoding=encoding)
    findings, taken = same_both_ways(tmp_path)
    assert "women" in taken
    _, _, rows, _ = _load(tmp_path, native=True)
    assert [r[:2] for r in rows["women"]] == [
        (W1, '张秀英, 小名"英子"'),
        (None, "李娜"),  # a quoted empty key is an empty key
        (WX, "王芳"),
        (W2, "李娜"),
    ]
    assert [(f.check, f.record) for f in findings if f.check == "key-missing"] == [
        ("key-missing", "#2")
    ]


def test_a_quoted_line_across_two_chunks_is_checked_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is checked a few bytes at a time here: a stray quote in a line that starts in
    # one chunk and ends in the next still sends the file to the loader.
    monkeypatch.setattr(duckload, "_CHUNK", 7)
    _women_csv(tmp_path, QUOTED_ROWS, header=QUOTED_HEADER)
    assert "women" in same_both_ways(tmp_path)[1]
    # a space before a quote: text to polars, the cell inside the quotes to DuckDB
    _women_csv(tmp_path, [*QUOTED_ROWS[:-1], QUOTED_ROWS[-1].replace(",B,", ', "B",')])
    assert "women" not in same_both_ways(tmp_path)[1]


def _title(text: str) -> str:
    return "2026年10月 育龄妇女名册,,,,,,,,,,,,,\r\n" + text


@pytest.mark.parametrize(
    ("rows", "header", "end", "encoding"),
    [
        # a quoted cell after a space: text to polars, the cell inside the quotes to DuckDB
        (
            [CSV_ROWS[0].replace(" 张秀英\u00a0", ' "张秀英"'), *CSV_ROWS[1:]],
            CSV_HEADER,
            "\n",
            "utf-8",
        ),
        ([CSV_ROWS[0].replace("A-3-1", 'A"3'), *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),
        # quotes around a line break, before more text, never closed: not whole cells
        ([CSV_ROWS[0].replace("A-3-1", '"A\n3"'), *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),
        ([CSV_ROWS[0].replace("A-3-1", '"A-3"-1'), *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),
        ([CSV_ROWS[0].replace("A-3-1", '"A-3-1'), *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),
        ([CSV_ROWS[0], "", *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),  # a blank line
        (CSV_ROWS, _title(CSV_HEADER), "\r\n", "utf-8"),  # a title row above the header
        (CSV_ROWS, CSV_HEADER, "\r", "utf-8"),  # lines ended by CR alone
        ([*CSV_ROWS, "合计 3人,,,,,,,,,,,,,"], CSV_HEADER, "\n", "utf-8"),  # a total row
        ([*CSV_ROWS, "填表人：张三,,,,,,,,,,,,,"], CSV_HEADER, "\n", "utf-8"),  # a signature
        ([CSV_ROWS[0][:-3], *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),  # a short row
        (CSV_ROWS, CSV_HEADER.replace("备注", ""), "\n", "utf-8"),  # an unnamed column
        (CSV_ROWS, CSV_HEADER.replace(",婚姻状况", ",婚姻"), "\n", "utf-8"),  # sub-header
        ([CSV_ROWS[0] + ",y", *CSV_ROWS[1:]], CSV_HEADER, "\n", "utf-8"),  # a long row
        (CSV_ROWS, CSV_HEADER.replace("身份证号", "编号"), "\n", "utf-8"),  # no key column
        (CSV_ROWS, CSV_HEADER.replace("姓名", "身份证号"), "\n", "utf-8"),  # two key columns
    ],
    ids=[
        "quoted-cell",
        "stray-quote",
        "line-break-in-cell",
        "text-after-quote",
        "never-closed",
        "blank-line",
        "title-row",
        "cr-lines",
        "total-row",
        "signature-row",
        "short-row",
        "unnamed-column",
        "sub-header",
        "long-row",
        "no-key-column",
        "duplicate-column",
    ],
)
def test_csv_files_the_loader_reads_in_its_own_way_fall_back(
    tmp_path: Path, rows: list[str], header: str, end: str, encoding: str
) -> None:
    if ",婚姻," in header:  # 婚姻 over 状况: the row below the header completes it
        rows = [",,,,,,状况,,,,,,,", *CSV_ROWS]
    _women_csv(tmp_path, rows, header=header, end=end, encoding=encoding)
    try:
        _, taken = same_both_ways(tmp_path)
    except AuditError as e:  # a file the loader refuses: refused the same way
        with pytest.raises(AuditError) as both:
            _load(tmp_path, native=True)
        assert str(both.value) == str(e)
        return
    assert "women" not in taken


def test_a_small_csv_file_is_left_to_the_loader(tmp_path: Path) -> None:
    path = _women_csv(tmp_path)
    con = duckdb.connect()
    create_tables(con)
    women = contract.table("women")
    assert load_native(con, women, path) is not None
    duckload.MIN_CSV_BYTES = path.stat().st_size + 1  # restored by the autouse fixture
    assert load_native(con, women, path) is None
