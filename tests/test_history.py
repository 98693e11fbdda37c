"""The history store: recording, superseding, schema versions, locks, interrupted writes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from audit.core.exitcodes import AuditError
from audit.core.lifecycle import Status
from audit.core.models import AuditReport, Category, Finding, Severity
from audit.core.period import make_window
from audit.core.series import ReportRow
from audit.io import history

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIP = "340811101000"


def finding(check: str, record: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        check, Category.LOGIC, severity, ("statistics",), "women", record, "340811101001", "m"
    )


def make_report(period: str, findings: list[Finding], township: str = TOWNSHIP) -> AuditReport:
    return AuditReport(
        period=period,
        township_code=township,
        township_name="罗岭镇",
        window=make_window(period),
        lang="en",
        tables=(),
        checks=(),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        report_rows=(
            ReportRow(period, "village", "340811101001", (("births_total", 3), ("users_iud", 40))),
        ),
    )


def runs(path: Path) -> list[tuple[str, str, bool]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT township_code, period, superseded_by IS NOT NULL FROM runs ORDER BY recorded_at"
        ).fetchall()
    finally:
        con.close()
    return [(str(a), str(b), bool(c)) for a, b, c in rows]


def test_default_path_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert history.default_path() == tmp_path / "data" / "fourcheck" / "history.duckdb"
    monkeypatch.setenv("XDG_DATA_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history.default_path() == tmp_path / "home/.local/share/fourcheck/history.duckdb"


def test_tests_never_write_the_real_home() -> None:
    assert "pytest" in os.environ["XDG_DATA_HOME"] or "/tmp" in os.environ["XDG_DATA_HOME"]
    assert history.default_path().is_relative_to(os.environ["HOME"])


def test_three_months_and_a_superseding_reaudit(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    r7 = history.record_run(db, make_report("2026-07", [finding("a", "1"), finding("b", "2")]), [])
    assert r7.history is not None and r7.history.previous_period is None
    r8 = history.record_run(db, make_report("2026-08", [finding("a", "1"), finding("c", "3")]), [])
    assert r8.history is not None
    assert r8.history.of(finding("a", "1")).status is Status.PERSISTING
    assert [f.record for f in r8.history.resolved] == ["2"]
    # the August audit again, after a fix: supersedes the first August run
    r8b = history.record_run(db, make_report("2026-08", [finding("a", "1")]), [])
    assert r8b.history is not None and r8b.history.previous_period == "2026-07"
    r9 = history.record_run(db, make_report("2026-09", [finding("a", "1"), finding("b", "2")]), [])
    assert r9.history is not None
    a = r9.history.of(finding("a", "1"))
    assert (a.status, a.since, a.months) == (Status.PERSISTING, "2026-07", 3)
    b = r9.history.of(finding("b", "2"))
    assert (b.status, b.last_seen) == (Status.REOPENED, "2026-07")
    assert r9.history.resolved == ()  # c was fixed in the re-audit, it is not last month's
    assert runs(db) == [
        (TOWNSHIP, "2026-07", False),
        (TOWNSHIP, "2026-08", True),
        (TOWNSHIP, "2026-08", False),
        (TOWNSHIP, "2026-09", False),
    ]
    # another township never serves as a baseline
    other = history.record_run(db, make_report("2026-10", [finding("a", "1")], "340811102000"), [])
    assert other.history is not None and other.history.previous_period is None


def test_series_reads_earlier_periods_of_the_township(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", []), [])
    history.record_run(db, make_report("2026-08", []), [])
    rows = history.read_series(db, TOWNSHIP, "2026-09")
    assert [(r.period, r.unit_code, r.value("users_iud")) for r in rows] == [
        ("2026-07", "340811101001", 40),
        ("2026-08", "340811101001", 40),
    ]
    assert history.read_series(db, TOWNSHIP, "2026-08")[0].period == "2026-07"
    assert history.read_series(tmp_path / "none.duckdb", TOWNSHIP, "2026-08") == []


def test_inputs_and_suites_digest_recorded(tmp_path: Path) -> None:
    f = tmp_path / "women.csv"
    f.write_text("person_id\n", encoding="utf-8")
    inputs = history.checksum_inputs([("women", f)])
    assert inputs[0].sha256 == hashlib.sha256(b"person_id\n").hexdigest()
    assert inputs[0].bytes == 10
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", []), inputs, suites="abc", submission="/x")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT name, bytes FROM inputs").fetchall() == [("women", 10)]
        assert con.execute("SELECT suites_digest, tool_version FROM runs").fetchone() == (
            "abc",
            "0.1.0",
        )
    finally:
        con.close()


def test_schema_newer_or_foreign_file_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", []), [])
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO fourcheck_schema VALUES (99, 'x', now())")
    con.close()
    with pytest.raises(AuditError, match=r"newer fourcheck .*schema version 99"):
        history.record_run(db, make_report("2026-08", []), [])
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE t (x INT)")
    con.close()
    with pytest.raises(AuditError, match="not a fourcheck history"):
        history.record_run(foreign, make_report("2026-08", []), [])
    text = tmp_path / "text.duckdb"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(AuditError, match="not a readable history file"):
        history.record_run(text, make_report("2026-08", []), [])


def test_older_schema_is_migrated_in_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", [finding("a", "1")]), [])
    monkeypatch.setattr(history, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(history, "MIGRATIONS", {1: ("ALTER TABLE runs ADD COLUMN note VARCHAR",)})
    r = history.record_run(db, make_report("2026-08", [finding("a", "1")]), [])
    assert r.history is not None and r.history.of(finding("a", "1")).status is Status.PERSISTING
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM fourcheck_schema").fetchone() == (2,)
        assert "note" in [d[0] for d in con.execute("SELECT * FROM runs").description]
    finally:
        con.close()
    monkeypatch.setattr(history, "SCHEMA_VERSION", 3)
    with pytest.raises(AuditError, match="version 2 cannot be migrated to 3"):
        history.record_run(db, make_report("2026-09", []), [])


# --- interrupted and concurrent writes (real processes, real signals) ----------------------------

_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from audit.io import history
    from tests.test_history import finding, make_report

    real = history._insert_findings

    def slow(*args, **kwargs):
        real(*args, **kwargs)  # this run's findings are in the open transaction
        Path(sys.argv[2]).write_text("writing", encoding="utf-8")
        time.sleep(60)

    history._insert_findings = slow
    history.record_run(Path(sys.argv[1]), make_report("2026-08", [finding("x", str(i))
                       for i in range(500)]), [])
    """
)


