"""Great Expectations 1.x on DuckDB: the one place that adapts GX to this database.

GX Core 1.24 has no DuckDB support of its own (upstream issues #10738 and
#11579; a native engine is proposed in PR #12084). Three small adaptations
make its SQL execution engine run suites inside the app's own in-process
DuckDB database, with no rows copied to Python:

1. Persistent connection. GX reads a metric's result after closing the
   connection it ran on, and closing rolls a DuckDB transaction back, so every
   metric fails with ``IndexError`` in ``resolve_metric_bundle``. GX keeps one
   connection open for the dialects in
   ``sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS``; DuckDB is
   added to that tuple (with a ``StaticPool``, which GX then chooses itself).
2. Regular expressions. GX has no DuckDB branch in
   ``metrics.util.get_dialect_regex_expression`` and raises "Regex is not
   supported". DuckDB's ``regexp_matches(column, pattern)`` has GX's search
   semantics (DuckDB's ``~`` is a full match, so the PostgreSQL branch the
   DuckDB dialect would otherwise inherit is wrong). GX's metric modules import
   that function by name, so the wrapper is installed in each of them. A
   DuckDB execution engine is recognised by its ``dialect_module``, which this
   shim sets to `DUCKDB_DIALECT_MODULE`: a module that hands out SQLAlchemy's
   generic types, which is exactly what GX would use for an unknown dialect.
3. One database. `DuckDBCreator` returns cursors of the app's connection,
   so GX sees the tables the loader filled (``duckdb:///:memory:`` would be a
   new, empty database; opening the same file twice in one process fails).

Importing GX costs seconds, so it is paid only by commands that validate, and
`start_import()` lets an audit overlap it with loading the submission: the
import runs in a thread and `apply()` waits for it (one lock; an import error
is raised again by `apply()` in the caller's thread, where it is handled as
before). A third of it was two modules GX imports at module level for
expectations and renderers no suite here uses (scipy.stats for the
distribution tests, altair for their charts: 1.2 s of 3.7 s). They are
`_Deferred` while GX imports: a stand-in in ``sys.modules`` that imports the
real module on its first use, so GX's own code and ours work unchanged.

`apply()` is idempotent and checks every patched name first: when an upgrade
renames one, it raises `GXShimError` instead of silently running unpatched
(tests/test_gx_shim.py fails loudly too). GX is imported here lazily, once,
with its logging kept off stderr; `ephemeral_context()` turns GX's progress
bars off and builds no docs folder. GX 1.24 sends no analytics and the
context disables them regardless; nothing here reaches the network (GX's
PyPI version checker is not called by 1.24).

With pyspark installed (fourcheck[spark]) GX imports pyspark's Spark Connect
modules, and those take a process whose ``__main__`` has neither ``__spec__``
nor ``__file__`` (``python -c``, multiprocessing's fork server, which the
county run's workers come from) for pyspark's own doctest run: without the
Connect dependencies (grpc) they print "Skipping doctests" and exit the
process with status 0. `_main_initialised()` gives such a ``__main__`` a name
for the duration of GX's import, so importing GX never ends a process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import duckdb

DUCKDB = "duckdb"

# GX metric modules that import `get_dialect_regex_expression` by name.
REGEX_MODULES = (
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex_list",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex_list",
    "great_expectations.expectations.metrics.column_aggregate_metrics."
    "column_values_match_regex_values",
    "great_expectations.expectations.metrics.column_aggregate_metrics."
    "column_values_not_match_regex_values",
)
ENGINE_MODULE = "great_expectations.execution_engine.sqlalchemy_execution_engine"
PERSISTED_DIALECTS = "_PERSISTED_CONNECTION_DIALECTS"
REGEX_FUNCTION = "get_dialect_regex_expression"

_applied = False
# Imported by GX at module level and used only inside expectations and renderers no suite here
# uses: deferred to their first use (`_Deferred`).
DEFERRED_MODULES = ("scipy.stats", "altair")
_apply_lock = threading.Lock()
_import_thread: threading.Thread | None = None


class GXShimError(RuntimeError):
    """The installed GX no longer has a name this shim patches: revisit audit/io/gx_shim.py."""


class _DialectName(str):
    """'duckdb' as GX's dialect tuple needs it: equal to the dialect name, and with `.value`."""

    @property
    def value(self) -> str:
        return str(self)


