"""JUnit XML: the audit as a test run, for CI dashboards (GitLab, Jenkins, GitHub test reporters).

Design decisions:

- One `<testsuite>` per suite file (statistics, cross_ledger, ...; "load" for
  the loader's checks), one `<testcase>` per check. The test's identity is
  stable across languages and wording: classname `fourcheck.<suite>`, name
  the check id; the rule's title goes into the failure message.
- A check fails when one of its findings reaches `--fail-on`, so the
  dashboard's red count agrees with the exit code. Findings below the gate
  are listed in the test's `<system-out>`; a check the audit could not
  evaluate (a table missing) is `<skipped>` with the reason.
- The failure body lists every record (JSON aside, this is the format
  machines read); `limit` is for reports people read.
- Built with ElementTree, so every value is escaped; characters XML 1.0
  cannot hold are dropped. Nothing varies between runs (no timestamps).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport, Category, Finding, Severity
from audit.render.labels import label, reaches_gate, severity_name, township_title

LOAD_SUITE = "load"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: object) -> str:
    return _XML_ILLEGAL.sub("", str(text))


@dataclass
class _Case:
    check: str
    suite: str
    title: str
    category: Category
    evaluated: bool = True
    skipped_reason: str | None = None
    findings: list[Finding] = field(default_factory=list)


def _cases(report: AuditReport) -> list[_Case]:
    cases: dict[str, _Case] = {}
    for c in report.checks:
        cases.setdefault(
            c.check, _Case(c.check, c.suite, c.title, c.category, c.evaluated, c.skipped_reason)
        )
    for f in report.findings:
        if f.check not in cases:  # loader checks and any rule without a check result
            cases[f.check] = _Case(f.check, LOAD_SUITE, f.check, f.category)
        cases[f.check].findings.append(f)
    return list(cases.values())


def _line(f: Finding, lang: str) -> str:
    where = f"{f.table} {f.record}".rstrip()
    village = f" ({f.village_code})" if f.village_code else ""
    return f"[{severity_name(f.severity, lang)}] {where}{village}: {f.message}"


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    gate = FailOn(fail_on)
    lang = report.lang
    cases = _cases(report)
    suites: dict[str, list[_Case]] = {}
    for case in cases:
        suites.setdefault(case.suite, []).append(case)

    root = ET.Element("testsuites")
    root.set("name", _x(f"fourcheck {township_title(report, lang)} {report.period}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite_name, suite_cases in suites.items():
        suite = ET.SubElement(root, "testsuite")
        counts = {"tests": len(suite_cases), "failures": 0, "errors": 0, "skipped": 0}
        for case in suite_cases:
            tc = ET.SubElement(suite, "testcase")
            tc.set("classname", _x(f"fourcheck.{suite_name}"))
            tc.set("name", _x(case.check))
            failing = [f for f in case.findings if reaches_gate(f.severity, gate)]
            if not case.evaluated and not case.findings:
                counts["skipped"] += 1
                skipped = ET.SubElement(tc, "skipped")
                skipped.set("message", _x(case.skipped_reason or label("skipped", lang)))
            elif failing:
                counts["failures"] += 1
                failure = ET.SubElement(tc, "failure")
                failure.set("message", _x(_summary(case, lang)))
                failure.set("type", str(case.category))
                failure.text = _x("\n".join(_line(f, lang) for f in case.findings))
            elif case.findings:
                out = ET.SubElement(tc, "system-out")
                out.text = _x(
                    _summary(case, lang) + "\n" + "\n".join(_line(f, lang) for f in case.findings)
                )
        for key in ("tests", "failures", "errors", "skipped"):
            totals[key] += counts[key]
        suite.attrib = {
            "name": _x(suite_name),
            **{k: str(v) for k, v in counts.items()},
            **suite.attrib,
        }
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _summary(case: _Case, lang: str) -> str:
    by_sev = {s: sum(1 for f in case.findings if f.severity is s) for s in Severity}
    counts = label(
        "counts",
        lang,
        errors=by_sev[Severity.ERROR],
        warnings=by_sev[Severity.WARNING],
        info=by_sev[Severity.INFO],
    )
    return f"{case.title} — {counts}"
