"""`run_county()`: every township folder of a county audited in one run, then the county's checks.

Design decisions:

- A county folder holds one submission folder per township (any sub-folder
  with a data file — tables or a workbook of them — or a manifest.json) and
  optionally `county.json`
  (`{"county_code", "county_name", "period", "townships": [{"code", "name",
  "folder"}]}`) and the county's own report (`stat_reports.csv|xlsx|parquet`
  with a `county` row). `is_county_folder` tells a county folder from a
  township's: it has county.json, or no data file of its own and township
  sub-folders.
- Each township is audited by the single-township `run_audit`, unchanged, so
  its entry is exactly the report `audit run` on its folder gives; while its
  database is open the county copies the rows its own checks read
  (`audit.io.county.extract`). Townships are audited side by side, not in one
  shared database: every single-township rule assumes one township (its
  params, views and report levels), and running them over a union would change
  what they mean. What needs the union — the cross-township rules — runs once
  over a county database built from those copies (docs/architecture.md).
- Start-up is paid once per run, not per township. With `jobs` > 1 the
  townships are shared among that many worker processes, each auditing
  township after township; they are forked from one fork server that imported
  GX, polars, DuckDB and the audit once (`PRELOAD`). Meanwhile this process
  imports GX and reads the suites for itself (it validates the county's
  rules); a broken suite stops the run (exit 2) and cancels the townships not
  yet started. Not threads: GX keeps
  process-wide state (its current project), so two audits must not share a
  process at the same time. Not forks of this process: polars' and DuckDB's
  thread pools do not survive a fork once they have run (a worker would
  hang). Where there is no fork server, or with `jobs` = 1, townships are
  audited one after another in this process.
- A township folder that cannot be audited (`AuditError`: a table without its
  key column, an unreadable file...) becomes an entry with its reason and
  never stops the run; nor does an unexpected error in one township. An
  expected township (county.json) with no folder is a `county-township-missing`
  finding (completeness, error) sent to that township, record
  "<code>|<period>|township|<code>": the township report row the county lacks.
- Period: the command line, then county.json, then the period most of the
  townships' own audits chose (each township keeps its own then).
- Engine: DuckDB by default; on Spark (`engine`), one session held for the
  whole run audits the townships one after another (Spark spreads each over
  its executors; `jobs` does not apply) and runs the county's checks, with
  the townships' rows kept by Spark, never collected here
  (`audit.io.county_spark`): a province is one county run over its townships.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from audit.core.county import (
    CountyFinding,
    CountyReport,
    ExpectedTownship,
    TownshipEntry,
    ranked,
    sort_county_findings,
)
from audit.core.exitcodes import AuditError, FailOn
from audit.core.models import AuditReport, Category, CheckResult, Finding, Severity
from audit.io.backends import EngineOptions

COUNTY_MANIFEST = "county.json"
# Imported once by the fork server; every worker is forked from it with them loaded.
PRELOAD = ("audit.io.gx_preload", "polars", "duckdb", "audit.app", "audit.io.county")
# The loader's file types (audit.io.readers.FORMATS), without importing it: `audit run` asks
# is_county_folder() before any heavy import.
TABLE_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")

TOWNSHIP_MISSING = "county-township-missing"
REPORT_UNUSABLE = "county-report-unusable"
TOWNSHIP_DUPLICATE = "county-township-duplicate"
PERIOD_MISMATCH = "county-period-mismatch"
# The folder-level checks run in Python, not SQL; each is an error on the report ledger.
FOLDER_CHECKS: dict[str, tuple[Category, str]] = {  # id -> (category, title key)
    TOWNSHIP_MISSING: (Category.COMPLETENESS, "missing-title"),
    REPORT_UNUSABLE: (Category.COMPLETENESS, "report-title"),
    TOWNSHIP_DUPLICATE: (Category.DUPLICATE, "duplicate-title"),
    PERIOD_MISMATCH: (Category.TIMELINESS, "period-title"),
}
# Files of the county folder that are not a table of its own (the county's report, acceptances).
COUNTY_FILES = ("stat_reports", "accepted")

_TEXT = {
    "zh": {
        "missing-title": "县级清单中的乡镇没有提交文件夹",
        "missing": "县级清单要求的乡镇 {label} 没有提交文件夹（{period}）",
        "report-title": "县级报表无法读取",
        "report": "县级报表 {file} 无法读取：{reason}",
        "duplicate-title": "两个以上文件夹报送同一乡镇",
        "duplicate": "乡镇代码 {code} 由 {n} 个文件夹报送：{folders}；只能保留一个"
        "（跨乡镇核对只用了 {first}，历史记录未写入该乡镇）",
        "period-title": "乡镇报送的报告期与县级不同",
        "period": "乡镇 {label}（文件夹 {folder}）报送的是 {submitted} 的数据，县级审核的报告期是 "
        "{period}",
        "select-county": "--select 只列了跨乡镇规则；各乡镇的审核至少要有一条自己的规则"
        "（加上类别或乡镇规则编号）",
        "internal": "审核时出现意外错误（{kind}）：{detail}",
        "not-county": "{path}：不是县级文件夹（没有 county.json，也没有乡镇子文件夹）",
        "no-townships": "{path}：没有乡镇提交文件夹（每个乡镇一个子文件夹）",
        "manifest": "{path}：county.json 无效：{detail}",
    },
    "en": {
        "missing-title": "Township of the county manifest with no submission folder",
        "missing": "township {label}, expected by the county manifest, has no submission "
        "folder ({period})",
        "report-title": "County report cannot be read",
        "report": "county report {file} cannot be read: {reason}",
        "duplicate-title": "Township submitted by more than one folder",
        "duplicate": "township code {code} is submitted by {n} folders: {folders}; keep one "
        "(the cross-township checks used {first} only; the history records neither)",
        "period-title": "Township submitted for another period than the county's",
        "period": "township {label} (folder {folder}) submitted data for {submitted}; the county "
        "audits {period}",
        "select-county": "--select names cross-township checks only; the townships' audits need "
        "at least one rule of their own (add a category or a township check id)",
        "internal": "unexpected error while auditing ({kind}): {detail}",
        "not-county": "{path}: not a county folder (no county.json and no township sub-folders)",
        "no-townships": "{path}: no township submission folders (one sub-folder per township)",
        "manifest": "{path}: county.json is invalid: {detail}",
    },
}


def _t(lang: str, key: str, **fields: Any) -> str:
    return _TEXT.get(lang, _TEXT["zh"])[key].format(**fields)


# --- the folder ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountyManifest:
    county_code: str | None = None
    county_name: str | None = None
    period: str | None = None
    townships: tuple[ExpectedTownship, ...] = ()
    folders: tuple[tuple[str, str], ...] = ()  # (township code, folder name) when given


def _data_file(p: Path) -> bool:
    return p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith((".", "~$"))


def _has_tables(folder: Path) -> bool:
    """A data file of any name (a table, or a workbook of tables) or a manifest.json."""
    try:
        return (
            any(_data_file(p) for p in folder.iterdir() if p.is_file())
            or (folder / "manifest.json").is_file()
        )
    except OSError:
        return False


def township_folders(path: Path) -> list[Path]:
    """Sub-folders that look like township submissions, in name order (hidden ones skipped)."""
    out = []
    try:
        entries = sorted(Path(path).iterdir())
    except OSError:
        return []
    for p in entries:
        if p.is_dir() and not p.name.startswith(".") and _has_tables(p):
            out.append(p)
    return out


def is_county_folder(path: Path) -> bool:
    path = Path(path)
    if not path.is_dir():
        return False
    if (path / COUNTY_MANIFEST).is_file():
        return True
    try:
        own_tables = any(
            _data_file(p) and p.stem.lower() not in COUNTY_FILES
            for p in path.iterdir()
            if p.is_file()
        )
    except OSError:  # unreadable: the single run says so, naming the folder
        return False
    return (
        not own_tables and not (path / "manifest.json").is_file() and bool(township_folders(path))
    )


def read_county_manifest(path: Path, *, lang: str = "zh") -> CountyManifest:
    p = Path(path) / COUNTY_MANIFEST
    if not p.is_file():
        return CountyManifest()

    def bad(detail: str) -> AuditError:
        return AuditError(_t(lang, "manifest", path=p, detail=detail))

    try:
        data = json.loads(p.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(str(e)) from None
    if not isinstance(data, dict):
        raise bad("expected a JSON object")
    code = data.get("county_code")
    if code is not None and not (isinstance(code, str) and len(code) in (6, 12) and code.isdigit()):
        raise bad(f"county_code: expected 6 or 12 digits, got {code!r}")
    if isinstance(code, str) and len(code) == 6:
        code = code + "000000"
    period = data.get("period")
    if period is not None:
        from audit.core.period import parse_period

        if not isinstance(period, str):
            raise bad(f"period: expected YYYY-MM, got {period!r}")
        try:
            parse_period(period)
        except AuditError:
            raise bad(f"period: expected YYYY-MM, got {period!r}") from None
    expected: list[ExpectedTownship] = []
    folders: list[tuple[str, str]] = []
    raw = data.get("townships") or []
    if not isinstance(raw, list):
        raise bad("townships: expected a list")
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"code": item}
        if not isinstance(item, dict):
            raise bad(f"townships[{i}]: expected an object with a code")
        t_code = item.get("code") or item.get("township_code")
        if not (isinstance(t_code, str) and len(t_code) == 12 and t_code.isdigit()):
            raise bad(f"townships[{i}].code: expected a 12-digit township code, got {t_code!r}")
        name = item.get("name") or item.get("township_name")
        expected.append(ExpectedTownship(t_code, str(name) if name else None))
        if isinstance(item.get("folder"), str):
            folders.append((t_code, item["folder"]))
    name = data.get("county_name")
    return CountyManifest(
        county_code=code,
        county_name=str(name) if name else None,
        period=period,
        townships=tuple(expected),
        folders=tuple(folders),
    )


# --- auditing the townships ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    folder: str
    report: AuditReport | None
    failure: str | None
    extract: dict[str, Any] | None
    township_code: str | None = None
    township_name: str | None = None
    submitted: str | None = None  # the period the folder was submitted for (manifest, reports)


@dataclass(frozen=True)
class _Settings:
    """What every township's audit is given (pickled to the workers)."""

    period: str | None
    window_start: date | None
    lang: str
    suites_dir: Path | None
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    history: Path | None = None  # read for the consistency rules' earlier months
    history_wait: float = 30.0
    engine: EngineOptions = field(default_factory=EngineOptions)