def _start_slow_writer(tmp_path: Path, db: Path) -> tuple[subprocess.Popen[bytes], Path]:
    marker = tmp_path / "marker"
    script = tmp_path / "writer.py"
    script.write_text(_SLOW_WRITER.format(root=str(ROOT)), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db), str(marker)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "writer died")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the writer never reached the write")
        time.sleep(0.05)
    return proc, marker


def _snapshot(db: Path) -> tuple[object, ...]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()
            for t in ("runs", "findings", "report_rows", "figures")
        ]
        return (*counts, con.execute("SELECT period, superseded_by FROM runs").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_a_run_killed_mid_write_leaves_the_history_unchanged(tmp_path: Path, sig: int) -> None:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", [finding("a", "1")]), [])
    history.record_run(db, make_report("2026-08", [finding("a", "1")]), [])
    before = _snapshot(db)
    proc, _ = _start_slow_writer(tmp_path, db)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) != 0
    assert _snapshot(db) == before  # readable, and the interrupted run left nothing
    after = history.record_run(db, make_report("2026-09", [finding("a", "1")]), [])
    assert after.history is not None and after.history.of(finding("a", "1")).months == 3


def test_a_second_writer_waits_then_stops_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", []), [])
    proc, _ = _start_slow_writer(tmp_path, db)
    try:
        started = time.monotonic()
        with pytest.raises(AuditError, match=r"in use by another audit \(waited 1 s\)") as e:
            history.record_run(db, make_report("2026-09", []), [], wait=1)
        assert e.value.exit_code == 2
        assert 1 <= time.monotonic() - started < 20
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert [p for _, p, _ in runs(db)] == ["2026-07"]


def test_record_runs_is_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A county's month: every township recorded, or — a failure on the last — none of them."""
    db = tmp_path / "h.duckdb"
    reports = [
        history.RunToRecord(make_report("2026-10", [finding("a", "1")], code))
        for code in ("340811101000", "340811102000")
    ]
    done = history.record_runs(db, reports)
    assert [r.history is not None and r.history.previous_period is None for r in done] == [1, 1]
    assert len(runs(db)) == 2
    calls = {"n": 0}
    real = history._insert_figures

    def failing(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second township is written
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "_insert_figures", failing)
    nov = [history.RunToRecord(replace_period(r.report, "2026-11")) for r in reports]
    with pytest.raises(KeyboardInterrupt):
        history.record_runs(db, nov)
    assert len(runs(db)) == 2  # the first township of November is not there either


def replace_period(report: AuditReport, period: str) -> AuditReport:
    from dataclasses import replace

    return replace(report, period=period, window=make_window(period))
