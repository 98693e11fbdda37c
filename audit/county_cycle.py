"""The monthly cycle around a county run: each township recorded in the history, acceptances.

Design decisions:

- Each township is recorded exactly as `audit run` of its folder records it
  (`audit.monthly.run_monthly`): same township key, period, input checksums,
  suites digest, findings with their status and §6 figures. So a single run
  after a county run (or the next month's county run) sees "since last month"
  statuses, and the townships' audits read their earlier report rows from
  the history for the consistency-over-time rules, as a single run does.
- The cross-township findings are the county office's run: recorded under
  the county's code (its own runs, beside its townships'), so they get their
  statuses too and `--fail-on new-error` can gate on them. They never enter
  a township's own run: a single run of that township cannot see them, and
  would otherwise report them resolved.
- All of it is one transaction (`audit.io.history.record_runs`): the county's
  month is in the history whole or not at all, never half of its townships.
- A township code held by two folders is not recorded (which folder is the
  township's submission is the county's question to settle, see
  `county-township-duplicate`); nor, of course, a folder that could not be
  audited.
- Acceptances (`accepted.csv` in the county folder — the file a single run of
  a township folder reads — or `--acceptances`) apply to each township's own
  findings and the cross-township findings sent to it together, in one
  outcome on its report: a row of that township matching neither is stale.
  The findings sent to the county office itself are matched with the
  county's code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from audit.core.acceptance import Acceptance, AcceptanceOutcome, apply_acceptances
from audit.core.county import CountyFinding, TownshipEntry
from audit.core.exitcodes import AuditError
from audit.core.lifecycle import Lifecycle
from audit.core.models import AuditReport, CheckResult
from audit.core.period import make_window


@dataclass(frozen=True)
class Settled:
    entries: list[TownshipEntry]
    history: Lifecycle | None  # the cross-township findings' statuses
    acceptances: AcceptanceOutcome | None  # of the findings sent to the county office


def read_acceptance_rows(
    county_dir: Path, file: Path | None
) -> tuple[list[Acceptance], Path | None]:
    """The acceptances a county run applies: `file`, else accepted.csv in the county folder."""
    from audit.io import acceptances as store

    if file is not None and not Path(file).is_file():
        raise AuditError(f"--acceptances {file}: no such file")
    path = file
    if path is None:
        candidate = Path(county_dir).resolve() / store.DEFAULT_NAME
        path = candidate if candidate.is_file() else None
    return (store.read_acceptances(path), path) if path is not None else ([], None)


def settle(
    entries: list[TownshipEntry],
    findings: tuple[CountyFinding, ...],
    checks: tuple[CheckResult, ...],
    *,
    county_dir: Path,
    county_code: str | None,
    county_name: str | None,
    period: str | None,
    window_start: date | None,
    lang: str,
    suites_dir: Path | None,
    history: Path | None,
    history_wait: float,
    acceptances: list[Acceptance],
    acceptances_path: Path | None,
) -> Settled:
    """Record the county's month in the history (one transaction), then apply the acceptances."""
    county_history: Lifecycle | None = None
    if history is not None:
        entries, county_history = _record(
            entries,
            findings,
            checks,
            county_dir=county_dir,
            county_code=county_code,
            county_name=county_name,
            period=period,
            window_start=window_start,
            lang=lang,
            suites_dir=suites_dir,
            history=history,
            wait=history_wait,
        )
    county_acceptances: AcceptanceOutcome | None = None
    if acceptances_path is not None:
        source = str(acceptances_path)
        entries = [_accepted(e, acceptances, source) for e in entries]
        codes = {e.township_code for e in entries if e.township_code}
        own = [c.finding for c in findings if c.township_code not in codes]
        county_acceptances = apply_acceptances(
            acceptances,
            own,
            period=period or "",
            township_code=county_code,
            source=source,
        )
    return Settled(entries, county_history, county_acceptances)


def _accepted(entry: TownshipEntry, rows: list[Acceptance], source: str) -> TownshipEntry:
    if entry.report is None:
        return entry
    report = entry.report
    outcome = apply_acceptances(
        rows,
        [*report.findings, *(c.finding for c in entry.county_findings)],
        period=report.period,
        township_code=report.township_code,
        source=source,
    )
    return replace(entry, report=replace(report, acceptances=outcome))


def _record(
    entries: list[TownshipEntry],
    findings: tuple[CountyFinding, ...],
    checks: tuple[CheckResult, ...],
    *,
    county_dir: Path,
    county_code: str | None,
    county_name: str | None,
    period: str | None,
    window_start: date | None,
    lang: str,
    suites_dir: Path | None,
    history: Path,
    wait: float,
) -> tuple[list[TownshipEntry], Lifecycle | None]:
    from audit.io import history as store
    from audit.io.county import county_report_file
    from audit.io.suites import SUITES_DIR, sql_dirs
    from audit.monthly import input_files

    codes = Counter(e.township_code for e in entries if e.report is not None and e.township_code)
    runs: list[store.RunToRecord] = []
    recorded: list[int] = []  # positions in `entries` of the townships recorded
    for i, e in enumerate(entries):
        if e.report is None or not e.township_code or codes[e.township_code] > 1:
            continue
        folder = Path(county_dir) / e.folder
        runs.append(
            store.RunToRecord(e.report, input_files(folder, e.report), str(folder.resolve()))
        )
        recorded.append(i)
    if county_code and period:
        # The county office's own run: the cross-township findings under the county's code.
        inputs = [
            (name, p)
            for name, p in (
                ("county", Path(county_dir) / "county.json"),
                ("stat_reports", county_report_file(Path(county_dir))),
            )
            if p is not None and p.is_file()
        ]
        county_report = AuditReport(
            period=period,
            township_code=county_code,
            township_name=county_name,
            window=make_window(period, window_start),
            lang=lang,
            tables=(),
            checks=checks,
            findings=tuple(c.finding for c in findings),
        )
        runs.append(
            store.RunToRecord(
                county_report, store.checksum_inputs(inputs), str(Path(county_dir).resolve())
            )
        )
    folder = Path(suites_dir) if suites_dir is not None else SUITES_DIR
    done = store.record_runs(
        history,
        runs,
        suites=store.suites_digest([folder, *sql_dirs(folder)]),
        wait=wait,
    )
    out = list(entries)
    for i, report in zip(recorded, done, strict=False):
        out[i] = replace(out[i], report=report)
    county_history = done[-1].history if county_code and period and done else None
    return out, county_history
