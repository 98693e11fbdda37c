"""County JUnit XML: a test suite per township, and one for the checks across townships.

- Each township is a `<testsuite>` named after it, one `<testcase>` per check
  of its audit (classname `fourcheck.<township_code>.<suite>`), failing when
  one of its findings reaches the gate — so the dashboard's red count agrees
  with the county's exit code — plus the cross-township checks sent to it.
- A township folder that could not be audited is a suite with one test case
  `audit` in `<error>`, the reason as its message.
- The suite `county` holds every cross-township check as a test case.
- ElementTree escapes everything; nothing varies between runs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

from audit.core.county import CountyFinding, CountyReport
from audit.core.exitcodes import fails_gate
from audit.core.lifecycle import identity
from audit.core.models import CheckResult, Finding
from audit.render import lifecycle as cycle
from audit.render.county.labels import township_label
from audit.render.labels import severity_name

# How a finding is judged and marked in one suite: whether it fails the gate, its status text.
Judge = tuple[Callable[[Finding], bool], Callable[[Finding], str]]

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: object) -> str:
    return _XML_ILLEGAL.sub("", str(text))


def _line(f: Finding, lang: str, mark: str) -> str:
    village = f" ({f.village_code})" if f.village_code else ""
    marked = f" [{mark}]" if mark else ""
    return f"[{severity_name(f.severity, lang)}]{marked} {f.table} {f.record}{village}: {f.message}"


def _case(
    suite: ET.Element,
    classname: str,
    name: str,
    title: str,
    findings: list[Finding],
    judge: Judge,
    lang: str,
    counts: dict[str, int],
) -> None:
    fails, mark = judge
    tc = ET.SubElement(suite, "testcase")
    tc.set("classname", _x(classname))
    tc.set("name", _x(name))
    counts["tests"] += 1
    body = "\n".join(_line(f, lang, mark(f)) for f in findings)
    if any(fails(f) for f in findings):
        counts["failures"] += 1
        failure = ET.SubElement(tc, "failure")
        failure.set("message", _x(f"{title} ({len(findings)})"))
        failure.set("type", str(findings[0].category))
        failure.text = _x(body)
    elif findings:
        ET.SubElement(tc, "system-out").text = _x(body)


def _checks(
    suite: ET.Element,
    prefix: str,
    checks: Iterable[CheckResult],
    findings: list[Finding],
    judge: Judge,
    lang: str,
    counts: dict[str, int],
) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for c in checks:
        seen.setdefault(c.check, (c.suite, c.title))
    for f in findings:
        seen.setdefault(f.check, ("load", f.check))
    for check, (suite_name, title) in seen.items():
        mine = [f for f in findings if f.check == check]
        _case(suite, f"{prefix}.{suite_name}", check, title, mine, judge, lang, counts)


def _finish(suite: ET.Element, name: str, counts: dict[str, int]) -> None:
    suite.attrib = {"name": _x(name), **{k: str(v) for k, v in counts.items()}, **suite.attrib}


def render(county: CountyReport, *, limit: int = 10) -> str:
    lang = county.lang
    gate = county.fail_on
    root = ET.Element("testsuites")
    root.set("name", _x(f"fourcheck {county.county_name or ''} {county.county_code or ''} "
                        f"{county.period or ''}".strip()))  # fmt: skip
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for t in county.townships:
        suite = ET.SubElement(root, "testsuite")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        prefix = f"fourcheck.{t.township_code or t.folder}"
        if t.report is None:
            tc = ET.SubElement(suite, "testcase")
            tc.set("classname", _x(prefix))
            tc.set("name", "audit")
            error = ET.SubElement(tc, "error")
            error.set("message", _x(t.failure or ""))
            counts["tests"] += 1
            counts["errors"] += 1
        else:
            report = t.report
            own: Judge = (
                lambda f, r=report: fails_gate(r, f, gate),  # type: ignore[misc]
                lambda f, r=report: cycle.full_status(r, f, lang),  # type: ignore[misc]
            )
            _checks(suite, prefix, report.checks, list(report.findings), own, lang, counts)
        cross = [c.finding for c in t.county_findings]
        _checks(suite, f"{prefix}.county", county.checks if cross else (), cross,
                _cross_judge(county, t.county_findings), lang, counts)  # fmt: skip
        _finish(suite, t.label, counts)
        for k in totals:
            totals[k] += counts[k]
    suite = ET.SubElement(root, "testsuite")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    findings = [_with_township(c, county) for c in county.findings]
    judge = _cross_judge(county, county.findings)
    _checks(suite, "fourcheck.county", county.checks, findings, judge, lang, counts)
    _finish(suite, "county", counts)
    for k in totals:
        totals[k] += counts[k]
        if k != "skipped":  # junit-10.xsd: <testsuites> totals tests, failures and errors only
            root.set(k, str(totals[k]))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _with_township(c: CountyFinding, county: CountyReport) -> Finding:
    """The finding with the township to fix it in front of its message."""
    from dataclasses import replace

    return replace(c.finding, message=f"→ {township_label(county, c.township_code)}: "
                   f"{c.finding.message}")  # fmt: skip


def _cross_judge(county: CountyReport, findings: Iterable[CountyFinding]) -> Judge:
    """Cross-township findings: judged and marked by the county's history and acceptances."""
    by_identity = {identity(c.finding): c for c in findings}

    def fails(f: Finding) -> bool:
        return county.fails(by_identity[identity(f)])

    def mark(f: Finding) -> str:
        c = by_identity[identity(f)]
        return cycle.status_cell(county.history, county.acceptances_of(c), f, county.lang)

    return fails, mark
