"""Skipped is a state: a rule that could not be evaluated says so, in every format.

The demo township without its checkups file: every rule that needs checkups
is skipped with the reason, the loader's table-missing error still fails the
gate, and terminal, JSON, Markdown, HTML, XLSX and JUnit all show it. What a
rule reads is worked out from its SQL (`audit.io.reads`), checked here on the
shipped rules and on crafted SQL.
"""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest

from audit.app import run_audit
from audit.core.exitcodes import ExitCode, exit_code_for
from audit.core.models import AuditReport, Category, Severity, TableLoad
from audit.io.reads import Reads, rule_reads, skip_reason, sql_reads
from audit.io.suites import load_suites
from audit.render import render
from audit.render.labels import label

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"

# Every rule that cannot answer its question without checkups (by rule name).
NEEDS_CHECKUPS = ["pregnancy-missing", "dup-key[checkups]", "date-missing[checkups]"]
REASON = {"zh": "缺少表 checkups", "en": "table checkups is missing"}


@pytest.fixture(scope="module")
def no_checkups(tmp_path_factory: pytest.TempPathFactory) -> AuditReport:
    folder = tmp_path_factory.mktemp("no-checkups") / "demo"
    shutil.copytree(DEMO, folder)
    (folder / "checkups.csv").unlink()
    return run_audit(folder, lang="en")


def _skipped(report: AuditReport) -> dict[str, str | None]:
    from audit.core.outcomes import Status, outcomes

    return {o.name: o.skipped_reason for o in outcomes(report) if o.status is Status.SKIPPED}


def test_rules_needing_checkups_are_skipped_and_the_gate_still_fails(
    no_checkups: AuditReport,
) -> None:
    report = no_checkups
    assert _skipped(report) == dict.fromkeys(NEEDS_CHECKUPS, REASON["en"])
    missing = [f for f in report.findings if f.check == "table-missing"]
    assert [(f.table, f.severity) for f in missing] == [("checkups", Severity.ERROR)]
    assert exit_code_for(report, "error") is ExitCode.FINDINGS
    # a skipped rule has no findings and is not counted as run
    skipped_checks = [c for c in report.checks if not c.evaluated]
    assert len(skipped_checks) == 3 and all(c.unexpected_count == 0 for c in skipped_checks)
    assert not any(f.check == "pregnancy-missing" for f in report.findings)
    # rules that only read checkups beside other tables (a UNION branch) still run
    ran = {c.check for c in report.checks if c.evaluated}
    assert {"id-format", "future-date", "procedure-unregistered"} <= ran


