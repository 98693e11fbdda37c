"""The GX-on-DuckDB shim: every patched name still exists upstream, and the patches work.

When a GX upgrade renames or moves what audit/io/gx_shim.py patches, these tests
fail by name, so the shim is revisited instead of running silently unpatched.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from audit.io import gx_shim

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gx() -> ModuleType:
    return gx_shim.apply()


def test_patched_names_exist_upstream(gx: ModuleType) -> None:
    engine_module = importlib.import_module(gx_shim.ENGINE_MODULE)
    dialects = getattr(engine_module, gx_shim.PERSISTED_DIALECTS)
    assert isinstance(dialects, tuple)
    upstream = [d for d in dialects if not isinstance(d, gx_shim._DialectName)]
    assert {d.value for d in upstream} >= {"sqlite", "mssql"}  # the list GX keeps connections for
    # GX still decides on a persistent connection from that very tuple.
    assert gx_shim.PERSISTED_DIALECTS in inspect.getsource(
        engine_module.SqlAlchemyExecutionEngine.get_connection
    )
    assert "dialect_module" in inspect.getsource(
        engine_module.SqlAlchemyExecutionEngine.__init__.fourcheck_original
    )
    for name in gx_shim.REGEX_MODULES:
        module = importlib.import_module(name)
        assert callable(getattr(module, gx_shim.REGEX_FUNCTION)), name


def test_upstream_still_lacks_duckdb(gx: ModuleType) -> None:
    """If GX learns DuckDB itself, these fail: drop the matching part of the shim."""
    from great_expectations.execution_engine.sqlalchemy_dialect import GXSqlDialect
    from great_expectations.expectations.metrics import util

    assert "duckdb" not in {d.value for d in GXSqlDialect}
    import sqlalchemy as sa

    original = util.get_dialect_regex_expression
    assert original(sa.column("x"), "^a", gx_shim.DUCKDB_DIALECT_MODULE) is None


def test_apply_installs_every_patch_once(gx: ModuleType) -> None:
    engine_module = importlib.import_module(gx_shim.ENGINE_MODULE)
    assert gx_shim.apply() is gx
    dialects = getattr(engine_module, gx_shim.PERSISTED_DIALECTS)
    assert [d for d in dialects if d == "duckdb"] == ["duckdb"]
    assert hasattr(engine_module.SqlAlchemyExecutionEngine.__init__, "fourcheck_original")
    for name in gx_shim.REGEX_MODULES:
        patched = getattr(importlib.import_module(name), gx_shim.REGEX_FUNCTION)
        assert hasattr(patched, "fourcheck_original"), name
        assert not hasattr(patched.fourcheck_original, "fourcheck_original"), name


def test_a_renamed_upstream_name_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, gx: ModuleType
) -> None:
    module = importlib.import_module(gx_shim.REGEX_MODULES[0])
    monkeypatch.delattr(module, gx_shim.REGEX_FUNCTION)
    monkeypatch.setattr(gx_shim, "_applied", False)
    with pytest.raises(gx_shim.GXShimError, match=gx_shim.REGEX_FUNCTION):
        gx_shim.apply()


def test_gx_validates_the_apps_duckdb_in_sql(
    gx: ModuleType, capfd: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE t AS SELECT i AS id, "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE 'v' || i END AS code "
        "FROM range(1000) r(i)"
    )
    context = gx_shim.ephemeral_context()
    source = context.data_sources.add_sql(
        "s", connection_string="duckdb:///:memory:", kwargs={"creator": gx_shim.DuckDBCreator(con)}
    )
    batch = (
        source.add_table_asset("t", table_name="t")
        .add_batch_definition_whole_table("t")
        .get_batch()
    )
    expectations = gx.expectations
    not_null = batch.validate(expectations.ExpectColumnValuesToNotBeNull(column="code"))
    # Search semantics (regexp_matches), not DuckDB's full-match `~`: 'v1' … 'v9' and 'v1x' match.
    regex = batch.validate(
        expectations.ExpectColumnValuesToMatchRegex(column="code", regex="^v[1-4]")
    )
    rows = batch.validate(
        expectations.UnexpectedRowsExpectation(
            unexpected_rows_query="SELECT * FROM {batch} WHERE id BETWEEN 10 AND 14"
        )
    )
    source.get_execution_engine().close()
    source.get_engine().dispose()
    con.close()
    assert not_null.result["unexpected_count"] == 100 and not not_null.success
    expected_regex = sum(
        1 for i in range(1000) if i % 10 and not str(i).startswith(("1", "2", "3", "4"))
    )
    assert regex.exception_info.get("raised_exception") is False
    assert regex.result["unexpected_count"] == expected_regex
    assert rows.result["observed_value"] == 5
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # no progress bars, no warnings, no prints


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark is not installed")
def test_importing_gx_with_pyspark_never_ends_a_process_with_a_bare_main() -> None:
    # `python -c` has a bare __main__, as multiprocessing's fork server (the county run's workers)
    # has: pyspark's Connect modules, which GX imports, took it for a doctest run and exited 0
    # when grpc was missing. grpc is hidden here so the test holds with or without it.
    code = (
        "import sys; sys.modules['grpc'] = None\n"
        "import audit.io.gx_preload, great_expectations\n"
        "print('imported')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "imported\n", "")


def test_gx_imports_without_scipy_stats_or_altair_and_they_still_work() -> None:
    # A fresh process (this one may have imported scipy.stats already): GX imported through
    # the shim leaves both modules unloaded, an audit of the demo loads neither, and the first
    # use of either (GX's own KL-divergence module, a `from ... import`, a submodule) loads the
    # real module and gives its attributes.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from audit.io import gx_shim\n"
        "gx_shim.apply()\n"
        "def deferred(): return [n for n in ('altair', 'scipy.stats')\n"
        "                        if type(sys.modules[n]).__name__ == '_Deferred']\n"
        "print(deferred())\n"
        "from audit.app import run_audit\n"
        "report = run_audit(Path('sample_data/demo'), lang='en')\n"
        "print(len(report.findings) > 0, deferred())\n"
        "from great_expectations.expectations.core import "
        "expect_column_kl_divergence_to_be_less_than as kl\n"
        "print(round(float(kl.stats.entropy([0.5, 0.5], [0.9, 0.1])), 6), kl.alt.Chart.__name__)\n"
        "from scipy.stats import norm\n"
        "import scipy.stats._stats_py\n"
        "print(round(float(norm.ppf(0.975)), 6), type(sys.modules['scipy.stats']).__name__,\n"
        "      sys.modules['scipy'].stats is sys.modules['scipy.stats'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['altair', 'scipy.stats']",
        "True ['altair', 'scipy.stats']",
        "0.510826 Chart",
        "1.959964 module True",
    ]


def test_exit_after_gx_freezes_what_is_left_after_every_other_handler() -> None:
    # quiet_exit's handler runs last (registered first): the handler registered before it runs
    # after it and sees the objects frozen; stdout written before is all there.
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, flush=True))\n"
        "from audit.io.gx_shim import quiet_exit\n"
        "quiet_exit()\n"
        "atexit.register(lambda: print('later handler', gc.get_freeze_count(), flush=True))\n"
        "print('done')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "done\nlater handler 0\nfrozen True\n")
