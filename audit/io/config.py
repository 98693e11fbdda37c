"""`fourcheck.toml`: the defaults a county sets once.

Design decisions:

- One small TOML file, read from the working folder (`./fourcheck.toml`) or
  named with `--config PATH`; top-level keys named like the command-line
  options they default: `lang`, `fail-on`, `window-start`, `suites`,
  `limit`, `select`, `exclude`, `history` (the monthly history file), `engine`,
  `spark-master`, `memory-limit` (DuckDB: ``"4GB"``), and a `[spark-conf]` table of Spark
  settings
  (``"spark.driver.memory" = "8g"``; ``--spark-conf`` pairs are added after them).
  Options given on the command line always win.
- Strict: an unknown key, a wrong type or a bad value stops the command
  (exit 2) naming the file and the key — a misspelt `fail_on` must not
  silently audit with the default gate. Underscores are accepted for hyphens.
- Paths (`suites`, `history`) are relative to the file's folder, so one file
  beside the county's data works from anywhere.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from audit.core.exitcodes import AuditError, FailOn

FILE_NAME = "fourcheck.toml"
LANGS = ("zh", "en")
KEYS = (
    "lang",
    "fail-on",
    "window-start",
    "suites",
    "limit",
    "select",
    "exclude",
    "history",
    "engine",
    "spark-master",
    "spark-conf",
    "memory-limit",
)
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file read, None when there is none
    lang: str | None = None
    fail_on: FailOn | None = None
    window_start: str | None = None  # YYYY-MM-DD, validated here
    suites: Path | None = None
    limit: int | None = None
    select: tuple[str, ...] = field(default_factory=tuple)
    exclude: tuple[str, ...] = field(default_factory=tuple)
    history: Path | None = None  # the monthly history file, for the commands that keep one
    engine: str | None = None  # duckdb or spark
    spark_master: str | None = None
    spark_conf: tuple[tuple[str, str], ...] = ()  # the [spark-conf] table: Spark settings
    memory_limit: int | None = None  # bytes (DuckDB), from a size such as "4GB"


def find_config(explicit: Path | None, cwd: Path | None = None) -> Path | None:
    """The file to read: `--config` (must exist), else `fourcheck.toml` in the working folder."""
    if explicit is not None:
        if not explicit.is_file():
            raise AuditError(f"--config {explicit}: no such file")
        return explicit
    default = (cwd or Path.cwd()) / FILE_NAME
    return default if default.is_file() else None


def load_config(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    path = find_config(explicit, cwd)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise AuditError(f"{path}: cannot be read ({e.strerror or type(e).__name__})") from None
    except UnicodeDecodeError as e:
        raise AuditError(f"{path}: not UTF-8 text ({e.reason})") from None
    except tomllib.TOMLDecodeError as e:
        raise AuditError(f"{path}: not valid TOML ({e})") from None
    values = {str(k).replace("_", "-"): v for k, v in data.items()}
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise AuditError(f"{path}: unknown key {unknown[0]!r} (keys: {', '.join(KEYS)})")
    base = path.parent

    def text(key: str) -> str | None:
        value = values.get(key)
        if value is not None and not isinstance(value, str):
            raise AuditError(f"{path}: {key}: expected text in quotes, got {value!r}")
        return value

    def names(key: str) -> tuple[str, ...]:
        value = values.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AuditError(f"{path}: {key}: expected a list of check ids or categories")
        return tuple(value)

    def folder(key: str) -> Path | None:
        value = text(key)
        return (base / value) if value else None

    lang = text("lang")
    if lang is not None and lang not in LANGS:
        raise AuditError(f"{path}: lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    fail_on = text("fail-on")
    if fail_on is not None and fail_on not in {g.value for g in FailOn}:
        raise AuditError(
            f"{path}: fail-on: expected one of {', '.join(g.value for g in FailOn)}, "
            f"got {fail_on!r}"
        )
    window_start = values.get("window-start")
    if isinstance(window_start, date):  # TOML's own date literal: window-start = 2025-10-01
        window_start = window_start.isoformat()
    if window_start is not None:
        if not isinstance(window_start, str):
            raise AuditError(f"{path}: window-start: expected a date YYYY-MM-DD")
        try:
            date.fromisoformat(window_start)
        except ValueError:
            raise AuditError(
                f"{path}: window-start: expected a date YYYY-MM-DD, got {window_start!r}"
            ) from None
    engine = text("engine")
    if engine is not None and engine not in ENGINES:
        raise AuditError(f"{path}: engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    spark_conf = values.get("spark-conf", {})
    if not isinstance(spark_conf, dict) or not all(
        isinstance(v, str | int | float | bool) for v in spark_conf.values()
    ):
        raise AuditError(
            f"{path}: spark-conf: expected a table of Spark settings, e.g. "
            '[spark-conf] "spark.driver.memory" = "8g"'
        )
    memory = text("memory-limit")
    if memory is not None:
        from audit.io.backends import parse_memory

        memory_limit: int | None = parse_memory(memory, f"{path}: memory-limit")
    else:
        memory_limit = None
    limit = values.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise AuditError(f"{path}: limit: expected a whole number of 0 or more, got {limit!r}")
    return Config(
        path=path,
        lang=lang,
        fail_on=FailOn(fail_on) if fail_on is not None else None,
        window_start=window_start,
        suites=folder("suites"),
        limit=limit,
        select=names("select"),
        exclude=names("exclude"),
        history=folder("history"),
        engine=engine,
        spark_master=text("spark-master"),
        spark_conf=tuple(
            (str(k), str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in spark_conf.items()
        ),
        memory_limit=memory_limit,
    )


def pick(option: Any, configured: Any, default: Any) -> Any:
    """The command line wins, then the file, then the built-in default."""
    if option is not None and option != [] and option != ():
        return option
    if configured is not None and configured != ():
        return configured
    return default
