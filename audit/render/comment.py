"""Markdown for a pull-request or issue comment: always under GitHub's 65,536 characters.

Design decisions:

- The same Markdown as `--format markdown` (audit.render.markdown), arranged for a
  comment: the summary (header, verdict, four numbers, indicators, data quality,
  capture–recapture) in full, then the findings of each village folded in a
  `<details>` block whose summary line carries the village's counts.
- A size budget, not a row count: villages are added in the report's order while
  they fit in `BUDGET` characters; a village that does not fit whole is cut inside
  with the number of rows left out, and the villages after it are counted in one
  closing line. The full list stays available with `--format markdown`, `xlsx` or
  `json`, which this format never replaces.
- "Whatever the size": with hundreds of villages even the summary tables would not
  fit, so they keep as many village rows as the budget allows (the township row
  always) and say how many they leave out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from audit.core.exitcodes import FailOn
from audit.core.models import AuditReport, Severity
from audit.core.overview import TOWNSHIP, Overview
from audit.render import markdown as md
from audit.render.labels import FindingGroup, finding_unit, fmt_int, group_findings, label

LIMIT = 65_536  # GitHub's maximum comment body, in characters
BUDGET = 60_000  # what this format uses: room for a tool's own header or footer
SUMMARY_SHARE = 0.5  # at most this share of the budget goes to the summary tables


def render(report: AuditReport, *, fail_on: FailOn | str = FailOn.ERROR, limit: int = 10) -> str:
    lang = report.lang
    names = report.village_names()
    head = md._header(report, lang) + md._verdict(report, fail_on, lang)
    summary = _summary(report.overview, lang, names, int(BUDGET * SUMMARY_SHARE))
    out = [*head, *summary, "", f"## {label('findings', lang)} ({len(report.findings):,})"]
    if not report.findings:
        out += ["", md.escape(label("no_findings", lang))]
        return "\n".join(out) + "\n"
    used = len("\n".join(out)) + 1
    groups = group_findings(report)
    for i, group in enumerate(groups):
        counts = label(
            "counts",
            lang,
            errors=group.count(Severity.ERROR),
            warnings=group.count(Severity.WARNING),
            info=group.count(Severity.INFO),
        )
        unit = finding_unit(group.village_code, report.township_code, lang, names)
        title = md.escape(label("findings_of", lang, unit=unit, counts=counts))
        opening = ["", "<details>", f"<summary>{title}</summary>"]
        closing = ["", "</details>"]
        body = md._finding_group(report, group, lang, max(limit, 0))[2:]  # without its heading
        rest = _closing_line(groups[i + 1 :], lang)
        room = BUDGET - used - _size(opening) - _size(closing) - len(rest) - 2
        if room < 400:  # not even a useful part of this village: count it with the rest
            out.append(_closing_line(groups[i:], lang))
            break
        if _size(body) > room:
            body = _cut(body, room, lang)
        block = [*opening, *body, *closing]
        out += block
        used += _size(block)
    text = "\n".join(out).rstrip("\n") + "\n"
    if len(text) >= LIMIT:  # a header beyond any budget (a huge file list): cut, and say so
        text = (
            text[: text.rfind("\n", 0, LIMIT - 300)]
            + "\n\n_"
            + label("comment_cut_all", lang)
            + "_\n"
        )
    return text


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _cut(body: list[str], room: int, lang: str) -> list[str]:
    """The first lines of a village's findings that fit in `room`, then how many were cut."""
    kept: list[str] = []
    used = 0
    for line in body:
        if used + len(line) + 1 > room - 200:
            break
        kept.append(line)
        used += len(line) + 1
    dropped = sum(1 for line in body[len(kept) :] if line.startswith("| ") and "---" not in line)
    header_rows = sum(1 for line in body[len(kept) :] if line.startswith("| ") and _is_header(line))
    left = max(0, dropped - header_rows)
    if left:
        kept += ["", f"_{md.escape(label('comment_cut', lang, n=fmt_int(left)))}_"]
    return kept


def _is_header(line: str) -> bool:
    return any(line.startswith(f"| {label('severity', lang)} |") for lang in ("zh", "en"))


def _closing_line(rest: list[FindingGroup], lang: str) -> str:
    if not rest:
        return ""
    findings = sum(len(g.findings) for g in rest)
    return "\n" + (
        f"_{md.escape(label('comment_rest', lang, units=len(rest), n=fmt_int(findings)))}_"
    )


def _summary(ov: Overview | None, lang: str, names: dict[str, str], budget: int) -> list[str]:
    """The summary tables; with too many villages for the budget, the first villages and
    the township row, and how many villages were left out."""
    if ov is None:
        return ["", f"_{md.escape(label('overview_missing', lang))}_"]
    villages = len([r for r in ov.four_numbers if r.level != TOWNSHIP])
    keep = villages
    while True:
        trimmed = ov if keep == villages else _trim(ov, keep)
        lines = [
            *md._four_numbers(trimmed, lang, names),
            *md._indicators(trimmed, lang, names),
            *md._quality(trimmed, lang, names),
            *md._capture_recapture(trimmed, lang),
        ]
        if _size(lines) <= budget or keep == 0:
            break
        keep = keep * 2 // 3
    if keep < villages:
        lines += ["", f"_{md.escape(label('comment_villages_cut', lang, n=villages - keep))}_"]
    return lines


def _trim(ov: Overview, keep: int) -> Overview:
    def first(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        units = [r for r in rows if r.level != TOWNSHIP]
        return (*units[:keep], *(r for r in rows if r.level == TOWNSHIP))

    return replace(
        ov,
        four_numbers=first(ov.four_numbers),
        indicators=first(ov.indicators),
        quality=first(ov.quality),
    )