class _DuckDBDialectModule(types.ModuleType):
    """GX's `dialect_module` for DuckDB: SQLAlchemy's generic types, recognisable by identity."""

    def __getattr__(self, name: str) -> Any:
        import sqlalchemy

        if name == "dialect":  # no dialect class: GX's per-dialect branches must not match
            raise AttributeError(name)
        return getattr(sqlalchemy, name)


DUCKDB_DIALECT_MODULE = _DuckDBDialectModule("fourcheck_duckdb_dialect")


def _quiet_environment() -> None:
    # Set before GX is imported (the context below disables analytics too).
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # With pyspark installed (fourcheck[spark]) GX imports it, and pyspark warns about pandas 3
    # on stderr; the audit hands Spark Arrow, not pandas.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    gx_log = logging.getLogger("great_expectations")
    # GX logs "no dialect found" style warnings; Python's last-resort handler would print them
    # on stderr. Failures reach the audit as exceptions in the validation results instead.
    if not any(isinstance(h, logging.NullHandler) for h in gx_log.handlers):
        gx_log.addHandler(logging.NullHandler())
    gx_log.propagate = False


@contextlib.contextmanager
def _main_initialised() -> Iterator[None]:
    """A bare ``__main__`` (no ``__spec__``, no ``__file__``) has a ``__file__`` meanwhile."""
    main = sys.modules.get("__main__")
    bare = (
        main is not None
        and getattr(main, "__spec__", None) is None
        and not hasattr(main, "__file__")
    )
    if bare:
        main.__file__ = "<string>"  # type: ignore[union-attr]
    try:
        yield
    finally:
        if bare:
            del main.__file__  # type: ignore[union-attr]


class _Deferred(types.ModuleType):
    """A module's stand-in in ``sys.modules`` until something uses it: then the real module
    is imported (once, under a lock) and takes the stand-in's place, and every attribute is
    the real module's. ``__spec__`` is None, so the import system hands the stand-in out
    (``import altair as alt``, ``from scipy import stats``) without loading anything."""

    _lock = threading.Lock()

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__spec__ = None

    def __getattr__(self, attr: str) -> Any:
        import importlib

        with _Deferred._lock:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
        return getattr(real, attr)


def _defer(names: tuple[str, ...]) -> None:
    """Put a `_Deferred` stand-in in place of each of these modules not imported yet (and
    installed: a missing one fails at GX's import, as it would without this)."""
    import importlib.util

    for name in names:
        if name in sys.modules:
            continue
        try:
            installed = importlib.util.find_spec(name) is not None
        except ImportError:
            installed = False
        if installed:
            sys.modules[name] = _Deferred(name)


def _module(name: str) -> types.ModuleType:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise GXShimError(f"great_expectations has no module {name}: revisit the shim") from e


def _attr(module: types.ModuleType, name: str) -> Any:
    if not hasattr(module, name):
        raise GXShimError(f"{module.__name__} has no {name}: revisit audit/io/gx_shim.py")
    return getattr(module, name)


def _regex_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    import sqlalchemy as sa

    def get_dialect_regex_expression(
        column: Any, regex: str, dialect: Any, positive: bool = True
    ) -> Any:
        if dialect is DUCKDB_DIALECT_MODULE:
            matches = sa.func.regexp_matches(column, sa.literal(regex))
            return matches if positive else sa.not_(matches)
        return original(column, regex, dialect, positive)

    get_dialect_regex_expression.fourcheck_original = original  # type: ignore[attr-defined]
    return get_dialect_regex_expression


