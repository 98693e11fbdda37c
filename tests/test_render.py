"""The reports people read: terminal, Markdown, JUnit, XLSX and HTML, in Chinese and English.

Most tests render one hand-built `AuditReport` (findings written here, figures computed from
the crafted township of test_overview), so they do not depend on the checks' wording; the
snapshot and command-line tests run the real audit on the demo submission.
"""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from audit.cli import app
from audit.core.exitcodes import FailOn
from audit.core.models import (
    AuditReport,
    Category,
    CheckResult,
    Finding,
    Severity,
    TableLoad,
    sort_findings,
)
from audit.core.overview import Overview, chapman
from audit.core.period import make_window
from audit.io import sqlrun
from audit.io.loader import load_submission
from audit.io.overview import compute_overview
from audit.render import render
from audit.render import table as table_render
from audit.render.labels import (
    CATEGORY_NAMES,
    LABELS,
    LANGS,
    SEVERITY_NAMES,
    fmt_pct,
    label,
)
from tests.helpers import TOWNSHIP, VILLAGE_A, VILLAGE_B
from tests.test_overview import FINDINGS, PERIOD, build_township

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

# Values a village officer could type that must stay inert in every format.
FORMULA_RECORD = '=HYPERLINK("http://evil.example","x")'
HOSTILE = ("+8613800000000", "-1", "@SUM(A1)", "<script>alert('x')</script>", "a|b*c_d`e")

MESSAGES = {
    "missing": {"zh": "出生登记中没有该产妇的分娩记录", "en": "no birth of hers on the register"},
    "method": {"zh": "花名册措施与手术记录不符", "en": "method differs from the procedure"},
    "feedback": {"zh": "近 92 天无孕检反馈", "en": "no feedback in the last 92 days"},
    "level": {"zh": "各村合计与乡镇行不符", "en": "village rows do not add up to the township"},
    "id": {"zh": "身份证号码校验码错误", "en": "wrong check character"},
    "odd": {"zh": "记录值异常", "en": "odd record value"},
}


def _checks(lang: str) -> tuple[CheckResult, ...]:
    def check(cid: str, cat: Category, sev: Severity, suite: str, **kw: object) -> CheckResult:
        return CheckResult(cid, cat, sev, ("statistics",), "women", f"title {cid}", suite, **kw)  # type: ignore[arg-type]

    return (
        check("postpartum-birth-missing", Category.UNDER_REPORT, Severity.ERROR, "cross_ledger"),
        check("method-vs-procedure", Category.MISMATCH, Severity.ERROR, "cross_ledger"),
        check("feedback-overdue", Category.TIMELINESS, Severity.WARNING, "floating"),
        check("report-levels", Category.ARITHMETIC, Severity.ERROR, "reports"),
        check("id-format", Category.INVALID_ID, Severity.ERROR, "statistics"),
        check("stock-balance", Category.ARITHMETIC, Severity.ERROR, "supply"),  # clean
        check(
            "stock-carry",
            Category.ARITHMETIC,
            Severity.ERROR,
            "supply",
            evaluated=False,
            skipped_reason="supply_stock is missing",
        ),
    )


