"""`--format comment`: Markdown that fits a pull-request comment whatever the township's size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from audit.app import run_audit
from audit.core.models import AuditReport, Category, Finding, Severity, sort_findings
from audit.core.overview import TOWNSHIP
from audit.render import render
from audit.render.comment import LIMIT

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"


@pytest.fixture(scope="module")
def demo() -> AuditReport:
    return replace(run_audit(DEMO, lang="zh"), meta={})


def _big(report: AuditReport, villages: int, per_village: int) -> AuditReport:
    """The demo's figures and findings copied onto `villages` villages."""
    ov = report.overview
    assert ov is not None
    codes = [f"340811101{v:03d}" for v in range(1, villages + 1)]

    def spread(rows: tuple) -> tuple:  # type: ignore[type-arg]
        town = [r for r in rows if r.level == TOWNSHIP]
        first = next(r for r in rows if r.level != TOWNSHIP)
        return (*(replace(first, unit=c) for c in codes), *town)

    findings = [
        Finding(
            "birth-late-report",
            Category.TIMELINESS if k % 2 else Category.LOGIC,
            Severity.ERROR if k % 3 else Severity.WARNING,
            ("statistics",),
            "births",
            f"B{v:03d}{k:05d}",
            code,
            f"出生登记 B{v:03d}{k:05d}（母亲 340811199512216481，婴儿 黄浩阳，2026-02-19 出生）"
            "出生后 40 天才上报（2026-03-31），超过 30 天",
        )
        for v, code in enumerate(codes)
        for k in range(per_village)
    ]
    return replace(
        report,
        findings=sort_findings(findings),
        overview=replace(
            ov,
            four_numbers=spread(ov.four_numbers),
            indicators=spread(ov.indicators),
            quality=spread(ov.quality),
        ),
    )


def test_small_township_comment_has_everything_folded_by_village(demo: AuditReport) -> None:
    text = render(demo, "comment")
    assert isinstance(text, str)
    full = render(demo, "markdown")
    assert isinstance(full, str)
    assert text.count("<details>") == text.count("</details>") == 7  # township + 6 villages
    assert "<summary>桃园村（340811101001）：错误 1 条，警告 1 条，提示 0 条</summary>" in text
    for finding in demo.findings:  # nothing cut: every message of the full report is there
        assert finding.message.split("（")[0] in text
    assert "未列出" not in text
    # the summary is the Markdown report's, word for word
    start = full.index("## 四数对比")
    assert full[start : full.index("## 问题清单")].rstrip() in text


@pytest.mark.parametrize(
    ("villages", "per_village", "limit"), [(40, 60, 10), (40, 60, 1000), (999, 30, 10)]
)
def test_comment_stays_under_githubs_limit_whatever_the_size(
    demo: AuditReport, villages: int, per_village: int, limit: int
) -> None:
    big = _big(demo, villages, per_village)
    full = render(big, "markdown", limit=limit)
    text = render(big, "comment", limit=limit)
    assert isinstance(full, str) and isinstance(text, str)
    assert len(full) > LIMIT  # the plain Markdown would not fit a comment
    assert len(text) < LIMIT
    assert text.count("<details>") == text.count("</details>") >= 1
    # what was left out is counted, never silently dropped
    assert "未列出" in text
    if villages == 999:
        assert "个村未列出" in text  # even the summary tables had to give way
        assert "**全乡镇**" in text  # the township row always stays
    else:
        assert f"340811101{villages:03d}" in text  # every village is in the summary tables