def _engine_init_wrapper(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.dialect_name == DUCKDB:
            self.dialect_module = DUCKDB_DIALECT_MODULE

    __init__.fourcheck_original = original  # type: ignore[attr-defined]
    return __init__


def start_import() -> None:
    """Begin importing (and adapting) GX in a thread, so the seconds it takes overlap other work.

    Not a daemon thread: an interpreter shutting down mid-import (a failed load, say) waits
    for it rather than tearing modules down under it.
    """
    global _import_thread
    if _applied or _import_thread is not None:
        return
    _import_thread = threading.Thread(target=_apply_quietly, name="fourcheck-gx-import")
    _import_thread.start()


def _apply_quietly() -> None:
    # Whatever fails here fails again, and is reported, when the audit itself calls apply().
    with contextlib.suppress(Exception):
        apply()


def apply() -> types.ModuleType:
    """Import GX (once) and adapt it to DuckDB; returns the `great_expectations` module."""
    # A second caller waits for the first (e.g. start_import's thread), in short slices: a
    # Ctrl-C delivered to the importing thread would not wake a blocked acquire, and the
    # main thread runs its signal handler only between slices.
    while not _apply_lock.acquire(timeout=0.1):
        pass
    try:
        return _apply()
    finally:
        _apply_lock.release()


def _apply() -> types.ModuleType:
    global _applied
    _quiet_environment()
    if "great_expectations" not in sys.modules:
        _defer(DEFERRED_MODULES)
    with _main_initialised():
        import great_expectations as gx

    if _applied:
        return gx
    engine_module = _module(ENGINE_MODULE)
    dialects = _attr(engine_module, PERSISTED_DIALECTS)
    engine_class = _attr(engine_module, "SqlAlchemyExecutionEngine")
    init = engine_class.__init__
    regex_modules = [_module(name) for name in REGEX_MODULES]
    for module in regex_modules:
        _attr(module, REGEX_FUNCTION)
    if not isinstance(dialects, tuple) or not all(hasattr(d, "value") for d in dialects):
        raise GXShimError(f"{ENGINE_MODULE}.{PERSISTED_DIALECTS} changed shape: revisit the shim")

    if DUCKDB not in dialects:
        setattr(engine_module, PERSISTED_DIALECTS, (*dialects, _DialectName(DUCKDB)))
    if not hasattr(init, "fourcheck_original"):
        engine_class.__init__ = _engine_init_wrapper(init)
    for module in regex_modules:
        current = getattr(module, REGEX_FUNCTION)
        if not hasattr(current, "fourcheck_original"):
            setattr(module, REGEX_FUNCTION, _regex_wrapper(current))
    _applied = True
    return gx


def ephemeral_context() -> Any:
    """A fresh in-memory GX context: no analytics, no progress bars, no temporary docs folder."""
    gx = apply()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


class DuckDBCreator:
    """SQLAlchemy's `creator` for GX: cursors of the app's connection, until released.

    Releasing drops the reference, so GX objects that outlive an audit cannot
    keep the submission's database alive or reach it.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con: duckdb.DuckDBPyConnection | None = con

    def __call__(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("the audit's DuckDB connection has been released")
        return self._con.cursor()

    def release(self) -> None:
        self._con = None


_quiet_exit_registered = False


def quiet_exit() -> None:
    """Keep DuckDB's shutdown leak report off a command's stderr (registered once).

    With GX and the DuckDB SQLAlchemy dialect both imported, DuckDB's nanobind
    bindings may print dozens of "nanobind: leaked ..." lines while the
    interpreter shuts down: module-level DuckDB type objects outlive the
    finalisation of the extension (`python -c "import duckdb, great_expectations,
    duckdb_sqlalchemy"` alone does it; harmless, exit status unchanged). Engines
    and connections are closed when an audit ends, but that does not reach
    module-level objects, so a command that uses GX calls this: at exit, after
    every report and error has been written and flushed, stderr is pointed at
    the null device for the interpreter's final teardown only.

    That teardown is also made short: every object left is frozen (`gc.freeze`),
    so the interpreter's last garbage collections pass over GX's hundreds of
    thousands of objects instead of freeing them one by one (0.9 s of an audit's
    exit; the memory goes back with the process). Threads are still joined and
    every other exit handler has run before this one.
    """
    global _quiet_exit_registered
    if _quiet_exit_registered:
        return
    import atexit
    import sys

    def _silence_teardown() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
        except OSError:
            pass
        gc.freeze()

    # atexit runs handlers last-registered-first; registered early in a command, this one runs
    # after handlers registered later (GX, logging) have had their say.
    atexit.register(_silence_teardown)
    _quiet_exit_registered = True
