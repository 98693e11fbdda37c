"""Hostile and odd inputs: every case gives an exact exit code and message, or a finding.

Each case is a crafted file or argument. The assertions are the outcome a user
sees: the exit status (0/1 audited, 2 not auditable, 130 interrupted), the one
line on stderr, or the exact finding; never a traceback, never a changed input
(checksums before and after), never a partial output file.

Most cases run in-process (the loader, `run_audit`, or the command line through
`audit.guard.run_guarded`, which is what the `audit` script runs); subprocesses
are used only where the point is the process itself (Ctrl-C, /dev/full, the
locale of the streams).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from audit.app import run_audit
from audit.cli import app
from audit.core.exitcodes import AuditError, ExitCode, exit_code_for_error
from audit.guard import run_guarded
from audit.io.engine import rule_errors
from tests.helpers import PERIOD, TOWNSHIP, VILLAGE_A, write_submission

INT64_MAX = 9223372036854775807
PROJECT = Path(__file__).resolve().parent.parent


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `audit` command in-process, exactly as the console script runs it."""
    code = run_guarded(lambda a: app(args=a, prog_name="audit"), list(args))
    out, err = capsys.readouterr()
    return code, out, err


def unchanged(folder: Path, before: dict[str, str]) -> None:
    assert checksums(folder) == before, "an input file was changed or a file was added"


# --- the gate never passes what it did not check ------------------------------------------------


def test_nested_gx_errors_are_read() -> None:
    nested = {
        "('table.row_count', 'abc', ())": {
            "exception_traceback": "Traceback ...",
            "exception_message": "Overflow in addition of INT64\nmore",
            "raised_exception": True,
        },
        "('table.columns', 'abc', ())": {"raised_exception": False},
    }
    assert rule_errors(nested) == ["Overflow in addition of INT64"]
    assert rule_errors({"raised_exception": True, "exception_message": "boom"}) == ["boom"]
    assert rule_errors({"raised_exception": False, "exception_message": None}) == []
    assert rule_errors(None) == []


def test_a_check_that_raises_fails_the_run_naming_it(tmp_path: Path, capsys: Any) -> None:
    submission = write_submission(
        tmp_path / "sub",
        {"women": [{"person_id": "x", "name": "甲", "village_code": VILLAGE_A}]},
    )
    suites = tmp_path / "suites"
    suites.mkdir()
    (tmp_path / "sql" / "checks").mkdir(parents=True)
    # Binds (the columns are known) but raises when run: '甲' is no integer.
    (tmp_path / "sql" / "checks" / "broken.sql").write_text(
        "SELECT person_id AS record, village_code, CAST(name AS INTEGER) AS n FROM women",
        encoding="utf-8",
    )
    entry = {
        "type": "unexpected_rows_expectation",
        "kwargs": {},
        "severity": "critical",
        "meta": {
            "check": "broken",
            "category": "logic",
            "ledgers": ["statistics"],
            "table": "women",
            "sql": "checks/broken.sql",
            "title": {"zh": "坏", "en": "broken"},
            "message": {"zh": "{record}", "en": "{record}"},
        },
    }
    (suites / "user.json").write_text(
        json.dumps({"name": "user", "meta": {}, "expectations": [entry]}), encoding="utf-8"
    )
    # Whether DuckDB raises running the SQL or GX records it per metric: never a pass.
    with pytest.raises(AuditError, match=r"check 'broken'.*Conversion"):
        run_audit(submission, lang="en", suites_dir=suites)
    out_file = tmp_path / "report.json"
    code, out, err = cli(
        capsys, "run", str(submission), "--suites", str(suites), "-f", "json", "-o", str(out_file)
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "check 'broken'" in err and "Conversion Error" in err
    assert not out_file.exists()


def stock_row(opening: int, received: int, issued: int, closing: int) -> dict[str, Any]:
    return {
        "period": PERIOD,
        "point_code": VILLAGE_A,
        "item": "condom",
        "opening": opening,
        "received": received,
        "issued": issued,
        "closing": closing,
    }


def test_int64_max_stock_is_a_stock_balance_finding(tmp_path: Path) -> None:
    submission = write_submission(
        tmp_path / "sub", {"supply_stock": [stock_row(INT64_MAX, 10, 150, 175)]}
    )
    before = checksums(submission)
    report = run_audit(submission, lang="en")
    found = [f for f in report.findings if f.check == "stock-balance"]
    assert [f.record for f in found] == [f"{PERIOD}|{VILLAGE_A}|condom"]
    assert f"{INT64_MAX} + 10 − 150 = {INT64_MAX - 140} ≠ 175" in found[0].message
    unchanged(submission, before)


def test_int64_max_report_counts_are_report_internal_findings(tmp_path: Path) -> None:
    from audit.core.contract import REPORT_COUNT_COLUMNS

    row: dict[str, Any] = {"period": PERIOD, "level": "township", "unit_code": TOWNSHIP}
    row.update({c: 0 for c in REPORT_COUNT_COLUMNS})
    row.update(births_order1=INT64_MAX, births_order2=INT64_MAX, users_iud=INT64_MAX)
    row.update(users_condom=INT64_MAX, women_total=5)
    submission = write_submission(tmp_path / "sub", {"stat_reports": [row]})
    report = run_audit(submission, lang="en")
    rules = sorted(f.message for f in report.findings if f.check == "report-internal")
    assert len(rules) == 2, rules
    assert any(str(2 * INT64_MAX) in m for m in rules)  # births by order, summed exactly


def test_unexpected_error_is_exit_2_one_line_and_debug_shows_where(capsys: Any) -> None:
    def crash(args: list[str]) -> None:
        raise ZeroDivisionError("division by zero")

    code = run_guarded(crash, ["run", "x"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        "audit: unexpected error, the audit did not complete: ZeroDivisionError: "
        "division by zero (run again with --debug to see where)"
    ]
    code = run_guarded(crash, ["--debug", "run", "x"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Traceback (most recent call last)" in err and "crash" in err


def test_exit_codes_of_errors_are_decided_in_one_place() -> None:
    assert exit_code_for_error(AuditError("bad")) is ExitCode.UNUSABLE
    assert exit_code_for_error(RuntimeError("x")) is ExitCode.UNUSABLE
    assert exit_code_for_error(KeyboardInterrupt()) is ExitCode.INTERRUPTED
    assert exit_code_for_error(RuntimeError("x"), interrupted=True) is ExitCode.INTERRUPTED
