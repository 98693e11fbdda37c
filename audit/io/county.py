"""The county's DuckDB database: the tables cross-township checks read, with a township column.

Design decisions:

- Each township is audited in its own database (the single-township rules
  assume one township: `audit_params`, its views, its report levels). What
  only a county can see is checked in one more database, built here: the
  canonical `women`, `births`, `migrants` and `stat_reports` tables of every
  township, each row tagged with a `township_code` column, copied from the
  township's database (as Arrow, no file round trip) while it is still open.
  The cross-township rules then run once over the union, as SQL inside
  DuckDB validated by GX like every other rule (`audit.io.engine.evaluate`),
  so a county check is a `.sql` file plus an entry in
  `expectations/county/county.json`, nothing else.
- The other canonical tables exist but stay empty: the engine counts every
  table, and a county rule that one day reads them needs no new code.
- The county's own report (县级报表) is an optional `stat_reports` file in the
  county folder holding rows of level `county` (the contract's levels stop at
  the township, so the loader would reject `county`; this reader accepts
  `county`/县/县级/区 and `township`/乡镇 and reads the 23 counts). It is added
  to `stat_reports` under the county code.
- `county_townships` lists every township of the county — audited folders,
  folders that could not be audited and expected townships with no folder,
  told apart by `folder` and `audited` (a rule never concludes anything from
  the rows of a township it could not read) — and `county_params` the period
  and the county code.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import duckdb
import polars as pl

from audit.core import contract
from audit.core.county import COUNTY_LEVEL, CountyFinding, sort_county_findings
from audit.core.exitcodes import AuditError
from audit.core.models import CheckResult, Finding
from audit.io.backends import Backend, EngineOptions, SqlSession
from audit.io.backends.duckdb import DuckDBBackend, DuckDBSql
from audit.io.engine import Evaluation, Progress, evaluate
from audit.io.readers import read_table_file
from audit.io.schema import create_tables
from audit.io.sqlrun import SQL_DIR
from audit.io.suites import SUITES_DIR, Suite, load_suites

# The tables the cross-township rules read, copied from each township's database.
COPIED_TABLES = ("women", "births", "migrants", "stat_reports")
COUNTY_SQL_DIR = SQL_DIR / "county"
COUNTY_SUITES_DIR = SUITES_DIR / "county"
REPORT_FILES = ("stat_reports.csv", "stat_reports.xlsx", "stat_reports.parquet")

_LEVELS = {
    "county": COUNTY_LEVEL,
    "县": COUNTY_LEVEL,
    "县级": COUNTY_LEVEL,
    "区": COUNTY_LEVEL,
    "县区": COUNTY_LEVEL,
    "township": "township",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
}

Extract = dict[str, Any]  # table name -> Arrow table of that township's rows


def county_suites_dir(suites_dir: Path | None) -> Path:
    """The cross-township suites' folder: `<suites>/county/` when the user's suites folder has
    one, else the shipped one."""
    if suites_dir is not None and (Path(suites_dir) / "county").is_dir():
        return Path(suites_dir) / "county"
    return COUNTY_SUITES_DIR


def county_suites(suites_dir: Path | None) -> tuple[Suite, ...]:
    """The cross-township suites (`county_suites_dir`)."""
    return load_suites(county_suites_dir(suites_dir))


def extract(backend: Backend, township_code: str) -> Extract:
    """The rows of one township the county database needs, tagged with its code."""
    if backend.name == "spark":
        from audit.io.county_spark import extract_frames

        return extract_frames(backend, township_code)
    import pyarrow as pa

    assert isinstance(backend, DuckDBBackend)
    out: Extract = {}
    # A cursor of its own: the audit may have left a result open on the connection.
    cur = backend.con.cursor()
    try:
        for name in COPIED_TABLES:
            rows = cur.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            tag = pa.array([township_code] * rows.num_rows, type=pa.string())
            out[name] = rows.append_column("township_code", tag)
    finally:
        cur.close()
    return out


class CountyTables(Protocol):
    """The county's tables on one engine: filled township by township, then checked."""

    @property
    def session(self) -> SqlSession: ...

    def add(self, data: Extract) -> None: ...

    def add_township(
        self, code: str, name: str | None, folder: str | None, audited: bool = True
    ) -> None: ...

    def add_county_report(self, frame: pl.DataFrame, county_code: str) -> None: ...

    def prepare(self) -> None:
        """Every township is in: the tables are made queryable as the rules expect them."""

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        county_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation: ...

    def close(self) -> None: ...

    def __enter__(self) -> CountyTables: ...

    def __exit__(self, *exc: object) -> None: ...


def open_county_tables(
    period: str | None, county_code: str | None, engine: EngineOptions | None = None
) -> CountyTables:
    """The county database on the run's engine (Spark: the session its townships ran on)."""
    if engine is not None and engine.engine == "spark":
        from audit.io.county_spark import SparkCountyTables

        return SparkCountyTables(period, county_code, engine)
    return CountyDatabase(period, county_code)


@contextmanager
def county_engine(engine: EngineOptions | None) -> Iterator[EngineOptions]:
    """The engine options for a whole county run: on Spark, one session held for all of it."""
    engine = engine or EngineOptions()
    if engine.engine != "spark":
        yield engine
        return
    from audit.io.backends.spark import held_session

    with held_session(engine) as held:
        yield held