def _findings(lang: str) -> list[Finding]:
    def f(*fields: Any) -> Finding:
        check, cat, sev, table, record, village, msg = fields
        return Finding(check, cat, sev, ("statistics",), table, record, village, msg)

    m = {k: v[lang] for k, v in MESSAGES.items()}
    out = [
        f(
            "postpartum-birth-missing",
            Category.UNDER_REPORT,
            Severity.ERROR,
            "procedures",
            "P2",
            VILLAGE_A,
            m["missing"],
        ),
        f(
            "method-vs-procedure",
            Category.MISMATCH,
            Severity.ERROR,
            "women",
            FORMULA_RECORD,
            VILLAGE_B,
            m["method"],
        ),
        f(
            "feedback-overdue",
            Category.TIMELINESS,
            Severity.WARNING,
            "migrants",
            "M3",
            VILLAGE_B,
            m["feedback"],
        ),
        f(
            "report-levels",
            Category.ARITHMETIC,
            Severity.ERROR,
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            TOWNSHIP,
            m["level"],
        ),
        f(
            "table-missing",
            Category.COMPLETENESS,
            Severity.ERROR,
            "checkups",
            "",
            None,
            "checkups.csv",
        ),
    ]
    out += [
        f(
            "id-format",
            Category.INVALID_ID,
            Severity.ERROR,
            "supply_issues",
            f"S{i:02d}",
            VILLAGE_B,
            m["id"],
        )
        for i in range(13)
    ]
    out += [
        f(
            "method-vs-procedure",
            Category.MISMATCH,
            Severity.ERROR,
            "women",
            rec,
            VILLAGE_A,
            f"{m['odd']} {rec}",
        )
        for rec in HOSTILE
    ]
    return out


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Overview:
    sub = load_submission(build_township(tmp_path_factory.mktemp("township")))
    try:
        sqlrun.install_params(sub.con, PERIOD, make_window(PERIOD), TOWNSHIP)
        return compute_overview(sub.con, FINDINGS)
    finally:
        sub.con.close()


def crafted(lang: str, overview: Overview | None, **changes: Any) -> AuditReport:
    read = [
        TableLoad(name, "statistics", f"{name}.csv", "csv", "utf-8", rows, ())
        for name, rows in (("women", 10), ("births", 6), ("procedures", 8))
    ]
    tables = (*read, TableLoad("checkups", "technical", None, None, None, 0, ()))
    report = AuditReport(
        period=PERIOD,
        township_code=TOWNSHIP,
        township_name="测试镇" if lang == "zh" else "Testtown",
        window=make_window(PERIOD),
        lang=lang,
        tables=tables,
        checks=_checks(lang),
        findings=sort_findings(_findings(lang)),
        overview=overview,
    )
    return replace(report, **changes) if changes else report


@pytest.fixture(params=LANGS)
def report(request: pytest.FixtureRequest, figures: Overview) -> AuditReport:
    return crafted(request.param, figures)


# --- labels -------------------------------------------------------------------------------


def test_every_label_exists_in_both_languages_and_english_is_english() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts.values()), key
        assert not CJK.search(texts["en"]), (key, texts["en"])
    for names in (CATEGORY_NAMES, SEVERITY_NAMES):
        assert set(names) == set(LANGS)
        assert set(names["zh"]) == set(names["en"])
        assert not any(CJK.search(n) for n in names["en"].values())
    assert set(CATEGORY_NAMES["en"]) == set(Category)


def test_percentages_never_round_to_all_or_nothing() -> None:
    assert fmt_pct(0.99989) == "99.9%" and fmt_pct(0.99989, 2) == "99.99%"
    assert fmt_pct(1.0) == "100.0%" and fmt_pct(0.0) == "0.0%"
    assert fmt_pct(0.00001) == "0.1%"
    assert fmt_pct(0.5) == "50.0%" and fmt_pct(None) == "—"


# --- terminal -------------------------------------------------------------------------------


def text_of(report: AuditReport, fail_on: str = "error", limit: int = 10) -> str:
    out = table_render.render(report, fail_on=FailOn(fail_on), limit=limit, color=False)
    assert isinstance(out, str)
    return out


