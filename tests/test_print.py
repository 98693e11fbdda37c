"""Workbooks that print: the report, the field worksheet and the score workbook on A4 paper.

The print settings are read back with openpyxl. Where LibreOffice is installed (`.ci/run`
installs it), the demo's workbooks are converted to PDF and their page counts checked
against what was measured when the layout was made (report 13 pages, worksheet 9): a
layout change that scatters columns over extra pages fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.render.printsetup import display_width, wrapped_lines
from audit.spotcheck import worksheet as ws

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
runner = CliRunner()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("print")
    report = out / "report.xlsx"
    result = runner.invoke(app, ["run", str(DEMO), "--format", "xlsx", "--output", str(report)])
    assert result.exit_code == 1, result.output  # the demo has planted errors
    plan = out / "worksheet.xlsx"
    result = runner.invoke(
        app,
        ["spotcheck", "plan", str(DEMO), "-o", str(plan), "--precision", "0.05", "--seed", "2026"],
    )
    assert result.exit_code == 0, result.output
    return {"report": report, "worksheet": plan}


def _printed(sheet: openpyxl.worksheet.worksheet.Worksheet) -> None:
    """What every printed sheet shares: A4, one page wide, header and footer."""
    setup = sheet.page_setup
    assert setup.paperSize == 9, sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert setup.fitToWidth in (None, 1), sheet.title  # None is the default: 1
    if not sheet.title.startswith("封面"):  # the cover is one page, the rest run down
        assert setup.fitToHeight == 0, sheet.title
    assert "五横乡" in (sheet.oddHeader.left.text or ""), sheet.title
    assert "2026-09" in (sheet.oddHeader.right.text or ""), sheet.title
    assert sheet.oddHeader.center.text, sheet.title
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_report_sheets_print_one_page_wide_with_headers_repeated(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["report"])
    for sheet in wb.worksheets:
        _printed(sheet)
        assert sheet.print_title_rows == "$1:$1", sheet.title
        # the period never runs into the header's font size code (&9 + 2026 = 92026 pt)
        assert re.search(r"&\d+2026", sheet.oddHeader.right.text or "") is None
    summary = wb.worksheets[0]
    assert summary.page_setup.orientation == "portrait"
    four = wb["四数对比"]
    assert four.page_setup.orientation == "landscape"
    village = wb["河桥村（340811101005）"]
    assert village.page_setup.orientation == "landscape"
    assert village.oddHeader.center.text.endswith("河桥村（340811101005）")
    # wrapped messages get the height of their lines
    width = village.column_dimensions["H"].width
    for row in village.iter_rows(min_row=2):
        message = row[7].value
        if message and wrapped_lines(message, width) > 1:
            assert village.row_dimensions[row[0].row].height >= 2 * 15, message
    # a footnote is merged across the table so it wraps on the page instead of running off it
    assert any(r.min_col == 1 and r.max_col == 14 for r in four.merged_cells.ranges)


def test_field_worksheet_prints_each_woman_on_one_line_with_id_and_name(
    books: dict[str, Path],
) -> None:
    wb = openpyxl.load_workbook(books["worksheet"])
    for sheet in wb.worksheets:
        if sheet.sheet_state == "visible":
            _printed(sheet)
    women = wb[ws.SHEET_WOMEN]
    assert women.page_setup.orientation == "landscape"
    assert women.print_title_rows == "$1:$2" and women.print_title_cols == "$A:$F"
    assert [women.cell(2, c).value for c in (5, 6)] == ["ID number", "name"]
    # the whole row fits one landscape page at >= 90 % of the written size
    assert sum(c.width for c in ws.WOMEN_COLUMNS) <= 150
    assert women.row_dimensions[3].height >= 20  # room to write by hand
    cover = wb[ws.SHEET_COVER]
    assert cover.page_setup.orientation == "portrait" and cover.page_setup.fitToHeight in (None, 1)
    # wrapped cover lines are merged across the page and grown to their text
    for merged in cover.merged_cells.ranges:
        text = str(cover.cell(merged.min_row, merged.min_col).value or "")
        width = sum(
            cover.column_dimensions[chr(64 + c)].width
            for c in range(merged.min_col, merged.max_col + 1)
        )
        if wrapped_lines(text, width) > 1:
            assert cover.row_dimensions[merged.min_row].height >= 2 * 15, text
    field = wb[ws.SHEET_FIELD_BIRTHS]
    assert field.print_area == f"'{ws.SHEET_FIELD_BIRTHS}'!$A$1:$G$22"


def test_display_width_counts_cjk_twice() -> None:
    assert display_width("桃园村 001") == 10
    assert wrapped_lines("一" * 20, 11) == 4  # 40 columns in 10 usable per line


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_demo_workbooks_print_on_the_pages_measured(books: dict[str, Path], tmp_path: Path) -> None:
    """Measured with LibreOffice 7.x: report 13 pages (38 before the page setup), worksheet 9."""
    pdfinfo = shutil.which("pdfinfo")
    for name, low, high in (("report", 10, 16), ("worksheet", 7, 12)):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(books[name]),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = tmp_path / f"{books[name].stem}.pdf"
        if pdfinfo:
            info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        else:
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
        assert low <= pages <= high, (name, pages)
