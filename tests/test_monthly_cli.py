"""The monthly cycle through the command line: status since last month, acceptances, the gate.

A one-rule suite keeps these fast and exact: a woman whose name starts with
BAD is an error, ODD a warning; each month's submission says who is wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from audit.cli import app
from tests.helpers import TOWNSHIP, VILLAGE_A, woman_id, write_submission

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
IDS = {k: woman_id(date(1990, 1, 1 + i), 2 * (i + 1)) for i, k in enumerate("ABCDE")}


def make_suites(root: Path) -> Path:
    suites = root / "suites"
    suites.mkdir(parents=True)
    (root / "sql" / "checks").mkdir(parents=True)
    for check, prefix in (
        ("bad-name", "BAD"),
        ("odd-name", "ODD"),
    ):
        (root / "sql" / "checks" / f"{check}.sql").write_text(
            f"SELECT person_id AS record, village_code FROM women WHERE name LIKE '{prefix}%' "
            "ORDER BY record",
            encoding="utf-8",
        )
    entries = [
        {
            "type": "unexpected_rows_expectation",
            "kwargs": {},
            "severity": severity,
            "meta": {
                "check": check,
                "category": "logic",
                "ledgers": ["statistics"],
                "table": "women",
                "sql": f"checks/{check}.sql",
                "title": {"zh": check, "en": check},
                "message": {"zh": "{record} 有误", "en": "{record} is wrong"},
            },
        }
        for check, severity in (("bad-name", "critical"), ("odd-name", "warning"))
    ]
    (suites / "user.json").write_text(
        json.dumps({"name": "user", "expectations": entries}), encoding="utf-8"
    )
    return suites


def month(root: Path, period: str, names: dict[str, str]) -> Path:
    """One month's submission: women A..E, named as given (default: a clean name)."""
    women = [
        {
            "person_id": IDS[k],
            "name": names.get(k, f"Clean {k}"),
            "birth_date": date(1990, 1, 1 + i),
            "village_code": VILLAGE_A,
            "group_no": 1,
            "marital_status": "single",
            "children": 0,
            "residence": "resident",
        }
        for i, k in enumerate("ABCDE")
    ]
    return write_submission(root / period, {"women": women}, period=period)


@pytest.fixture()
def series(tmp_path: Path) -> tuple[Path, Path]:
    suites = make_suites(tmp_path)
    root = tmp_path / "township"
    month(root, "2026-07", {"A": "BAD a", "B": "BAD b"})
    month(root, "2026-08", {"A": "BAD a", "C": "BAD c", "D": "ODD d"})
    month(root, "2026-09", {"A": "BAD a", "B": "BAD b", "D": "ODD d"})
    month(root, "2026-10", {"A": "BAD a", "B": "BAD b"})
    return root, suites


def run(*args: str) -> Any:
    return runner.invoke(app, ["run", *args])


def statuses(doc: dict[str, Any], check: str = "bad-name") -> dict[str, tuple[Any, ...]]:
    out = {}
    for f in doc["findings"]:
        if f["check"] == check:
            key = next(k for k, v in IDS.items() if v == f["record"])
            s = f["status"]
            out[key] = (s["status"], s["since"], s["months"])
    return out


def test_three_months_new_persisting_reopened_resolved(
    series: tuple[Path, Path], tmp_path: Path
) -> None:
    root, suites = series
    db = tmp_path / "h.duckdb"
    common = ["--suites", str(suites), "--history", str(db), "-f", "json", "--lang", "en"]
    july = run(str(root / "2026-07"), *common)
    assert july.exit_code == 1
    doc = json.loads(july.stdout)
    assert statuses(doc) == {"A": ("new", "2026-07", 1), "B": ("new", "2026-07", 1)}
    assert doc["history"]["previous_period"] is None
    aug = json.loads(run(str(root / "2026-08"), *common).stdout)
    assert statuses(aug) == {"A": ("persisting", "2026-07", 2), "C": ("new", "2026-08", 1)}
    assert [f["record"] for f in aug["history"]["resolved"]] == [IDS["B"]]
    counts = aug["history"]["counts"]
    persisting = len(
        {
            (f["check"], f["table"], f["record"])
            for f in aug["findings"]
            if f["status"]["status"] == "persisting"
        }
    )
    assert counts == {"new": 2, "persisting": persisting, "reopened": 0, "resolved": 1}
    sep = json.loads(run(str(root / "2026-09"), *common).stdout)
    assert statuses(sep) == {"A": ("persisting", "2026-07", 3), "B": ("reopened", "2026-09", 1)}
    b = next(f for f in sep["findings"] if f["record"] == IDS["B"])
    assert b["status"]["last_seen"] == "2026-07"
    assert statuses(sep, "odd-name") == {"D": ("persisting", "2026-08", 2)}
    assert [f["record"] for f in sep["history"]["resolved"]] == [IDS["C"]]
    # the terminal report opens with the counts and lists new and reopened findings first
    text = run(str(root / "2026-09"), *common[:-4], "--lang", "en").stdout
    persisting = sep["history"]["counts"]["persisting"]
    line = f"since last month (2026-08): 0 new, 1 resolved, {persisting} persisting, 1 reopened"
    assert line in text
    # each finding's status is marked after its record (the line may wrap before the mark)
    assert text.index(IDS["B"]) < text.index("[reopened") < text.index(IDS["A"])
    assert text.index(IDS["A"]) < text.index("[persisting since")
    assert "Resolved since last month (1)" in text


