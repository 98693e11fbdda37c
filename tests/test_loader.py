"""The submission loader: every load rule on crafted files, exact findings and exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.core.contract import TABLE_NAMES
from audit.core.exitcodes import AuditError
from audit.core.messages import CATALOGUE, message
from audit.core.models import Category, Finding, Severity
from audit.io.loader import Submission, load_submission
from tests.fixtures.loader import (
    CANONICAL,
    W1,
    W2,
    WX,
    chinese_header,
    expected_rows,
    file_hashes,
    write_canonical,
    write_chinese_gb18030,
    write_parquet_table,
    write_xlsx,
    write_xlsx_table,
)
from tests.helpers import TOWNSHIP, VILLAGE_A, VILLAGE_B, write_submission, write_table

runner = CliRunner()


def rows(sub: Submission, name: str) -> list[tuple[Any, ...]]:
    return sub.con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()


def findings_of(sub: Submission, check: str) -> list[Finding]:
    return [f for f in sub.findings if f.check == check]


def women_csv(folder: Path, text: str, encoding: str = "utf-8") -> Path:
    """A submission of the other eight canonical tables plus this women.csv text."""
    write_canonical(folder)
    (folder / "women.csv").write_bytes(text.encode(encoding))
    return folder


def cli_error(path: Path) -> str:
    """Run `audit inspect`, expect exit 2 with a one-line message and no traceback."""
    result = runner.invoke(app, ["inspect", str(path), "--lang", "en"])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("audit: ")
    return lines[0].removeprefix("audit: ")


def cell_invalid(table: str, record: str, village: str | None, msg: str) -> Finding:
    ledger = {"women": "statistics", "births": "statistics", "stat_reports": "statistics"}.get(
        table, "supply" if table.startswith("supply") else "technical"
    )
    return Finding(
        "cell-invalid", Category.LOGIC, Severity.ERROR, (ledger,), table, record, village, msg
    )


# --- formats and encodings: the same content whatever the form -------------------------------


def test_canonical_utf8_csv_loads_every_table_exactly(tmp_path: Path) -> None:
    sub = load_submission(write_canonical(tmp_path))
    assert sub.findings == ()
    assert [t.table for t in sub.tables] == list(TABLE_NAMES)
    for name in TABLE_NAMES:
        assert rows(sub, name) == expected_rows(name), name
    women = sub.table("women")
    assert (women.path, women.format, women.encoding, women.rows) == (
        "women.csv",
        "csv",
        "utf-8",
        len(CANONICAL["women"]),
    )
    assert women.columns[:3] == (
        ("person_id", "person_id"),
        ("name", "name"),
        ("birth_date", "birth_date"),
    )
    assert women.missing_columns == ()
    assert women.extra_columns == ()
    assert sub.manifest == {
        "period": "2026-10",
        "township_code": TOWNSHIP,
        "township_name": "测试镇",
    }


def test_gb18030_chinese_headers_and_codes_load_to_the_same_tables(tmp_path: Path) -> None:
    utf8 = load_submission(write_canonical(tmp_path / "utf8"))
    gb = load_submission(write_chinese_gb18030(tmp_path / "gb"))
    assert gb.findings == ()
    for name in TABLE_NAMES:
        assert rows(gb, name) == rows(utf8, name), name
        assert gb.table(name).encoding == "gb18030"
        assert gb.table(name).rows == utf8.table(name).rows
    women = gb.table("women")
    assert dict(women.columns)["person_id"] == chinese_header("women", "person_id") == "身份证号"
    assert dict(women.columns)["method"] == "避孕方法"
    # The clerk's lower-case x is upper-cased; Chinese codes became canonical codes.
    assert gb.con.execute("SELECT method FROM women WHERE person_id = ?", [WX]).fetchone() == (
        "condom",
    )
    assert gb.con.execute(
        "SELECT procedure FROM procedures WHERE procedure_id = 'P002'"
    ).fetchone() == ("vasectomy",)


def test_gb18030_with_a_bad_byte_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    good = b"person_id,name\n" + f"{W1},张三\n".encode("gb18030")
    (tmp_path / "women.csv").write_bytes(good + b"x,\xff\xfe\n")
    assert cli_error(tmp_path) == message("error-undecodable", "en", file="women.csv", line=3)


def test_utf8_with_bom(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    path = tmp_path / "women.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    sub = load_submission(tmp_path)
    women = sub.table("women")
    assert women.encoding == "utf-8-sig"
    assert women.columns[0] == ("person_id", "person_id")  # no BOM left in the header
    assert rows(sub, "women") == expected_rows("women")
    assert sub.findings == ()


def test_xlsx_with_title_row_real_date_cells_and_number_cells(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    for name in ("women", "births", "stat_reports", "checkups"):
        (tmp_path / f"{name}.csv").unlink()
        write_xlsx_table(tmp_path, name, title="某某镇育龄妇女花名册" if name == "women" else None)
    sub = load_submission(tmp_path)
    assert sub.findings == ()
    for name in ("women", "births", "stat_reports", "checkups"):
        assert sub.table(name).format == "xlsx"
        assert sub.table(name).encoding is None
        assert rows(sub, name) == expected_rows(name), name


def test_xlsx_mixed_cells_text_dates_serials_and_whole_numbers(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    write_xlsx(
        tmp_path / "women.xlsx",
        ["身份证号", "姓名", "出生日期", "村代码", "组", "现有子女数", "孕情"],
        [
            [W1, "甲", date(1990, 3, 4), VILLAGE_A, 3.0, "2", "否"],  # real date cell
            [W2, "乙", "1995/7/9", float(VILLAGE_B), "12.0", 0.0, False],  # text date
            [WX.lower(), "丙", 33730.0, VILLAGE_B, 2, 1, 1],  # serial number in a date column
            [None, None, None, None, None, None, None],  # an empty row: not a record
            ["", "丁", "2026-02-30", VILLAGE_A, 1.5, "abc", "maybe"],
        ],
    )
    sub = load_submission(tmp_path, lang="en")
    got = sub.con.execute(
        "SELECT person_id, birth_date, village_code, group_no, children, pregnant "
        "FROM women ORDER BY name"
    ).fetchall()
    assert got == [  # by name: 丁 丙 乙 甲
        (None, None, VILLAGE_A, None, None, None),
        (WX, date(1992, 5, 6), VILLAGE_B, 2, 1, True),
        (W2, date(1995, 7, 9), VILLAGE_B, 12, 0, False),
        (W1, date(1990, 3, 4), VILLAGE_A, 3, 2, False),
    ]
    # Row 5 of the data: the empty row 4 is skipped but still counted.
    assert [(f.check, f.record, f.message) for f in sub.findings if f.table == "women"][:5] == [
        (
            "cell-invalid",
            "#5",
            message("cell-invalid-date", "en", column="birth_date", value="2026-02-30"),
        ),
        ("cell-invalid", "#5", message("cell-invalid-int", "en", column="children", value="abc")),
        ("cell-invalid", "#5", message("cell-invalid-int", "en", column="group_no", value="1.5")),
        (
            "cell-invalid",
            "#5",
            message("cell-invalid-bool", "en", column="pregnant", value="maybe"),
        ),
        ("key-missing", "#5", message("key-missing", "en", row=5, columns="person_id")),
    ]


def test_parquet_with_native_types(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    for name in ("women", "migrants", "supply_stock"):
        (tmp_path / f"{name}.csv").unlink()
        write_parquet_table(tmp_path, name)
    sub = load_submission(tmp_path)
    assert sub.findings == ()
    for name in ("women", "migrants", "supply_stock"):
        assert sub.table(name).format == "parquet"
        assert rows(sub, name) == expected_rows(name), name


def test_parquet_empty_cells_of_any_type_are_missing_not_invalid(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "checkups.csv").unlink()
    pl.DataFrame(
        {
            "checkup_id": ["C1", "C2", None],
            "person_id": [W1, None, None],
            "checkup_date": [date(2026, 9, 1), None, None],
            "iud_present": [True, None, None],
            "pregnant": pl.Series([1, None, None], dtype=pl.UInt8),  # 1 = yes
            "illness": pl.Series([None, None, None], dtype=pl.Null),
            "village_code": pl.Series([int(VILLAGE_A), None, None], dtype=pl.Int64),
        }
    ).write_parquet(tmp_path / "checkups.parquet")
    sub = load_submission(tmp_path)
    assert [f for f in sub.findings if f.table == "checkups"] == []  # the empty row is skipped
    assert rows(sub, "checkups") == [
        ("C1", W1, date(2026, 9, 1), True, True, None, VILLAGE_A),
        ("C2", None, None, None, None, None, None),
    ]


def test_parquet_id_number_stored_as_float_is_invalid_not_rounded(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "supply_issues.csv").unlink()
    pl.DataFrame(
        {"issue_id": ["I9"], "person_id": [float(W1[:17] + "0")], "quantity": [3.0]}
    ).write_parquet(tmp_path / "supply_issues.parquet")
    sub = load_submission(tmp_path, lang="en")
    value = str(int(float(W1[:17] + "0")))
    assert findings_of(sub, "cell-invalid") == [
        Finding(
            "cell-invalid",
            Category.LOGIC,
            Severity.ERROR,
            ("supply",),
            "supply_issues",
            "I9",
            None,
            message("cell-invalid-id-number", "en", column="person_id", value=value),
        )
    ]
    assert rows(sub, "supply_issues") == [("I9", None, None, None, None, 3, None)]


# --- cells: dates, integers, booleans, codes, periods, text -----------------------------------


def test_date_forms_are_accepted_and_impossible_dates_are_cell_invalid(tmp_path: Path) -> None:
    women_csv(
        tmp_path,
        "person_id,birth_date,village_code\n"
        f"{W1},1990-03-04,{VILLAGE_A}\n"
        f"{W2},1995/07/09,{VILLAGE_B}\n"
        f"{WX},19920506,{VILLAGE_B}\n"
        f"A1,1990/3/4,{VILLAGE_A}\n"
        f"A2,2026-10-01 00:00:00,{VILLAGE_A}\n"
        f"A3,46296,{VILLAGE_A}\n"
        f"A4,2020年2月29日,{VILLAGE_A}\n"
        f"B1,2026-13-45,{VILLAGE_A}\n"
        f"B2,2026-02-30,{VILLAGE_B}\n"
        f"B3,20261301,{VILLAGE_B}\n"
        f"B4,soon,\n"
        f"B5,  ,{VILLAGE_A}\n",
    )
    sub = load_submission(tmp_path, lang="en")
    got = dict(sub.con.execute("SELECT person_id, birth_date FROM women").fetchall())
    assert got == {
        W1: date(1990, 3, 4),
        W2: date(1995, 7, 9),
        WX: date(1992, 5, 6),
        "A1": date(1990, 3, 4),
        "A2": date(2026, 10, 1),
        "A3": date(2026, 10, 1),
        "A4": date(2020, 2, 29),
        "B1": None,
        "B2": None,
        "B3": None,
        "B4": None,
        "B5": None,  # empty (blank) is missing, not invalid
    }

    def bad(record: str, village: str | None, value: str) -> Finding:
        msg = message("cell-invalid-date", "en", column="birth_date", value=value)
        return cell_invalid("women", record, village, msg)

    assert findings_of(sub, "cell-invalid") == [
        bad("B4", None, "soon"),
        bad("B1", VILLAGE_A, "2026-13-45"),
        bad("B2", VILLAGE_B, "2026-02-30"),
        bad("B3", VILLAGE_B, "20261301"),
    ]


def test_integers_booleans_and_codes(tmp_path: Path) -> None:
    women_csv(
        tmp_path,
        "person_id,group_no,children,pregnant,method,marital_status,residence\n"
        f"{W1},3.0,+2,是,上环,初婚,常住\n"
        f"{W2}, 12 ,0,FALSE,放环,未婚,流出\n"
        f"{WX},1,1,1,Tubal_Ligation,丧偶,流入\n"
        "X1,abc,2.5,maybe,魔法,已婚,外出\n",
    )
    sub = load_submission(tmp_path, lang="en")
    got = sub.con.execute(
        "SELECT person_id, group_no, children, pregnant, method, marital_status, residence "
        "FROM women ORDER BY person_id"
    ).fetchall()
    assert got == sorted(
        [
            (W1, 3, 2, True, "iud", "married", "resident"),
            (W2, 12, 0, False, "iud", "single", "out"),
            (WX, 1, 1, True, "tubal_ligation", "widowed", "in"),
            ("X1", None, None, None, None, "married", "out"),
        ]
    )
    methods = "iud, tubal_ligation, vasectomy, implant, oral_pill, injection, condom, other, none"
    assert [f.message for f in findings_of(sub, "cell-invalid")] == [
        message("cell-invalid-int", "en", column="children", value="2.5"),
        message("cell-invalid-int", "en", column="group_no", value="abc"),
        message("cell-invalid-code", "en", column="method", value="魔法", codes=methods),
        message("cell-invalid-bool", "en", column="pregnant", value="maybe"),
    ]
    assert {f.record for f in findings_of(sub, "cell-invalid")} == {"X1"}
    assert "魔法" in findings_of(sub, "cell-invalid")[2].message


def test_text_is_trimmed_and_kept_exactly(tmp_path: Path) -> None:
    women_csv(
        tmp_path,
        f"person_id,name,central_household\n  {WX.lower()}  ,  张 三 ,007\n{W1},'王五',\n",
    )
    sub = load_submission(tmp_path)
    assert rows(sub, "women") == sorted(
        [
            (W1, "'王五'", *(None,) * 12),
            (WX, "张 三", None, None, None, "007", *(None,) * 8),
        ]
    )


def test_periods_and_composite_keys(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    write_table(
        tmp_path,
        "stat_reports",
        [
            {"period": "202610", "level": "乡镇", "unit_code": TOWNSHIP, "women_total": 4},
            {"period": "2026/10", "level": "村", "unit_code": VILLAGE_A, "women_total": 2},
            {"period": "2026-13", "level": "组", "unit_code": f"{VILLAGE_B}-2", "women_total": 1},
            {"period": "2026-10", "level": "户", "unit_code": f"{VILLAGE_B}-3"},
        ],
    )
    write_table(
        tmp_path,
        "supply_stock",
        [{"period": "2026-10", "point_code": VILLAGE_B, "item": "避孕套", "opening": "x"}],
    )
    sub = load_submission(tmp_path, lang="en")
    got = sub.con.execute(
        "SELECT period, level, unit_code, women_total FROM stat_reports ORDER BY unit_code"
    ).fetchall()
    assert got == [
        ("2026-10", "township", TOWNSHIP, 4),
        ("2026-10", "village", VILLAGE_A, 2),
        (None, "group", f"{VILLAGE_B}-2", 1),
        ("2026-10", None, f"{VILLAGE_B}-3", None),
    ]
    levels = "township, village, group"
    # Sorted as every finding list is: severity, village, check, record.
    assert findings_of(sub, "cell-invalid") == [
        Finding(
            "cell-invalid",
            Category.LOGIC,
            Severity.ERROR,
            ("supply",),
            "supply_stock",
            f"2026-10|{VILLAGE_B}|condom",
            VILLAGE_B,  # supply_stock: the point code
            message("cell-invalid-int", "en", column="opening", value="x"),
        ),
        cell_invalid(
            "stat_reports",
            f"2026-10|户|{VILLAGE_B}-3",  # an invalid key part is named by its raw value
            VILLAGE_B,  # stat_reports: the first 12 characters of the unit code
            message("cell-invalid-code", "en", column="level", value="户", codes=levels),
        ),
        cell_invalid(
            "stat_reports",
            f"2026-13|group|{VILLAGE_B}-2",
            VILLAGE_B,
            message("cell-invalid-period", "en", column="period", value="2026-13"),
        ),
    ]


# --- rows, keys, columns, tables ---------------------------------------------------------------


def test_empty_key_is_key_missing_with_the_data_row_number_and_the_row_is_kept(
    tmp_path: Path,
) -> None:
    women_csv(
        tmp_path,
        "person_id,name,village_code\n"
        f"{W1},甲,{VILLAGE_A}\n"
        ",,\n"  # an empty row: skipped, but counted in the row numbers
        f" ,乙,{VILLAGE_B}\n"
        f"{W2},丙,{VILLAGE_A}\n",
    )
    sub = load_submission(tmp_path, lang="zh")
    assert sub.table("women").rows == 3
    assert sub.con.execute("SELECT count(*) FROM women WHERE person_id IS NULL").fetchone() == (1,)
    assert findings_of(sub, "key-missing") == [
        Finding(
            "key-missing",
            Category.COMPLETENESS,
            Severity.ERROR,
            ("statistics",),
            "women",
            "#3",
            VILLAGE_B,
            "表头下第 3 行的主键 person_id 为空，无法对应到记录",
        )
    ]


def test_missing_table_is_a_finding_and_the_audit_continues(tmp_path: Path) -> None:
    write_submission(tmp_path, CANONICAL, omit=["checkups", "migrant_births"])
    (tmp_path / "migrant_births.ods").write_bytes(b"a spreadsheet in another format")
    sub = load_submission(tmp_path, lang="en")
    assert findings_of(sub, "table-missing") == [
        Finding(
            "table-missing",
            Category.COMPLETENESS,
            Severity.ERROR,
            ("technical",),
            "checkups",
            "",
            None,
            message("table-missing", "en", table="checkups", title="三查登记"),
        ),
        Finding(
            "table-missing",
            Category.COMPLETENESS,
            Severity.ERROR,
            ("floating",),
            "migrant_births",
            "",
            None,
            message(
                "table-missing-other",
                "en",
                table="migrant_births",
                title="流动人口出生通报",
                found="migrant_births.ods",
            ),
        ),
    ]
    checkups = sub.table("checkups")
    assert (checkups.path, checkups.format, checkups.rows, checkups.columns) == (None, None, 0, ())
    assert rows(sub, "checkups") == []
    assert rows(sub, "women") == expected_rows("women")


def test_missing_non_key_column_is_a_warning_and_null(tmp_path: Path) -> None:
    women_csv(tmp_path, f"person_id,name,备注\n{W1},甲,x\n")
    sub = load_submission(tmp_path, lang="en")
    women = sub.table("women")
    assert women.columns == (("person_id", "person_id"), ("name", "name"))
    assert women.extra_columns == ("备注",)
    assert len(women.missing_columns) == 12
    missing = findings_of(sub, "column-missing")
    assert next(f.message for f in missing if "pregnant" in f.message) == message(
        "column-missing",
        "en",
        file="women.csv",
        column="pregnant",
        expected="pregnant or one of 孕情, 是否怀孕, 怀孕",
    )
    assert {(f.severity, f.category, f.record, f.table) for f in missing} == {
        (Severity.WARNING, Category.COMPLETENESS, "", "women")
    }
    assert {f.message.split(" ")[3] for f in missing} == set(women.missing_columns)
    assert rows(sub, "women") == [(W1, "甲", *(None,) * 12)]


def test_missing_key_column_exits_2_naming_file_and_column(tmp_path: Path) -> None:
    women_csv(tmp_path, f"姓名,出生日期\n甲,{date(1990, 1, 1)}\n")
    with pytest.raises(AuditError) as e:
        load_submission(tmp_path, lang="en")
    assert e.value.exit_code == 2
    msg = cli_error(tmp_path)
    assert msg == str(e.value)
    assert msg == (
        "women.csv: no column for person_id (the primary key; expected a header person_id "
        "or one of 身份证号, 公民身份号码, 身份证号码, 身份证, 证件号码, id_number)"
    )


def test_missing_part_of_a_composite_key_exits_2(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "supply_stock.csv").write_text("period,item,opening\n2026-10,condom,1\n")
    msg = cli_error(tmp_path)
    assert msg.startswith("supply_stock.csv: no column for point_code")


def test_two_headers_for_one_column_exit_2(tmp_path: Path) -> None:
    women_csv(tmp_path, f"person_id,身份证号\n{W1},{W1}\n")
    assert cli_error(tmp_path) == message(
        "error-duplicate-column",
        "en",
        file="women.csv",
        headers="person_id / 身份证号",
        column="person_id",
    )


def test_two_files_for_one_table_exit_2_naming_both(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    write_xlsx_table(tmp_path, "women")
    assert cli_error(tmp_path) == message(
        "error-two-files", "en", files="women.csv, women.xlsx", table="women"
    )


@pytest.mark.parametrize("kind", ["file", "missing", "empty", "unrelated"])
def test_not_a_submission_exits_2(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "sub"
    if kind == "file":
        target.write_text("x")
        expected = message("error-not-folder", "en", path=target)
    elif kind == "missing":
        expected = message("error-not-found", "en", path=target)
    else:
        target.mkdir()
        if kind == "unrelated":
            (target / "notes.txt").write_text("x")
            (target / "women.docx").write_text("x")
        expected = message("error-not-submission", "en", path=target, tables=", ".join(TABLE_NAMES))
    assert cli_error(target) == expected


def test_manifest_alone_is_a_submission_with_nine_missing_tables(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"period": "2026/10"}')
    sub = load_submission(tmp_path)
    assert sub.manifest == {"period": "2026-10"}
    assert sorted(f.table for f in findings_of(sub, "table-missing")) == sorted(TABLE_NAMES)
    assert len(sub.findings) == 9


@pytest.mark.parametrize(
    ("content", "key", "fields"),
    [
        (b'{"period": "2026-10",', "error-manifest-json", None),
        (b'["2026-10"]', "error-manifest-object", {"found": "list"}),
        (b'{"period": 202610}', "error-manifest-type", {"key": "period", "found": "202610"}),
        (
            b'{"township_code": null}',
            "error-manifest-type",
            {"key": "township_code", "found": "null"},
        ),
        (b'{"period": "2026-13"}', "error-manifest-period", {"value": "2026-13"}),
        (b'{"township_code": "3408"}', "error-manifest-township", {"value": "3408"}),
    ],
)
def test_invalid_manifest_exits_2(
    tmp_path: Path, content: bytes, key: str, fields: dict[str, str] | None
) -> None:
    write_canonical(tmp_path)
    (tmp_path / "manifest.json").write_bytes(content)
    msg = cli_error(tmp_path)
    assert msg.startswith("manifest.json: ")
    if fields is not None:
        assert msg == message(key, "en", **fields)
    else:
        assert msg.startswith("manifest.json: not valid JSON (line 1 column 22")


def test_manifest_absent_and_extra_keys(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "manifest.json").unlink()
    assert load_submission(tmp_path).manifest == {}
    (tmp_path / "manifest.json").write_text(
        json.dumps({"period": "2026-10", "township_code": TOWNSHIP, "operator": "李", "n": 3}),
        encoding="utf-8-sig",
    )
    assert load_submission(tmp_path).manifest == {
        "period": "2026-10",
        "township_code": TOWNSHIP,
        "operator": "李",
    }


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "women.xlsx",
            b"PK\x03\x04 broken zip",
            "women.xlsx: cannot be read as an Excel workbook (",
        ),
        ("women.parquet", b"PAR1 not really", "women.parquet: cannot be read as Parquet ("),
        ("women.csv", b"PK\x03\x04\x14\x00", "women.csv: not a CSV text file (an Excel workbook"),
        ("women.csv", b"", "women.csv: the file is empty (expected a header row first)"),
        ("women.csv", "\ufeffa,b\n".encode("utf-16"), "women.csv: not a CSV text file (UTF-16"),
    ],
)
def test_unreadable_files_exit_2_naming_the_file(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").unlink()
    (tmp_path / name).write_bytes(content)
    assert cli_error(tmp_path).startswith(expected)


def test_ragged_csv_line_exits_2_naming_the_line(tmp_path: Path) -> None:
    women_csv(tmp_path, f"person_id,name\n{W1},甲\n{W2},乙,多余\n")
    assert cli_error(tmp_path) == message(
        "error-csv-ragged", "en", file="women.csv", line=3, found=3, expected=2
    )


def test_title_row_above_the_header_in_csv(tmp_path: Path) -> None:
    women_csv(tmp_path, f"某某镇育龄妇女花名册,,\n身份证号,姓名,组\n{W1},甲,3\n,乙,4\n")
    sub = load_submission(tmp_path)
    assert rows(sub, "women") == [  # DuckDB sorts NULLs last
        (W1, "甲", None, None, 3, *(None,) * 9),
        (None, "乙", None, None, 4, *(None,) * 9),
    ]
    assert [f.record for f in findings_of(sub, "key-missing")] == ["#2"]


def test_messages_follow_lang(tmp_path: Path) -> None:
    women_csv(tmp_path, f"person_id,group_no\n{W1},abc\n")
    zh = load_submission(tmp_path, lang="zh")
    en = load_submission(tmp_path, lang="en")
    assert findings_of(zh, "cell-invalid")[0].message == "group_no 的值“abc”不是整数"
    assert findings_of(en, "cell-invalid")[0].message == "group_no: 'abc' is not a whole number"
    assert all(set(t) == {"zh", "en"} for t in CATALOGUE.values())


def test_loading_never_changes_the_input_files(tmp_path: Path) -> None:
    write_chinese_gb18030(tmp_path)
    (tmp_path / "women.csv").unlink()
    write_xlsx_table(tmp_path, "women", title="花名册")
    (tmp_path / "births.csv").unlink()
    write_parquet_table(tmp_path, "births")
    (tmp_path / "checkups.csv").write_bytes(b"checkup_id,checkup_date\nC1,2026-13-45\n,\n")
    before = file_hashes(tmp_path)
    sub = load_submission(tmp_path)
    sub.con.close()
    result = runner.invoke(app, ["inspect", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    assert file_hashes(tmp_path) == before  # same files, same bytes, nothing added


def test_new_alias_is_one_entry_in_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from audit.core import contract

    women = contract.table("women")
    patched = replace(
        women,
        columns=tuple(
            replace(c, aliases=(*c.aliases, "育龄妇女身份证")) if c.name == "person_id" else c
            for c in women.columns
        ),
    )
    monkeypatch.setitem(contract.TABLES_BY_NAME, "women", patched)
    monkeypatch.setattr(
        contract, "TABLES", tuple(patched if t.name == "women" else t for t in contract.TABLES)
    )
    women_csv(tmp_path, f"育龄妇女身份证,姓名\n{W1},甲\n")
    assert load_submission(tmp_path).table("women").columns[0] == ("person_id", "育龄妇女身份证")
