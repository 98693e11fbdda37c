"""The HTML report's sex-ratio funnel and its small-screen layout."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from audit.app import run_audit
from audit.core.models import AuditReport
from audit.core.overview import sex_ratio
from audit.render import render
from audit.render.html import FUNNEL_MIN_BIRTHS

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"


@pytest.fixture(scope="module")
def demo() -> AuditReport:
    return replace(run_audit(DEMO, lang="zh"), meta={})


def _funnel(html: str) -> str:
    return re.findall(r"<figure>.*?</figure>", html, re.S)[-1]


def _with(demo: AuditReport, changes: dict[str, tuple[int, int]]) -> AuditReport:
    ov = demo.overview
    assert ov is not None
    rows = tuple(
        replace(r, sex_ratio=sex_ratio(*changes[r.unit])) if r.unit in changes else r
        for r in ov.indicators
    )
    return replace(demo, overview=replace(ov, indicators=rows))


def test_every_village_is_drawn_where_its_ratio_is(demo: AuditReport) -> None:
    """河桥村 has 9 boys and 1 girl (900): on a log axis scaled to the data, not pinned to 200."""
    svg = _funnel(render(demo, "html"))  # type: ignore[arg-type]
    assert svg.count("<circle") == 6  # six villages, all with at least 5 births
    ticks = [int(t.replace(",", "")) for t in re.findall(r'anchor="end">([\d,]+)</text>', svg)]
    assert max(ticks) >= 900 and ">105</text>" in svg
    ys = {name: float(y) for y, name in re.findall(r'cy="([\d.]+)"[^>]*><title>([^:]+):', svg)}
    assert len(set(ys.values())) == 6  # no two villages pinned to the same line
    assert (
        ys["河桥村（340811101005）"] < ys["张塘村（340811101006）"] < ys["桃园村（340811101001）"]
    )
    # only the village outside the limits is named on the chart
    assert re.findall(r'class="outside">([^<]+)<', svg) == ["河桥村（340811101005）"]


def test_zero_and_infinite_ratios_are_marked_and_tiny_villages_not_judged(
    demo: AuditReport,
) -> None:
    report = _with(
        demo,
        {
            "340811101001": (6, 0),
            "340811101002": (0, 7),
            "340811101003": (1, FUNNEL_MIN_BIRTHS - 2),
        },
    )
    svg = _funnel(render(report, "html"))  # type: ignore[arg-type]
    assert svg.count('class="clipped"') == 2  # ∞ at the top, 0 at the bottom, on the frame
    assert ">∞</text>" in svg and ">0.0</text>" in svg
    assert (
        "出生太少，无法判断" in svg and f"柳湾村（340811101003）（{FUNNEL_MIN_BIRTHS - 1}）" in svg
    )
    assert svg.count("<circle") == 3


def test_wide_tables_scroll_inside_their_box_on_narrow_screens(demo: AuditReport) -> None:
    html = render(demo, "html")
    assert isinstance(html, str)
    tables = html.count("<table")
    assert tables > 5 and html.count('<div class="scroll"><table') == tables
    assert ".scroll { overflow-x: auto;" in html and "@media screen and (max-width: 700px)" in html