class CountyDatabase:
    """The county's in-process DuckDB database; `add()` is safe to call from several threads."""

    def __init__(self, period: str | None, county_code: str | None) -> None:
        self.con = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        try:
            create_tables(self.con)
            for t in contract.TABLES:
                self.con.execute(f'ALTER TABLE "{t.name}" ADD COLUMN township_code VARCHAR')
            self.con.execute(
                "CREATE TABLE county_townships (township_code VARCHAR, township_name VARCHAR, "
                "folder VARCHAR, audited BOOLEAN)"
            )
            self.con.execute(
                "CREATE TABLE county_params AS SELECT ?::VARCHAR AS period, "
                "?::VARCHAR AS county_code",
                [period, county_code],
            )
        except BaseException:
            self.con.close()
            raise

    @property
    def session(self) -> SqlSession:
        return DuckDBSql(self.con)

    def add(self, data: Extract) -> None:
        with self._lock:
            for name, arrow in data.items():
                self.con.register("county_incoming", arrow)
                try:
                    self.con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM county_incoming')
                finally:
                    self.con.unregister("county_incoming")

    def add_township(
        self, code: str, name: str | None, folder: str | None, audited: bool = True
    ) -> None:
        """A township of the county: `folder` None when expected but absent; `audited` False
        when its folder could not be audited (its rows are then unknown, not empty)."""
        with self._lock:
            self.con.execute(
                "INSERT INTO county_townships VALUES (?, ?, ?, ?)",
                [code, name or None, folder, audited and folder is not None],
            )

    def add_county_report(self, frame: pl.DataFrame, county_code: str) -> None:
        with self._lock:
            rows = frame.with_columns(pl.lit(county_code).alias("township_code"))
            self.con.register("county_incoming", rows.to_arrow())
            try:
                self.con.execute('INSERT INTO "stat_reports" BY NAME SELECT * FROM county_incoming')
            finally:
                self.con.unregister("county_incoming")

    def prepare(self) -> None:
        pass  # rows were inserted into the tables as each township arrived

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        county_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation:
        return evaluate(self.con, suites, lang=lang, township_code=county_code, progress=progress)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> CountyDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def install_views(session: SqlSession) -> None:
    """`rep_count_columns` (the 23 count columns, shared with §5), then `sql/county/views`."""
    session.execute((SQL_DIR / "views" / "30_rep_count_columns.sql").read_text(encoding="utf-8"))
    for path in sorted((COUNTY_SQL_DIR / "views").glob("*.sql")):
        session.execute(path.read_text(encoding="utf-8"))


def run_checks(
    db: CountyTables,
    suites: Sequence[Suite],
    *,
    lang: str,
    county_code: str | None,
    progress: Progress | None = None,
) -> tuple[tuple[CheckResult, ...], tuple[CountyFinding, ...]]:
    """Every cross-township rule over the county database, each finding sent to its township."""
    db.prepare()
    install_views(db.session)
    townships = {
        str(row["township_code"])
        for row in db.session.rows("SELECT township_code FROM county_townships")
    }
    evaluation = db.evaluate(suites, lang=lang, county_code=county_code, progress=progress)
    findings = [_sent(f, townships) for f in evaluation.findings]
    return evaluation.checks, sort_county_findings(findings)


def _sent(finding: Finding, townships: set[str]) -> CountyFinding:
    """The township that must fix a finding: the township its address names, else the holder.

    A rule addresses a finding to a whole township by giving the township's own
    code as `village_code` (county-outmigrant-unrecorded: the destination must
    register her); otherwise the township holding the record — the first part of
    the county record "<township_code>|<key>" — must fix it.
    """
    if finding.village_code in townships:
        return CountyFinding(finding.village_code or "", finding)
    holder = finding.record.split("|", 1)[0]
    return CountyFinding(holder, finding)


# --- the county's own report ----------------------------------------------------------------------


def county_report_file(folder: Path) -> Path | None:
    return next((folder / n for n in REPORT_FILES if (folder / n).is_file()), None)


def read_county_report(path: Path, *, lang: str = "zh") -> pl.DataFrame:
    """The county and township rows of the county's own report as canonical stat_reports columns.

    Rows of other levels are ignored; an unreadable count is left empty (the
    sum is then not compared for that column).
    """
    from audit.io.loader import map_headers

    t = contract.table("stat_reports")
    raw = read_table_file(path, lang=lang)
    positions, _ = map_headers(t, raw, lang=lang)
    src = raw.frame
    exprs: list[pl.Expr] = []
    for c in t.columns:
        if c.name not in positions:
            dtype: Any = pl.String if c.name in ("period", "level", "unit_code") else pl.Int64
            exprs.append(pl.lit(None, dtype=dtype).alias(c.name))
            continue
        text = pl.col(f"c{positions[c.name]}").cast(pl.String).str.strip_chars()
        if c.name == "level":
            exprs.append(
                text.str.to_lowercase().replace_strict(_LEVELS, default=None).alias(c.name)
            )
        elif c.name == "period":
            exprs.append(text.str.replace_all(r"[/.年]", "-").str.replace(r"月$", "").alias(c.name))
        elif c.name == "unit_code":
            exprs.append(text.alias(c.name))
        else:
            exprs.append(text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False).alias(c.name))
    frame = src.select(exprs)
    period = pl.col("period")
    frame = frame.with_columns(
        pl.when(period.str.contains(r"^\d{4}-\d{1,2}$"))
        .then(period.str.slice(0, 5) + period.str.slice(5).str.zfill(2))
        .otherwise(period)
        .alias("period")
    )
    rows = frame.filter(pl.col("level").is_not_null() & pl.col("unit_code").is_not_null())
    if rows.is_empty():
        raise AuditError(
            f"{path.name}: no county row (level county/县) with a unit_code in the county report"
        )
    return rows