def test_gate_on_new_findings_only(series: tuple[Path, Path], tmp_path: Path) -> None:
    root, suites = series
    db = tmp_path / "h.duckdb"
    common = ["--suites", str(suites), "--history", str(db), "-f", "json"]
    assert run(str(root / "2026-07"), *common, "--fail-on", "new-error").exit_code == 1
    assert run(str(root / "2026-08"), *common, "--fail-on", "new-error").exit_code == 1  # C
    sep = run(str(root / "2026-09"), *common, "--fail-on", "new-error")
    assert sep.exit_code == 1  # B reopened counts as new
    oct_ = run(str(root / "2026-10"), *common, "--fail-on", "new-error")
    assert oct_.exit_code == 0  # A and B persist: the backlog does not fail
    assert run(str(root / "2026-10"), *common, "--fail-on", "error").exit_code == 1
    # no history: every finding is new, as for a linter without a baseline
    no = run(
        str(root / "2026-10"), "--suites", str(suites), "--no-history", "--fail-on", "new-error"
    )
    assert no.exit_code == 1


def test_no_history_records_nothing_and_reports_no_status(
    series: tuple[Path, Path], tmp_path: Path
) -> None:
    root, suites = series
    out = run(str(root / "2026-07"), "--suites", str(suites), "--no-history", "-f", "json")
    doc = json.loads(out.stdout)
    assert "history" not in doc and "status" not in doc["findings"][0]
    import os

    assert not (Path(os.environ["XDG_DATA_HOME"]) / "fourcheck").exists()
    default = run(str(root / "2026-07"), "--suites", str(suites), "-f", "json")
    assert "history" in json.loads(default.stdout)
    assert (Path(os.environ["XDG_DATA_HOME"]) / "fourcheck" / "history.duckdb").is_file()


def test_accept_passes_the_gate_until_it_expires_and_stale_is_reported(
    series: tuple[Path, Path], tmp_path: Path
) -> None:
    root, suites = series
    common = ["--suites", str(suites), "--no-history", "-f", "json", "--lang", "en"]
    assert run(str(root / "2026-09"), *common).exit_code == 1
    for k in "AB":
        done = runner.invoke(
            app,
            [
                "accept",
                str(root / "2026-09"),
                "bad-name",
                "women",
                IDS[k],
                "--reason",
                "name confirmed at the household visit",
                "--by",
                "county office",
                "--expires",
                "2026-09",
            ],
        )
        assert done.exit_code == 0, done.output
    path = root / "accepted.csv"
    assert path.is_file()
    sep = run(str(root / "2026-09"), *common)
    assert sep.exit_code == 0  # both errors accepted; the warning does not reach the gate
    doc = json.loads(sep.stdout)
    accepted = [f for f in doc["findings"] if "accepted" in f]
    assert {f["record"] for f in accepted} == {IDS["A"], IDS["B"]}
    assert accepted[0]["accepted"]["reason"] == "name confirmed at the household visit"
    assert doc["acceptances"]["stale"] == [] and doc["acceptances"]["accepted"] == 2
    # October: the acceptances expired, the findings fail the gate again
    oct_ = run(str(root / "2026-10"), *common)
    assert oct_.exit_code == 1
    assert len(json.loads(oct_.stdout)["acceptances"]["expired"]) == 2
    # August: B is not reported, its acceptance matches nothing -> stale
    aug = json.loads(run(str(root / "2026-08"), *common).stdout)
    assert [a["record"] for a in aug["acceptances"]["stale"]] == [IDS["B"]]
    text = run(str(root / "2026-08"), *common[:-4], "--lang", "en").stdout
    assert (
        f"stale acceptance (matches nothing now, can be removed): bad-name women {IDS['B']}" in text
    )
    listed = runner.invoke(app, ["accepted", str(root / "2026-09"), "-f", "json"])
    assert [a["record"] for a in json.loads(listed.stdout)] == sorted([IDS["A"], IDS["B"]])


