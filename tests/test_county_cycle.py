"""The county run and the monthly cycle: history, statuses, the gate, and the folder checks.

A county of three small townships audited for two months into one history
file: September as generated (every cross-township fault planted), October
the same books a month on with the copied birth removed (fixed) and a woman
newly registered by a second township (a new fault). The October run must show
resolved, persisting and new findings per township and across townships, a
following single run must see the same statuses, and the gate must count them
as a single run does.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.core.county import CountyReport, TownshipEntry, ranked
from audit.core.exitcodes import ExitCode, county_exit_code
from audit.core.lifecycle import Status
from audit.county import run_county
from audit.io import history as store
from audit.monthly import run_monthly
from audit.render.county import render_county
from audit.sample.county import generate_county

SIZE = {"villages": 2, "women_per_village": 60, "fmt": "csv"}


def _set_period(folder: Path, period: str) -> None:
    """The same books, a month on: manifests, county.json and the report rows say `period`."""
    for path in [folder / "county.json", *folder.glob("*/manifest.json")]:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["period"] = period
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for path in [folder / "stat_reports.csv", *folder.glob("*/stat_reports.csv")]:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        latest = max(r[0] for r in rows[1:])
        rows += [[period, *r[1:]] for r in rows[1:] if r[0] == latest]
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("county-cycle")
    sep, oct_ = root / "2026-09", root / "2026-10"
    generate_county(sep, townships=3, seed=9, faults="all", period="2026-09", **SIZE)  # type: ignore[arg-type]
    shutil.copytree(sep, oct_)
    _set_period(oct_, "2026-10")
    folders = sorted(p for p in oct_.iterdir() if p.is_dir())
    # fixed: the copied birth (its id starts B9) leaves the register that had it twice
    for f in folders:
        rows = _rows(f / "births.csv")
        kept = [r for r in rows if not r[0].startswith("B9")]
        if len(kept) < len(rows):
            fixed_in = f
            _write(f / "births.csv", kept)
    # new: a woman of the first township also put on the third one's register, as resident
    first, third = _rows(folders[0] / "women.csv"), _rows(folders[2] / "women.csv")
    head = first[0]
    village = third[1][head.index("village_code")]
    woman = list(first[-1])
    woman[head.index("village_code")] = village
    _write(folders[2] / "women.csv", [*third, woman])
    history = root / "history.duckdb"
    september = run_county(sep, lang="en", jobs=1, history=history)
    october = run_county(oct_, lang="en", jobs=1, history=history)
    return {
        "root": root,
        "sep": sep,
        "oct": oct_,
        "history": history,
        "september": september,
        "october": october,
        "fixed_in": fixed_in.name,
        "new_person": woman[head.index("person_id")],
        "folders": [f.name for f in folders],
    }


def _entry(county: CountyReport, folder: str) -> TownshipEntry:
    return next(t for t in county.townships if t.folder == folder)


def test_each_township_is_recorded_as_a_single_run_would(months: dict[str, Any]) -> None:
    runs = store.list_runs(months["history"])
    october: CountyReport = months["october"]
    codes = {t.township_code for t in october.townships}
    recorded = {(r.township_code, r.period) for r in runs}
    for code in codes:
        assert (code, "2026-09") in recorded and (code, "2026-10") in recorded
    # the county office's own run: the cross-township findings under the county's code
    assert ("340811000000", "2026-10") in recorded
    for t in october.townships:
        assert t.report is not None and t.report.history is not None
        assert t.report.history.previous_period == "2026-09"
        assert t.report.history.run_id is not None


def test_october_shows_resolved_persisting_and_new(months: dict[str, Any]) -> None:
    october: CountyReport = months["october"]
    h = october.history
    assert h is not None and h.previous_period == "2026-09"
    statuses = {
        (c.finding.check, c.finding.record): h.of(c.finding).status for c in october.findings
    }
    resolved = {(f.check, f.record) for f in h.resolved}
    # the copied birth is gone from both registers' findings
    assert sum(1 for check, _ in resolved if check == "county-dup-birth") == 2
    # a report row's record holds its period (as in a single audit): this month's is another
    assert {check for check, _ in resolved} == {
        "county-dup-birth",
        "county-report-sum",
        "county-township-missing",
    }
    # the planted duplicate registrations persist
    persisting = {check for (check, _), s in statuses.items() if s is Status.PERSISTING}
    assert {"county-dup-person", "county-outmigrant-unrecorded"} <= persisting
    tracked = [h.of(c.finding) for c in october.findings]
    kept = [t for t in tracked if t.status is Status.PERSISTING]
    assert kept and all(t.since == "2026-09" and t.months == 2 for t in kept)
    new_person = months["new_person"]
    new = [c for c in october.findings if new_person in c.finding.record]
    assert new and {c.finding.check for c in new} == {"county-dup-person"}
    assert {h.of(c.finding).status for c in new} == {Status.NEW}
    # the township whose copy was removed: its own finding about her mother is resolved
    fixed = _entry(october, months["fixed_in"])
    assert fixed.report is not None and fixed.report.history is not None
    assert "birth-mother-unregistered" in {f.check for f in fixed.report.history.resolved}


def test_a_following_single_run_sees_the_county_runs(
    months: dict[str, Any], tmp_path: Path
) -> None:
    october: CountyReport = months["october"]
    folder = months["folders"][2]
    entry = _entry(october, folder)
    assert entry.report is not None and entry.report.history is not None
    code = entry.township_code
    accepted = tmp_path / "accepted.csv"  # a cross-township acceptance: not stale in a single run
    accepted.write_text(
        "township_code,check,table,record,reason,accepted_by,accepted_on,expires\n"
        f"{code},county-dup-person,women,{code}|{months['new_person']},moved,county,"
        "2026-11-02,2026-12\n",
        encoding="utf-8",
    )
    single = run_monthly(
        months["oct"] / folder, history=months["history"], lang="en", acceptances=accepted
    )
    assert single.history is not None and single.history.previous_period == "2026-09"
    assert single.history.statuses == entry.report.history.statuses
    assert single.findings == entry.report.findings
    assert single.acceptances is not None and single.acceptances.stale == ()


def test_new_error_gate_counts_only_new_findings(months: dict[str, Any]) -> None:
    october: CountyReport = months["october"]
    assert county_exit_code(october) is ExitCode.FINDINGS  # fail-on error: everything counts
    gated = replace(
        october,
        fail_on="new-error",
        townships=ranked(list(october.townships), "new-error", october.history),
    )
    new_person = months["new_person"]
    by_folder = {t.folder: t for t in gated.townships}
    # the townships holding the new duplicate fail; the one with persisting faults only passes
    holding = {
        t.folder
        for t in gated.townships
        if any(new_person in c.finding.record for c in t.county_findings)
    }
    assert holding == {months["folders"][0], months["folders"][2]}
    assert all(not by_folder[f].passed for f in holding)
    assert by_folder[months["folders"][1]].passed
    # persisting cross-township findings never fail a new-* gate
    h = gated.history
    assert h is not None
    kept = [c for c in gated.findings if h.of(c.finding).status is Status.PERSISTING]
    assert kept and not any(gated.fails(c) for c in kept)
    assert county_exit_code(gated) is ExitCode.FINDINGS
    never = replace(gated, fail_on="never", townships=ranked(list(gated.townships), "never"))
    assert county_exit_code(never) is ExitCode.OK


def test_every_format_shows_the_statuses(months: dict[str, Any]) -> None:
    october: CountyReport = months["october"]
    text = render_county(october, "table", color=False)
    assert isinstance(text, str)
    assert "since last month (2026-09)" in text
    assert "persisting since 2026-09" in text and "[new]" in text
    assert "Resolved since last month" in text
    markdown = render_county(october, "markdown")
    assert isinstance(markdown, str) and "| Status |" in markdown and "new" in markdown
    html = render_county(october, "html")
    assert isinstance(html, str) and "persisting since 2026-09" in html
    data = json.loads(render_county(october, "json"))
    assert data["history"]["previous_period"] == "2026-09"
    assert {f["status"]["status"] for f in data["findings"]} >= {"new", "persisting"}
    assert all(t["history"]["previous_period"] == "2026-09" for t in data["townships"])
    junit = render_county(october, "junit")
    assert isinstance(junit, str) and "[persisting since 2026-09" in junit
    xlsx = render_county(october, "xlsx")
    assert isinstance(xlsx, bytes) and xlsx[:2] == b"PK"


def test_duplicate_code_period_acceptance_and_many_formats(
    months: dict[str, Any], tmp_path: Path
) -> None:
    """One more run, of October changed three ways, written in every format at once."""
    october: CountyReport = months["october"]
    county_dir = months["root"] / "variant"
    shutil.copytree(months["oct"], county_dir)
    # accepted: the new duplicate registration, for the township that holds her as resident
    target = next(c for c in october.findings if months["new_person"] in c.finding.record)
    f = target.finding
    (county_dir / "accepted.csv").write_text(
        "township_code,check,table,record,reason,accepted_by,accepted_on,expires\n"
        f"{target.township_code},{f.check},{f.table},{f.record},moved within the county,"
        "county office,2026-11-02,2026-12\n",
        encoding="utf-8",
    )
    first, second = months["folders"][0], months["folders"][1]
    shutil.copytree(county_dir / first, county_dir / "zz-copy")  # a second folder, same code
    manifest = county_dir / second / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["period"] = "2026-09"  # this township sent last month's submission again
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    history = tmp_path / "never.duckdb"
    out = tmp_path / "reports"
    formats = "table,json,junit,markdown,xlsx,html"
    result = CliRunner().invoke(
        app,
        ["county", str(county_dir), "--history", str(history), "--no-history", "-f", formats,
         "--output-dir", str(out), "--lang", "en", "--jobs", "1"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert not history.exists()  # --no-history records nothing
    stem = "fourcheck-county-340811000000-2026-10"
    names = {p.name for p in out.iterdir()}
    assert names == {f"{stem}.{ext}" for ext in ("txt", "json", "xml", "md", "xlsx", "html")}
    assert "FAIL" in result.stderr and str(out) in result.stderr
    doc = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    assert doc["period"] == "2026-10"  # county.json decides the county's period
    dup = [f for f in doc["findings"] if f["check"] == "county-township-duplicate"]
    assert {f["record"].split("|")[1] for f in dup} == {first, "zz-copy"}
    assert all(first in f["message"] and "zz-copy" in f["message"] for f in dup)
    period = [f for f in doc["findings"] if f["check"] == "county-period-mismatch"]
    assert len(period) == 1 and second in period[0]["message"]
    assert "2026-09" in period[0]["message"] and period[0]["category"] == "timeliness"
    verdicts = {t["folder"]: t["county_verdict"] for t in doc["townships"]}
    assert verdicts[first] == verdicts["zz-copy"] == verdicts[second] == "fail"
    assert "history" not in doc  # --no-history: no statuses
    holder = next(
        t for t in doc["townships"]
        if t["township_code"] == target.township_code and t["folder"] != "zz-copy"
    )  # fmt: skip
    accepted = [c for c in holder["county_findings"] if c["record"] == f.record]
    assert accepted and accepted[0]["accepted"]["reason"] == "moved within the county"
    assert holder["acceptances"]["stale"] == []
