"""The county's tables on Spark: a province is one county run over all its townships.

Design decisions:

- A county run on Spark holds one session for the whole run
  (`audit.io.county.county_engine`): every township is audited on it by the
  Spark engine, one after another (Spark spreads each audit over its
  executors; worker processes would each start a JVM), and the county's own
  checks run on it last.
- While a township's tables are still open, the rows the cross-township rules
  read (`COPIED_TABLES`) are tagged with its code and checkpointed
  (`localCheckpoint`: kept by Spark's executors, in memory and then on disk,
  no longer tied to the township's files or cached views, which its audit
  drops). Nothing is collected to this process: a province's registers stay
  where Spark keeps them.
- Each county table is then a view over the union of its townships' frames;
  the other canonical tables are empty views with the contract's schema, and
  `county_townships` and `county_params` are as on DuckDB
  (`audit.io.county.CountyDatabase`). The rules run through the Spark engine's
  own evaluation, from the same `sql/county` files transpiled, so the
  findings are DuckDB's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any

from audit.core import contract
from audit.io.backends import EngineOptions, SqlSession
from audit.io.backends.spark import SparkBackend, table_schema
from audit.io.county import COPIED_TABLES, Extract

if TYPE_CHECKING:
    import polars as pl

    from audit.io.engine import Evaluation, Progress
    from audit.io.suites import Suite

TOWNSHIP_COLUMN = "`township_code` STRING"


def county_schema(t: contract.Table) -> str:
    """A canonical table's Spark schema with the county's `township_code` column."""
    return f"{table_schema(t)}, {TOWNSHIP_COLUMN}"


def extract_frames(backend: Any, township_code: str) -> Extract:
    """One township's rows of the copied tables, tagged with its code, kept by Spark."""
    from pyspark.sql import functions as F

    assert isinstance(backend, SparkBackend)
    out: Extract = {}
    for name in COPIED_TABLES:
        frame = backend.spark.table(name).withColumn(
            "township_code", F.lit(township_code).cast("string")
        )
        out[name] = frame.localCheckpoint(eager=True)
    return out


class SparkCountyTables:
    """`audit.io.county.CountyTables` on a Spark session the run holds."""

    def __init__(self, period: str | None, county_code: str | None, engine: EngineOptions) -> None:
        self.backend = SparkBackend(engine)
        self.spark = self.backend.spark
        self._period, self._county_code = period, county_code
        self._frames: dict[str, list[Any]] = {t.name: [] for t in contract.TABLES}
        self._townships: list[tuple[str, str | None, str | None, bool]] = []

    @property
    def session(self) -> SqlSession:
        return self.backend

    def add(self, data: Extract) -> None:
        for name, frame in data.items():
            self._frames[name].append(frame)

    def add_township(
        self, code: str, name: str | None, folder: str | None, audited: bool = True
    ) -> None:
        self._townships.append((code, name or None, folder, audited and folder is not None))

    def add_county_report(self, frame: pl.DataFrame, county_code: str) -> None:
        import polars as pl

        t = contract.table("stat_reports")
        rows = frame.with_columns(pl.lit(county_code).alias("township_code")).select(
            [c.name for c in t.columns] + ["township_code"]
        )
        self._frames[t.name].append(
            self.spark.createDataFrame(rows.to_arrow(), schema=county_schema(t))
        )

    def prepare(self) -> None:
        for t in contract.TABLES:
            frames = self._frames[t.name]
            union = (
                reduce(lambda a, b: a.unionByName(b), frames)
                if frames
                else self.spark.createDataFrame([], schema=county_schema(t))
            )
            self.backend.view(t.name, union)
        self.backend.view(
            "county_townships",
            self.spark.createDataFrame(
                self._townships,
                schema="township_code STRING, township_name STRING, folder STRING, audited BOOLEAN",
            ),
        )
        self.backend.view(
            "county_params",
            self.spark.createDataFrame(
                [(self._period, self._county_code)], schema="period STRING, county_code STRING"
            ),
        )

    def evaluate(
        self,
        suites: Sequence[Suite],
        *,
        lang: str,
        county_code: str | None,
        progress: Progress | None = None,
    ) -> Evaluation:
        return self.backend.evaluate(
            suites, lang=lang, township_code=county_code, progress=progress
        )

    def close(self) -> None:
        self.backend.close()  # the views; the session is the run's (`county_engine`)

    def __enter__(self) -> SparkCountyTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
