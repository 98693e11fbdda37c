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
from datetime import date
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


# --- the loader: CSV oddities -------------------------------------------------------------------

WOMAN_HEADER = "person_id,name,birth_date,village_code,group_no"
IDS = ("110101199001010026", "110101199001010042", "110101199001010069")


def load(folder: Path) -> Any:
    from audit.io.loader import load_submission

    before = checksums(folder)
    try:
        sub = load_submission(folder, lang="en")
        sub.con.close()
        return sub
    finally:
        unchanged(folder, before)


def women_csv(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "sub"
    folder.mkdir(exist_ok=True)
    (folder / "women.csv").write_bytes(data)
    return folder


def test_csv_with_cr_only_line_ends_is_read(tmp_path: Path) -> None:
    lines = [WOMAN_HEADER, f"{IDS[0]},甲,1990-01-01,{VILLAGE_A},1", f'{IDS[1]},"乙,丙",,,2']
    sub = load(women_csv(tmp_path, "\r".join(lines).encode() + b"\r"))
    assert sub.table("women").rows == 2
    assert not [f for f in sub.findings if f.check in ("row-short", "key-missing")]


def test_a_short_csv_row_is_a_finding(tmp_path: Path) -> None:
    lines = [WOMAN_HEADER, f"{IDS[0]},甲,1990-01-01,{VILLAGE_A},1", f"{IDS[1]},乙", "", "7"]
    sub = load(women_csv(tmp_path, ("\n".join(lines) + "\n").encode()))
    short = [(f.record, f.message) for f in sub.findings if f.check == "row-short"]
    assert short == [
        (
            IDS[1],
            "women.csv: data row 2 has 2 fields but the header has 5 columns; "
            "the missing cells are left empty",
        ),
        (
            "7",
            "women.csv: data row 4 has 1 fields but the header has 5 columns; "
            "the missing cells are left empty",
        ),
    ]
    # the same with quotes in the file (the csv module counts the fields)
    lines[1] = f'{IDS[0]},"甲,乙",1990-01-01,{VILLAGE_A},1'
    sub = load(women_csv(tmp_path, ("\n".join(lines) + "\n").encode()))
    assert [f.record for f in sub.findings if f.check == "row-short"] == [IDS[1], "7"]


@pytest.mark.parametrize("rows", [3, 5000])
def test_an_unclosed_quote_names_its_line(tmp_path: Path, rows: int) -> None:
    lines = [WOMAN_HEADER] + [f"{i},n{i},1990-01-01,{VILLAGE_A},1" for i in range(rows)]
    lines[2] = f'1,"never closed,1990-01-01,{VILLAGE_A},1'
    folder = women_csv(tmp_path, ("\n".join(lines) + "\n").encode())
    with pytest.raises(AuditError) as e:
        load(folder)
    assert str(e.value) == (
        'women.csv: line 3 opens a quote (") that is never closed, so the rows after it '
        "cannot be read"
    )


def test_ten_thousand_empty_columns_are_ignored(tmp_path: Path) -> None:
    pad = "," * 10000
    row = f"{IDS[0]},甲,1990-01-01,{VILLAGE_A},1"
    for before, after in ((pad, ""), ("", pad)):
        folder = women_csv(
            tmp_path, f"{before}{WOMAN_HEADER}{after}\n{before}{row}{after}\n".encode()
        )
        sub = load(folder)
        assert sub.table("women").rows == 1
        assert sub.table("women").extra_columns == ()
        assert not [f for f in sub.findings if f.table == "women" and f.check != "column-missing"]


def test_a_header_wider_than_64_kib_is_read_whole(tmp_path: Path) -> None:
    extra = ",".join(f"备注{i}" for i in range(12000))  # ~100 KiB of header
    row = f"{IDS[0]},甲,1990-01-01,{VILLAGE_A},1" + "," * 12000
    sub = load(women_csv(tmp_path, f"{WOMAN_HEADER},{extra}\n{row}\n".encode()))
    assert sub.table("women").rows == 1
    assert len(sub.table("women").extra_columns) == 12000


def test_a_gb18030_line_in_a_utf8_file_is_named(tmp_path: Path) -> None:
    lines = [WOMAN_HEADER.encode()] + [
        f"{i},名字{i},1990-01-01,{VILLAGE_A},1".encode() for i in range(600)
    ]
    lines[501] = f"501,{'王芳'},1990-01-01,{VILLAGE_A},1".encode("gb18030")
    folder = women_csv(tmp_path, b"\n".join(lines) + b"\n")
    with pytest.raises(AuditError, match=r"^women.csv: line 502 is not UTF-8"):
        load(folder)
    # cut inside a multibyte character on the last line
    cut = b"\n".join([*lines[:501], lines[0]]) + b"\n" + "王".encode()[:2]
    (folder / "women.csv").write_bytes(cut)
    with pytest.raises(AuditError, match=r"^women.csv: line 503 is not UTF-8"):
        load(folder)


def test_a_deeply_nested_manifest_is_an_error(tmp_path: Path) -> None:
    folder = women_csv(tmp_path, f"{WOMAN_HEADER}\n".encode())
    (folder / "manifest.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(AuditError, match=r"manifest\.json.*nested too deeply"):
        load(folder)


@pytest.mark.parametrize("period", ["0000-01", "0001-01", "9999-12"])
def test_a_manifest_period_outside_the_calendar_is_an_error(tmp_path: Path, period: str) -> None:
    folder = women_csv(tmp_path, f"{WOMAN_HEADER}\n".encode())
    (folder / "manifest.json").write_text(json.dumps({"period": period}), encoding="utf-8")
    with pytest.raises(AuditError) as e:
        load(folder)
    assert str(e.value) == (
        f"manifest.json: period '{period}' is not a valid period "
        "(expected YYYY-MM from 1900-01 to 2999-12)"
    )


# --- arguments: checked before anything heavy, exit 2 with one line ----------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["run", "{sub}", "--period", "0000-01"], "--period: 0000-01 is outside the periods"),
        (["run", "{sub}", "--period", "0001-01"], "--period: 0001-01 is outside the periods"),
        (["run", "{sub}", "--period", "2026-13"], "--period: expected a period YYYY-MM"),
        (["run", "{missing}"], "not found (expected a submission folder"),
        (["inspect", "{missing}"], "not found (expected a submission folder"),
        (["sample", "{out}", "--period", "0000-01"], "--period: 0000-01 is outside the periods"),
        (["sample", "{out}", "--period", "9999-12"], "--period: 9999-12 is outside the periods"),
        (
            ["spotcheck", "plan", "{sub}", "-o", "{out}/p.xlsx", "--period", "0000-01"],
            "--period: 0000-01 is outside the periods",
        ),
        (
            ["spotcheck", "plan", "{sub}", "-o", "{sub}/below/plan.xlsx"],
            "plan.xlsx",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys: Any, args: list[str], line: str
) -> None:
    sub = write_submission(tmp_path / "sub")
    (sub / "below").mkdir()
    before = checksums(sub)
    names = {"sub": str(sub), "missing": str(tmp_path / "nope"), "out": str(tmp_path / "out")}
    lang = [] if args[0] == "sample" else ["--lang", "en"]
    code, out, err = cli(capsys, *(a.format(**names) for a in args), *lang)
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and line in err, err
    assert "Traceback" not in err
    unchanged(sub, before)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_design_effect_nan_or_inf(tmp_path: Path, value: str) -> None:
    from audit.core.spotcheck import sample_size

    with pytest.raises(
        AuditError, match=f"--design-effect: expected a number 1 or more, got {value}"
    ):
        sample_size(10, 20, precision=0.05, design_effect=float(value))


def test_a_period_with_a_blank_is_the_period(tmp_path: Path) -> None:
    from audit.core.contract import REPORT_COUNT_COLUMNS

    row: dict[str, Any] = {"period": PERIOD, "level": "township", "unit_code": TOWNSHIP}
    row.update({c: 0 for c in REPORT_COUNT_COLUMNS})
    row.update(births_total=3)  # three births the orders and sexes do not add up to
    submission = write_submission(tmp_path / "sub", {"stat_reports": [row]})
    report = run_audit(submission, period=" 2026-10", lang="en")
    assert report.period == PERIOD
    assert len([f for f in report.findings if f.check == "report-internal"]) == 2


# --- XLSX and Parquet ---------------------------------------------------------------------------


def test_excel_number_ids_among_text_ones_are_reported_never_duplicates(tmp_path: Path) -> None:
    import openpyxl

    from audit.core.idcard import make_id

    folder = write_submission(tmp_path / "sub", omit=["women"])
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["身份证号", "姓名", "出生日期", "村代码", "组"])
    # Two IDs that differ only in their last three digits: as numbers both show ...000.
    ids = [make_id("110101", date(1990, 1, 1), s) for s in range(2, 400, 2)]
    typed = [i for i in ids if not i.endswith("X")][:2]
    for pid in typed:  # Excel keeps 15 significant digits of a number typed into a cell
        ws.append([int(pid[:15] + "000"), "甲", "1990-01-01", VILLAGE_A, 1])
    for pid in [i for i in ids if i.endswith("X")][:3]:  # these stay text: X is no digit
        ws.append([pid, "乙", "1990-01-01", VILLAGE_A, 1])
    wb.save(folder / "women.xlsx")
    before = checksums(folder)
    report = run_audit(folder, lang="en")
    unchanged(folder, before)
    lost = [f for f in report.findings if f.check == "cell-invalid" and f.table == "women"]
    assert [f.message for f in lost] == [
        f"person_id: '{pid[:15]}000' was stored as a number and Excel keeps only 15 digits; "
        "format the column as text and enter it again"
        for pid in typed
    ]
    assert not [f for f in report.findings if f.check in ("dup-person", "id-format")]


def test_village_codes_no_worksheet_can_be_named_after(tmp_path: Path) -> None:
    from audit.render import render

    ext_b = "\U00020000" * 31  # 62 UTF-16 units
    quote = "3408111010" + "x" * 20 + "'" + "yz"  # apostrophe at the 31st character
    women = [
        {"person_id": f"11010119900101{i:03d}6", "name": "甲", "village_code": v, "group_no": 1}
        for i, v in enumerate((ext_b, quote, "=1+2\x1b[2J"))
    ]
    folder = write_submission(tmp_path / "sub", {"women": women})
    report = run_audit(folder, lang="zh")
    data = render(report, "xlsx")
    assert isinstance(data, bytes) and data[:2] == b"PK"


def test_a_parquet_list_column_is_an_error_naming_it(tmp_path: Path) -> None:
    import polars as pl

    folder = tmp_path / "sub"
    folder.mkdir()
    pl.DataFrame({"person_id": [IDS[0]], "name": [["甲", "乙"]], "notes": [[1]]}).write_parquet(
        folder / "women.parquet"
    )
    with pytest.raises(AuditError) as e:
        load(folder)
    assert str(e.value) == (
        "women.parquet: column name (name) has type List(String): each cell holds several "
        "values, not one (expected a text, number or date column)"
    )
    # an unknown list column is ignored like any unknown column
    pl.DataFrame({"person_id": [IDS[0]], "notes": [[1]]}).write_parquet(folder / "women.parquet")
    assert load(folder).table("women").extra_columns == ("notes",)


# --- the process: streams, locale ---------------------------------------------------------------


def _audit(*args: str, env: dict[str, str] | None = None, stdout: Any = None) -> Any:
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", "from audit.cli import main; main()", *args],
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
    )