def test_every_format_shows_the_skipped_rules(no_checkups: AuditReport) -> None:
    report = no_checkups
    reason = REASON["en"]
    titles = {c.check: c.title for c in report.checks if not c.evaluated}

    terminal = render(report, "table", color=False)
    assert isinstance(terminal, str)
    assert label("skipped_rules", "en") in terminal
    flat = " ".join(terminal.split())
    for name in NEEDS_CHECKUPS:
        assert name in flat
    assert f"{titles['pregnancy-missing']}: {reason}" in flat

    doc = json.loads(render(report, "json"))
    by_name = {c["name"]: c for c in doc["checks"]}
    for name in NEEDS_CHECKUPS:
        assert by_name[name]["status"] == "skipped"
        assert by_name[name]["skipped_reason"] == reason
        assert by_name[name]["findings"] == 0
    assert by_name["table-missing"]["status"] == "failed"
    assert doc["summary"]["checks_skipped"] == 3
    assert doc["verdict"] == {"passed": False, "fail_on": "error", "exit_code": 1}

    markdown = render(report, "markdown")
    assert isinstance(markdown, str)
    assert f"**{label('skipped_rules', 'en')}**" in markdown
    for name in NEEDS_CHECKUPS:
        assert f"`{name}`" in markdown
    assert reason in markdown

    html = render(report, "html")
    assert isinstance(html, str)
    assert '<div class="skipped">' in html
    assert f"<code>pregnancy-missing</code> {titles['pregnancy-missing']}: {reason}" in html

    data = render(report, "xlsx")
    assert isinstance(data, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[label("sheet_checks", "en")]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for name in NEEDS_CHECKUPS:
        assert rows[name][6] == label("skipped", "en") and rows[name][8] == reason
    assert rows["dup-key[procedures]"][6] == label("passed", "en")

    root = ET.fromstring(render(report, "junit"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    for name in NEEDS_CHECKUPS:
        skipped = cases[name].find("skipped")
        assert skipped is not None and reason in (skipped.get("message") or "")
    technical = next(s for s in root.iter("testsuite") if s.get("name") == "technical")
    assert technical.get("skipped") == "2"
    assert cases["table-missing"].find("failure") is not None


def test_junit_has_one_case_per_rule_with_its_own_title(no_checkups: AuditReport) -> None:
    root = ET.fromstring(render(no_checkups, "junit"))
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(names) == len(set(names))
    rules = sum(len(s.rules) for s in load_suites())
    loader_fired = len({f.check for f in no_checkups.findings if f.check == "table-missing"})
    assert len(names) == rules + loader_fired
    assert {"dup-key[procedures]", "dup-key[checkups]", "date-missing[procedures]"} <= set(names)


def test_a_duplicated_checkup_fails_under_its_own_title(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    lines = (folder / "checkups.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "checkups.csv").write_text("".join([*lines, lines[1]]), encoding="utf-8")
    report = run_audit(folder, lang="en", select=["dup-key"])
    root = ET.fromstring(render(report, "junit"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"dup-key[procedures]", "dup-key[checkups]"}
    failure = cases["dup-key[checkups]"].find("failure")
    assert failure is not None
    assert (failure.get("message") or "").startswith(
        "A checkup number is used by more than one row"
    )
    assert cases["dup-key[procedures]"].find("failure") is None


# --- what a rule reads ----------------------------------------------------------------------


def test_reads_of_the_shipped_rules() -> None:
    rules = {(r.check, r.table): rule_reads(r) for s in load_suites() for r in s.rules}
    pregnancy = rules[("pregnancy-missing", "women")]
    assert pregnancy.tables == {"women", "checkups", "births", "procedures"}
    assert ("checkups", "pregnant") in pregnancy.columns
    assert ("women", "pregnant") in pregnancy.columns
    # through the shared views down to the submission's tables
    certificate = rules[("certificate", "migrants")]
    assert certificate.tables == {"migrants", "women"}
    assert {"x_open_migrants", "x_women_person"} <= certificate.views
    # a UNION of every table's IDs: each table optional
    ids = rules[("id-format", "women")]
    assert ids.tables == frozenset() and "checkups" in ids.optional_tables
    assert rules[("dup-key", "checkups")] == Reads(
        tables=frozenset({"checkups"}), columns=frozenset({("checkups", "checkup_id")})
    )


def test_reads_of_crafted_sql() -> None:
    joined = """
        WITH recent AS (SELECT person_id FROM checkups WHERE pregnant)
        SELECT w.person_id AS record, w.village_code
        FROM women AS w JOIN recent AS r ON r.person_id = w.person_id
        CROSS JOIN audit_params AS p
        WHERE w.method_date < p.period_end
    """
    reads = sql_reads(joined)
    # the CTE's table is followed; audit_params is not a table of the submission
    assert reads.tables == {"women", "checkups"} and reads.optional_tables == frozenset()
    assert {("women", "person_id"), ("women", "method_date"), ("checkups", "pregnant")} <= set(
        reads.columns
    )
    # records of several tables side by side: each branch of the UNION is optional
    unioned = sql_reads(joined + " UNION ALL SELECT m.person_id, m.village_code FROM migrants AS m")
    assert unioned.tables == frozenset()
    assert unioned.optional_tables == {"women", "checkups", "migrants"}
    assert unioned.columns == frozenset()


def _load(table: str, *, missing: bool = False, columns: tuple[str, ...] = ()) -> TableLoad:
    return TableLoad(
        table=table,
        ledger="statistics",
        path=None if missing else f"{table}.csv",
        format=None if missing else "csv",
        encoding=None,
        rows=0,
        columns=(),
        missing_columns=columns,
    )


def test_skip_reason_names_the_missing_table_or_column() -> None:
    reads = Reads(
        tables=frozenset({"women", "checkups"}),
        optional_tables=frozenset({"migrants"}),
        columns=frozenset({("checkups", "pregnant")}),
    )
    complete = [_load("women"), _load("checkups"), _load("migrants")]
    assert skip_reason(reads, complete, "en") is None
    # an optional table missing does not skip the rule
    assert (
        skip_reason(
            reads, [_load("women"), _load("checkups"), _load("migrants", missing=True)], "en"
        )
        is None
    )
    assert (
        skip_reason(reads, [_load("women"), _load("checkups", missing=True)], "zh")
        == "缺少表 checkups"
    )
    assert (
        skip_reason(reads, [_load("women"), _load("checkups", columns=("pregnant",))], "en")
        == "checkups has no column pregnant"
    )
    # a missing column the rule does not read changes nothing
    assert skip_reason(reads, [_load("women", columns=("name",)), _load("checkups")], "en") is None


def test_a_missing_column_skips_the_rules_that_read_it(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    import csv

    path = folder / "checkups.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    drop = rows[0].index("pregnant")
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([r[:drop] + r[drop + 1 :] for r in rows])
    report = run_audit(folder, lang="en", select=["pregnancy-missing", "dup-key", "date-missing"])
    assert _skipped(report) == {"pregnancy-missing": "checkups has no column pregnant"}
    column = [f for f in report.findings if f.check == "column-missing"]
    assert [(f.table, f.category) for f in column] == [("checkups", Category.COMPLETENESS)]
