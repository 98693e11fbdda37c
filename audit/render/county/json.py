"""County JSON: one document, a `townships` list whose entries are the single-township documents.

`{"tool", "version", "schema_version", "county_code", "county_name", "period",
"fail_on", "verdict", "summary", "findings", "townships": [...]}`, described by
`county.schema.json` (JSON Schema 2020-12, shipped beside `report.schema.json`,
whose document each audited `townships` entry is, by `$ref`). `findings` lists every cross-township
finding (contract fields plus `township_code`, the township that must fix
it). Each entry of `townships`, in rank order, is the document `audit run
--format json` writes for that folder (`audit.render.json.document`), plus
`folder`, `rank`, `county_verdict` (pass/fail/unusable, counting the
cross-township findings too) and `county_findings` (the cross-township
findings sent to it); a folder that could not be audited has
`township_code`, `township_name`, `failure` (the reason) instead of the audit.
With a history, every cross-township finding carries `status` (as a
township's findings do) and the document a `history` object (the county's
previous recorded period, counts, the resolved cross-township findings); an
accepted one carries `accepted`, and `acceptances` lists the acceptances file's
expired and stale rows of the county office. Nothing that varies between
runs is written.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from audit import __version__
from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.render.json import TOOL, document

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = "county.schema.json"  # beside report.schema.json, whose documents it holds


def schema() -> dict[str, Any]:
    """The JSON Schema of the county document (shipped in the package)."""
    text = files("audit.render").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _verdict(entry: TownshipEntry) -> str:
    if not entry.audited:
        return "unusable"
    return "pass" if entry.passed else "fail"


def cross_finding(county: CountyReport, c: CountyFinding) -> dict[str, Any]:
    out = c.to_dict()
    if county.history is not None:
        out["status"] = county.history.of(c.finding).to_dict()
    outcome = county.acceptances_of(c)
    a = outcome.of(c.finding) if outcome is not None else None
    if a is not None:
        out["accepted"] = {"reason": a.reason, "by": a.accepted_by, "until": a.expires}
    return out


def township_document(county: CountyReport, entry: TownshipEntry) -> dict[str, Any]:
    head: dict[str, Any] = {
        "folder": entry.folder,
        "rank": entry.rank,
        "county_verdict": _verdict(entry),
    }
    if entry.report is None:
        body: dict[str, Any] = {
            "township_code": entry.township_code,
            "township_name": entry.township_name,
            "failure": entry.failure,
        }
    else:
        body = document(entry.report, county.fail_on)
    cross = [cross_finding(county, c) for c in entry.county_findings]
    return {**head, **body, "county_findings": cross}


def county_document(county: CountyReport) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "tool": TOOL,
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "county_code": county.county_code,
        "county_name": county.county_name,
        "period": county.period,
        "fail_on": county.fail_on,
        "verdict": "pass" if county.passed() else "fail",
        "summary": county.summary(),
        "findings": [cross_finding(county, c) for c in county.findings],
        "townships": [township_document(county, t) for t in county.townships],
    }
    engine = county.meta.get("engine")
    if engine and engine != "duckdb":  # as in a township's report: only another engine is named
        doc["engine"] = engine
    if county.history is not None:
        doc["history"] = county.history.to_dict()
    if county.acceptances is not None:
        doc["acceptances"] = county.acceptances.to_dict()
    return doc


def render(county: CountyReport, *, limit: int = 10) -> str:
    # limit does not change the document: JSON lists every finding.
    return json.dumps(county_document(county), ensure_ascii=False, indent=2) + "\n"