def test_stdout_on_a_full_disk_and_an_ascii_locale(tmp_path: Path) -> None:
    demo = str(PROJECT / "sample_data" / "demo")
    with open("/dev/full", "wb") as full:
        done = _audit("inspect", demo, stdout=full)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        "audit: cannot write to standard output: No space left on device"
    )
    ascii_env = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"}
    done = _audit("inspect", demo, env=ascii_env)
    assert done.returncode == 0, done.stderr
    assert b"\\u63d0\\u4ea4" in done.stdout  # 提交, escaped instead of a crash
    assert b"Traceback" not in done.stderr


# --- every range the contract states is a check --------------------------------------------------


def test_every_contract_range_is_a_finding(tmp_path: Path) -> None:
    from audit.core.contract import REPORT_COUNT_COLUMNS

    women = [
        {"person_id": IDS[0], "name": "甲", "village_code": VILLAGE_A, "group_no": 1},
        {"person_id": IDS[1], "name": "乙", "village_code": VILLAGE_A, "children": -3},
        {"person_id": IDS[2], "name": "丙", "village_code": VILLAGE_A, "group_no": INT64_MAX},
    ]
    births = [{"birth_id": "B1", "mother_id": IDS[0], "village_code": VILLAGE_A, "birth_order": 7}]
    issues = [{"issue_id": "I1", "person_id": IDS[0], "village_code": VILLAGE_A, "quantity": -5}]
    report_row: dict[str, Any] = {"period": PERIOD, "level": "township", "unit_code": TOWNSHIP}
    report_row.update({c: 0 for c in REPORT_COUNT_COLUMNS})
    report_row["proc_abortion"] = -1
    tables = {
        "women": women,
        "births": births,
        "supply_issues": issues,
        "stat_reports": [report_row],
    }
    report = run_audit(write_submission(tmp_path / "sub", tables), lang="en")
    found = [(f.table, f.record, f.message) for f in report.findings if f.check == "value-range"]
    assert sorted(found) == [
        (
            "births",
            "B1",
            "births record B1: birth_order is 7, outside its range "
            "(expected 1, 2 or 3 (3 = third or later))",
        ),
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            f"stat_reports record "
            f"{PERIOD}|township|{TOWNSHIP}: proc_abortion is -1, outside its range "
            "(expected 0 or more)",
        ),
        (
            "supply_issues",
            "I1",
            "supply_issues record I1: quantity is -5, outside its range (expected more than 0)",
        ),
        (
            "women",
            IDS[1],
            f"women record {IDS[1]}: children is -3, outside its range (expected 0 or more)",
        ),
        (
            "women",
            IDS[2],
            f"women record {IDS[2]}: group_no is {INT64_MAX}, outside its range (expected 1 to 99)",
        ),
    ]
    assert all(f.severity.value == "error" for f in report.findings if f.check == "value-range")


