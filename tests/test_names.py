"""Villages by name, rules with titles, codes in words, and one rounding for every figure.

The optional villages table is read beside the nine ledgers; every report shows
"name (code)" where it shows a village. In `--lang zh` nothing a reader meets is a
raw column name or code, and the same figure never shows two ways.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from audit.app import run_audit
from audit.cli import app
from audit.core.models import AuditReport, Category, Finding, Severity, Village
from audit.core.numbers import Figure, fixed
from audit.io.villages import read_villages
from audit.render import render
from audit.render.labels import fmt_pct, fmt_ratio, record_text, where_text
from tests.helpers import TOWNSHIP, VILLAGE_A, VILLAGE_B, write_submission

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
runner = CliRunner()


# --- the one rounding function ---------------------------------------------------------------


def test_fixed_rounds_half_away_from_zero_as_a_reader_does() -> None:
    assert fixed(206.25, 1) == "206.3"  # f"{206.25:.1f}" would say 206.2
    assert fixed(2.675, 2) == "2.68"
    assert fixed(-0.04, 1) == "0.0"  # never "-0.0"
    assert fixed(float("inf"), 1) == "∞"
    assert fixed(1234.5, 0, grouping=True) == "1,235"
    assert f"{Figure(206.25):.1f}" == "206.3" and str(Figure(0.125)) == "0.1"
    assert fmt_ratio(206.25) == "206.3" and fmt_pct(0.0225) == "2.3%"


@pytest.fixture(scope="module")
def demo_zh() -> AuditReport:
    return replace(run_audit(DEMO, lang="zh"), meta={})


def test_a_figure_never_shows_two_ways(demo_zh: AuditReport) -> None:
    """The demo township has 33 boys and 16 girls in W: a sex ratio of exactly 206.25."""
    ov = demo_zh.overview
    assert ov is not None
    town = ov.indicators[-1].sex_ratio
    assert (town.males, town.females) == (33, 16)
    finding = next(f for f in demo_zh.findings if f.check == "sex-ratio")
    assert "出生性别比 206.3（95% 区间 114.5–371.5）" in finding.message
    for fmt in ("table", "markdown", "html"):
        out = render(demo_zh, fmt)
        assert isinstance(out, str)
        assert "206.3 (114.5–371.5)" in out, fmt
        assert "206.2" not in out, fmt


# --- villages table --------------------------------------------------------------------------


def _with_villages(folder: Path, text: str, name: str = "villages.csv") -> Path:
    write_submission(folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_villages_table_with_chinese_headers_keeps_extra_columns(tmp_path: Path) -> None:
    folder = _with_villages(
        tmp_path / "s",
        f"村代码,村名,统计员,电话\n{VILLAGE_B},杨庄村,赵玉梅,0556-1234\n"
        f"{VILLAGE_A},桃园村,王秀英,\n,无代码村,x,y\n{VILLAGE_A},桃园村,王秀英,\n",
    )
    assert read_villages(folder) == (
        Village(VILLAGE_A, "桃园村", (("统计员", "王秀英"), ("电话", ""))),
        Village(VILLAGE_B, "杨庄村", (("统计员", "赵玉梅"), ("电话", "0556-1234"))),
    )
    result = runner.invoke(app, ["inspect", str(folder)])
    assert result.exit_code == 0, result.output
    assert "村名表（2 个村）" in result.stdout and "赵玉梅" in result.stdout
    result = runner.invoke(app, ["inspect", str(folder), "--format", "json"])
    assert '"name": "杨庄村"' in result.stdout


def test_no_villages_table_means_codes_as_before(tmp_path: Path) -> None:
    folder = write_submission(tmp_path / "s")
    assert read_villages(folder) == ()
    result = runner.invoke(app, ["inspect", str(folder)])
    assert "无村名表" in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"village_code,name\n{VILLAGE_A},桃园村\n{VILLAGE_A},杨庄村\n",
            f"villages.csv：第 2 行村代码 {VILLAGE_A} 已在第 1 行出现",
        ),
        (f"村代码,负责人\n{VILLAGE_A},王秀英\n", "villages.csv：没有 name 列"),
        ("村名\n桃园村\n", "villages.csv：没有 village_code 列"),
    ],
)
def test_a_villages_table_that_cannot_name_villages_stops_the_audit(
    tmp_path: Path, text: str, expected: str
) -> None:
    folder = _with_villages(tmp_path / "s", text)
    result = runner.invoke(app, ["run", str(folder)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output


def _finding(check: str, table: str, record: str, village: str | None) -> Finding:
    return Finding(
        check, Category.MISMATCH, Severity.ERROR, ("supply",), table, record, village, "m"
    )


def test_records_read_in_words_with_village_names(demo_zh: AuditReport) -> None:
    named = replace(demo_zh, villages=(Village(VILLAGE_A, "桃园村"),))
    stock = _finding("stock-vs-issues", "supply_stock", f"2026-04|{VILLAGE_A}|condom", VILLAGE_A)
    assert record_text(stock, named, "zh") == f"2026-04 · 桃园村（{VILLAGE_A}） · 避孕套"
    assert record_text(stock, replace(named, lang="en"), "en") == (
        f"2026-04 · 桃园村 ({VILLAGE_A}) · condoms"
    )
    group = _finding("report-levels", "stat_reports", f"2026-09|group|{VILLAGE_A}-3", VILLAGE_A)
    assert record_text(group, named, "zh") == f"2026-09 · 组 · 桃园村（{VILLAGE_A}） 3 组"
    ratio = _finding("sex-ratio", "births", VILLAGE_A, VILLAGE_A)
    assert where_text(ratio, named, "zh") == f"桃园村（{VILLAGE_A}）"  # not "出生登记 ..."
    town = _finding("sex-ratio", "births", TOWNSHIP, TOWNSHIP)
    assert where_text(town, named, "zh") == f"全乡镇（{TOWNSHIP}）"
    birth = _finding("birth-late-report", "births", "B1", VILLAGE_A)
    assert where_text(birth, named, "zh") == "出生登记 B1"


def test_every_zh_report_names_villages_titles_rules_and_hides_raw_codes(
    demo_zh: AuditReport, tmp_path: Path
) -> None:
    assert demo_zh.village_names()[VILLAGE_A] == "桃园村"
    raw = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+=|\|\d{12}\||\|condom\b")
    for fmt in ("table", "markdown", "html"):
        out = render(demo_zh, fmt, limit=1000)
        assert isinstance(out, str)
        assert f"桃园村（{VILLAGE_A}）" in out, fmt
        assert "stock-vs-issues 药具账发出数与发放登记合计不符" in re.sub(
            r"</?code>|`|\\", "", out
        ), fmt
        assert not raw.search(out), (fmt, raw.search(out))
        assert "出生登记 340811101005" not in out, fmt
    xlsx = render(demo_zh, "xlsx")
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx if isinstance(xlsx, bytes) else xlsx.encode())
    wb = openpyxl.load_workbook(path)
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any(f"桃园村（{VILLAGE_A}）" in t for t in texts)
    assert not any(raw.search(t) for t in texts)