def test_terminal_report_tells_the_whole_story_in_100_columns(report: AuditReport) -> None:
    lang = report.lang
    out = text_of(report, limit=10)
    assert "\x1b" not in out
    assert all(cell_len(line) <= 100 for line in out.splitlines())
    assert all(line == line.rstrip() for line in out.splitlines())
    lines = out.splitlines()
    assert lines[0] == f"{label('title', lang)} — " + (
        "测试镇（340811101000）" if lang == "zh" else "Testtown (340811101000)"
    )
    assert label("fail", lang) in out
    assert label("counts", lang, errors=22, warnings=1, info=0) in out
    # 6 checks evaluated (stock-carry skipped), 6 with findings (one a loader check), 5 of them
    # with an error; the warning-only feedback-overdue does not fail under --fail-on error
    assert label("checks_run", lang, run=6, found=6, failing=5, skipped=1) in out
    for key in ("four_numbers", "indicators", "quality", "capture_recapture", "findings"):
        assert label(key, lang) in out
    # the four numbers of village A, read across (see test_overview for the working)
    row = next(line for line in lines if line.startswith(VILLAGE_A))
    assert row.split() == [
        VILLAGE_A,
        "2",
        "3",
        "0",
        "1",
        "1",
        "2",
        "-1",
        "2",
        "1",
        "+1",
        "2",
        "2",
        "0",
    ]
    township = next(line for line in lines if line.startswith(label("township_total", lang)))
    assert township.split()[1:] == [
        "5",
        "4",
        "4",
        "2",
        "2",
        "3",
        "-1",
        "4",
        "3",
        "+1",
        "2",
        "3",
        "-1",
    ]
    assert label("too_small", lang, min=7) in out
    # findings by village: the township's own first, then villages, then no village
    order = [
        out.index(label("findings_of", lang, unit=u, counts=""))
        for u in (
            label("township_level", lang, code=TOWNSHIP),
            label("village_unit", lang, code=VILLAGE_A),
            label("village_unit", lang, code=VILLAGE_B),
        )
    ]
    assert order == sorted(order)
    assert out.rindex(label("no_village", lang)) > order[-1]
    # 13 ID findings in village B: the first 10 listed, then how many more
    assert "S09" in out and "S10" not in out
    assert label("more", lang, n=3) in out
    assert MESSAGES["missing"][lang] in out


def test_terminal_limit_and_gate(report: AuditReport) -> None:
    lang = report.lang
    assert label("more", lang, n=12) in text_of(report, limit=1)
    assert "S00" not in text_of(report, limit=0)
    assert label("pass", lang) in text_of(report, fail_on="never")
    warnings_only = replace(
        report, findings=tuple(f for f in report.findings if f.severity is Severity.WARNING)
    )
    assert label("pass", lang) in text_of(warnings_only, fail_on="error")
    assert label("fail", lang) in text_of(warnings_only, fail_on="warning")


def test_terminal_colour_only_on_a_terminal_without_no_color(
    report: AuditReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    coloured = table_render.render(report, color=True)
    assert "\x1b[" in coloured
    assert "\x1b[1;31m" in coloured  # a gap in bold red
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert table_render.color_wanted() is False
    assert "\x1b" not in table_render.render(report)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert table_render.color_wanted() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert table_render.color_wanted() is False
    assert "\x1b" not in render(report, "table")


def test_english_screens_hold_no_chinese(figures: Overview) -> None:
    en = crafted("en", figures)
    for fmt in ("table", "markdown", "junit", "html"):
        out = render(en, fmt)
        assert isinstance(out, str)
        assert not CJK.search(out), (fmt, CJK.findall(out)[:10])
    wb = openpyxl.load_workbook(io.BytesIO(render(en, "xlsx")))  # type: ignore[arg-type]
    for ws in wb.worksheets:
        assert not CJK.search(ws.title)
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and CJK.search(v)), (ws.title, v)


def test_reports_without_figures_still_render(report: AuditReport) -> None:
    bare = replace(report, overview=None)
    lang = report.lang
    for fmt in ("table", "markdown", "html"):
        out = render(bare, fmt)
        assert isinstance(out, str)
        assert label("overview_missing", lang) in out.replace("\\", "")
        assert label("fail", lang) in out
    wb = openpyxl.load_workbook(io.BytesIO(render(bare, "xlsx")))  # type: ignore[arg-type]
    assert label("sheet_four_numbers", lang) not in wb.sheetnames
    ET.fromstring(render(bare, "junit"))


def test_estimate_shown_when_enough_births_match(report: AuditReport) -> None:
    assert report.overview is not None
    enough = replace(
        report, overview=replace(report.overview, capture_recapture=chapman(200, 150, 120))
    )
    lang = report.lang
    line = label(
        "estimate_line",
        lang,
        estimate="249.8",
        low="240.7",
        high="266.7",
        rate="19.9%",
        rate_low="16.9%",
        rate_high="25.0%",
    )
    assert re.sub(r"\s", "", line) in re.sub(r"\s", "", text_of(enough))
    assert line in render(enough, "markdown")
    assert line in str(render(enough, "html"))