# --- safety: formulas, control characters -------------------------------------------------------


def _formulas(path: Path) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_spotcheck_worksheet_and_score_never_hold_live_formulas(
    tmp_path: Path, capsys: Any
) -> None:
    from tests.test_spotcheck_worksheet import crafted, fill

    sub = crafted(tmp_path / "sub")
    manifest = json.loads((sub / "manifest.json").read_text(encoding="utf-8"))
    manifest["township_name"] = '=HYPERLINK("http://example.invalid","x")'
    (sub / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    women = (sub / "women.csv").read_text(encoding="utf-8").replace("姓名a1", "=1+2")
    (sub / "women.csv").write_text(women, encoding="utf-8")
    sheet = tmp_path / "plan.xlsx"
    args = ["--households", "5", "--seed", "1", "--window-start", "2025-10-01"]
    code, _, err = cli(capsys, "spotcheck", "plan", str(sub), "-o", str(sheet), *args)
    assert code == 0, err
    assert _formulas(sheet) == []
    done, scored = tmp_path / "done.xlsx", tmp_path / "score.xlsx"
    fill(sheet, done, women={}, births={"B1": "属实", "B3": "属实"})
    code, _, err = cli(capsys, "spotcheck", "score", str(done), "-f", "xlsx", "-o", str(scored))
    assert code == 0, err
    assert _formulas(scored) == []


def test_control_characters_never_reach_the_terminal(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "sub"
    write_submission(folder, omit=["women"])
    (folder / "women.csv").write_bytes(
        b"person_id,name,birth_date,\x1b[2Jnotes\n"
        + f"{IDS[0]},\x1b]0;title\x07甲,\x1b[31m1990,x\n".encode()
    )
    before = checksums(folder)
    for args in (
        ["inspect", str(folder)],
        ["run", str(folder), "-f", "markdown"],
        ["run", str(folder)],
    ):
        code, out, err = cli(capsys, *args)
        assert code in (0, 1), err
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b" in out  # shown, as a visible escape
    unchanged(folder, before)


# --- Ctrl-C --------------------------------------------------------------------------------------


def test_ctrl_c_during_the_checks_stops_with_130_and_writes_nothing(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal
    import time

    from audit import guard

    demo = PROJECT / "sample_data" / "demo"
    before = checksums(demo)
    out = tmp_path / "report.json"
    sent: list[float] = []
    original = guard.InterruptibleProgress.advance

    def advance(self: Any, name: str, description: str | None = None) -> None:
        if name == "checks" and not sent:  # Ctrl-C lands between two rules of the checks
            sent.append(time.monotonic())
            # Sent from this thread, the main one, where Python runs the handler: it runs as
            # soon as the call returns. A timer thread can be starved for seconds on a loaded
            # machine, and the demo's rules may all have finished by then.
            os.kill(os.getpid(), signal.SIGINT)
        original(self, name, description)

    monkeypatch.setattr(guard.InterruptibleProgress, "advance", advance)
    code, stdout, err = cli(capsys, "run", str(demo), "-f", "json", "-o", str(out))
    assert sent, "the checks never started"
    assert time.monotonic() - sent[0] < 15  # promptly, not after the remaining checks
    assert code == 130
    assert err.strip() == "audit: interrupted (Ctrl-C); nothing was written"
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file
    unchanged(demo, before)


# --- files as townships send them ----------------------------------------------------------------


def test_footer_total_and_signature_rows_are_not_records(tmp_path: Path) -> None:
    rows = [f"{pid},名{i},1990-01-01,{VILLAGE_A},1" for i, pid in enumerate(IDS)]
    footer = ["", "合计 4人", "填表人：张三,审核人：李四,填报日期：2026-10-05"]
    folder = women_csv(tmp_path, "\n".join([WOMAN_HEADER, *rows, *footer, ""]).encode())
    (folder / "supply_issues.csv").write_text(
        "发放编号,身份证号,村代码,发放点代码,药具名称,数量,发放日期\n"
        f"I1,{IDS[0]},{VILLAGE_A},{VILLAGE_A},避孕套,10,2026-10-01\n"
        f"I2,{IDS[1]},{VILLAGE_A},{VILLAGE_A},避孕套,5,2026-10-02\n"
        "合计,,,,,16,\n",
        encoding="utf-8",
    )
    sub = load(folder)
    assert sub.table("women").rows == 3
    assert sub.table("supply_issues").rows == 2
    found = [
        (f.check, f.table, f.record, f.message)
        for f in sub.findings
        if f.table in ("women", "supply_issues") and f.check != "column-missing"
    ]
    assert sorted(found) == [
        (
            "total-row",
            "supply_issues",
            "#3",
            "supply_issues.csv: the total row 3 gives quantity = 16 but the records add up to 15",
        ),
        (
            "total-row",
            "women",
            "#5",
            "women.csv: the total row 5 ('合计 4人') states 4 but the table holds 3 records",
        ),
    ]


def test_a_total_row_that_agrees_is_no_finding_and_a_middle_row_stays_a_record(
    tmp_path: Path,
) -> None:
    rows = [f"{pid},名{i},1990-01-01,{VILLAGE_A},1" for i, pid in enumerate(IDS)]
    rows.insert(1, "合计,,,,")  # not at the bottom: a record (with an empty key)
    folder = women_csv(tmp_path, "\n".join([WOMAN_HEADER, *rows, "合计：共4条", ""]).encode())
    sub = load(folder)
    assert sub.table("women").rows == 4
    assert [
        f.check for f in sub.findings if f.table == "women" and f.check != "column-missing"
    ] == []


FIXTURES = PROJECT / "tests" / "fixtures"


def _technical_workbook(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    procedures = wb.add_worksheet("手术登记")
    for c, h in enumerate(["手术编号", "身份证号", "手术名称", "手术日期", "村代码"]):
        procedures.write_string(0, c, h)
    for c, v in enumerate(["P1", IDS[0], "放环", "2026-09-01", VILLAGE_A]):
        procedures.write_string(1, c, v)
    checkups = wb.add_worksheet(" 三查 ")
    for c, h in enumerate(["查验编号", "身份证号", "查验日期", "查孕", "村代码"]):
        checkups.write_string(0, c, h)
    for c, v in enumerate(["C1", IDS[0], "2026-09-02", "否", VILLAGE_A]):
        checkups.write_string(1, c, v)
    wb.add_worksheet("汇总")  # a sheet that is no table
    wb.close()


def test_workbooks_with_a_sheet_per_table_and_old_xls(tmp_path: Path, capsys: Any) -> None:
    import shutil

    folder = tmp_path / "sub"
    folder.mkdir()
    shutil.copy(FIXTURES / "statistics_office.xls", folder / "统计站.xls")
    _technical_workbook(folder / "技术服务站.xlsx")
    sub = load(folder)
    where = {t.table: (t.path, t.sheet, t.format, t.rows) for t in sub.tables if t.path}
    assert where == {
        "women": ("统计站.xls", "花名册", "xls", 2),
        "births": ("统计站.xls", "出生登记", "xls", 1),
        "procedures": ("技术服务站.xlsx", "手术登记", "xlsx", 1),
        "checkups": ("技术服务站.xlsx", " 三查 ", "xlsx", 1),
    }
    assert sorted(f.table for f in sub.findings if f.check == "table-missing") == sorted(
        ["stat_reports", "supply_stock", "supply_issues", "migrants", "migrant_births"]
    )
    code, out, err = cli(capsys, "inspect", str(folder), "--lang", "en")
    assert code == 0, err
    assert "[统计站.xls]花名册" in out and "[技术服务站.xlsx]手术登记" in out
    # a second source for one table stays an error, naming both
    (folder / "women.csv").write_text(f"{WOMAN_HEADER}\n", encoding="utf-8")
    with pytest.raises(AuditError) as e:
        load(folder)
    assert str(e.value) == (
        "women.csv, [统计站.xls]花名册: more than one file for table women; keep exactly one"
    )


def test_an_old_excel_xls_is_read_like_xlsx(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "sub"
    folder.mkdir()
    shutil.copy(FIXTURES / "women_old_excel.xls", folder / "women.xls")
    sub = load(folder)
    women = sub.table("women")
    assert (women.format, women.rows) == ("xls", 2)
    lost = [f.message for f in sub.findings if f.check == "cell-invalid"]
    assert (
        lost
        == [
            "person_id: '110101199001010000' was stored as a number and Excel keeps only "
            "15 digits; format the column as text and enter it again"
        ]
        or lost == []
    )


def test_two_row_headers_with_a_merged_group(tmp_path: Path) -> None:
    import xlsxwriter

    folder = tmp_path / "sub"
    folder.mkdir()
    wb = xlsxwriter.Workbook(str(folder / "women.xlsx"))
    sh = wb.add_worksheet()
    sh.merge_range(0, 0, 0, 5, "育龄妇女花名册")  # a title row above the header
    for c, h in enumerate(["身份证号", "姓名", "出生日期", "村代码"]):
        sh.merge_range(1, c, 2, c, h)  # merged down over the two header rows
    sh.merge_range(1, 4, 1, 5, "避孕措施")  # the group, merged across its two columns
    sh.write_string(2, 4, "方法")
    sh.write_string(2, 5, "日期")
    for r, pid in enumerate(IDS[:2], start=3):
        for c, v in enumerate([pid, "甲", "1990-01-01", VILLAGE_A, "上环", "2020-05-01"]):
            sh.write_string(r, c, v)
    wb.close()
    sub = load(folder)
    women = sub.table("women")
    assert women.rows == 2
    assert dict(women.columns)["method"] == "避孕措施方法"
    assert dict(women.columns)["method_date"] == "避孕措施日期"
    assert not [f for f in sub.findings if f.table == "women" and f.check != "column-missing"]
    from audit.io.loader import load_submission

    opened = load_submission(folder, lang="en")
    try:
        got = opened.con.execute("SELECT method, method_date FROM women").fetchall()
    finally:
        opened.con.close()
    assert got == [("iud", date(2020, 5, 1))] * 2
    # the same as CSV: the group header in its first column, blanks below the keys
    (folder / "women.xlsx").unlink()
    (folder / "women.csv").write_text(
        "身份证号,姓名,出生日期,村代码,避孕措施,\n,,,,方法,日期\n"
        + "".join(f"{pid},甲,1990-01-01,{VILLAGE_A},上环,2020-05-01\n" for pid in IDS[:2]),
        encoding="utf-8",
    )
    sub = load(folder)
    assert sub.table("women").rows == 2
    assert not [f for f in sub.findings if f.table == "women" and f.check != "column-missing"]
