"""The history store: every recorded audit run in one embedded DuckDB file.

Design decisions:

- One DuckDB file (default `$XDG_DATA_HOME/fourcheck/history.duckdb`, else
  `~/.local/share/fourcheck/history.duckdb`) holds, per run: township, period,
  when, tool version, a digest of the suites, each input file's checksum,
  every finding with its status, the §6 figures per village and the
  audited period's report rows (the series the consistency rules read next
  month). Long tables (one row per finding, per figure, per report count),
  so a new figure or measure needs no schema change.
- A write is one transaction: the baseline is read, the lifecycle decided,
  earlier runs of the same township and period marked superseded and the
  new run inserted, then COMMIT. DuckDB's write-ahead log discards an
  uncommitted transaction, so Ctrl-C or a kill leaves the file as it was.
- Two audits on one file: DuckDB locks a database file for one writing
  process at a time. The file is opened only for the short read before the
  checks and the short write after them; a run that finds it locked retries
  for `wait` seconds, then stops with exit 2 naming the file.
- The schema carries its version (`fourcheck_schema`). An older file is
  migrated step by step inside one transaction; a newer one, or a DuckDB
  file that is not a fourcheck history, is refused with a message — never
  read as if it were current.
- `record_run(history_path, report, inputs)` is the whole API a caller needs
  to record a township's run (the county run records each township with it);
  it returns the report with its lifecycle attached.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from audit import __version__
from audit.core.exitcodes import AuditError
from audit.core.lifecycle import Baseline, Identity, Lifecycle, compute_lifecycle, identity
from audit.core.models import AuditReport, Category, Finding, Severity
from audit.core.series import ReportRow, RunInfo, VillageMonth

SCHEMA_VERSION = 1
DEFAULT_WAIT_SECONDS = 30.0
SERIES_MONTHS = 36  # earlier periods loaded for the consistency rules (three statistical years)

_SCHEMA_V1 = (
    """CREATE TABLE fourcheck_schema (
        version INTEGER NOT NULL, written_by VARCHAR, changed_at TIMESTAMP)""",
    """CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        township_code VARCHAR NOT NULL,
        township_name VARCHAR,
        period VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        tool_version VARCHAR NOT NULL,
        suites_digest VARCHAR,
        submission VARCHAR,
        superseded_by VARCHAR,
        errors INTEGER, warnings INTEGER, info INTEGER,
        new INTEGER, persisting INTEGER, reopened INTEGER, resolved INTEGER)""",
    """CREATE TABLE inputs (
        run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, path VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, bytes BIGINT NOT NULL)""",
    """CREATE TABLE findings (
        run_id VARCHAR NOT NULL, check_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
        record VARCHAR NOT NULL, village_code VARCHAR, severity VARCHAR NOT NULL,
        category VARCHAR NOT NULL, ledgers VARCHAR, message VARCHAR,
        status VARCHAR NOT NULL, since VARCHAR NOT NULL)""",
    """CREATE TABLE figures (
        run_id VARCHAR NOT NULL, level VARCHAR NOT NULL, unit_code VARCHAR,
        measure VARCHAR NOT NULL, value DOUBLE, numerator BIGINT, denominator BIGINT)""",
    """CREATE TABLE report_rows (
        run_id VARCHAR NOT NULL, period VARCHAR NOT NULL, level VARCHAR NOT NULL,
        unit_code VARCHAR NOT NULL, measure VARCHAR NOT NULL, value BIGINT)""",
)

# version n -> statements taking a version-n file to version n+1 (none yet: version 1 is first)
MIGRATIONS: dict[int, tuple[str, ...]] = {}


def default_path() -> Path:
    """`$XDG_DATA_HOME/fourcheck/history.duckdb`, or under ~/.local/share when unset."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if base.strip() and Path(base).is_absolute() else None
    if root is None:
        root = Path.home() / ".local" / "share"
    return root / "fourcheck" / "history.duckdb"


# --- opening the file -----------------------------------------------------------------------------


def _is_lock_error(e: duckdb.Error) -> bool:
    text = str(e).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