# --- Markdown -------------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    """Split a GFM table row on unescaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def test_markdown_tables_stay_tables_and_values_stay_inert(report: AuditReport) -> None:
    md = render(report, "markdown")
    assert isinstance(md, str)
    lang = report.lang
    assert md.startswith(f"# {label('title', lang)}")
    assert f"## {label('verdict', lang)}" in md
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|:") or line.startswith("|-"):
            width = len(_cells(lines[i - 1]))
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert len(_cells(lines[j])) == width, lines[j]
                j += 1
    row = next(line for line in lines if line.startswith(f"| {VILLAGE_A} |"))
    assert _cells(row)[1:] == [
        "2",
        "3",
        "0",
        "**1**",
        "1",
        "2",
        "**-1**",
        "2",
        "1",
        "**+1**",
        "2",
        "2",
        "0",
    ]
    # markup from the data is escaped, or sits in a code span (shown literally)
    outside_code = re.sub(r"(`+).+?\1", "", md)
    assert "<script>" not in outside_code and r"\<script\>" in outside_code
    assert "``a\\|b*c_d`e``" in md
    assert label("more", lang, n=3) in md.replace("\\", "")


# --- JUnit ----------------------------------------------------------------------------------


def test_junit_is_the_usual_schema_and_agrees_with_the_gate(report: AuditReport) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "cross_ledger",
        "floating",
        "reports",
        "statistics",
        "supply",
        "load",
    ]
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for s in suites:
        cases = s.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        assert {k: int(s.get(k, "-1")) for k in counts} == counts, s.get("name")
        for k in total:
            total[k] += counts[k]
        for c in cases:
            assert c.get("classname") == f"fourcheck.{s.get('name')}"
            assert c.get("name")
            failure = c.find("failure")
            if failure is not None:
                assert failure.get("message") and failure.get("type")
    # junit-10.xsd has no skipped total on <testsuites>: tests, failures and errors only
    assert root.get("skipped") is None
    assert {k: int(root.get(k, "-1")) for k in total if k != "skipped"} == {
        k: v for k, v in total.items() if k != "skipped"
    }
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    assert set(by_name) == {
        "postpartum-birth-missing",
        "method-vs-procedure",
        "feedback-overdue",
        "report-levels",
        "id-format",
        "stock-balance",
        "stock-carry",
        "table-missing",
    }
    # failures list every record, not only the first `limit`
    assert by_name["id-format"].findtext("failure", "").count("supply_issues S") == 13
    assert FORMULA_RECORD in by_name["method-vs-procedure"].findtext("failure", "")
    assert "<script>alert('x')</script>" in by_name["method-vs-procedure"].findtext("failure", "")
    # a warning does not fail under --fail-on error; its records go to system-out
    assert by_name["feedback-overdue"].find("failure") is None
    assert "M3" in by_name["feedback-overdue"].findtext("system-out", "")
    assert by_name["stock-balance"].find("*") is None
    skipped = by_name["stock-carry"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "title stock-carry — supply_stock is missing"
    assert by_name["table-missing"].find("failure") is not None
    assert total == {"tests": 8, "failures": 5, "errors": 0, "skipped": 1}
    strict = ET.fromstring(render(report, "junit", fail_on="warning"))
    assert strict.get("failures") == "6"
    lenient = ET.fromstring(render(report, "junit", fail_on="never"))
    assert lenient.get("failures") == "0"


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_sheets_headers_panes_and_no_formulas(report: AuditReport) -> None:
    lang = report.lang
    data = render(report, "xlsx")
    assert isinstance(data, bytes)
    assert data == render(report, "xlsx")  # deterministic bytes
    wb = openpyxl.load_workbook(io.BytesIO(data))
    township_sheet = label("sheet_township", lang)
    no_village = label("sheet_no_village", lang)
    assert wb.sheetnames == [
        label("sheet_summary", lang),
        label("sheet_four_numbers", lang),
        label("sheet_indicators", lang),
        label("sheet_quality", lang),
        label("sheet_checks", lang),
        township_sheet,
        VILLAGE_A,
        VILLAGE_B,
        no_village,
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        assert widths and max(widths) > 10, ws.title
    assert wb.properties.created is not None and wb.properties.created.date() == date(2027, 3, 31)

    findings_header = [
        label(k, lang)
        for k in (
            "severity",
            "category",
            "check",
            "ledgers",
            "table",
            "record",
            "village_code",
            "message",
        )
    ]
    b = wb[VILLAGE_B]
    assert [c.value for c in b[1]] == findings_header
    records = [r[5] for r in b.iter_rows(min_row=2, values_only=True)]
    # every finding of the village (no limit), formulas kept as the text typed
    assert len(records) == 15 and FORMULA_RECORD in records
    a_records = [r[5] for r in wb[VILLAGE_A].iter_rows(min_row=2, values_only=True)]
    for value in HOSTILE:
        assert value in a_records
    assert b.auto_filter.ref == "A1:H16"

    four = wb[label("sheet_four_numbers", lang)]
    header = [c.value for c in four[1]]
    assert header[0] == label("village", lang) and len(header) == 14
    rows = {r[0]: r[1:] for r in four.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert rows[VILLAGE_A] == (2, 3, 0, 1, 1, 2, -1, 2, 1, 1, 2, 2, 0)
    assert rows[label("township_total", lang)][:4] == (5, 4, 4, 2)
    assert four.cell(2, 8).font.b and not four.cell(3, 8).font.b  # a gap stands out

    ind = wb[label("sheet_indicators", lang)]
    a = next(r for r in ind.iter_rows(min_row=2, values_only=True) if r[0] == VILLAGE_A)
    assert a[1:4] == (0.5, 1, 2)  # policy compliance as a number, with its parts
    assert ind.cell(2, 2).number_format == "0.0%"

    summary = {r[0]: r[1] for r in wb[label("sheet_summary", lang)].iter_rows(values_only=True)}
    assert summary[label("verdict", lang)] == label("fail", lang)
    assert summary[label("errors", lang)] == 22
    checks = wb[label("sheet_checks", lang)]
    status = {r[1]: r[6] for r in checks.iter_rows(min_row=2, values_only=True)}
    assert status["stock-balance"] == label("passed", lang)
    assert status["stock-carry"] == label("skipped", lang)
    assert status["feedback-overdue"] == label("below_gate", lang)
    assert status["id-format"] == label("failed", lang)


def test_xlsx_sheet_names_are_unique_and_legal(figures: Overview) -> None:
    odd = "3408/1110:1*?[]"
    report = crafted("zh", figures)
    extra = Finding(
        "id-sex", Category.INVALID_ID, Severity.ERROR, ("statistics",), "women", "x", odd, "m"
    )
    clash = Finding(
        "id-sex",
        Category.INVALID_ID,
        Severity.ERROR,
        ("statistics",),
        "women",
        "y",
        label("sheet_no_village", "zh"),
        "m",
    )
    report = replace(report, findings=sort_findings([*report.findings, extra, clash]))
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))  # type: ignore[arg-type]
    assert "3408_1110_1____" in wb.sheetnames
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)


