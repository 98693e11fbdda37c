"""Parquet read by DuckDB itself: the same rows, TableLoad and findings as the loader's path.

Each test loads one crafted submission twice — once through the loader's own polars
path, once as `load_submission` does (DuckDB reading clean Parquet) — and compares
everything, row order included. Files the DuckDB path must not take are checked to
fall back, with the loader's findings unchanged.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from audit.core import contract
from audit.io.duckload import WHITESPACE, connect, load_parquet
from audit.io.loader import _insert, read_submission
from audit.io.schema import create_tables
from tests.fixtures.loader import W1, W2, WX, write_canonical
from tests.helpers import VILLAGE_A, VILLAGE_B


def _load(folder: Path, *, native: bool) -> tuple[Any, ...]:
    con = duckdb.connect()
    create_tables(con)
    taken: list[str] = []

    def straight(t: contract.Table, path: Path) -> Any:
        loaded = load_parquet(con, t, path, lang="en")
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
    "name": [" 张秀英\u00a0", "李娜", "\u2003", None, "王芳", None, "\u3000"],
    "birth_date": [date(1990, 3, 4), None, date(1992, 5, 6), None, date(1995, 7, 9), None, None],
    "village_code": [VILLAGE_A, VILLAGE_B, f" {VILLAGE_A} ", None, VILLAGE_B, None, None],
    "group_no": pl.Series([3, 12, None, None, 7, None, None], dtype=pl.Int16),
    # codes: canonical, an alias in Chinese, upper case, padded, and two unreadable ones
    "marital_status": [" Married", "未婚", "widowed ", None, "engaged", None, None],
    "residence": ["resident", "外出", "RESIDENT", "", " 常住 ", None, None],
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
    assert taken == ["women"]  # the other tables are CSV: the loader's
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
    assert taken == ["women"]
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
    assert taken == []


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
    assert taken == ["women"]
    assert [f.record for f in findings if f.check in ("key-missing", "cell-invalid")] == ["#2"]


def test_the_database_spills_to_its_own_folder_beyond_a_quarter_of_the_memory() -> None:
    con = connect()
    limit, spill = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone() or (None, None)
    con.close()
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    gib = float(str(limit).removesuffix(" GiB")) if str(limit).endswith("GiB") else None
    assert gib is not None and abs(gib * (1 << 30) - max(2 << 30, total // 4)) < 0.1 * (1 << 30)
    # DuckDB creates the folder only when it spills (and removes it on close)
    assert Path(str(spill)).name.startswith("fourcheck-duckdb-")
    assert not Path(str(spill)).exists()
