"""What the Spark tests share: whether Spark can run here, the test session, parity helpers.

Spark runs in local mode (two threads, one shuffle partition, no code
generation: a shared 2-core machine and tables of a few hundred rows), one
session per test process (the `spark` fixture in conftest.py). Without
pyspark or Java the Spark tests are skipped (FOURCHECK_EXTRAS=spark python3
tasks.py test installs the extra; Java 17 comes from Debian's
openjdk-17-jre-headless).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audit.app import run_audit
from audit.core.models import AuditReport
from audit.io.backends import EngineOptions
from audit.render.json import document

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
SPARK = EngineOptions("spark")


def spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'fourcheck[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime for local Spark"
    return None


MISSING = spark_available()
needs_spark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if MISSING:
        pytest.skip(MISSING)
    from pyspark.sql import SparkSession

    # Tiny tables: one partition, no re-planning between stages, and no code generated per
    # query (compiling it costs more than running the plan interpreted on a few rows).
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        # A short-lived JVM on a busy machine: the quick compiler only, the small collector.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def both(folder: Path, lang: str = "zh") -> tuple[AuditReport, AuditReport]:
    return run_audit(folder, lang=lang), run_audit(folder, lang=lang, engine=SPARK)


def same_report(duck: AuditReport, spark: AuditReport) -> None:
    assert duck.meta["engine"] == "duckdb" and spark.meta["engine"] == "spark"
    spark_doc = document(spark)
    assert spark_doc.pop("engine") == "spark"
    assert json.dumps(spark_doc, ensure_ascii=False) == json.dumps(
        document(duck), ensure_ascii=False
    )
    assert spark.checks == duck.checks
    assert spark.overview == duck.overview  # the §6 figures
    assert spark.tables == duck.tables
