"""`audit spotcheck plan` and `score` through the CLI: the worksheet's layout, reproducibility,
exact scores of a crafted field result, and every kind of damaged worksheet (exit 2)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from audit.cli import app
from audit.spotcheck import worksheet as ws
from tests.helpers import VILLAGE_A, VILLAGE_B, woman_id, write_submission

runner = CliRunner()

# Village A: households 中心户01 (3 women) and 中心户02 (2); village B: 01 (2), 02 (2), 03 (1).
W = {
    k: woman_id(date(1985 + i, 1 + i % 12, 1 + i), 2 + 2 * i)
    for i, k in enumerate(["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5"])
}
NEW_WOMAN = woman_id(date(1999, 9, 9), 88)


def _woman(key: str, village: str, household: str, **kw: Any) -> dict[str, Any]:
    row = {
        "person_id": W[key],
        "name": f"姓名{key}",
        "birth_date": date(1990, 1, 1),
        "village_code": village,
        "group_no": 1,
        "central_household": household,
        "marital_status": "married",
        "residence": "resident",
        "children": 1,
        "method": "iud",
        "pregnant": False,
    }
    return {**row, **kw}


def _birth(bid: str, mother: str, village: str, day: date) -> dict[str, Any]:
    return {
        "birth_id": bid,
        "mother_id": W[mother],
        "child_name": "婴儿",
        "child_sex": "F",
        "child_birth_date": day,
        "birth_order": 1,
        "policy": "in",
        "village_code": village,
        "group_no": 1,
        "reported_date": day,
        "delivery_place": "hospital",
    }


def crafted(folder: Path) -> Path:
    women = [
        _woman("a1", VILLAGE_A, "中心户01", method="tubal_ligation", children=2),
        _woman("a2", VILLAGE_A, "中心户01"),
        _woman("a3", VILLAGE_A, "中心户01", pregnant=True, method="none"),
        _woman("a4", VILLAGE_A, "中心户02", marital_status="single", children=0, method="condom"),
        _woman("a5", VILLAGE_A, "中心户02"),
        _woman("b1", VILLAGE_B, "中心户01", residence="out"),
        _woman("b2", VILLAGE_B, "中心户01"),
        _woman("b3", VILLAGE_B, "中心户02"),
        _woman("b4", VILLAGE_B, "中心户02"),
        _woman("b5", VILLAGE_B, "中心户03"),
        # Outside the frame: no central household.
        {**_woman("b5", VILLAGE_B, ""), "person_id": woman_id(date(1980, 1, 1), 400)},
    ]
    births = [
        _birth("B1", "a1", VILLAGE_A, date(2026, 3, 1)),
        _birth("B2", "a2", VILLAGE_A, date(2025, 5, 1)),  # before the window: not listed
        _birth("B3", "b2", VILLAGE_B, date(2026, 10, 20)),
    ]
    return write_submission(folder, {"women": women, "births": births})


def plan(tmp_path: Path, *args: str) -> tuple[Any, Path]:
    sub = crafted(tmp_path / "sub")
    out = tmp_path / "ws.xlsx"
    result = runner.invoke(app, ["spotcheck", "plan", str(sub), "--output", str(out), *args])
    return result, out


def census(tmp_path: Path) -> Path:
    result, out = plan(tmp_path, "--households", "5", "--seed", "1", "--window-start", "2025-10-01")
    assert result.exit_code == 0, result.output
    return out


def _validations(sheet: Any) -> dict[str, Any]:
    """Column letter -> the data validation on it."""
    return {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in sheet.data_validations.dataValidation
    }


def test_plan_writes_the_worksheet(tmp_path: Path) -> None:
    result, out = plan(
        tmp_path, "--households", "4", "--seed", "3", "--window-start", "2025-10-01", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert "1 women have no village_code or central_household" in result.output
    assert "wrote" in result.output and "4 of 5 central households in 2 villages" in result.output
    wb = load_workbook(out)
    assert wb.sheetnames == list(ws.SHEETS)
    assert wb[ws.SHEET_PLAN].sheet_state == "veryHidden"
    assert all(wb[s].protection.sheet for s in ws.SHEETS)

    women = wb[ws.SHEET_WOMEN]
    rows = list(women.iter_rows(values_only=True))
    assert list(rows[0]) == [c.zh for c in ws.WOMEN_COLUMNS]
    assert list(rows[1]) == [c.en for c in ws.WOMEN_COLUMNS]
    listed = [r for r in rows[2:] if r[0]]
    # Two households per village (proportional 2.0 / 2.0 of 4), every woman of each.
    households = {(r[1], r[3]) for r in listed}
    assert len(households) == 4 and {v for v, _ in households} == {VILLAGE_A, VILLAGE_B}
    assert len(listed) == sum(
        {
            ("A", "中心户01"): 3,
            ("A", "中心户02"): 2,
            ("B", "中心户01"): 2,
            ("B", "中心户02"): 2,
            ("B", "中心户03"): 1,
        }[("A" if v == VILLAGE_A else "B", h)]
        for v, h in households
    )
    first = listed[0]
    assert first[1:4] == (VILLAGE_A, "1", "中心户01")
    assert first[6:11] == ("女扎", "初婚", "2", "否", "常住")  # a1's register values as labels
    # Key cells locked, answer cells open.
    assert women["E3"].protection.locked and not women["L3"].protection.locked
    assert not women["M3"].protection.locked and not women["R3"].protection.locked
    dropdowns = _validations(women)
    assert dropdowns["L"].type == "list" and dropdowns["L"].formula1 == '"属实,查无此人"'
    assert dropdowns["M"].formula1 == '"上环,女扎,男扎,皮埋,口服药,注射,避孕套,其他,未避孕"'
    assert dropdowns["N"].formula1 == '"未婚,初婚,再婚,离婚,丧偶"'
    assert dropdowns["O"].type == "whole"
    assert dropdowns["P"].formula1 == '"是,否"'
    assert dropdowns["Q"].formula1 == '"常住,流出,流入"'

    births = list(wb[ws.SHEET_BIRTHS].iter_rows(values_only=True))
    assert births[1] == tuple(c.en for c in ws.BIRTHS_COLUMNS)
    birth_ids = {r[3] for r in births[2:] if r[0]}
    assert "B2" not in birth_ids  # before the window
    assert birth_ids <= {"B1", "B3"}
    fb = wb[ws.SHEET_FIELD_BIRTHS]
    kinds = _validations(fb)
    assert kinds["A"].formula1 == f"'{ws.SHEET_PLAN}'!$B$1:$B$4"
    assert kinds["E"].formula1 == '"男,女"' and kinds["F"].type == "date"
    cover = {r[0]: r[1] for r in wb[ws.SHEET_COVER].iter_rows(values_only=True) if r[0]}
    assert cover["随机种子 Seed"] == 3 and cover["报告期 Period"] == "2026-10"
    assert cover["核查期 Window"] == "2025-10-01 – 2026-10-31"
    assert cover["样本中心户 Households sampled"] == 4


def test_same_seed_same_sample_same_bytes(tmp_path: Path) -> None:
    sub = crafted(tmp_path / "sub")
    outs = []
    for i, seed in enumerate(("5", "5", "6")):
        out = tmp_path / f"ws{i}.xlsx"
        result = runner.invoke(
            app,
            ["spotcheck", "plan", str(sub), "-o", str(out), "--households", "4", "--seed", seed],
        )
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_seed_is_chosen_and_shown_when_not_given(tmp_path: Path) -> None:
    result, out = plan(tmp_path, "--households", "4", "--lang", "en")
    assert result.exit_code == 0
    seed = int(result.output.rsplit("seed ", 1)[1].strip())
    cover = {r[0]: r[1] for r in load_workbook(out)[ws.SHEET_COVER].iter_rows(values_only=True)}
    assert cover["随机种子 Seed"] == seed


def test_precision_design_and_village_restriction(tmp_path: Path) -> None:
    result, out = plan(
        tmp_path,
        "--precision",
        "0.2",
        "--expected-rate",
        "0.1",
        "--villages",
        "002",
        "--seed",
        "1",
        "--allocation",
        "neyman",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    # n0 = 8.6 women of 5: FPC 3.6, 1.67 women a household: 3 households, all of village B.
    assert "3 of 3 central households in 1 villages" in result.output
    wb = load_workbook(out)
    assert {r[1] for r in wb[ws.SHEET_WOMEN].iter_rows(min_row=3, values_only=True)} == {VILLAGE_B}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--households", "3"], "every village needs at least 2 households"),
        (["--households", "9"], "the frame has only 5 central households"),
        (["--households", "4", "--precision", "0.05"], "either --households or --precision"),
        (["--villages", "340811101009"], "--villages: 340811101009 is not a village"),
        (["--precision", "1.5"], "--precision: expected a proportion"),
        (["--period", "2026-13"], "--period: expected a period YYYY-MM"),
    ],
)
def test_plan_rejects_bad_options(tmp_path: Path, args: list[str], expected: str) -> None:
    result, out = plan(tmp_path, *args, "--lang", "en")
    assert result.exit_code == 2
    assert expected in result.output
    assert not out.exists()


def test_plan_never_writes_into_the_submission(tmp_path: Path) -> None:
    sub = crafted(tmp_path / "sub")
    result = runner.invoke(
        app, ["spotcheck", "plan", str(sub), "-o", str(sub / "ws.xlsx"), "--lang", "en"]
    )
    assert result.exit_code == 2
    assert "may not be written into the submission folder" in result.output
    assert not (sub / "ws.xlsx").exists()


def test_plan_without_women_register(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "sub", omit=["women"])
    result = runner.invoke(
        app, ["spotcheck", "plan", str(sub), "-o", str(tmp_path / "w.xlsx"), "--lang", "en"]
    )
    assert result.exit_code == 2
    assert "the women register (table women) is missing" in result.output


# --- scoring a crafted field result ---------------------------------------------------------


def fill(
    src: Path,
    dst: Path,
    women: dict[str, Any],
    births: dict[str, str],
    field_women: list[list[Any]] = (),  # type: ignore[assignment]
    field_births: list[list[Any]] = (),  # type: ignore[assignment]
) -> None:
    """women: person id -> "not_found" or {field: label} overrides of the register's values."""
    wb = load_workbook(src)
    sheet = wb[ws.SHEET_WOMEN]
    col = {c.name: i + 1 for i, c in enumerate(ws.WOMEN_COLUMNS)}
    for r in range(3, sheet.max_row + 1):
        pid = sheet.cell(r, col["person_id"]).value
        answer = women.get(pid, {})
        if answer == "not_found":
            sheet.cell(r, col["verification"]).value = "查无此人"
            continue
        sheet.cell(r, col["verification"]).value = "属实"
        for f, *_ in ws.REGISTER_FIELDS:
            value = answer.get(f, sheet.cell(r, col[f]).value)
            sheet.cell(r, col[f"{f}_field"]).value = value
    sheet = wb[ws.SHEET_BIRTHS]
    for r in range(3, sheet.max_row + 1):
        bid = sheet.cell(r, 4).value
        sheet.cell(r, 11).value = births[bid]
    for name, rows in ((ws.SHEET_FIELD_WOMEN, field_women), (ws.SHEET_FIELD_BIRTHS, field_births)):
        for i, row in enumerate(rows):
            for c, v in enumerate(row, start=1):
                wb[name].cell(3 + i, c).value = v
    wb.save(dst)


