"""`run_audit()`: suites → load → period and township → params, views → GX engine → overview.

Design decisions:

- One orchestration function; the CLI, the tests and the benchmark call the
  same thing, and it returns the one result model (`AuditReport`).
- GX's import (seconds) starts in a thread when the audit starts and runs
  while the submission loads; the suites, which need GX's registry of
  expectation types, are read and validated right after the load, so a
  broken suite file stops the audit (exit 2) before any check runs and before
  anything is written.
- Period: the command line wins, then manifest.json, then the latest period in
  `stat_reports`; with none of them the window cannot be placed (exit 2).
- Township: manifest.json, then the township row of `stat_reports` (of the
  audited period when there is one), then the first 9 digits of the most
  common village code in the register + "000".
- Rules that cannot be evaluated (a table or column they need is missing,
  `audit.io.reads`) are not run: they are reported as skipped, with the
  reason, in the rule's place. `select`/`exclude` (check ids or categories)
  choose the rules as the suites are read.
- The engine (`audit.io.backends`: DuckDB by default, Spark on request) is
  opened before any submission file is read and closed on every path; the
  orchestration is the same whatever runs the SQL, and the report says which
  engine did (``meta["engine"]``).
- Consistency over time: `series` (township, period → earlier report rows,
  usually `audit.io.history.read_series`) is asked once township and period
  are known, and its rows are loaded as `report_history` before the checks
  run; the audited period's own report rows go into the report so the history
  can record them. The monthly cycle around a run (recording, lifecycle,
  acceptances) is `audit.monthly`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from audit.core.exitcodes import AuditError
from audit.core.models import AuditReport, CheckResult, TableLoad, sort_findings
from audit.core.period import make_window, normalise_period, parse_period
from audit.core.series import ReportRow
from audit.io import gx_shim
from audit.io.backends import Backend, EngineOptions, SqlSession, open_backend
from audit.io.backends.duckdb import sql_session
from audit.io.engine import Evaluation, NoProgress, Progress
from audit.io.overview import compute_overview, record_figures
from audit.io.reads import plan
from audit.io.selection import check_names_early, select_rules
from audit.io.series import period_rows
from audit.io.suites import Rule, Suite, load_suites
from audit.io.villages import read_villages

# (township code, period) -> the township's report rows of earlier periods
SeriesSource = Callable[[str, str], Sequence[ReportRow]]
# Called with the engine holding the loaded submission, the period and the township before the
# engine closes (the county run copies what its cross-township checks read).
Collector = Callable[[Backend, str, str | None], None]

_NO_PERIOD = {
    "zh": "无法确定报告期：请用 --period YYYY-MM 指定，或在 manifest.json 中填写 period",
    "en": "no period: pass --period or add manifest.json with a period",
}


def run_audit(
    submission: Path,
    *,
    period: str | None = None,
    window_start: date | None = None,
    lang: str = "zh",
    suites_dir: Path | None = None,
    progress: Progress | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    series: SeriesSource | None = None,
    collect: Collector | None = None,
    engine: EngineOptions | None = None,
) -> AuditReport:
    report, _ = audit_with_timings(
        submission,
        period=period,
        window_start=window_start,
        lang=lang,
        suites_dir=suites_dir,
        progress=progress,
        select=select,
        exclude=exclude,
        series=series,
        collect=collect,
        engine=engine,
    )
    return report


def audit_with_timings(
    submission: Path,
    *,
    period: str | None = None,
    window_start: date | None = None,
    lang: str = "zh",
    suites_dir: Path | None = None,
    progress: Progress | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    series: SeriesSource | None = None,
    collect: Collector | None = None,
    engine: EngineOptions | None = None,
) -> tuple[AuditReport, Evaluation]:
    """`run_audit`, also returning the engine's evaluation (per-rule timings for bench/).

    `collect(backend, period, township)` is called on the loaded engine before it
    closes (the county run copies what its cross-township checks read).
    """
    progress = progress or NoProgress()
    engine = engine or EngineOptions()
    if period is not None:
        period = normalise_period(period)  # a bad --period stops before any file is read
    check_names_early(suites_dir, select=select, exclude=exclude)  # so does a typo in --select
    gx_shim.start_import()
    backend = open_backend(engine)  # before any file is read: a missing extra stops here
    try:
        progress.stage("load", None)
        sub = backend.load(Path(submission), lang=lang)
        villages = read_villages(Path(submission), lang=lang)
        progress.advance("load")
        chosen = period or sub.manifest.get("period")
        if not chosen:
            latest = latest_report_period(backend)
            chosen = latest and normalise_period(latest, "stat_reports: latest period")
        if not chosen:
            raise AuditError(_NO_PERIOD.get(lang, _NO_PERIOD["zh"]))
        township = sub.manifest.get("township_code") or township_from_data(backend, chosen)
        window = make_window(chosen, window_start)
        history = series(township or "", chosen) if series is not None else ()
        backend.install(chosen, window, township, history)
        figures = record_figures(backend)  # the §6 figures that need no findings
        # Only now are GX's registry and the suites needed: GX's import (3–5 s, in a thread
        # since the start) runs on while the engine loads, prepares and counts the figures
        # above, which release the GIL.
        suites = select_rules(load_suites(suites_dir), select=select, exclude=exclude)
        runnable, skipped = _split_skipped(suites, sub.tables, lang)
        evaluation = backend.evaluate(
            runnable, lang=lang, township_code=township, progress=progress
        )
        evaluation = replace(
            evaluation, checks=_in_rule_order(suites, runnable, evaluation, skipped)
        )
        findings = sort_findings([*sub.findings, *evaluation.findings])
        progress.stage("overview", None)
        overview = compute_overview(backend, findings, figures)
        progress.advance("overview")
        rows = period_rows(backend, chosen)
        if collect is not None:
            collect(backend, chosen, township)
    finally:
        backend.close()
    report = AuditReport(
        period=chosen,
        township_code=township,
        township_name=sub.manifest.get("township_name") or None,
        window=window,
        lang=lang,
        tables=sub.tables,
        checks=evaluation.checks,
        findings=findings,
        overview=overview,
        villages=villages,
        report_rows=rows,
        meta={"engine": backend.name},
    )
    return report, evaluation


def _split_skipped(
    suites: Sequence[Suite], tables: Sequence[TableLoad], lang: str
) -> tuple[tuple[Suite, ...], dict[int, CheckResult]]:
    """The suites with only the rules that can run, and a skipped result for each other rule."""
    rules = [rule for suite in suites for rule in suite.rules]
    reasons = plan(rules, tables, lang)
    skipped = {
        id(rule): _skipped_result(rule, reason, lang)
        for rule, reason in zip(rules, reasons, strict=True)
        if reason is not None
    }
    runnable = tuple(
        replace(suite, rules=tuple(r for r in suite.rules if id(r) not in skipped))
        for suite in suites
    )
    return runnable, skipped


def _skipped_result(rule: Rule, reason: str, lang: str) -> CheckResult:
    return CheckResult(
        check=rule.check,
        category=rule.category,
        severity=rule.severity,
        ledgers=rule.ledgers,
        table=rule.table,
        title=rule.text("title", lang),
        suite=rule.suite,
        evaluated=False,
        mostly=rule.mostly,
        skipped_reason=reason,
    )


def _in_rule_order(
    suites: Sequence[Suite],
    runnable: Sequence[Suite],
    evaluation: Evaluation,
    skipped: dict[int, CheckResult],
) -> tuple[CheckResult, ...]:
    """Every rule's result in suite order: the engine's for those it ran, skipped for the rest."""
    ran = [rule for suite in runnable for rule in suite.rules]
    results = dict(skipped)
    results.update((id(rule), check) for rule, check in zip(ran, evaluation.checks, strict=True))
    return tuple(results[id(rule)] for suite in suites for rule in suite.rules)


def latest_report_period(target: SqlSession | duckdb.DuckDBPyConnection) -> str | None:
    rows = sql_session(target).rows("SELECT max(period) AS period FROM stat_reports")
    return str(rows[0]["period"]) if rows and rows[0]["period"] else None


def township_from_data(target: SqlSession | duckdb.DuckDBPyConnection, period: str) -> str | None:
    sql = sql_session(target)
    parse_period(period)  # YYYY-MM: safe to write into the query as it is
    rows = sql.rows(
        f"""
        SELECT unit_code FROM stat_reports
        WHERE level = 'township' AND unit_code IS NOT NULL
        ORDER BY period = '{period}' DESC, period DESC, unit_code
        LIMIT 1
        """
    )
    if rows:
        return str(rows[0]["unit_code"])
    rows = sql.rows(
        """
        SELECT substr(village_code, 1, 9) || '000' AS township_code FROM women
        WHERE length(village_code) = 12
        GROUP BY village_code ORDER BY count(*) DESC, village_code LIMIT 1
        """
    )
    return str(rows[0]["township_code"]) if rows else None
