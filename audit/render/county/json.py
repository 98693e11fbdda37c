"""County JSON: one document, a `townships` list whose entries are the single-township documents.

`{"county_code", "county_name", "period", "fail_on", "verdict", "summary",
"findings", "townships": [...]}`. `findings` lists every cross-township
finding (contract fields plus `township_code`, the township that must fix
it). Each entry of `townships`, in rank order, is the document `audit run
--format json` writes for that folder (`audit.render.json.document`), plus
`folder`, `rank`, `county_verdict` (pass/fail/unusable, counting the
cross-township findings too) and `county_findings` (the cross-township
findings sent to it); a folder that could not be audited has
`township_code`, `township_name`, `failure` (the reason) instead of the audit.
Nothing that varies between runs is written.
"""

from __future__ import annotations

import json
from typing import Any

from audit.core.county import CountyReport, TownshipEntry
from audit.render.json import document


def _verdict(entry: TownshipEntry) -> str:
    if not entry.audited:
        return "unusable"
    return "pass" if entry.passed else "fail"


def township_document(entry: TownshipEntry) -> dict[str, Any]:
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
        body = document(entry.report)
    return {**head, **body, "county_findings": [c.to_dict() for c in entry.county_findings]}


def county_document(county: CountyReport) -> dict[str, Any]:
    return {
        "county_code": county.county_code,
        "county_name": county.county_name,
        "period": county.period,
        "fail_on": county.fail_on,
        "verdict": "pass" if county.passed() else "fail",
        "summary": county.summary(),
        "findings": [c.to_dict() for c in county.findings],
        "townships": [township_document(t) for t in county.townships],
    }


def render(county: CountyReport, *, limit: int = 10) -> str:
    # limit does not change the document: JSON lists every finding.
    return json.dumps(county_document(county), ensure_ascii=False, indent=2) + "\n"
