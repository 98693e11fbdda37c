"""Test-session set-up shared by every test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from audit.io.gx_shim import quiet_exit
from audit.render import json as json_render
from audit.render import junit as junit_render
from audit.render.county import json as county_json
from audit.render.county import junit as county_junit
from tests.validate import validate_county, validate_junit, validate_report

# GX and DuckDB's SQLAlchemy dialect make DuckDB's bindings print "nanobind: leaked"
# lines at interpreter teardown; they would bury pytest's closing summary line.
quiet_exit()


@pytest.fixture(autouse=True, scope="session")
def _validate_machine_outputs() -> Iterator[None]:
    """Every JUnit and JSON report rendered in any test is validated against its schema."""
    plain_json, plain_junit = json_render.render, junit_render.render

    def checked_json(*args: Any, **kwargs: Any) -> str:
        out = plain_json(*args, **kwargs)
        validate_report(out)
        return out

    def checked_junit(*args: Any, **kwargs: Any) -> str:
        out = plain_junit(*args, **kwargs)
        validate_junit(out)
        return out

    def checked_county_json(*args: Any, **kwargs: Any) -> str:
        out = plain_county_json(*args, **kwargs)
        validate_county(out)
        return out

    def checked_county_junit(*args: Any, **kwargs: Any) -> str:
        out = plain_county_junit(*args, **kwargs)
        validate_junit(out)
        return out

    plain_county_json, plain_county_junit = county_json.render, county_junit.render
    json_render.render = checked_json  # type: ignore[assignment]
    junit_render.render = checked_junit  # type: ignore[assignment]
    county_json.render = checked_county_json  # type: ignore[assignment]
    county_junit.render = checked_county_junit  # type: ignore[assignment]
    try:
        yield
    finally:
        json_render.render = plain_json  # type: ignore[assignment]
        junit_render.render = plain_junit  # type: ignore[assignment]
        county_json.render = plain_county_json  # type: ignore[assignment]
        county_junit.render = plain_county_junit  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own data directory: `audit run` records into a history file there,
    never into the real home (HOME too, for code that falls back to ~/.local/share)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark session per test process (tests/spark_support.py); skips without Spark."""
    from tests.spark_support import spark_session

    yield from spark_session(tmp_path_factory)