# --- HTML -----------------------------------------------------------------------------------


def test_html_is_self_contained_printable_and_escaped(report: AuditReport) -> None:
    html = render(report, "html")
    assert isinstance(html, str)
    lang = report.lang
    assert html.startswith("<!DOCTYPE html>")
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in html
    assert "@page { size: A4;" in html
    # nothing fetched from anywhere: no source or link attribute, no CSS import or url()
    assert not re.search(r"\b(?:src|href|srcset|action)\s*=", html, re.I)
    for tag in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url("):
        assert tag not in html.lower(), tag
    assert set(re.findall(r'xmlns="([^"]+)"', html)) == {"http://www.w3.org/2000/svg"}
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    # findings per village; the crafted villages have too few births for the funnel
    assert html.count("<svg") == 1
    assert label("funnel_none_enough", report.lang, min=5) in html
    assert 'id="verdict"' in html and label("fail", lang) in html
    assert f"<td>{VILLAGE_A}</td>" in html and f"<td>{VILLAGE_B}</td>" in html
    assert '<td class="num gap">-1</td>' in html


# --- snapshots and the command line on the demo submission ---------------------------------


FILLED_BY_APP: dict[str, bool] = {}


def _demo_report(lang: str) -> AuditReport:
    from audit.app import run_audit

    report = run_audit(DEMO, lang=lang)
    FILLED_BY_APP[lang] = report.overview is not None
    if report.overview is None:
        # audit.app does not attach the figures yet: compute them the way it will
        sub = load_submission(DEMO, lang=lang)
        try:
            sqlrun.install_params(sub.con, report.period, report.window, report.township_code)
            sqlrun.install_views(sub.con)
            report = replace(report, overview=compute_overview(sub.con, report.findings))
        finally:
            sub.con.close()
    return replace(report, meta={})  # nothing machine-specific in a snapshot


@pytest.fixture(scope="module", params=LANGS)
def demo(request: pytest.FixtureRequest) -> Iterator[AuditReport]:
    assert (DEMO / "manifest.json").is_file(), f"{DEMO} is shipped with the repository"
    yield _demo_report(request.param)


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, run UPDATE_SNAPSHOTS=1 pytest tests/test_render.py"
    )


