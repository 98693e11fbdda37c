"""JSON output: an interface other programs can rely on, byte-identical for the same input.

Design decisions:

- The contract's document (`period`, `township_code`, `window`, `summary`,
  `findings`, findings in the report's order) plus what a program needs to
  act on it without re-deriving anything: `tool`, `version` and
  `schema_version`; the `verdict` (passed, `--fail-on`, exit code); every
  rule's outcome in `checks` (passed, failed or skipped with the reason, and
  its counts); the §6 figures in `overview`.
- `report.schema.json` (JSON Schema 2020-12, shipped beside this module)
  describes the document; `schema_version` changes when a field is removed or
  changes meaning (adding fields does not). docs/json-report.md documents it.
- A run on another engine than the default DuckDB adds `engine` (`"spark"`);
  everything else is the same document.
- Nothing that varies between runs (time, paths, machine) is written, so two
  runs over the same submission can be compared with `cmp`; NaN and infinity
  are refused rather than written as invalid JSON.
- The monthly cycle adds to this, only when the run has it: with a history,
  each finding carries `status` (`new`, `persisting` with `since` and
  `months`, `reopened` with `last_seen`) and the document a `history` object
  (previous period, counts, the resolved findings); with an acceptances file,
  an accepted finding carries `accepted` (reason, by, until) and the document
  an `acceptances` object (the file, expired and stale rows). A status
  depends on the runs recorded before, so such documents compare equal only
  over the same history.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from audit import __version__
from audit.core.exitcodes import FailOn, exit_code_for
from audit.core.models import AuditReport, Finding, Severity
from audit.core.outcomes import outcomes

TOOL = "fourcheck"
SCHEMA_VERSION = "1.0"
SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of the document (shipped in the package)."""
    text = files("audit.render").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def document(report: AuditReport, fail_on: FailOn | str = FailOn.ERROR) -> dict[str, Any]:
    return _document(report, fail_on, [finding(report, f) for f in report.findings])


def _document(report: AuditReport, fail_on: FailOn | str, findings: Any) -> dict[str, Any]:
    """The document with `findings` as its findings value (the list, or `chunks`' marker)."""
    gate = FailOn(fail_on)
    code = exit_code_for(report, gate)
    rules = outcomes(report, gate)
    summary = report.summary()
    summary["checks_skipped"] = sum(1 for c in report.checks if not c.evaluated)
    doc: dict[str, Any] = {
        "tool": TOOL,
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "period": report.period,
        "township_code": report.township_code,
        "township_name": report.township_name,
        "lang": report.lang,
        "window": report.window.to_dict(),
        "verdict": {"passed": int(code) == 0, "fail_on": gate.value, "exit_code": int(code)},
        "summary": summary,
        "checks": [
            {
                "name": o.name,
                "id": o.check,
                "title": o.title,
                "suite": o.suite,
                "category": o.category.value,
                "severity": o.severity.value if o.severity is not None else None,
                "table": o.table,
                "status": o.status.value,
                "skipped_reason": o.skipped_reason,
                "findings": len(o.findings),
                "errors": o.count(Severity.ERROR),
                "warnings": o.count(Severity.WARNING),
                "info": o.count(Severity.INFO),
            }
            for o in rules
        ],
        "overview": report.overview.to_dict() if report.overview is not None else None,
        "findings": findings,
    }
    if report.history is not None:
        doc["history"] = report.history.to_dict()
    if report.acceptances is not None:
        doc["acceptances"] = report.acceptances.to_dict()
    engine = report.meta.get("engine")
    if engine and engine != "duckdb":
        # Only another engine than the default is named: the same audit on Spark gives the
        # DuckDB document byte for byte plus this one key.
        doc["engine"] = engine
    return doc


def finding(report: AuditReport, f: Finding) -> dict[str, Any]:
    out = f.to_dict()
    if report.history is not None:
        out["status"] = report.history.of(f).to_dict()
    if report.acceptances is not None:
        a = report.acceptances.of(f)
        if a is not None:
            out["accepted"] = {"reason": a.reason, "by": a.accepted_by, "until": a.expires}
    return out


# json.dumps with these options builds an encoder per call; one made once serves every finding.
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def chunks(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR) -> Iterator[str]:
    """The text of `render`, piece by piece: everything but the findings at once, then the
    findings one at a time, so a report of millions of findings is never one string (nor a
    list of dictionaries) in memory. The text is `json.dumps` of `document` to the byte.

    The part before the findings is made before this returns (an error in it, such as NaN,
    is raised here, not half-way through writing a file).
    """
    marker = f"fourcheck-findings-{uuid.uuid4().hex}"
    text = _dumps(_document(report, fail_on, marker))
    head, found, tail = text.partition(f'"findings": "{marker}"')
    assert found, "the findings marker is in the document"
    return itertools.chain([head, '"findings": '], _findings(report), [tail, "\n"])


def _findings(report: AuditReport) -> Iterator[str]:
    """The findings list as `json.dumps(..., indent=2)` writes it as a top-level value."""
    if not report.findings:
        yield "[]"
        return
    yield "["
    batch: list[str] = []
    for i, f in enumerate(report.findings):
        # Each finding is two levels deep in the document: its lines move right by four
        # spaces (JSON text holds no line break inside a string, so lines are safe to move).
        item = _dumps(finding(report, f)).replace("\n", "\n    ")
        batch.append(("\n    " if i == 0 else ",\n    ") + item)
        if len(batch) == 1000:  # pieces of a thousand findings: fewer, larger writes
            yield "".join(batch)
            batch = []
    batch.append("\n  ]")
    yield "".join(batch)


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    # limit does not change the document: JSON lists every finding.
    return "".join(chunks(report, fail_on=fail_on))
