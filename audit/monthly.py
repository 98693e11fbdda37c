"""The monthly cycle around one audit: history series in, run recorded, acceptances applied.

Design decisions:

- `run_monthly()` is `run_audit()` plus the month before: the township's
  earlier report rows are read from the history before the checks (the
  consistency-over-time rules need them), the run is recorded after them in
  one transaction (which also decides every finding's status), and the
  acceptances file marks the accepted exceptions. The CLI and the tests call
  this one function; the county run records each township with
  `audit.io.history.record_run` directly.
- `history=None` records nothing and reads nothing (`--no-history`): the
  report then carries no lifecycle, and the consistency rules find no series.
- The acceptances file is optional: when the default file does not exist the
  report has no acceptance part; a file named with `--acceptances` must exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from audit.app import run_audit
from audit.core.acceptance import apply_acceptances
from audit.core.exitcodes import AuditError
from audit.core.models import AuditReport
from audit.core.series import ReportRow
from audit.county import cross_township_checks
from audit.io import acceptances as acceptances_file
from audit.io import history as store
from audit.io.backends import EngineOptions
from audit.io.engine import Progress
from audit.io.loader import MANIFEST
from audit.io.suites import SUITES_DIR, sql_dirs


def input_files(submission: Path, report: AuditReport) -> tuple[store.InputFile, ...]:
    """Checksums of the files the audit read (the tables found, and manifest.json)."""
    paths = [(t.table, Path(submission) / t.path) for t in report.tables if t.path]
    manifest = Path(submission) / MANIFEST
    if manifest.is_file():
        paths.append(("manifest", manifest))
    return store.checksum_inputs(paths)


def run_monthly(
    submission: Path,
    *,
    history: Path | None,
    acceptances: Path | None = None,
    history_wait: float = store.DEFAULT_WAIT_SECONDS,
    period: str | None = None,
    window_start: date | None = None,
    lang: str = "zh",
    suites_dir: Path | None = None,
    progress: Progress | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    engine: EngineOptions | None = None,
) -> AuditReport:
    submission = Path(submission)
    accepted_path = acceptances
    if accepted_path is not None and not Path(accepted_path).is_file():
        raise AuditError(f"--acceptances {accepted_path}: no such file")
    if accepted_path is None and submission.is_dir():
        candidate = acceptances_file.default_path(submission)
        accepted_path = candidate if candidate.is_file() else None
    rows = acceptances_file.read_acceptances(accepted_path) if accepted_path else None

    def series(township: str, chosen: str) -> Sequence[ReportRow]:
        assert history is not None
        return store.read_series(history, township, chosen, wait=history_wait)

    report = run_audit(
        submission,
        period=period,
        window_start=window_start,
        lang=lang,
        suites_dir=suites_dir,
        progress=progress,
        series=series if history is not None else None,
        select=select,
        exclude=exclude,
        engine=engine,
    )
    if history is not None:
        folder = Path(suites_dir) if suites_dir is not None else SUITES_DIR
        report = store.record_run(
            history,
            report,
            input_files(submission, report),
            suites=store.suites_digest([folder, *sql_dirs(folder)]),
            submission=str(submission.resolve()),
            wait=history_wait,
        )
    if rows is not None and accepted_path is not None:
        # rows accepting a cross-township finding (the county run's) are not this run's to judge
        cross = cross_township_checks(suites_dir)
        outcome = apply_acceptances(
            [a for a in rows if a.check not in cross],
            report.findings,
            period=report.period,
            township_code=report.township_code,
            source=str(accepted_path),
        )
        report = replace(report, acceptances=outcome)
    return report
