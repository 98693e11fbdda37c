"""Every output format carries the monthly cycle: status since last month, resolved, accepted."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from audit.core.acceptance import Acceptance, apply_acceptances
from audit.core.exitcodes import ExitCode, FailOn, exit_code_for
from audit.core.models import AuditReport
from audit.io import history
from audit.render import render
from tests.test_history import finding, make_report


@pytest.fixture()
def report(tmp_path: Path) -> AuditReport:
    db = tmp_path / "h.duckdb"
    history.record_run(db, make_report("2026-07", [finding("age-range", "A")]), [])
    history.record_run(
        db, make_report("2026-08", [finding("age-range", "A"), finding("id-sex", "B")]), []
    )
    r = history.record_run(
        db, make_report("2026-09", [finding("age-range", "A"), finding("early-marriage", "C")]), []
    )
    accepted = Acceptance(
        "",
        "early-marriage",
        "women",
        "C",
        "married abroad at 19",
        "county",
        date(2026, 9, 1),
        "2026-12",
    )
    stale = Acceptance("", "id-format", "women", "Z", "old", "county", date(2026, 1, 1), "2026-12")
    outcome = apply_acceptances(
        [accepted, stale],
        r.findings,
        period="2026-09",
        township_code=r.township_code,
        source="a.csv",
    )
    from dataclasses import replace

    return replace(r, acceptances=outcome)


def test_gate(report: AuditReport) -> None:
    assert exit_code_for(report, FailOn.ERROR) is ExitCode.FINDINGS  # A persists, not accepted
    assert exit_code_for(report, FailOn.NEW_ERROR) is ExitCode.OK  # C is new but accepted


def test_json(report: AuditReport) -> None:
    doc: dict[str, Any] = json.loads(render(report, "json"))
    by = {f["record"]: f for f in doc["findings"]}
    assert by["A"]["status"] == {"status": "persisting", "since": "2026-07", "months": 3}
    assert by["C"]["status"] == {"status": "new", "since": "2026-09", "months": 1}
    assert by["C"]["accepted"] == {
        "reason": "married abroad at 19",
        "by": "county",
        "until": "2026-12",
    }
    assert doc["history"]["counts"] == {"new": 1, "persisting": 1, "reopened": 0, "resolved": 1}
    assert [f["record"] for f in doc["history"]["resolved"]] == ["B"]
    assert [a["record"] for a in doc["acceptances"]["stale"]] == ["Z"]


def test_json_written_in_pieces_is_the_document_to_the_byte(
    report: AuditReport, tmp_path: Path
) -> None:
    """The file `audit run -f json -o` writes finding by finding is `json.dumps` of the
    document, with findings (status, accepted) and without any."""
    from dataclasses import replace

    from audit.io.output import write_atomic
    from audit.render import render_chunks
    from audit.render.json import document

    for r in (report, replace(report, findings=())):
        expected = json.dumps(document(r), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        pieces = list(render_chunks(r, "json"))
        assert len(pieces) > 3 and not any(len(p) >= len(expected) for p in pieces)
        write_atomic(tmp_path / "r.json", iter(pieces))
        assert (tmp_path / "r.json").read_text(encoding="utf-8") == expected


def test_terminal_and_markdown(report: AuditReport) -> None:
    text = str(render(report, "table", color=False))
    lines = text.splitlines()
    assert "since last month (2026-08): 1 new, 1 resolved, 1 persisting, 0 reopened" in lines[:8]
    assert "[new; accepted: married abroad at 19 (county, until 2026-12)]" in text
    assert text.index("early-marriage") < text.index("age-range")  # new first
    assert "Resolved since last month (1)" in text and "stale acceptance" in text
    md = str(render(report, "markdown"))
    assert "**since last month (2026-08): 1 new, 1 resolved, 1 persisting, 0 reopened**" in md
    assert "| persisting since 2026-07 (3 months) |" in md
    assert "## Resolved since last month (1)" in md


def test_xlsx(report: AuditReport) -> None:
    wb = openpyxl.load_workbook(BytesIO(bytes(render(report, "xlsx"))))
    assert "Resolved since last month" in wb.sheetnames
    resolved = wb["Resolved since last month"]
    assert [c.value for c in resolved[2]][:4] == ["error", "id-sex", "women", "B"]
    village = wb["340811101001"]
    header = [c.value for c in village[1]]
    assert header[-1] == "Status"
    statuses = [row[-1].value for row in village.iter_rows(min_row=2)]
    assert statuses[0].startswith("new; accepted")
    assert statuses[1] == "persisting since 2026-07 (3 months)"


def test_html_and_junit(report: AuditReport) -> None:
    html = str(render(report, "html"))
    assert "since last month (2026-08): 1 new, 1 resolved" in html
    assert 'class="status status-accepted"' in html and 'id="resolved"' in html
    root = ET.fromstring(str(render(report, "junit")))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    out = suites["history"].find("testcase/system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("since last month (2026-08)")
    assert "[resolved] id-sex women B" in out.text
    failures = [tc.get("name") for tc in root.iter("testcase") if tc.find("failure") is not None]
    assert failures == ["age-range"]  # the accepted early-marriage does not fail
    text = "".join(root.itertext())
    assert "[persisting since 2026-07 (3 months)]" in text
