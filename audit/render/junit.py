"""JUnit XML: the audit as a test run, for CI dashboards (GitLab, Jenkins, GitHub test reporters).

Design decisions:

- Valid against the common ``junit-10.xsd`` (Jenkins' xUnit, pytest): the
  totals on ``<testsuites>`` are tests, failures and errors; skipped is counted
  per ``<testsuite>``.
- One `<testsuite>` per suite file (statistics, cross_ledger, ...; "load" for
  the loader's checks), one `<testcase>` per rule (`audit.core.outcomes`).
  The test's identity is stable across languages and wording: classname
  `fourcheck.<suite>`, name the rule's unique name (the check id, or
  `dup-key[checkups]` when an id covers several rules); the rule's own title
  goes into the failure or skipped message.
- A rule fails when one of its findings reaches `--fail-on`, so the
  dashboard's red count agrees with the exit code. Findings below the gate
  are listed in the test's `<system-out>`; a rule the audit could not
  evaluate (a table it needs is missing) is `<skipped>` with the reason.
- The failure body lists every record (JSON aside, this is the format
  machines read); `limit` is for reports people read.
- Built with ElementTree, so every value is escaped; characters XML 1.0
  cannot hold are dropped. Nothing varies between runs (no timestamps).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport, Finding, Severity
from audit.core.outcomes import Outcome, Status, outcomes
from audit.render import lifecycle as cycle
from audit.render.labels import label, severity_name, township_title

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: object) -> str:
    return _XML_ILLEGAL.sub("", str(text))


def _line(report: AuditReport, f: Finding, lang: str) -> str:
    where = f"{f.table} {f.record}".rstrip()
    village = f" ({f.village_code})" if f.village_code else ""
    status = cycle.full_status(report, f, lang)
    marked = f" [{status}]" if status else ""
    return f"[{severity_name(f.severity, lang)}]{marked} {where}{village}: {f.message}"


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    gate = FailOn(fail_on)
    lang = report.lang
    suites: dict[str, list[Outcome]] = {}
    for outcome in outcomes(report, gate):
        suites.setdefault(outcome.suite, []).append(outcome)

    root = ET.Element("testsuites")
    root.set("name", _x(f"fourcheck {township_title(report, lang)} {report.period}"))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite_name, cases in suites.items():
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.status is Status.FAILED),
            "errors": 0,
            "skipped": sum(1 for c in cases if c.status is Status.SKIPPED),
        }
        suite = ET.SubElement(
            root, "testsuite", {"name": _x(suite_name), **{k: str(v) for k, v in counts.items()}}
        )
        for case in cases:
            tc = ET.SubElement(suite, "testcase")
            tc.set("classname", _x(f"fourcheck.{suite_name}"))
            tc.set("name", _x(case.name))
            if case.status is Status.SKIPPED:
                skipped = ET.SubElement(tc, "skipped")
                reason = case.skipped_reason or label("skipped", lang)
                skipped.set("message", _x(f"{case.title or case.check} — {reason}"))
            elif case.status is Status.FAILED:
                failure = ET.SubElement(tc, "failure")
                failure.set("message", _x(_summary(case, lang)))
                failure.set("type", str(case.category))
                failure.text = _x("\n".join(_line(report, f, lang) for f in case.findings))
            elif case.findings:
                out = ET.SubElement(tc, "system-out")
                out.text = _x(
                    _summary(case, lang)
                    + "\n"
                    + "\n".join(_line(report, f, lang) for f in case.findings)
                )
        for key in totals:
            totals[key] += counts[key]
    since = cycle.since_line(report, lang)
    if since is not None:  # the month's movement as one passing case: the status, the resolved
        suite = ET.SubElement(root, "testsuite", name="history", tests="1", failures="0")
        suite.set("errors", "0")
        tc = ET.SubElement(
            suite, "testcase", classname="fourcheck.history", name="since-last-month"
        )
        out = ET.SubElement(tc, "system-out")
        resolved = report.history.resolved if report.history is not None else ()
        out.text = _x(
            "\n".join(
                [
                    since,
                    *cycle.acceptance_notes(report, lang),
                    *(
                        f"[{cycle.word('resolved', lang)}] {f.check} {f.table} {f.record}: "
                        f"{f.message}"
                        for f in resolved
                    ),
                ]
            )
        )
        totals["tests"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _summary(case: Outcome, lang: str) -> str:
    counts = label(
        "counts",
        lang,
        errors=case.count(Severity.ERROR),
        warnings=case.count(Severity.WARNING),
        info=case.count(Severity.INFO),
    )
    return f"{case.title or case.check} — {counts}"
