"""The engine end to end: suites → GX on DuckDB → every failing record → JSON and exit codes.

One crafted submission and one user suites folder (built-in GX expectations on
several tables, rows rules with tolerance, severity and table overrides) are
audited once per module; the CLI tests reuse them. GX is imported once per
test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from audit.app import run_audit
from audit.cli import app
from audit.core.exitcodes import AuditError
from audit.core.models import AuditReport, Category, Finding, Severity
from audit.core.period import make_window
from audit.io.engine import within_tolerance
from audit.render import render
from tests.helpers import TOWNSHIP, VILLAGE_A, VILLAGE_B, woman_id, write_submission

runner = CliRunner()
PROJECT = Path(__file__).resolve().parent.parent

N_PROCEDURES = 230  # more than GX's 200-row and 20-value caps
UNDATED = [f"P{i:04d}" for i in range(1, N_PROCEDURES + 1) if i % 10 != 0]  # 207 without a date

WOMEN = [
    # (person_id birth, village, children, method, pregnant)
    (date(1990, 1, 1), VILLAGE_A, 1, "iud", False),
    (date(1991, 2, 2), VILLAGE_A, 12, "iud", True),
    (date(1992, 3, 3), VILLAGE_B, 2, "condom", False),
    (date(1993, 4, 4), VILLAGE_B, 0, "iud", None),
    (date(1994, 5, 5), VILLAGE_B, 11, "iud", False),
]
WOMAN_IDS = [woman_id(b, seq=2 * (i + 1)) for i, (b, *_rest) in enumerate(WOMEN)]


def make_submission(folder: Path) -> Path:
    women = [
        {
            "person_id": pid,
            "name": f"女{i}",
            "birth_date": birth,
            "village_code": village,
            "group_no": 1,
            "marital_status": "married",
            "marriage_date": date(2015, 1, 1),
            "residence": "resident",
            "children": children,
            "method": method,
            "method_date": date(2020, 1, 1),
            "pregnant": pregnant,
        }
        for i, (pid, (birth, village, children, method, pregnant)) in enumerate(
            zip(WOMAN_IDS, WOMEN, strict=True)
        )
    ]
    procedures = [
        {
            "procedure_id": f"P{i:04d}",
            "person_id": WOMAN_IDS[i % 5],
            "procedure": "iud_insert",
            "procedure_date": None if i % 10 else date(2026, 10, 3),
            "postpartum": False,
            "village_code": VILLAGE_A if i % 2 else VILLAGE_B,
        }
        for i in range(1, N_PROCEDURES + 1)
    ]
    checkups = [
        {
            "checkup_id": "C1",
            "person_id": WOMAN_IDS[0],
            "checkup_date": date(2026, 10, 5),
            "pregnant": False,
            "village_code": VILLAGE_A,
        },
        {
            "checkup_id": "C1",
            "person_id": WOMAN_IDS[1],
            "checkup_date": date(2026, 10, 6),
            "pregnant": False,
            "village_code": VILLAGE_A,
        },
        {
            "checkup_id": "C2",
            "person_id": WOMAN_IDS[2],
            "checkup_date": date(2026, 10, 7),
            "pregnant": False,
            "village_code": "3408111010",
        },
    ]
    births = [
        {
            "birth_id": f"B{i}",
            "mother_id": WOMAN_IDS[i],
            "child_name": f"子{i}",
            "child_sex": "F",
            "child_birth_date": date(2025, 5, i + 1),
            "birth_order": 1,
            "policy": "in",
            "village_code": VILLAGE_A,
            "reported_date": date(2025, 5, 20),
        }
        for i in range(2)
    ]
    tables = {"women": women, "procedures": procedures, "checkups": checkups, "births": births}
    return write_submission(folder, tables)


def builtin(
    etype: str, table: str, meta: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    return {"type": etype, "kwargs": kwargs, "meta": {"table": table, **(meta or {})}}


def rows(
    check: str, table: str, severity: str = "critical", mostly: float | None = None, **meta: Any
) -> dict[str, Any]:
    return {
        "type": "unexpected_rows_expectation",
        "kwargs": {} if mostly is None else {"mostly": mostly},
        "severity": severity,
        "meta": {
            "check": check,
            "category": "logic",
            "ledgers": ["technical"],
            "table": table,
            "sql": f"checks/{check}.sql",
            "title": {"zh": check, "en": check},
            **meta,
        },
    }


SQL = {
    # every undated procedure; P0011 re-graded warning; NULL and booleans in the message
    "undated": """
        SELECT procedure_id AS record, village_code, person_id, postpartum, NULL AS facility_name,
               CASE WHEN procedure_id = 'P0011' THEN 'warning' END AS severity
        FROM procedures WHERE procedure_date IS NULL ORDER BY record
    """,
    # 2 of 5 women: within mostly 0.5, beyond mostly 0.9
    "tolerant": "SELECT person_id AS record, village_code FROM women WHERE children > 10",
    "strict": "SELECT person_id AS record, village_code FROM women WHERE children > 10",
    # findings on another table than meta.table; a regex with braces
    "elsewhere": """
        SELECT checkup_id AS record, village_code, 'checkups' AS table_name, checkup_date,
               pregnant
        FROM checkups WHERE NOT regexp_matches(village_code, '^[0-9]{12}$') ORDER BY record
    """,
}


def make_suites(root: Path) -> Path:
    suites = root / "suites"
    suites.mkdir(parents=True)
    (root / "sql" / "checks").mkdir(parents=True)
    for name, text in SQL.items():
        (root / "sql" / "checks" / f"{name}.sql").write_text(text, encoding="utf-8")
    msg = {
        "zh": "{record}：{person_id} 产后 {postpartum}，机构 {facility_name}",
        "en": "{record}: {person_id} postpartum {postpartum}, facility {facility_name}",
    }
    plain = {"zh": "{record} 有误", "en": "{record} is wrong"}
    entries = [
        builtin("expect_column_values_to_not_be_null", "procedures", column="procedure_date"),
        builtin(
            "expect_column_values_to_be_between",
            "women",
            column="children",
            min_value=0,
            max_value=10,
        ),
        builtin(
            "expect_column_values_to_match_regex",
            "checkups",
            {"check": "checkup-village", "category": "logic"},
            column="village_code",
            regex=r"^\d{12}$",
        ),
        builtin("expect_column_values_to_be_unique", "checkups", column="checkup_id"),
        builtin(
            "expect_column_values_to_be_in_set",
            "women",
            {
                "message": {
                    "zh": "措施 {value} 不在 {value_set} 中",
                    "en": "method {value} not in {value_set}",
                }
            },
            column="method",
            value_set=["iud", "none"],
            mostly=0.5,
        ),
        builtin("expect_table_row_count_to_be_between", "births", max_value=1),
        rows("undated", "procedures", message=msg),
        rows("tolerant", "women", mostly=0.5, message=plain),
        rows("strict", "women", mostly=0.9, severity="warning", message=plain),
        rows(
            "elsewhere",
            "procedures",
            message={
                "zh": "{record} {checkup_date} {pregnant}",
                "en": "{record} {checkup_date} {pregnant}",
            },
        ),
    ]
    (suites / "user.json").write_text(
        json.dumps({"name": "user", "meta": {}, "expectations": entries}), encoding="utf-8"
    )
    return suites


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("engine")
    return make_submission(root / "submission"), make_suites(root)


@pytest.fixture(scope="module")
def report(case: tuple[Path, Path]) -> AuditReport:
    submission, suites = case
    return run_audit(submission, lang="en", suites_dir=suites)


def of(report: AuditReport, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def result(report: AuditReport, check: str, table: str | None = None) -> Any:
    (found,) = [c for c in report.checks if c.check == check and table in (None, c.table)]
    return found


# --- built-in expectations on any table -----------------------------------------------------


def test_not_null_reports_every_failing_record_beyond_gx_caps(report: AuditReport) -> None:
    check = "procedures.expect_column_values_to_not_be_null.procedure_date"
    found = of(report, check)
    assert len(UNDATED) == 207
    assert sorted(f.record for f in found) == UNDATED
    assert {f.category for f in found} == {Category.COMPLETENESS}
    assert {f.severity for f in found} == {Severity.ERROR}
    assert {f.table for f in found} == {"procedures"} and {f.ledgers for f in found} == {
        ("technical",)
    }
    first = next(f for f in found if f.record == "P0001")
    assert first.village_code == VILLAGE_A and first.message == "procedure_date is empty"
    assert next(f for f in found if f.record == "P0002").village_code == VILLAGE_B
    res = result(report, check)
    assert (res.unexpected_count, res.element_count, res.success) == (207, 230, False)
    assert (
        res.suite == "user" and res.title == "expect_column_values_to_not_be_null(procedure_date)"
    )


def test_between_regex_unique_and_table_level(report: AuditReport) -> None:
    between = of(report, "women.expect_column_values_to_be_between.children")
    assert [(f.record, f.village_code, f.category, f.message) for f in between] == [
        (
            WOMAN_IDS[1],
            VILLAGE_A,
            Category.LOGIC,
            "children = 12: fails the rule: expect_column_values_to_be_between(children)",
        ),
        (
            WOMAN_IDS[4],
            VILLAGE_B,
            Category.LOGIC,
            "children = 11: fails the rule: expect_column_values_to_be_between(children)",
        ),
    ]
    (regex,) = of(report, "checkup-village")  # the shim maps the regex to regexp_matches
    assert (regex.table, regex.record, regex.village_code) == ("checkups", "C2", "3408111010")
    # both rows sharing key C1 fail; one record to fix
    (dup,) = of(report, "checkups.expect_column_values_to_be_unique.checkup_id")
    assert (dup.record, dup.category, dup.message) == (
        "C1",
        Category.DUPLICATE,
        "checkup_id C1 occurs more than once",
    )
    assert (
        result(report, "checkups.expect_column_values_to_be_unique.checkup_id").unexpected_count
        == 2
    )
    (rows_count,) = of(report, "births.expect_table_row_count_to_be_between")
    assert (rows_count.record, rows_count.village_code, rows_count.table) == (
        "",
        TOWNSHIP,
        "births",
    )
    assert rows_count.message == (
        "births fails the rule: expect_table_row_count_to_be_between (observed: 2)"
    )


def test_builtin_mostly_within_tolerance_is_info(report: AuditReport) -> None:
    found = of(report, "women.expect_column_values_to_be_in_set.method")
    assert [(f.record, f.severity, f.message) for f in found] == [
        (WOMAN_IDS[2], Severity.INFO, "method condom not in ['iud', 'none']")
    ]
    res = result(report, "women.expect_column_values_to_be_in_set.method")
    assert (res.success, res.mostly, res.unexpected_count, res.element_count) == (True, 0.5, 1, 5)


# --- rows rules -----------------------------------------------------------------------------


def test_rows_rule_every_record_severity_override_and_message(report: AuditReport) -> None:
    found = of(report, "undated")
    assert sorted(f.record for f in found) == UNDATED
    assert [f.record for f in found if f.severity is Severity.WARNING] == ["P0011"]
    assert {f.severity for f in found if f.record != "P0011"} == {Severity.ERROR}
    first = next(f for f in found if f.record == "P0001")
    assert first.message == f"P0001: {WOMAN_IDS[1]} postpartum no, facility empty"
    res = result(report, "undated")
    assert (res.unexpected_count, res.element_count, res.success) == (207, 230, False)


def test_rows_rule_mostly_is_a_tolerance(report: AuditReport) -> None:
    tolerant, strict = of(report, "tolerant"), of(report, "strict")
    assert [(f.record, f.severity) for f in tolerant] == [
        (WOMAN_IDS[1], Severity.INFO),
        (WOMAN_IDS[4], Severity.INFO),
    ]
    assert [(f.record, f.severity) for f in strict] == [
        (WOMAN_IDS[1], Severity.WARNING),
        (WOMAN_IDS[4], Severity.WARNING),
    ]
    assert (result(report, "tolerant").success, result(report, "tolerant").element_count) == (
        True,
        5,
    )
    assert result(report, "strict").success is False


def test_within_tolerance() -> None:
    assert within_tolerance(0, 0, None) and within_tolerance(0, 10, 0.9)
    assert not within_tolerance(1, 10, None)
    assert within_tolerance(1, 10, 0.9) and not within_tolerance(2, 10, 0.9)
    assert not within_tolerance(1, 0, 0.5)


def test_rows_rule_table_override(report: AuditReport) -> None:
    (found,) = of(report, "elsewhere")
    # fewer than 200 rows: taken from GX's own sample, typed as DuckDB returns them
    assert (found.table, found.record, found.message) == ("checkups", "C2", "C2 2026-10-07 no")
    assert result(report, "elsewhere").table == "procedures"


def test_findings_are_sorted_and_checks_all_reported(report: AuditReport) -> None:
    assert list(report.findings) == sorted(report.findings, key=Finding.sort_key)
    assert len(report.checks) == 10 and all(c.evaluated for c in report.checks)
    assert (report.period, report.township_code) == ("2026-10", TOWNSHIP)


# --- suite errors found when the SQL is bound -----------------------------------------------


def test_message_field_the_sql_does_not_return(tmp_path: Path, case: tuple[Path, Path]) -> None:
    submission, _ = case
    suites = make_suites(tmp_path)
    data = json.loads((suites / "user.json").read_text(encoding="utf-8"))
    data["expectations"] = [rows("tolerant", "women", message={"zh": "{nmae}", "en": "{nmae}"})]
    (suites / "user.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuditError) as caught:
        run_audit(submission, suites_dir=suites)
    assert str(caught.value) == (
        f"{suites / 'user.json'}: expectations[0] (check 'tolerant'): meta.message.zh uses "
        "{nmae}, which the check's SQL does not return (columns: record, village_code)"
    )
    (tmp_path / "sql" / "checks" / "tolerant.sql").write_text(
        "SELECT person_id AS id, village_code FROM women", encoding="utf-8"
    )
    with pytest.raises(
        AuditError, match=r"returns no column 'record' \(it returns id, village_code\)"
    ):
        run_audit(submission, suites_dir=suites)
    (tmp_path / "sql" / "checks" / "tolerant.sql").write_text(
        "SELECT * FROM wmen", encoding="utf-8"
    )
    with pytest.raises(AuditError, match=r"\(check 'tolerant'\): the check's SQL does not run: "):
        run_audit(submission, suites_dir=suites)


def test_a_rule_failing_while_the_next_runs_ahead_leaves_no_table_behind(
    tmp_path: Path, case: tuple[Path, Path]
) -> None:
    """The next rule's SQL runs ahead of GX: an error is still the failing rule's own, in suite
    order, the query running ahead is stopped rather than waited for, and no rule's table is
    left in the database (the one ahead included)."""
    from audit.io.backends.duckdb import DuckDBBackend
    from audit.io.suites import load_suites

    submission, _ = case
    suites = make_suites(tmp_path)
    # binds (the cast is only tried on rows) but fails when run: 'iud' is no integer
    (tmp_path / "sql" / "checks" / "strict.sql").write_text(
        "SELECT person_id AS record, village_code FROM women WHERE CAST(method AS INTEGER) > 1",
        encoding="utf-8",
    )
    # the rule after it: a query of hours (a trillion rows), unless it is interrupted
    (tmp_path / "sql" / "checks" / "elsewhere.sql").write_text(
        "SELECT w.person_id AS record, w.village_code, NULL AS checkup_date, NULL AS pregnant "
        "FROM women AS w, range(1000000000000) AS r WHERE (r.range * 7) % 1000003 = 1000004",
        encoding="utf-8",
    )
    backend = DuckDBBackend()
    try:
        backend.load(submission, lang="en")
        backend.install("2026-10", make_window("2026-10"), TOWNSHIP)
        with pytest.raises(AuditError) as caught:
            backend.evaluate(load_suites(suites), lang="en", township_code=TOWNSHIP)
        assert str(caught.value).startswith(
            f"{suites / 'user.json'}: expectations[8] (check 'strict'): "
            "the check's SQL failed on this submission: Conversion Error"
        )
        left = backend.rows(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'fourcheck_rule_%'"
        )
        assert left == []
    finally:
        backend.close()


# --- JSON and the command line --------------------------------------------------------------


def cli(*args: str) -> Any:
    return runner.invoke(app, ["run", *args])


def test_json_shape(report: AuditReport) -> None:
    doc = json.loads(render(report, "json"))
    # the contract's document, plus the fields a program needs (docs/json-report.md)
    assert list(doc) == [
        "tool",
        "version",
        "schema_version",
        "period",
        "township_code",
        "township_name",
        "lang",
        "window",
        "verdict",
        "summary",
        "checks",
        "overview",
        "findings",
    ]
    assert doc["window"] == {
        "start": "2026-10-01",
        "end": "2026-10-31",
        "recent_start": "2026-08-01",
    }
    assert doc["summary"]["findings"] == len(report.findings) == len(doc["findings"])
    assert doc["summary"]["errors"] == report.count(Severity.ERROR)
    row_count = [f for f in doc["findings"] if f["table"] == "births"]
    assert row_count == [
        {
            "check": "births.expect_table_row_count_to_be_between",
            "category": "logic",
            "severity": "error",
            "ledgers": ["statistics"],
            "table": "births",
            "record": "",
            "village_code": TOWNSHIP,
            "message": "births fails the rule: expect_table_row_count_to_be_between (observed: 2)",
        }
    ]
    keys = [
        (f["severity"], f["village_code"] or "", f["check"], f["record"]) for f in doc["findings"]
    ]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert keys == sorted(keys, key=lambda k: (rank[k[0]], *k[1:]))


def test_json_is_byte_identical_and_exit_codes(case: tuple[Path, Path], tmp_path: Path) -> None:
    submission, suites = case
    first = cli(str(submission), "--suites", str(suites), "-f", "json", "--lang", "en")
    second = cli(str(submission), "--suites", str(suites), "-f", "json", "--lang", "en")
    assert first.exit_code == 1  # errors reach the default gate
    assert first.stdout_bytes == second.stdout_bytes
    assert str(submission) not in first.stdout and str(tmp_path) not in first.stdout
    never = cli(str(submission), "--suites", str(suites), "-f", "json", "--fail-on", "never")
    assert never.exit_code == 0


def test_fail_on_warning_and_error(tmp_path: Path) -> None:
    """Only warnings: exit 0 under --fail-on error, 1 under --fail-on warning."""
    submission = make_submission(tmp_path / "submission")
    suites = make_suites(tmp_path)
    data = json.loads((suites / "user.json").read_text(encoding="utf-8"))
    data["expectations"] = [
        rows(
            "strict",
            "women",
            mostly=0.9,
            severity="warning",
            message={"zh": "{record}", "en": "{record}"},
        )
    ]
    (suites / "user.json").write_text(json.dumps(data), encoding="utf-8")
    args = [str(submission), "--suites", str(suites), "-f", "json"]
    assert cli(*args).exit_code == 0
    assert cli(*args, "--fail-on", "warning").exit_code == 1
    assert cli(*args, "--fail-on", "never").exit_code == 0


def test_exit_2_with_one_line(tmp_path: Path, case: tuple[Path, Path]) -> None:
    submission, _ = case
    missing = cli(str(tmp_path / "nowhere"), "-f", "json")
    assert missing.exit_code == 2 and missing.stdout == ""
    assert "Traceback" not in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "user.json").write_text('{"name": "user", "expectations": [{"type": "x"}]}', "utf-8")
    broken = cli(str(submission), "--suites", str(bad))
    assert broken.exit_code == 2
    assert broken.stderr.strip() == (
        f"audit: {bad / 'user.json'}: expectations[0]: type: 'x' is not a GX expectation type"
    )


def test_output_is_written_atomically_never_into_the_submission(
    case: tuple[Path, Path], tmp_path: Path
) -> None:
    submission, suites = case
    before = sorted(p.name for p in submission.iterdir())
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text("previous", encoding="utf-8")
    done = cli(
        str(submission), "--suites", str(suites), "-f", "json", "-o", str(out), "--lang", "en"
    )
    assert done.exit_code == 1 and done.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["period"] == "2026-10"
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]  # no temp file left
    inside = cli(
        str(submission),
        "--suites",
        str(suites),
        "-f",
        "json",
        "-o",
        str(submission / "report.json"),
        "--lang",
        "en",
    )
    assert inside.exit_code == 2 and "never writes into the submission folder" in inside.stderr
    nested = cli(str(submission), "-f", "json", "-o", str(submission / "x" / "r.json"))
    assert nested.exit_code == 2
    assert sorted(p.name for p in submission.iterdir()) == before
    # a failed run leaves the previous output untouched
    failed = cli(str(tmp_path / "nowhere"), "-f", "json", "-o", str(out))
    assert (
        failed.exit_code == 2 and json.loads(out.read_text(encoding="utf-8"))["period"] == "2026-10"
    )


def test_real_command_keeps_stderr_clean(case: tuple[Path, Path]) -> None:
    """The installed command as a user runs it: report on stdout, nothing at all on stderr."""
    submission, suites = case
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "audit.cli",
            "run",
            str(submission),
            "--suites",
            str(suites),
            "-f",
            "json",
            "--lang",
            "en",
        ],
        capture_output=True,
        cwd=PROJECT,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == b""
    assert json.loads(done.stdout)["summary"]["findings"] > 200


# --- period and township ----------------------------------------------------------------------


def test_period_and_township_without_a_manifest(tmp_path: Path) -> None:
    suites = make_suites(tmp_path)
    data = json.loads((suites / "user.json").read_text(encoding="utf-8"))
    data["expectations"] = []
    (suites / "user.json").write_text(json.dumps(data), encoding="utf-8")
    bare = make_submission(tmp_path / "bare")
    (bare / "manifest.json").unlink()
    with pytest.raises(AuditError) as caught:
        run_audit(bare, lang="en", suites_dir=suites)
    assert str(caught.value) == "no period: pass --period or add manifest.json with a period"
    # --period given: the township comes from the most common village code of the register
    report = run_audit(bare, period="2026-09", lang="en", suites_dir=suites)
    assert (report.period, report.township_code, report.township_name) == (
        "2026-09",
        "340811101000",
        None,
    )
    assert (report.window.start, report.window.end) == (date(2025, 10, 1), date(2026, 9, 30))
    # stat_reports names the latest period and the township
    from tests.helpers import write_table

    write_table(bare, "stat_reports", [
        {"period": "2026-08", "level": "township", "unit_code": "340811102000"},
        {"period": "2026-07", "level": "township", "unit_code": "340811103000"},
    ])  # fmt: skip
    report = run_audit(bare, lang="en", suites_dir=suites, window_start=date(2026, 8, 1))
    assert (report.period, report.township_code) == ("2026-08", "340811102000")
    assert report.window.start == date(2026, 8, 1)