def test_bad_acceptances_file_names_file_and_line(series: tuple[Path, Path]) -> None:
    root, suites = series
    path = root / "accepted.csv"
    path.write_text(
        "township_code,check,table,record,reason,accepted_by,accepted_on,expires\n"
        f"{TOWNSHIP},bad-name,women,x,ok,me,2026-09-01,2026-09\n"
        f"{TOWNSHIP},bad-name,women,y,ok,me,2026-09-01,2026-13\n",
        encoding="utf-8",
    )
    out = run(str(root / "2026-09"), "--suites", str(suites), "--no-history")
    assert out.exit_code == 2
    assert out.stderr.strip() == (
        f"audit: {path}: line 3: expires: expected a period YYYY-MM, got '2026-13'"
    )
    path.write_text("check,table\n", encoding="utf-8")
    out = run(str(root / "2026-09"), "--suites", str(suites), "--no-history")
    assert out.exit_code == 2 and "line 1: the header lacks column 'township_code'" in out.stderr


def _audit(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "audit.cli", "run", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_history_in_use_exits_2_after_the_wait(series: tuple[Path, Path], tmp_path: Path) -> None:
    root, suites = series
    db = tmp_path / "h.duckdb"
    marker = tmp_path / "locked"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time, pathlib\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "pathlib.Path(sys.argv[2]).write_text('x')\n"
            "time.sleep(120)\n",
            str(db),
            str(marker),
        ]
    )
    try:
        while not marker.exists():
            assert holder.poll() is None
            time.sleep(0.05)
        out = run(
            str(root / "2026-07"),
            "--suites",
            str(suites),
            "--history",
            str(db),
            "--history-wait",
            "1",
        )
        assert out.exit_code == 2
        assert f"history {db}: in use by another audit (waited 1 s)" in out.stderr
        assert "Traceback" not in out.stderr
    finally:
        holder.kill()
        holder.wait()


def test_two_runs_at_once_both_finish_and_the_history_is_intact(
    series: tuple[Path, Path], tmp_path: Path
) -> None:
    root, suites = series
    db = tmp_path / "h.duckdb"
    args = [str(root / "2026-07"), "--suites", str(suites), "--history", str(db), "-f", "json"]
    procs = [_audit(*args), _audit(*args)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], [err for _, err in results]
    for out, _ in results:
        assert json.loads(out)["summary"]["errors"] == 2
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT count(*), count(superseded_by), count(DISTINCT run_id) FROM runs"
        ).fetchone()
        assert rows == (2, 1, 2)  # one run superseded by the other, both complete
        assert con.execute("SELECT count(*) FROM findings").fetchone() == (4,)
    finally:
        con.close()


def test_history_lists_runs_and_shows_villages_month_by_month(
    series: tuple[Path, Path], tmp_path: Path
) -> None:
    import openpyxl

    root, suites = series
    db = tmp_path / "h.duckdb"
    for m in ("2026-07", "2026-08", "2026-08", "2026-09"):  # August audited twice
        run(str(root / m), "--suites", str(suites), "--history", str(db), "-f", "json")
    listed = runner.invoke(app, ["history", "--history", str(db), "-f", "json"])
    runs = json.loads(listed.stdout)
    assert [(r["period"], r["superseded_by"] is not None) for r in runs] == [
        ("2026-07", False),
        ("2026-08", True),
        ("2026-08", False),
        ("2026-09", False),
    ]
    assert [r["errors"] for r in runs] == [2, 2, 2, 2]
    trend = json.loads(
        runner.invoke(app, ["history", TOWNSHIP, "--history", str(db), "-f", "json"]).stdout
    )
    village = [u for u in trend["units"] if u["unit"] == VILLAGE_A]
    assert [(u["period"], u["errors"], u["warnings"]) for u in village] == [
        ("2026-07", 2, 0),
        ("2026-08", 2, 1),
        ("2026-09", 2, 1),
    ]
    assert village[0]["completeness"] is not None and "births_unregistered" in village[0]
    text = runner.invoke(app, ["history", TOWNSHIP, "--history", str(db), "--lang", "en"]).stdout
    assert f"Village {VILLAGE_A}" in text and "▁██" in text  # warnings 0, 1, 1
    xlsx = tmp_path / "trend.xlsx"
    html = tmp_path / "trend.html"
    for fmt, out in (("xlsx", xlsx), ("html", html)):
        done = runner.invoke(
            app, ["history", TOWNSHIP, "--history", str(db), "-f", fmt, "-o", str(out)]
        )
        assert done.exit_code == 0, done.output
    wb = openpyxl.load_workbook(xlsx)
    assert sum(len(ws._charts) for ws in wb.worksheets) == 3
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "<script" not in page and "http" not in page
    missing = runner.invoke(app, ["history", "340811999000", "--history", str(db)])
    assert missing.exit_code == 2 and "no run recorded for township 340811999000" in missing.stderr
    nofile = runner.invoke(app, ["history", "--history", str(tmp_path / "none.duckdb")])
    assert nofile.exit_code == 2 and "no such file" in nofile.stderr
