"""`audit inspect`: what was read, as a table and as JSON, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from audit.cli import app
from audit.core.contract import TABLE_NAMES, table
from audit.core.messages import message
from audit.io.loader import load_submission
from audit.render.inspect import render_inspect
from tests.fixtures.loader import (
    CANONICAL,
    W1,
    write_canonical,
    write_chinese_gb18030,
    write_parquet_table,
    write_xlsx_table,
)
from tests.helpers import VILLAGE_A, write_submission

runner = CliRunner()


def inspect_json(path: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["inspect", str(path), "--format", "json", *extra])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on file format, encoding or header language."""
    return {
        "tables": {
            t["table"]: (
                t["rows"],
                t["checksum"],
                [(c["column"], c["filled"]) for c in t["columns"]],
            )
            for t in data["tables"]
        },
        "findings": data["findings"],
        "manifest": data["manifest"],
    }


def test_utf8_and_gb18030_chinese_copy_report_the_same_rows_and_values(tmp_path: Path) -> None:
    utf8 = inspect_json(write_canonical(tmp_path / "utf8"))
    gb = inspect_json(write_chinese_gb18030(tmp_path / "gb"))
    assert comparable(gb) == comparable(utf8)
    assert [t["rows"] for t in utf8["tables"]] == [len(CANONICAL[n]) for n in TABLE_NAMES]
    women_utf8, women_gb = utf8["tables"][0], gb["tables"][0]
    assert (women_utf8["file"], women_utf8["encoding"]) == ("women.csv", "utf-8")
    assert (women_gb["file"], women_gb["encoding"]) == ("women.csv", "gb18030")
    assert women_gb["columns"][0] == {"column": "person_id", "header": "身份证号", "filled": 4}
    assert women_utf8["columns"][0] == {"column": "person_id", "header": "person_id", "filled": 4}


def test_checksum_changes_when_one_value_changes(tmp_path: Path) -> None:
    base = inspect_json(write_canonical(tmp_path / "a"))
    changed = {k: [dict(r) for r in v] for k, v in CANONICAL.items()}
    changed["women"][1]["children"] = 1
    other = inspect_json(write_canonical(tmp_path / "b", changed))
    sums = {t["table"]: t["checksum"] for t in base["tables"]}
    other_sums = {t["table"]: t["checksum"] for t in other["tables"]}
    assert {n for n in TABLE_NAMES if sums[n] != other_sums[n]} == {"women"}


def test_xlsx_and_parquet_copies_report_the_same_content(tmp_path: Path) -> None:
    base = inspect_json(write_canonical(tmp_path / "csv"))
    mixed = write_canonical(tmp_path / "mixed")
    for name in ("women", "births"):
        (mixed / f"{name}.csv").unlink()
        write_xlsx_table(mixed, name)
    (mixed / "migrants.csv").unlink()
    write_parquet_table(mixed, "migrants")
    data = inspect_json(mixed)
    assert comparable(data) == comparable(base)
    assert [t["format"] for t in data["tables"]][:2] == ["xlsx", "xlsx"]


def test_json_is_deterministic_and_lists_load_findings(tmp_path: Path) -> None:
    write_submission(tmp_path, {"women": CANONICAL["women"]}, omit=["checkups"])
    (tmp_path / "women.csv").write_text(
        f"身份证号,姓名,组,备注\n{W1},甲,x,note\n,乙,2,\n", encoding="utf-8"
    )
    first = runner.invoke(app, ["inspect", str(tmp_path), "--format", "json", "--lang", "en"])
    second = runner.invoke(app, ["inspect", str(tmp_path), "--format", "json", "--lang", "en"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    women = data["tables"][0]
    assert women["missing_columns"] == [
        c for c in table("women").column_names if c not in ("person_id", "name", "group_no")
    ]
    assert women["extra_columns"] == ["备注"]
    assert women["rows"] == 2
    checkups = next(t for t in data["tables"] if t["table"] == "checkups")
    assert (checkups["file"], checkups["rows"]) == (None, 0)
    assert data["summary"] == {
        "tables_read": 8,
        "tables_missing": 1,
        "rows": 2,
        "findings": 1 + 1 + 1 + 11,
        "errors": 3,
        "warnings": 11,
        "info": 0,
    }
    checks = [(f["check"], f["table"], f["record"]) for f in data["findings"]]
    assert ("cell-invalid", "women", W1) in checks
    assert ("key-missing", "women", "#2") in checks
    assert ("table-missing", "checkups", "") in checks
    invalid = next(f for f in data["findings"] if f["check"] == "cell-invalid")
    assert invalid["message"] == message("cell-invalid-int", "en", column="group_no", value="x")


def test_table_form_shows_files_mapping_and_findings_without_colour(tmp_path: Path) -> None:
    write_chinese_gb18030(tmp_path)
    (tmp_path / "checkups.csv").unlink()
    result = runner.invoke(app, ["inspect", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out  # not a terminal: plain text
    for expected in (
        "Submission inspection",
        "period=2026-10",
        "women.csv",
        "gb18030",
        "身份证号",  # the header person_id came from
        "避孕方法",
        "table-missing",
        message("table-missing", "en", table="checkups", title="三查登记")[:40],
        "8 tables read, 1 missing, 17 rows; 1 load findings (1 errors, 0 warnings)",
    ):
        assert expected in out, expected
    line = next(ln for ln in out.splitlines() if ln.startswith("women "))
    assert line.split()[:7] == ["women", "statistics", "women.csv", "csv", "gb18030", "4", "14/14"]
    assert max(len(ln) for ln in out.splitlines()) <= 100


def test_table_form_in_chinese_and_colour_only_when_asked(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    (tmp_path / "women.csv").write_text(f"person_id,group_no\n{W1},abc\n", encoding="utf-8")
    sub = load_submission(tmp_path, lang="zh")
    plain = render_inspect(sub, "table", lang="zh")
    assert "\x1b[" not in plain
    assert "group_no 的值“abc”不是整数" in plain
    assert "缺少的列" in plain and "统计" in plain
    coloured = render_inspect(sub, "table", lang="zh", color=True)
    assert "\x1b[" in coloured


def test_table_form_limits_the_findings_it_lists(tmp_path: Path) -> None:
    write_canonical(tmp_path)
    lines = "\n".join(f"P{i:03d},{VILLAGE_A},2026-13-{i % 28 + 1:02d}" for i in range(60))
    (tmp_path / "procedures.csv").write_text(
        f"procedure_id,village_code,procedure_date\n{lines}\n", encoding="utf-8"
    )
    sub = load_submission(tmp_path, lang="en")
    out = render_inspect(sub, "table", lang="en", limit=10)
    assert out.count("cell-invalid") == 10
    shown = len(sub.findings) - 10
    assert f"… and {shown} more; --format json lists them all" in out
    assert len(json.loads(render_inspect(sub, "json", lang="en"))["findings"]) == len(sub.findings)


def test_output_option_writes_the_file_and_bad_input_exits_2(tmp_path: Path) -> None:
    sub_dir = write_canonical(tmp_path / "sub")
    target = tmp_path / "inspect.json"
    result = runner.invoke(
        app, ["inspect", str(sub_dir), "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["tables_read"] == 9
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temp file left

    (sub_dir / "women.csv").write_text("姓名\n甲\n", encoding="utf-8")
    bad = runner.invoke(app, ["inspect", str(sub_dir)])
    assert bad.exit_code == 2
    assert bad.stderr.startswith(
        "audit: women.csv：没有 person_id 列（主键，应有表头 person_id 或 身份证号"
    )