def test_demo_terminal_snapshot(demo: AuditReport) -> None:
    _snapshot(f"demo_table_{demo.lang}.txt", text_of(demo))


@pytest.mark.parametrize("width", [80, 120])
def test_demo_terminal_follows_the_width_without_breaking_tokens(
    demo: AuditReport, width: int
) -> None:
    """At 80 columns tables leave columns out instead of wrapping rows; no line is wider than
    the terminal, and no ID, date or record number is ever split across lines."""
    text = table_render.render(demo, width=width, color=False, limit=1000)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    tokens = re.compile(r"\d{17}[\dX]|\d{12}|\d{4}-\d{2}-\d{2}|[A-Z]\d{8}")
    shown = 0
    for f in demo.findings:
        for token in tokens.findall(f.message):
            assert token in text, token
            shown += 1
    assert shown > 20
    four = lines[lines.index(label("four_numbers", demo.lang)) + 4]  # first village row
    assert four.startswith("桃园村") and len(four.split()) >= (10 if width == 80 else 14)
    left_out = "本表省略" if demo.lang == "zh" else "leaves out"
    assert (left_out in text) == (width == 80)
    _snapshot(
        f"demo_table_{demo.lang}_{width}.txt", table_render.render(demo, width=width, color=False)
    )


def test_demo_markdown_snapshot(demo: AuditReport) -> None:
    md = render(demo, "markdown")
    assert isinstance(md, str)
    _snapshot(f"demo_markdown_{demo.lang}.md", md)


def test_demo_births_gap_is_where_the_under_reporting_findings_are(demo: AuditReport) -> None:
    """The figures and the checks match births the same way, so they name the same villages."""
    ov = demo.overview
    assert ov is not None
    gaps = {r.unit for r in ov.four_numbers[:-1] if r.births_unregistered}
    found = {
        f.village_code
        for f in demo.findings
        if f.check in ("migrant-birth-missing", "postpartum-birth-missing")
    }
    assert gaps and gaps == found


runner = CliRunner()


def test_cli_run_writes_every_report(demo: AuditReport, tmp_path: Path) -> None:
    """End to end through `audit run`; one language per format keeps the suite quick."""
    assert FILLED_BY_APP.get(demo.lang), "audit run must attach the §6 figures to the report"
    lang = demo.lang
    if lang == "en":
        result = runner.invoke(app, ["run", str(DEMO), "--lang", "en", "--limit", "3"])
        assert result.exit_code == 1, result.stderr
        assert result.stdout.startswith(label("title", "en"))
        assert label("four_numbers", "en") in result.stdout
        assert "\x1b" not in result.stdout
        return
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        app, ["run", str(DEMO), "--format", "xlsx", "--output", str(out), "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert label("sheet_four_numbers", "zh") in wb.sheetnames
    assert "桃园村（340811101001）" in wb.sheetnames  # villages.csv names it