def _audit_one(folder: Path, settings: _Settings) -> _Outcome:
    """One township, as `audit run` would audit it; never raises."""
    from audit.app import latest_report_period, run_audit
    from audit.core.period import normalise_period
    from audit.io.county import extract
    from audit.io.loader import read_manifest

    copied: dict[str, Any] = {}
    submitted: list[str | None] = []
    history = settings.history

    def collect(backend: Any, chosen: str, township: str | None) -> None:
        copied.update(extract(backend, township or folder.name))
        if settings.period is not None:  # the period its own data say, before it was overridden
            try:
                own = read_manifest(folder, lang=settings.lang).get("period")
                own = own or latest_report_period(backend)
                submitted.append(normalise_period(own) if own else None)
            except AuditError:
                submitted.append(None)

    def series(township: str, chosen: str) -> Any:
        from audit.io.history import read_series

        assert history is not None
        return read_series(history, township, chosen, wait=settings.history_wait)

    period, lang = settings.period, settings.lang
    try:
        report = run_audit(
            folder,
            period=period,
            window_start=settings.window_start,
            lang=lang,
            suites_dir=settings.suites_dir,
            select=settings.select,
            exclude=settings.exclude,
            series=series if history is not None else None,
            collect=collect,
            engine=settings.engine,
        )
    except AuditError as e:
        code = name = None
        try:
            manifest = read_manifest(folder, lang=lang)
            code, name = manifest.get("township_code"), manifest.get("township_name")
        except AuditError:
            pass
        return _Outcome(folder.name, None, str(e), None, code, name)
    except Exception as e:  # one broken township never stops the county's run
        detail = str(e).strip().splitlines()[0] if str(e).strip() else ""
        reason = _t(lang, "internal", kind=type(e).__name__, detail=detail)
        return _Outcome(folder.name, None, reason, None)
    own = submitted[0] if submitted else report.period
    return _Outcome(
        folder.name, report, None, copied, report.township_code, report.township_name, own
    )


