"""Plain text summary: the verdict, counts per check and the first records of each check.

The stand-in for the rich `table` format; no colour, no dependencies, so it
is also what a log file or a pipe gets.
"""

from __future__ import annotations

from itertools import groupby

from audit.core.exitcodes import ExitCode, FailOn, exit_code_for
from audit.core.models import AuditReport, Finding

_LABELS = {
    "zh": {
        "title": "四数一致审核",
        "period": "报告期",
        "township": "乡镇",
        "window": "审核区间",
        "findings": "问题",
        "errors": "错误",
        "warnings": "警告",
        "info": "提示",
        "pass": "通过",
        "fail": "未通过",
        "more": "… 另有 {n} 条",
    },
    "en": {
        "title": "Four-number audit",
        "period": "period",
        "township": "township",
        "window": "window",
        "findings": "findings",
        "errors": "errors",
        "warnings": "warnings",
        "info": "info",
        "pass": "PASS",
        "fail": "FAIL",
        "more": "... {n} more",
    },
}


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    lab = _LABELS.get(report.lang, _LABELS["zh"])
    s = report.summary()
    verdict = lab["pass"] if exit_code_for(report, fail_on) is ExitCode.OK else lab["fail"]
    lines = [
        f"{lab['title']}: {lab['township']} {report.township_code or '-'}"
        f"{' ' + report.township_name if report.township_name else ''}, "
        f"{lab['period']} {report.period}, "
        f"{lab['window']} {report.window.start.isoformat()} .. {report.window.end.isoformat()}",
        f"{verdict}: {s['findings']} {lab['findings']} — {s['errors']} {lab['errors']}, "
        f"{s['warnings']} {lab['warnings']}, {s['info']} {lab['info']}",
    ]
    by_check = sorted(report.findings, key=lambda f: (f.check, f.sort_key()))
    titles = {c.check: c.title for c in report.checks}
    for check, group in groupby(by_check, key=lambda f: f.check):
        items: list[Finding] = list(group)
        title = titles.get(check, "")
        lines.append("")
        lines.append(f"[{check}] {title} ({len(items)})")
        for f in items[: max(limit, 0)]:
            village = f.village_code or "-"
            lines.append(f"  {f.severity:<7} {village:<12} {f.table}:{f.record}  {f.message}")
        if len(items) > limit:
            lines.append("  " + lab["more"].format(n=len(items) - limit))
    return "\n".join(lines) + "\n"
