"""A generated three-month series through the CLI: every status and every drift as the truth says.

`audit sample --months 2026-07:2026-09` writes one township over three months; each month is
audited in order with one history file, and the JSON report must give every planted finding
exactly the status its truth.json gives, list exactly resolved.json's findings as resolved
(among the planted ones), and report trend-* findings exactly where the drift was planted.
The same series without the drift gives no trend finding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from audit.cli import app

runner = CliRunner()
MONTHS = ("2026-07", "2026-08", "2026-09")
Key = tuple[str, str, str]


def _key(f: dict[str, Any]) -> Key:
    return (f["check"], f["table"], f["record"])


def _sample(out: Path, *extra: str) -> None:
    done = runner.invoke(
        app,
        [
            "sample",
            str(out),
            "--months",
            "2026-07:2026-09",
            "--faults",
            "all",
            "--villages",
            "3",
            "--women-per-village",
            "150",
            *extra,
        ],
    )
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("series") / "township"
    _sample(out)
    return out


def test_months_statuses_and_drift_as_the_truth_says(series: Path, tmp_path: Path) -> None:
    assert sorted(p.name for p in series.iterdir()) == [*MONTHS]
    db = tmp_path / "history.duckdb"
    planted: set[Key] = set()
    truths = {m: json.loads((series / m / "truth.json").read_text("utf-8")) for m in MONTHS}
    for entries in truths.values():
        planted |= {_key(t) for t in entries}
    seen_statuses: set[str] = set()
    for month in MONTHS:
        done = runner.invoke(
            app, ["run", str(series / month), "-f", "json", "--history", str(db), "--lang", "en"]
        )
        assert done.exit_code == 1, done.output
        doc = json.loads(done.stdout)
        assert doc["period"] == month
        got: dict[Key, dict[str, Any]] = {}
        for f in doc["findings"]:
            got.setdefault(_key(f), f["status"])
        expected = {
            _key(t): {k: t[k] for k in ("status", "since", "months", "last_seen") if k in t}
            for t in truths[month]
        }
        assert {k: got.get(k) for k in expected} == expected
        # nothing planted in another month shows up with a status of its own
        assert {k for k in got if k in planted} == set(expected)
        # consistency findings exactly where the drift is
        trends = {k for k in got if k[0].startswith("trend-")}
        assert trends == {k for k in expected if k[0].startswith("trend-")}
        resolved = {_key(f) for f in doc["history"]["resolved"]} & planted
        truth_resolved = {
            _key(t) for t in json.loads((series / month / "resolved.json").read_text())
        }
        assert resolved == truth_resolved
        seen_statuses |= {s["status"] for s in expected.values()}
        seen_statuses |= {"resolved"} if resolved else set()
    assert seen_statuses == {"new", "persisting", "reopened", "resolved"}
    assert {k[0] for k in planted if k[0].startswith("trend-")} == {
        "trend-outlier",
        "trend-method-balance",
    }


def test_the_series_without_drift_has_no_consistency_finding(tmp_path: Path) -> None:
    out = tmp_path / "nodrift"
    _sample(out, "--no-drift")
    truth = json.loads((out / "2026-09" / "truth.json").read_text("utf-8"))
    assert not [t for t in truth if t["check"].startswith("trend-")]
    # the drift is in the last month only; the earlier months are the same files
    done = runner.invoke(app, ["run", str(out / "2026-09"), "-f", "json", "--no-history"])
    doc = json.loads(done.stdout)
    assert [f for f in doc["findings"] if f["check"].startswith("trend-")] == []
    assert [f for f in doc["findings"] if f["check"] == "report-vs-records"] == []
