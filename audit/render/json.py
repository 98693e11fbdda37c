"""JSON output: the contract's document, byte-identical for the same input.

Exactly `{"period", "township_code", "window": {"start", "end"}, "summary",
"findings"}`; findings in the report's order (severity, village, check,
record). Nothing that varies between runs (time, paths, versions) is written,
so two runs over the same submission can be compared with `cmp`.
"""

from __future__ import annotations

import json
from typing import Any

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport


def document(report: AuditReport) -> dict[str, Any]:
    return {
        "period": report.period,
        "township_code": report.township_code,
        "window": {"start": report.window.start.isoformat(), "end": report.window.end.isoformat()},
        "summary": report.summary(),
        "findings": [f.to_dict() for f in report.findings],
    }


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    # fail_on and limit do not change the document: JSON lists every finding.
    return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"
