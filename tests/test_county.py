"""The county audit end to end: generated counties with and without faults, a broken township.

Real outcomes only: the county truth file against the findings, exit codes,
the JSON document (each township entry equal to the single-run document), the
broken township named with its reason while the others are reported.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from audit.app import run_audit
from audit.cli import app
from audit.core.county import CountyReport, TownshipEntry, ranked
from audit.core.exitcodes import ExitCode, county_exit_code
from audit.core.models import AuditReport, Category, Finding, Severity, Window
from audit.county import is_county_folder, run_county
from audit.io.county import county_suites
from audit.render.county import render_county
from audit.render.json import document
from audit.sample.county import generate_county

SIZE = {"villages": 2, "women_per_village": 150, "period": "2026-10", "fmt": "csv"}


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("county")
    generate_county(root / "clean", townships=3, seed=5, faults="none", **SIZE)  # type: ignore[arg-type]
    generate_county(root / "faulty", townships=3, seed=5, faults="all", **SIZE)  # type: ignore[arg-type]
    broken = root / "broken"
    shutil.copytree(root / "clean", broken)
    folder = sorted(p for p in broken.iterdir() if p.is_dir())[1]
    women = pl.read_csv(folder / "women.csv", infer_schema=False)
    women.drop("person_id").write_csv(folder / "women.csv")  # the register without its key
    (folder / "manifest.json").unlink()  # county.json's "folder" names the township then
    return {"clean": root / "clean", "faulty": root / "faulty", "broken": broken, "root": root}


@pytest.fixture(scope="module")
def faulty(counties: dict[str, Path]) -> CountyReport:
    return run_county(counties["faulty"], lang="en", jobs=2)


@pytest.fixture(scope="module")
def clean(counties: dict[str, Path]) -> CountyReport:
    return run_county(counties["clean"], lang="en", jobs=1)


def test_every_planted_cross_township_fault_is_found(
    counties: dict[str, Path], faulty: CountyReport
) -> None:
    truth = json.loads((counties["faulty"] / "truth.json").read_text(encoding="utf-8"))
    assert {t["check"] for t in truth} == {
        "county-dup-person",
        "county-dup-birth",
        "county-outmigrant-unrecorded",
        "county-inmigrant-home-resident",
        "county-report-sum",
        "county-township-missing",
    }
    found = {
        (
            c.finding.check,
            c.finding.category.value,
            c.finding.table,
            c.finding.record,
            c.township_code,
        )
        for c in faulty.findings
    }
    expected = {(t["check"], t["category"], t["table"], t["record"], t["township"]) for t in truth}
    assert expected <= found
    # and nothing else across townships reaches a warning
    extra = [
        c for c in faulty.findings
        if (c.finding.check, c.finding.category.value, c.finding.table, c.finding.record,
            c.township_code) not in expected
        and c.severity is not Severity.INFO
    ]  # fmt: skip
    assert extra == []
    # the duplicate registration goes to both townships
    dup = {c.township_code for c in faulty.findings if c.finding.check == "county-dup-person"}
    assert len(dup) == 2
    assert county_exit_code(faulty) is ExitCode.FINDINGS


def test_a_county_without_its_own_report_runs_every_cross_township_check(
    counties: dict[str, Path], tmp_path: Path
) -> None:
    # The county's own report (stat_reports.csv beside county.json) is optional: without it
    # the sum check has nothing to compare, and every other cross-township fault is found.
    county = tmp_path / "no-report"
    shutil.copytree(counties["faulty"], county)
    (county / "stat_reports.csv").unlink()
    rules = sorted({r.check for suite in county_suites(None) for r in suite.rules})
    report = run_county(county, lang="en", jobs=1, select=(*rules, "dup-person"))
    truth = json.loads((county / "truth.json").read_text(encoding="utf-8"))
    expected = {(t["check"], t["record"]) for t in truth if t["check"] != "county-report-sum"}
    assert {(c.finding.check, c.finding.record) for c in report.findings} == expected
    sums = [c for c in report.checks if c.check == "county-report-sum"]
    assert [(c.evaluated, c.success) for c in sums] == [(True, True)]
    assert all(t.failure is None for t in report.townships)


def test_clean_county_has_no_cross_township_error_or_warning(clean: CountyReport) -> None:
    assert [c for c in clean.findings if c.severity is not Severity.INFO] == []
    assert len(clean.townships) == 3 and all(t.audited for t in clean.townships)
    assert clean.county_code == "340811000000" and clean.county_name == "宜秀区"
    assert clean.period == "2026-10"
    assert len(clean.expected) == 3
    assert [t.rank for t in clean.townships] == sorted(t.rank or 0 for t in clean.townships)
    assert {c.check for c in clean.checks} >= {"county-dup-person", "county-report-sum"}
    assert all(c.success for c in clean.checks)


def test_township_entry_is_the_single_township_report(
    counties: dict[str, Path], clean: CountyReport
) -> None:
    entry = clean.townships[0]
    single = run_audit(counties["clean"] / entry.folder, lang="en")
    assert entry.report is not None
    assert document(entry.report) == document(single)
    data = json.loads(render_county(clean, "json"))
    township = next(t for t in data["townships"] if t["folder"] == entry.folder)
    assert {k: v for k, v in township.items() if k in document(single)} == json.loads(
        json.dumps(document(single), ensure_ascii=False)
    )
    assert township["county_findings"] == [] and township["county_verdict"] == "pass"


def test_broken_township_is_named_and_the_others_reported(counties: dict[str, Path]) -> None:
    county = run_county(counties["broken"], lang="en", jobs=2)
    broken = [t for t in county.townships if not t.audited]
    assert len(broken) == 1
    t = broken[0]
    assert t.folder == sorted(p.name for p in counties["broken"].iterdir() if p.is_dir())[1]
    assert t.township_code == "340811102000" and t.township_name == "罗岭镇"
    assert "women.csv" in (t.failure or "") and "person_id" in (t.failure or "")
    assert t.rank is None and not t.passed
    assert sum(1 for x in county.townships if x.audited) == 2
    assert county.townships[-1] is t  # unusable townships rank last
    # its missing register is not reported as a missing township nor as a county sum
    assert [c.finding.check for c in county.findings if c.severity is not Severity.INFO] == []
    assert county_exit_code(county) is ExitCode.FINDINGS
    text = render_county(county, "table", color=False)
    assert isinstance(text, str)
    assert ("NOT AUDITED" in text and t.failure in text.replace("\n", " ")) or "person_id" in text


def test_cli_recognises_a_county_folder(counties: dict[str, Path], tmp_path: Path) -> None:
    assert is_county_folder(counties["clean"])
    assert not is_county_folder(next(p for p in counties["clean"].iterdir() if p.is_dir()))
    runner = CliRunner()
    out = tmp_path / "county.json"
    result = runner.invoke(
        app, ["run", str(counties["faulty"]), "-f", "json", "-o", str(out), "--lang", "en"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["verdict"] == "fail" and data["county_code"] == "340811000000"
    assert len(data["townships"]) == 3
    assert {f["check"] for f in data["findings"]} >= {"county-township-missing"}
    result = runner.invoke(app, ["county", str(counties["clean"]), "--lang", "en", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "County verdict: PASS" in result.output
    result = runner.invoke(app, ["county", str(counties["broken"]), "-f", "json"])
    assert result.exit_code == 1
    result = runner.invoke(
        app, ["county", str(next(p for p in counties["clean"].iterdir() if p.is_dir()))]
    )
    assert result.exit_code == 2 and "county" in result.output


def test_sample_county_is_reproducible_and_consistent(counties: dict[str, Path]) -> None:
    root = counties["root"]
    generate_county(root / "again", townships=3, seed=5, faults="none", **SIZE)  # type: ignore[arg-type]
    for p in sorted((root / "clean").rglob("*.*")):
        assert p.read_bytes() == (root / "again" / p.relative_to(root / "clean")).read_bytes(), p
    manifest = json.loads((root / "clean" / "county.json").read_text(encoding="utf-8"))
    assert [t["code"] for t in manifest["townships"]] == [
        "340811101000",
        "340811102000",
        "340811103000",
    ]
    registers = [
        pl.read_csv(root / "clean" / t["folder"] / "women.csv", infer_schema=False)
        for t in manifest["townships"]
    ]
    away = {p for r in registers for p in r.filter(pl.col("residence") == "out")["person_id"]}
    arrived = {p for r in registers for p in r.filter(pl.col("residence") == "in")["person_id"]}
    assert away & arrived  # out-migrants of one township living in another


# --- pure: ranks and the gate ---------------------------------------------------------------------


def _report(*severities: Severity) -> AuditReport:
    findings = tuple(
        Finding("x", Category.LOGIC, s, ("statistics",), "women", str(i), None, "m")
        for i, s in enumerate(severities)
    )
    w = Window(date(2025, 10, 1), date(2026, 10, 31), date(2026, 8, 1))
    return AuditReport("2026-10", "1", None, w, "en", (), (), findings)


def _entry(folder: str, report: AuditReport | None) -> TownshipEntry:
    return TownshipEntry(folder, folder, None, report, None if report else "broken")


def test_ranks_and_gate() -> None:
    entries = [
        _entry("b", _report(Severity.ERROR)),
        _entry("a", _report()),
        _entry("c", None),
        _entry("d", _report(Severity.WARNING)),
        _entry("e", _report()),
    ]
    out = ranked(entries, "error")
    assert [(e.folder, e.rank, e.passed) for e in out] == [
        ("a", 1, True),
        ("e", 1, True),
        ("d", 3, True),
        ("b", 4, False),
        ("c", None, False),
    ]
    county = CountyReport("340811000000", None, "2026-10", "en", "error", out, (), ())
    assert county_exit_code(county) is ExitCode.FINDINGS
    ok = replace(county, townships=tuple(e for e in out if e.folder in "ade"))
    assert county_exit_code(ok) is ExitCode.OK
    strict = replace(ok, fail_on="warning", townships=ranked([entries[1], entries[3]], "warning"))
    assert county_exit_code(strict) is ExitCode.FINDINGS
    never = replace(county, fail_on="never", townships=ranked(entries, "never"))
    assert county_exit_code(never) is ExitCode.FINDINGS  # a township could not be audited
    never_ok = replace(never, townships=tuple(e for e in never.townships if e.audited))
    assert county_exit_code(never_ok) is ExitCode.OK


def _unused(*_: Any) -> None:
    return None


def test_every_format_renders_the_county(faulty: CountyReport) -> None:
    import io
    import xml.etree.ElementTree as ET

    import openpyxl

    names = [t.township_name for t in faulty.townships]
    missing = next(c for c in faulty.findings if c.finding.check == "county-township-missing")

    text = render_county(faulty, "table", color=False)
    assert isinstance(text, str) and "County verdict: FAIL" in text
    assert all(n and n in text for n in names) and missing.finding.message in text.replace(
        "\n      ", " "
    )

    md = render_county(faulty, "markdown")
    assert isinstance(md, str)
    assert md.startswith("# County four-number consistency audit — 宜秀区 340811000000")
    assert "## Townships by rank" in md and "county-township-missing (completeness)" in md

    junit = render_county(faulty, "junit")
    assert isinstance(junit, str)
    root = ET.fromstring(junit.encode("utf-8"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites][-1] == "county"
    assert len(suites) == len(faulty.townships) + 1
    county_suite = suites[-1]
    failed = {tc.get("name") for tc in county_suite if tc.find("failure") is not None}
    assert failed == {c.finding.check for c in faulty.findings if c.severity is Severity.ERROR}

    xlsx = render_county(faulty, "xlsx")
    assert isinstance(xlsx, bytes)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Summary", "Across townships", *names]
    cross = wb["Across townships"]
    assert cross.max_row == len(faulty.findings) + 1
    summary = [[c.value for c in row] for row in wb["Summary"].iter_rows(min_row=8, max_row=10)]
    assert [r[0] for r in summary] == [t.rank for t in faulty.townships]

    html = render_county(faulty, "html")
    assert isinstance(html, str)
    for t in faulty.townships:
        assert f'id="t-{t.township_code}"' in html and f'href="#t-{t.township_code}"' in html
    assert "<script" not in html