def scored(path: Path, *args: str) -> Any:
    result = runner.invoke(app, ["spotcheck", "score", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_score_counts_exactly_what_the_field_team_found(tmp_path: Path) -> None:
    sheet = census(tmp_path)
    done = tmp_path / "done.xlsx"
    fill(
        sheet,
        done,
        women={W["a1"]: {"method": "上环"}, W["a2"]: "not_found", W["b1"]: {"children": 3}},
        births={"B1": "属实", "B3": "查无此出生"},
        field_women=[
            [f"{VILLAGE_B}/中心户03", NEW_WOMAN, "新妇女", "未避孕", "初婚", 1, "否", "常住"]
        ],
        field_births=[
            [f"{VILLAGE_A}/中心户02", W["a4"], "", "孩子", "男", date(2026, 1, 5)],
            [f"{VILLAGE_B}/中心户03", NEW_WOMAN, "新妇女", "孩子", "女", "2026-09-30"],
        ],
    )
    out = scored(done)
    o = out["overall"]
    assert o["women"] == {"listed": 10, "found": 9, "field_only": 1}
    assert o["births"] == {"listed": 2, "confirmed": 1, "field_only": 2}
    # A census: the township figures are exact, intervals collapse to the point.
    assert o["under_report_rate"]["estimate"] == pytest.approx(2 / 3)
    assert o["under_report_rate"]["lower"] == o["under_report_rate"]["upper"]
    assert o["error_rate"]["numerator"] == 2 and o["error_rate"]["denominator"] == 45
    assert o["field_error_rates"]["method"]["numerator"] == 1
    assert o["field_error_rates"]["children"]["numerator"] == 1
    assert o["field_error_rates"]["residence"]["numerator"] == 0
    assert o["verification_factor"]["women"]["estimate"] == pytest.approx(1.0)
    assert o["verification_factor"]["births"]["estimate"] == pytest.approx(1.5)
    a, b = out["villages"]
    assert (a["village_code"], b["village_code"]) == (VILLAGE_A, VILLAGE_B)
    # A: a1 wrong method, a2 not found, a4 a birth missing; B: b1 children, b2's birth not
    # found, the new woman.
    assert (a["records"], a["defective"]) == (5, 3)
    assert (b["records"], b["defective"]) == (6, 3)
    assert a["under_report_rate"]["numerator"] == 1 and a["under_report_rate"]["denominator"] == 2
    assert a["lqas"]["d"] is None and a["lqas"]["decision"] == "undecided"
    assert out["lqas"] == {
        "upper": 0.1,
        "lower": 0.02,
        "alpha": 0.05,
        "beta": 0.1,
        "n_min": 65,
        "unit": "woman's record with her births",
    }
    assert out["seed"] == 1 and out["period"] == "2026-10"


def test_score_renders_table_and_xlsx(tmp_path: Path) -> None:
    sheet = census(tmp_path)
    done = tmp_path / "done.xlsx"
    fill(sheet, done, women={}, births={"B1": "属实", "B3": "属实"})
    result = runner.invoke(app, ["spotcheck", "score", str(done), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Township (design-weighted)" in result.output
    assert VILLAGE_A in result.output and "too few" in result.output
    assert "P(X <= d | n, 10%) <= 10%" in result.output
    result = runner.invoke(app, ["spotcheck", "score", str(done), "-f", "xlsx"])
    assert result.exit_code == 2 and "--output" in result.output
    report = tmp_path / "score.xlsx"
    result = runner.invoke(
        app,
        [
            "spotcheck",
            "score",
            str(done),
            "-f",
            "xlsx",
            "-o",
            str(report),
            "--lqas-upper",
            "0.2",
            "--lqas-lower",
            "0.05",
        ],
    )
    assert result.exit_code == 0, result.output
    wb = load_workbook(report)
    assert wb.sheetnames == ["总体 Overall", "分村 Villages", "分项 Fields", "LQAS"]
    rows = list(wb["分村 Villages"].iter_rows(values_only=True))
    assert rows[1][0] == VILLAGE_A and rows[1][3] == 5  # women listed in village A


# --- damaged worksheets ---------------------------------------------------------------------


def _edit(src: Path, dst: Path, change: Any) -> None:
    wb = load_workbook(src)
    change(wb)
    wb.save(dst)


def _complete(tmp_path: Path) -> Path:
    done = tmp_path / "done.xlsx"
    fill(census(tmp_path), done, women={}, births={"B1": "属实", "B3": "属实"})
    return done


def _set(sheet: str, cell: str, value: Any) -> Any:
    def change(wb: Any) -> None:
        wb[sheet][cell] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _set(ws.SHEET_WOMEN, "G3", "上环"),
            f"sheet '{ws.SHEET_WOMEN}', row 3, column G (避孕方法（登记） / method (register)): "
            "the register's value was edited: expected '女扎', found '上环'",
        ),
        (
            _set(ws.SHEET_WOMEN, "E4", "340811199901010000"),
            f"sheet '{ws.SHEET_WOMEN}', row 4, column E (身份证号 / ID number): this row should "
            f"hold {W['a2']} 姓名a2 but holds 340811199901010000",
        ),
        (
            _set(ws.SHEET_WOMEN, "M5", "节育"),
            f"sheet '{ws.SHEET_WOMEN}', row 5, column M (避孕方法（核实） / method (field)): "
            "'节育' is not one of the codes",
        ),
        (
            _set(ws.SHEET_WOMEN, "O5", 2.5),
            "row 5, column O (现有子女数（核实） / children (field)): '2.5' is not a whole number",
        ),
        (
            _set(ws.SHEET_WOMEN, "L6", None),
            f"sheet '{ws.SHEET_WOMEN}', row 6, column L (核实结果 / verification): not filled in "
            "(expected one of 属实、查无此人)",
        ),
        (
            _set(ws.SHEET_BIRTHS, "K3", "也许"),
            f"sheet '{ws.SHEET_BIRTHS}', row 3, column K (核实结果 / verification): '也许'",
        ),
        (
            _set(ws.SHEET_WOMEN, "M1", "方法"),
            "row 1, column M (避孕方法（核实） / method (field)): the header should be "
            "'避孕方法（核实）', found '方法'",
        ),
        (
            _set(ws.SHEET_WOMEN, "A20", "99"),
            f"sheet '{ws.SHEET_WOMEN}', row 20, column A (序号 / No.): this row is not in the plan",
        ),
        (
            _set(ws.SHEET_FIELD_BIRTHS, "A3", "340811101002/中心户09"),
            "row 3, column A (村代码/中心户 / village code/central household): "
            "'340811101002/中心户09' is not a sampled household",
        ),
        (
            lambda wb: wb[ws.SHEET_FIELD_BIRTHS].append(
                [f"{VILLAGE_A}/中心户01", W["a1"], None, None, "女", "2024-02-02"]
            ),
            "row 3, column F (出生日期 / birth date (YYYY-MM-DD)): birth date 2024-02-02 is "
            "outside the window 2025-10-01 to 2026-10-31",
        ),
        (
            lambda wb: wb[ws.SHEET_FIELD_BIRTHS].append(
                [f"{VILLAGE_A}/中心户01", W["b1"], None, None, "女", "2026-02-02"]
            ),
            f"mother {W['b1']} is neither a woman of this household",
        ),
        (
            lambda wb: wb[ws.SHEET_FIELD_WOMEN].append([f"{VILLAGE_A}/中心户01", W["a3"]]),
            f"{W['a3']} is already on sheet '{ws.SHEET_WOMEN}', row 5",
        ),
        (
            lambda wb: wb.remove(wb[ws.SHEET_BIRTHS]),
            f"sheet '{ws.SHEET_BIRTHS}' is missing",
        ),
        (
            lambda wb: wb[ws.SHEET_PLAN].cell(
                3, 1, wb[ws.SHEET_PLAN]["A3"].value.replace('"seed":1', '"seed":2')
            ),
            "the hidden plan (sheet _plan) was changed or damaged (checksum mismatch)",
        ),
        (
            lambda wb: wb[ws.SHEET_WOMEN].delete_rows(4),
            f"row 4, column E (身份证号 / ID number): this row should hold {W['a2']}",
        ),
    ],
)
def test_damaged_worksheet_is_refused(tmp_path: Path, change: Any, expected: str) -> None:
    done = _complete(tmp_path)
    bad = tmp_path / "bad.xlsx"
    _edit(done, bad, change)
    before = bad.read_bytes()
    result = runner.invoke(app, ["spotcheck", "score", str(bad), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert bad.read_bytes() == before  # the worksheet is only read


def test_not_a_worksheet(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spotcheck", "score", str(tmp_path / "nope.xlsx"), "--lang", "en"])
    assert result.exit_code == 2 and "not found" in result.output
    text = tmp_path / "text.xlsx"
    text.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["spotcheck", "score", str(text), "--lang", "en"])
    assert result.exit_code == 2 and "cannot be read as an Excel workbook" in result.output
    other = tmp_path / "other.xlsx"
    shutil.copy(_complete(tmp_path), other)
    _edit(other, other, lambda wb: wb.remove(wb[ws.SHEET_PLAN]))
    result = runner.invoke(app, ["spotcheck", "score", str(other), "--lang", "en"])
    assert result.exit_code == 2 and "sheet '_plan' is missing" in result.output


def test_all_problems_are_listed_together(tmp_path: Path) -> None:
    sheet = census(tmp_path)
    result = runner.invoke(app, ["spotcheck", "score", str(sheet), "--lang", "en"])
    assert result.exit_code == 2
    # Ten women and two births without a verification: twelve problems in one message.
    assert "the worksheet cannot be scored, 12 problems:" in result.output
    assert result.output.count("not filled in") == 12


def test_not_found_woman_must_have_empty_field_columns(tmp_path: Path) -> None:
    done = tmp_path / "done.xlsx"
    fill(census(tmp_path), done, women={}, births={"B1": "属实", "B3": "属实"})
    bad = tmp_path / "bad.xlsx"
    _edit(done, bad, _set(ws.SHEET_WOMEN, "L3", "查无此人"))
    result = runner.invoke(app, ["spotcheck", "score", str(bad), "--lang", "en"])
    assert result.exit_code == 2
    assert "row 3, column M" in result.output
    assert "marked '查无此人', so the field columns must stay empty" in result.output
