"""The HTML report in a real browser: headless Chromium loads it offline, shows the verdict and
the village rows, logs no console message, and prints it on A4.

Skipped (saying why) where Chromium is not installed; CI installs Debian's `chromium`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.core.overview import Overview
from audit.render import render
from audit.render.labels import label
from tests.helpers import VILLAGE_A, VILLAGE_B
from tests.test_render import crafted, figures  # noqa: F401  (module fixture)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((p for p in map(shutil.which, BROWSERS) if p), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian: apt-get install chromium); "
    "the HTML report is not rendered in a browser here",
)

# Offline and quiet: no first-run work, no background or component traffic, and every host
# name resolves to nothing, so a report that tried to fetch anything could not.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\))?[:\]].*")


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    return [m.group(0) for m in CONSOLE.finditer(stderr)]


def _page(tmp_path: Path, report_html: str, name: str = "report.html") -> Path:
    page = tmp_path / name
    page.write_text(report_html, encoding="utf-8")
    return page


def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The console check itself: a page that logs an error must be noticed."""
    page = _page(tmp_path, '<!DOCTYPE html><p>x</p><script>console.error("boom")</script>')
    run = chromium(page, tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert any("boom" in m for m in console_messages(run.stderr)), run.stderr[-2000:]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_shows_verdict_and_villages(
    lang: str,
    figures: Overview,  # noqa: F811
    tmp_path: Path,
) -> None:
    html = render(crafted(lang, figures), "html")
    assert isinstance(html, str)
    run = chromium(_page(tmp_path, html), tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    dom = run.stdout
    verdict = re.search(r'<section class="verdict fail" id="verdict">(.*?)</section>', dom)
    assert verdict is not None and label("fail", lang) in verdict.group(1)
    four = re.search(r'<section id="four-numbers">(.*?)</section>', dom, re.S)
    assert four is not None
    rows = re.findall(r"<tr(?: class=\"total\")?><td>([^<]*)</td>", four.group(1))
    assert rows == [VILLAGE_A, VILLAGE_B, label("no_village", lang), label("township_total", lang)]
    assert dom.count("<svg") == 1  # the crafted villages have too few births for the funnel
    assert "<script>" not in dom  # the hostile record stayed text


def test_screenshot_and_a4_print(figures: Overview, tmp_path: Path) -> None:  # noqa: F811
    html = render(crafted("zh", figures), "html")
    assert isinstance(html, str)
    page = _page(tmp_path, html)
    shot = tmp_path / "report.png"
    run = chromium(page, tmp_path / "p1", f"--screenshot={shot}", "--window-size=900,2400")
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 900  # width from the IHDR chunk
    assert len(data) > 50_000  # text, tables and charts, not a blank page
    pdf = tmp_path / "report.pdf"
    run = chromium(page, tmp_path / "p2", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert run.returncode == 0, run.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4 is 595 × 842 points
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1