@contextmanager
def open_history(
    path: Path, *, wait: float = DEFAULT_WAIT_SECONDS, create: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the history file, its schema current; waits up to `wait` s for a lock."""
    path = Path(path)
    if not path.exists() and not create:
        raise AuditError(f"history {path}: no such file (no run has been recorded there)")
    if path.exists() and path.is_dir():
        raise AuditError(f"history {path}: is a folder; expected a history file (.duckdb)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AuditError(f"history {path}: cannot create its folder ({e.strerror})") from None
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.Error as e:
            if _is_lock_error(e):
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                raise AuditError(
                    f"history {path}: in use by another audit (waited {wait:g} s); "
                    "run again when it has finished, or choose another file with --history"
                ) from None
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise AuditError(f"history {path}: not a readable history file ({first})") from None
    try:
        _ensure_schema(con, path)
        yield con
    finally:
        con.close()


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables:
        _in_transaction(con, lambda: _create(con))
        return
    if "fourcheck_schema" not in tables:
        raise AuditError(
            f"history {path}: a DuckDB file but not a fourcheck history "
            f"(it holds {', '.join(sorted(tables)[:5])}); choose another file with --history"
        )
    row = con.execute("SELECT max(version) FROM fourcheck_schema").fetchone()
    version = int(row[0]) if row and row[0] is not None else 0
    if version > SCHEMA_VERSION:
        raise AuditError(
            f"history {path}: written by a newer fourcheck (schema version {version}; this "
            f"version {__version__} reads up to {SCHEMA_VERSION}); upgrade fourcheck to use it"
        )
    if version < 1 or any(v not in MIGRATIONS for v in range(version, SCHEMA_VERSION)):
        raise AuditError(
            f"history {path}: schema version {version} cannot be migrated to {SCHEMA_VERSION}"
        )
    if version < SCHEMA_VERSION:
        _in_transaction(con, lambda: _migrate(con, version))


def _create(con: duckdb.DuckDBPyConnection) -> None:
    for statement in _SCHEMA_V1:
        con.execute(statement)
    con.execute(
        "INSERT INTO fourcheck_schema (version, written_by, changed_at) VALUES (1, ?, ?)",
        [__version__, _now()],
    )
    _migrate(con, 1)


def _migrate(con: duckdb.DuckDBPyConnection, version: int) -> None:
    for v in range(version, SCHEMA_VERSION):
        for statement in MIGRATIONS[v]:
            con.execute(statement)
        con.execute(
            "INSERT INTO fourcheck_schema (version, written_by, changed_at) VALUES (?, ?, ?)",
            [v + 1, __version__, _now()],
        )


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], Any]) -> Any:
    con.execute("BEGIN TRANSACTION")
    try:
        result = work()
    except BaseException:  # Ctrl-C included: nothing half-written stays
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return result


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- what a run records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    name: str  # table name, or "manifest"
    path: str
    sha256: str
    bytes: int


def checksum_inputs(paths: Iterable[tuple[str, Path]]) -> tuple[InputFile, ...]:
    out = []
    for name, p in paths:
        h = hashlib.sha256()
        size = 0
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
        out.append(InputFile(name, str(p), h.hexdigest(), size))
    return tuple(out)


def suites_digest(folders: Sequence[Path]) -> str:
    """One SHA-256 over every suite and SQL file (name and content), in path order."""
    h = hashlib.sha256()
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file() and p.suffix in (".json", ".sql"):
                h.update(str(p.relative_to(folder)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def record_run(
    history_path: Path,
    report: AuditReport,
    inputs: Sequence[InputFile],
    *,
    suites: str | None = None,
    submission: str | None = None,
    wait: float = DEFAULT_WAIT_SECONDS,
) -> AuditReport:
    """Record `report` in the history; return it with its lifecycle (`report.history`)."""
    return record_runs(
        history_path, [RunToRecord(report, tuple(inputs), submission)], suites=suites, wait=wait
    )[0]


@dataclass(frozen=True)
class RunToRecord:
    report: AuditReport
    inputs: tuple[InputFile, ...] = ()
    submission: str | None = None


def record_runs(
    history_path: Path,
    runs: Sequence[RunToRecord],
    *,
    suites: str | None = None,
    wait: float = DEFAULT_WAIT_SECONDS,
) -> list[AuditReport]:
    """Record several runs (a county's townships) in one transaction: all of them or none.

    Each is recorded exactly as `record_run` records it alone; the reports come back in the
    same order, each with its lifecycle.
    """
    if not runs:
        return []
    with open_history(history_path, wait=wait) as con:

        def write() -> list[Lifecycle]:
            return [_record(con, run.report, run.inputs, suites, run.submission) for run in runs]

        lifecycles = _in_transaction(con, write)
    return [replace(run.report, history=lc) for run, lc in zip(runs, lifecycles, strict=True)]


def _record(
    con: duckdb.DuckDBPyConnection,
    report: AuditReport,
    inputs: Sequence[InputFile],
    suites: str | None,
    submission: str | None,
) -> Lifecycle:
    township = report.township_code or ""
    run_id = uuid.uuid4().hex
    baseline = read_baseline(con, township, report.period)
    lifecycle = replace(compute_lifecycle(report.findings, report.period, baseline), run_id=run_id)
    con.execute(
        "UPDATE runs SET superseded_by = ? "
        "WHERE township_code = ? AND period = ? AND superseded_by IS NULL",
        [run_id, township, report.period],
    )
    _insert_run(con, run_id, report, lifecycle, suites, submission)
    _insert_inputs(con, run_id, inputs)
    _insert_findings(con, run_id, report, lifecycle)
    _insert_figures(con, run_id, report)
    _insert_report_rows(con, run_id, report.report_rows)
    return lifecycle


def _insert_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    report: AuditReport,
    lifecycle: Lifecycle,
    suites: str | None,
    submission: str | None,
) -> None:
    s = report.summary()
    counts = lifecycle.counts()
    con.execute(
        "INSERT INTO runs (run_id, township_code, township_name, period, recorded_at, "
        "tool_version, suites_digest, submission, errors, warnings, info, new, persisting, "
        "reopened, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            report.township_code or "",
            report.township_name,
            report.period,
            _now(),
            __version__,
            suites,
            submission,
            s["errors"],
            s["warnings"],
            s["info"],
            counts["new"],
            counts["persisting"],
            counts["reopened"],
            counts["resolved"],
        ],
    )


def _bulk(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list[Any]]) -> None:
    if not next(iter(columns.values())):
        return
    con.register("_rows", pa.table(columns))
    try:
        # by name: a later schema version may add columns
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    finally:
        con.unregister("_rows")


def _insert_inputs(
    con: duckdb.DuckDBPyConnection, run_id: str, inputs: Sequence[InputFile]
) -> None:
    _bulk(
        con,
        "inputs",
        {
            "run_id": [run_id] * len(inputs),
            "name": [i.name for i in inputs],
            "path": [i.path for i in inputs],
            "sha256": [i.sha256 for i in inputs],
            "bytes": pa.array([i.bytes for i in inputs], pa.int64()),
        },
    )


def _insert_findings(
    con: duckdb.DuckDBPyConnection, run_id: str, report: AuditReport, lifecycle: Lifecycle
) -> None:
    fs = report.findings
    tracked = [lifecycle.of(f) for f in fs]
    _bulk(
        con,
        "findings",
        {
            "run_id": [run_id] * len(fs),
            "check_id": [f.check for f in fs],
            "table_name": [f.table for f in fs],
            "record": [f.record for f in fs],
            "village_code": pa.array([f.village_code for f in fs], pa.string()),
            "severity": [str(f.severity) for f in fs],
            "category": [str(f.category) for f in fs],
            "ledgers": [",".join(f.ledgers) for f in fs],
            "message": [f.message for f in fs],
            "status": [str(t.status) for t in tracked],
            "since": [t.since for t in tracked],
        },
    )


def figures_of(
    report: AuditReport,
) -> list[tuple[str, str | None, str, float | None, int | None, int | None]]:
    """(level, unit, measure, value, numerator, denominator) of the report's §6 figures."""
    ov = report.overview
    rows: list[tuple[str, str | None, str, float | None, int | None, int | None]] = []
    if ov is None:
        return rows
    for fn in ov.four_numbers:
        for name in (
            "births_statistics",
            "births_technical",
            "births_floating",
            "births_unregistered",
            "long_acting_statistics",
            "long_acting_technical",
            "short_acting_statistics",
            "short_acting_supply",
            "out_migrants_statistics",
            "out_migrants_floating",
        ):
            v = int(getattr(fn, name))
            rows.append((fn.level, fn.unit, name, float(v), v, None))
    for q in ov.quality:
        for name in ("completeness", "correctness"):
            r = getattr(q, name)
            rows.append((q.level, q.unit, name, r.value, r.numerator, r.denominator))
    for ind in ov.indicators:
        for name in (
            "policy_compliance",
            "contraceptive_prevalence",
            "certificate_rate",
            "feedback_rate",
            "timely_reporting",
        ):
            r = getattr(ind, name)
            rows.append((ind.level, ind.unit, name, r.value, r.numerator, r.denominator))
        sr = ind.sex_ratio
        rows.append((ind.level, ind.unit, "sex_ratio", sr.ratio, sr.males, sr.births))
    return rows


def _insert_figures(con: duckdb.DuckDBPyConnection, run_id: str, report: AuditReport) -> None:
    rows = figures_of(report)
    _bulk(
        con,
        "figures",
        {
            "run_id": [run_id] * len(rows),
            "level": [r[0] for r in rows],
            "unit_code": pa.array([r[1] for r in rows], pa.string()),
            "measure": [r[2] for r in rows],
            "value": pa.array([r[3] for r in rows], pa.float64()),
            "numerator": pa.array([r[4] for r in rows], pa.int64()),
            "denominator": pa.array([r[5] for r in rows], pa.int64()),
        },
    )


def _insert_report_rows(
    con: duckdb.DuckDBPyConnection, run_id: str, rows: Sequence[ReportRow]
) -> None:
    flat = [(r, m, v) for r in rows for m, v in r.values]
    _bulk(
        con,
        "report_rows",
        {
            "run_id": [run_id] * len(flat),
            "period": [r.period for r, _, _ in flat],
            "level": [r.level for r, _, _ in flat],
            "unit_code": [r.unit_code for r, _, _ in flat],
            "measure": [m for _, m, _ in flat],
            "value": pa.array([v for _, _, v in flat], pa.int64()),
        },
    )


# --- reading --------------------------------------------------------------------------------------


def read_baseline(con: duckdb.DuckDBPyConnection, township: str, period: str) -> Baseline | None:
    """The latest non-superseded run of the previous audited period, and what came before it."""
    row = con.execute(
        "SELECT run_id, period FROM runs WHERE township_code = ? AND period < ? "
        "AND superseded_by IS NULL ORDER BY period DESC, recorded_at DESC LIMIT 1",
        [township, period],
    ).fetchone()
    if row is None:
        return None
    run_id, previous = str(row[0]), str(row[1])
    cur = con.execute(
        "SELECT check_id, category, severity, ledgers, table_name, record, village_code, "
        "message, since FROM findings WHERE run_id = ?",
        [run_id],
    )
    findings: list[Finding] = []
    since: dict[Identity, str] = {}
    for (
        check,
        category,
        severity,
        ledgers,
        table,
        record,
        village,
        message,
        first,
    ) in cur.fetchall():
        f = Finding(
            check,
            Category(category),
            Severity(severity),
            tuple(x for x in (ledgers or "").split(",") if x),
            table,
            record,
            village,
            message or "",
        )
        findings.append(f)
        since.setdefault(identity(f), first)
    earlier = {
        (str(c), str(t), str(r)): str(p)
        for c, t, r, p in con.execute(
            "SELECT f.check_id, f.table_name, f.record, max(r.period) FROM findings f "
            "JOIN runs r USING (run_id) WHERE r.township_code = ? AND r.period < ? "
            "AND r.superseded_by IS NULL GROUP BY ALL",
            [township, previous],
        ).fetchall()
    }
    findings.sort(key=Finding.sort_key)
    return Baseline(previous, run_id, tuple(findings), since, earlier)


def read_series(
    history_path: Path, township: str, period: str, *, wait: float = DEFAULT_WAIT_SECONDS
) -> list[ReportRow]:
    """Report rows of the township's earlier recorded periods (latest run of each period)."""
    if not Path(history_path).exists():
        return []
    with open_history(history_path, wait=wait) as con:
        rows = con.execute(
            f"""
            SELECT rr.period, rr.level, rr.unit_code, rr.measure, rr.value
            FROM report_rows rr JOIN runs r USING (run_id)
            WHERE r.township_code = ? AND r.superseded_by IS NULL AND rr.period < ?
              AND r.period >= strftime(CAST(? || '-01' AS DATE) - INTERVAL {SERIES_MONTHS} MONTH,
                                       '%Y-%m')
            ORDER BY rr.period, rr.level, rr.unit_code
            """,
            [township, period, period],
        ).fetchall()
    grouped: dict[tuple[str, str, str], list[tuple[str, int | None]]] = {}
    for p, level, unit, measure, value in rows:
        grouped.setdefault((p, level, unit), []).append(
            (measure, None if value is None else int(value))
        )
    return [ReportRow(p, lv, u, tuple(vals)) for (p, lv, u), vals in grouped.items()]


def list_runs(
    history_path: Path, township: str | None = None, *, wait: float = DEFAULT_WAIT_SECONDS
) -> list[RunInfo]:
    with open_history(history_path, wait=wait, create=False) as con:
        rows = con.execute(
            "SELECT run_id, township_code, township_name, period, recorded_at, tool_version, "
            "superseded_by, errors, warnings, new, persisting, reopened, resolved FROM runs "
            "WHERE ? IS NULL OR township_code = ? ORDER BY township_code, period, recorded_at",
            [township, township],
        ).fetchall()
    return [RunInfo(*r) for r in rows]


def township_trend(
    history_path: Path, township: str, *, wait: float = DEFAULT_WAIT_SECONDS
) -> list[VillageMonth]:
    """Per unit and period (latest run of each period): errors, warnings and §6 figures."""
    with open_history(history_path, wait=wait, create=False) as con:
        runs = con.execute(
            "SELECT run_id, period FROM runs WHERE township_code = ? AND superseded_by IS NULL "
            "ORDER BY period",
            [township],
        ).fetchall()
        if not runs:
            raise AuditError(f"history {history_path}: no run recorded for township {township}")
        ids = [r[0] for r in runs]
        figures = con.execute(
            "SELECT r.period, f.level, f.unit_code, f.measure, f.value FROM figures f "
            "JOIN runs r USING (run_id) WHERE list_contains(?, f.run_id)",
            [ids],
        ).fetchall()
        counts = con.execute(
            "SELECT r.period, f.village_code, f.severity, count(*) FROM findings f "
            "JOIN runs r USING (run_id) WHERE list_contains(?, f.run_id) GROUP BY ALL",
            [ids],
        ).fetchall()
        totals = con.execute(
            "SELECT period, errors, warnings FROM runs WHERE list_contains(?, run_id)", [ids]
        ).fetchall()
    units: dict[tuple[str, str], VillageMonth] = {}

    def unit_of(period: str, level: str, unit: str) -> VillageMonth:
        key = (period, unit)
        if key not in units:
            units[key] = VillageMonth(period, unit, level, 0, 0, {})
        return units[key]

    for period, level, unit, measure, value in figures:
        if unit is None:
            continue
        unit_of(period, level, unit).figures[measure] = value
    for period, village, severity, n in counts:
        if village is None or village == township or (period, village) not in units:
            continue
        vm = units[(period, village)]
        if severity == "error":
            units[(period, village)] = replace(vm, errors=vm.errors + int(n))
        elif severity == "warning":
            units[(period, village)] = replace(vm, warnings=vm.warnings + int(n))
    for period, errors, warnings in totals:
        vm = unit_of(period, "township", township)
        units[(period, township)] = replace(vm, errors=int(errors), warnings=int(warnings))
    return sorted(units.values(), key=lambda v: (v.level != "village", v.unit, v.period))