def _outcomes(
    folders: list[Path],
    jobs: int,
    settings: _Settings,
    done: Callable[[_Outcome], None],
    ready: Callable[[], None],
) -> Iterator[_Outcome]:
    """Each township's outcome, in folder order; `ready()` runs once the work has started.

    With workers, `ready` (the parent's own start-up: reading the suites, GX)
    runs while the fork server starts and the first townships are audited; if
    it fails, the townships not yet started are cancelled.
    """
    if (
        jobs <= 1
        or len(folders) <= 1
        or "forkserver" not in multiprocessing.get_all_start_methods()
    ):
        ready()
        for folder in folders:
            outcome = _audit_one(folder, settings)
            done(outcome)
            yield outcome
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    with ProcessPoolExecutor(max_workers=min(jobs, len(folders)), mp_context=ctx) as pool:
        futures: list[Future[_Outcome]] = [pool.submit(_audit_one, f, settings) for f in folders]
        try:
            ready()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        for future in futures:
            outcome = future.result()
            done(outcome)
            yield outcome


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def run_county(
    county_dir: Path,
    *,
    period: str | None = None,
    window_start: date | None = None,
    lang: str = "zh",
    suites_dir: Path | None = None,
    fail_on: FailOn | str = FailOn.ERROR,
    jobs: int | None = None,
    on_township: Callable[[TownshipEntry, int, int], None] | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    history: Path | None = None,
    history_wait: float = 30.0,
    acceptances: Path | None = None,
    engine: EngineOptions | None = None,
) -> CountyReport:
    """Audit every township folder of `county_dir`, then the cross-township checks.

    `on_township(entry, done, total)` is called as each township's audit ends.
    With `history`, every township's run and the county's are recorded in it
    (`audit.county_cycle`); `acceptances` (default: accepted.csv in the county
    folder) marks the accepted exceptions. On `engine` Spark, one session runs
    every township's audit, one after another, and the county's checks
    (`audit.io.county_spark`).
    """
    from audit.core.period import parse_period
    from audit.county_cycle import read_acceptance_rows, settle
    from audit.io.county import (
        county_engine,
        county_report_file,
        county_suites,
        county_suites_dir,
        open_county_tables,
        read_county_report,
        run_checks,
    )
    from audit.io.selection import check_names_early, select_rules, split_names, suite_check_ids
    from audit.io.suites import load_suites

    # A typo in --select stops the run before any township is read or Spark is started.
    county_ids = suite_check_ids(county_suites_dir(suites_dir))
    check_names_early(suites_dir, select=select, exclude=exclude, also=county_ids)
    county_dir = Path(county_dir)
    if not county_dir.is_dir() or not is_county_folder(county_dir):
        raise AuditError(_t(lang, "not-county", path=county_dir))
    if period is not None:
        parse_period(period)
    gate = FailOn(fail_on).value
    manifest = read_county_manifest(county_dir, lang=lang)
    folders = township_folders(county_dir)
    if not folders:
        raise AuditError(_t(lang, "no-townships", path=county_dir))
    chosen_period = period or manifest.period
    accepted_rows, accepted_path = read_acceptance_rows(county_dir, acceptances)
    c_suites: list[Any] = []
    # --select/--exclude: a category applies to the townships' rules and the county's alike, a
    # check id where it belongs. Checked against both sides before any township starts (only
    # then are the county's suites read here, before the workers start: they import GX).
    chosen, dropped = split_names(select), split_names(exclude)
    shipped = county_suites(suites_dir) if chosen or dropped else ()
    county_ids = {rule.check for suite in shipped for rule in suite.rules}
    t_select = tuple(n for n in chosen if n not in county_ids)
    if chosen and not t_select:
        raise AuditError(_t(lang, "select-county"))
    t_exclude = tuple(n for n in dropped if n not in county_ids)

    def ready() -> None:
        # The parent's start-up, once: GX (its import overlaps the workers' start) and the
        # suites — a broken one or a mistyped --select stops the run, exit 2, before any
        # township is reported.
        select_rules(load_suites(suites_dir), select=t_select, exclude=t_exclude)
        own = shipped or county_suites(suites_dir)
        c_suites.extend(_county_selection(own, chosen, dropped) if shipped else own)

    finished = 0

    def done(outcome: _Outcome) -> None:
        nonlocal finished
        finished += 1
        if on_township is not None:
            on_township(_entry(outcome, ()), finished, len(folders))

    with county_engine(engine) as engine:  # on Spark: one session for the whole run
        # Spark spreads each township's audit over its cores itself; a worker would start a JVM.
        county_jobs = 1 if engine.engine == "spark" else (jobs or default_jobs())
        settings = _Settings(
            chosen_period,
            window_start,
            lang,
            suites_dir,
            t_select,
            t_exclude,
            history,
            history_wait,
            engine,
        )
        outcomes = [
            _named(o, manifest) for o in _outcomes(folders, county_jobs, settings, done, ready)
        ]

        periods = Counter(o.report.period for o in outcomes if o.report is not None)
        county_period = chosen_period or (
            sorted(periods.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if periods else None
        )
        county_code = manifest.county_code or _county_code_of(outcomes, manifest)
        extra: list[CountyFinding] = []
        with open_county_tables(county_period, county_code, engine) as db:
            seen: set[str] = set()
            for o in outcomes:
                code = o.township_code or o.folder
                if o.report is not None and o.extract is not None and code not in seen:
                    db.add(o.extract)
                if code not in seen:
                    db.add_township(code, o.township_name, o.folder, audited=o.report is not None)
                    seen.add(code)
            for t in manifest.townships:
                if t.code not in seen:
                    db.add_township(t.code, t.name, None)
                    seen.add(t.code)
                    extra.append(_missing_finding(t, county_period, lang))
            report_path = county_report_file(county_dir)
            if report_path is not None and county_code:
                try:
                    db.add_county_report(read_county_report(report_path, lang=lang), county_code)
                except AuditError as e:
                    extra.append(_report_finding(report_path, county_code, str(e), lang))
            checks, found = run_checks(db, c_suites, lang=lang, county_code=county_code)
    extra.extend(_duplicate_findings(outcomes, lang))
    extra.extend(_period_findings(outcomes, county_period, lang))
    findings = sort_county_findings([*found, *extra])
    all_checks = (*checks, *_python_checks(extra, lang))
    settled = settle(
        [_entry(o, findings) for o in outcomes],
        findings,
        all_checks,
        county_dir=county_dir,
        county_code=county_code,
        county_name=manifest.county_name,
        period=county_period,
        window_start=window_start,
        lang=lang,
        suites_dir=suites_dir,
        history=history,
        history_wait=history_wait,
        acceptances=accepted_rows,
        acceptances_path=accepted_path,
    )
    return CountyReport(
        county_code=county_code,
        county_name=manifest.county_name,
        period=county_period,
        lang=lang,
        fail_on=gate,
        townships=ranked(settled.entries, gate, settled.history),
        findings=findings,
        checks=all_checks,
        expected=manifest.townships,
        meta={"path": str(county_dir), "engine": engine.engine},
        history=settled.history,
        acceptances=settled.acceptances,
    )


def _county_selection(
    shipped: tuple[Any, ...],
    chosen: tuple[str, ...],
    dropped: tuple[str, ...],
) -> tuple[Any, ...]:
    """The county's rules under --select/--exclude; names of township rules select none here."""
    known = {rule.check for suite in shipped for rule in suite.rules}
    categories = {c.value for c in Category}
    c_chosen = {n for n in chosen if n in known or n in categories}
    if chosen and not c_chosen:
        # only township rules selected: the county runs none of its own
        return tuple(replace(suite, rules=()) for suite in shipped)
    c_dropped = {n for n in dropped if n in known or n in categories}
    return tuple(
        replace(
            suite,
            rules=tuple(
                rule
                for rule in suite.rules
                if (not c_chosen or rule.check in c_chosen or rule.category.value in c_chosen)
                and rule.check not in c_dropped
                and rule.category.value not in c_dropped
            ),
        )
        for suite in shipped
    )


def _duplicate_findings(outcomes: list[_Outcome], lang: str) -> list[CountyFinding]:
    """Two folders or more with one township code: one finding per folder, both named."""
    folders: dict[str, list[str]] = {}
    for o in outcomes:
        if o.township_code:
            folders.setdefault(o.township_code, []).append(o.folder)
    out: list[CountyFinding] = []
    for code, names in folders.items():
        if len(names) < 2:
            continue
        message = _t(
            lang, "duplicate", code=code, n=len(names), folders=", ".join(names), first=names[0]
        )
        out.extend(
            _folder_finding(TOWNSHIP_DUPLICATE, code, f"{code}|{name}", message) for name in names
        )
    return out


def _period_findings(
    outcomes: list[_Outcome], period: str | None, lang: str
) -> list[CountyFinding]:
    """A township whose submission is for another period than the county's."""
    out = []
    for o in outcomes:
        if o.report is None or period is None or not o.submitted or o.submitted == period:
            continue
        code = o.township_code or o.folder
        label = f"{o.township_name} {code}" if o.township_name else code
        message = _t(
            lang, "period", label=label, folder=o.folder, submitted=o.submitted, period=period
        )
        out.append(
            _folder_finding(PERIOD_MISMATCH, code, f"{code}|{period}|township|{code}", message)
        )
    return out


def _entry(outcome: _Outcome, findings: tuple[CountyFinding, ...] | tuple[()]) -> TownshipEntry:
    code = outcome.township_code or outcome.folder
    return TownshipEntry(
        folder=outcome.folder,
        township_code=outcome.township_code,
        township_name=outcome.township_name,
        report=outcome.report,
        failure=outcome.failure,
        county_findings=tuple(f for f in findings if f.township_code == code),
    )


def _named(outcome: _Outcome, manifest: CountyManifest) -> _Outcome:
    """A folder that could not say which township it is: county.json may (its `folder` key)."""
    if outcome.township_code:
        return outcome
    code = next((c for c, folder in manifest.folders if folder == outcome.folder), None)
    if code is None:
        return outcome
    name = next((t.name for t in manifest.townships if t.code == code), None)
    return replace(outcome, township_code=code, township_name=outcome.township_name or name)


def _county_code_of(outcomes: list[_Outcome], manifest: CountyManifest) -> str | None:
    """The county's code from its townships' codes: the first six digits + "000000"."""
    codes = [o.township_code for o in outcomes if o.township_code] + [
        t.code for t in manifest.townships
    ]
    prefixes = Counter(c[:6] for c in codes if len(c) == 12)
    if not prefixes:
        return None
    return sorted(prefixes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] + "000000"


def _missing_finding(t: ExpectedTownship, period: str | None, lang: str) -> CountyFinding:
    label = f"{t.name} {t.code}" if t.name else t.code
    return _folder_finding(
        TOWNSHIP_MISSING,
        t.code,
        f"{t.code}|{period or ''}|township|{t.code}",
        _t(lang, "missing", label=label, period=period or "?"),
    )


def _report_finding(path: Path, county_code: str, reason: str, lang: str) -> CountyFinding:
    return _folder_finding(
        REPORT_UNUSABLE,
        county_code,
        f"{county_code}|",
        _t(lang, "report", file=path.name, reason=reason),
    )


def _folder_finding(check: str, code: str, record: str, message: str) -> CountyFinding:
    """A folder-level check's finding, sent to the township (or county) `code`."""
    return CountyFinding(
        code,
        Finding(
            check=check,
            category=FOLDER_CHECKS[check][0],
            severity=Severity.ERROR,
            ledgers=("statistics",),
            table="stat_reports",
            record=record,
            village_code=code,
            message=message,
        ),
    )


def _python_checks(extra: list[CountyFinding], lang: str) -> tuple[CheckResult, ...]:
    """The county's folder-level checks as check results (they run in Python, not SQL)."""
    out = []
    for check, (category, title) in FOLDER_CHECKS.items():
        n = sum(1 for f in extra if f.finding.check == check)
        out.append(
            CheckResult(
                check=check,
                category=category,
                severity=Severity.ERROR,
                ledgers=("statistics",),
                table="stat_reports",
                title=_t(lang, title),
                suite="county",
                unexpected_count=n,
                success=n == 0,
            )
        )
    return tuple(out)


def cross_township_checks(suites_dir: Path | None = None) -> frozenset[str]:
    """Every cross-township check id: the county suites' rules and the folder checks.

    A single run cannot see these findings, so an acceptance of one is never stale there.
    """
    from audit.io.county import county_suites

    rules = {rule.check for suite in county_suites(suites_dir) for rule in suite.rules}
    return frozenset({*rules, *FOLDER_CHECKS})
