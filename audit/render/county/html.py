"""County HTML: one self-contained page with a township index, to open, mail or print on A4.

- Inline CSS only (no script, font or remote file); every value escaped.
- Top: the county verdict and counts, the township index (links to each
  township's section, coloured by verdict), the ranking table with the four
  numbers and quality scores; then the findings across townships, each with
  the township to fix it (linked); then one section per township with its own
  findings and the cross-township ones sent to it, the first `limit` of each.
- Printable: tables repeat their header and keep rows whole, each township
  starts on a new page.
"""

from __future__ import annotations

from html import escape

from audit.core.county import CountyFinding, CountyReport, TownshipEntry
from audit.core.models import AuditReport, Finding, Severity
from audit.render.county.labels import (
    counts_line,
    cross_ordered,
    cross_since_line,
    cross_status,
    four_gaps,
    has_cycle,
    label,
    own_ordered,
    own_status,
    resolved_title,
    result_text,
    status_head,
    township_cycle_lines,
    township_label,
)
from audit.render.labels import category_name, fmt_pct, severity_name

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 24px; color: #1b1b1b; font-size: 14px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; }
h3 { font-size: 16px; margin-top: 24px; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 8px 0; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #e8eef4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
.pass { background: #00803c; color: #fff; font-weight: bold; padding: 1px 6px; }
.fail { background: #c00000; color: #fff; font-weight: bold; padding: 1px 6px; }
.unusable { background: #7030a0; color: #fff; font-weight: bold; padding: 1px 6px; }
.error { color: #c00000; font-weight: bold; } .warning { color: #9c6500; } .info { color: #1f6feb; }
.note { color: #555; font-size: 12px; } code { font-size: 12px; }
.since { font-weight: bold; } td.status { white-space: nowrap; font-size: 12px; }
nav.index { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
nav.index a { text-decoration: none; border-radius: 3px; }
section.township { page-break-before: always; }
@page { size: A4 landscape; margin: 12mm; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _anchor(code: str) -> str:
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in code)


def _verdict_class(t: TownshipEntry) -> str:
    return "pass" if t.passed else ("fail" if t.audited else "unusable")


def render(county: CountyReport, *, limit: int = 10) -> str:
    lang = county.lang
    name = " ".join(x for x in (county.county_name, county.county_code) if x)
    ok = county.passed() and not county.unusable
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{_e(label('title', lang))} {_e(name)} {_e(county.period or '')}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(label('title', lang))} — {_e(name)}</h1>",
        f"<p>{_e(label('period', lang))}: {_e(county.period or '—')} · {_e(counts_line(county))}",
    ]
    if county.expected:
        missing = sum(1 for f in county.findings if f.finding.check == "county-township-missing")
        out.append(
            " · " + _e(label("expected_line", lang, expected=len(county.expected), missing=missing))
        )
    out.append("</p>")
    cls = "pass" if ok else "fail"
    out.append(
        f'<p>{_e(label("verdict", lang))}: <span class="{cls}">'
        f"{_e(label('pass', lang) if ok else label('fail', lang))}</span> "
        f'<span class="note">{_e(label("gate", lang, gate=county.fail_on))}</span></p>'
    )
    out.append('<nav class="index">')
    for t in county.townships:
        out.append(
            f'<a class="{_verdict_class(t)}" href="#{_anchor(t.township_code or t.folder)}">'
            f"{_e(t.township_name or t.folder)}</a>"
        )
    out.append("</nav>")
    out += _ranking(county, lang)
    if county.findings:
        out.append(f"<h2>{_e(label('cross', lang))} ({len(county.findings)})</h2>")
        since = cross_since_line(county)
        if since:
            out.append(f'<p class="since">{_e(since)}</p>')
        out += _cross(county, list(county.findings), lang, limit)
        if county.history is not None:
            out += _resolved(county.history.resolved, lang, limit)
    else:
        out.append(f"<h2>{_e(label('cross_none', lang))}</h2>")
    out.append(f"<h2>{_e(label('per_township', lang))}</h2>")
    for t in county.townships:
        out += _township(county, t, lang, limit)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _ranking(county: CountyReport, lang: str) -> list[str]:
    keys = (
        "rank",
        "township",
        "result",
        "errors",
        "warnings",
        "county_col",
        "women",
        "completeness",
        "correctness",
        "four",
    )
    out = [
        f"<h2>{_e(label('ranking', lang))}</h2>",
        "<table><thead><tr>"
        + "".join(f"<th>{_e(label(k, lang)).replace(chr(10), '<br>')}</th>" for k in keys)
        + "</tr></thead><tbody>",
    ]
    for t in county.townships:
        completeness, correctness = t.quality()
        gaps = four_gaps(t)
        link = f'<a href="#{_anchor(t.township_code or t.folder)}">{_e(t.label)}</a>'
        verdict = f'<span class="{_verdict_class(t)}">{_e(result_text(t, lang))}</span>'
        if not t.audited:
            verdict += f"<br>{_e(t.failure or '')}"
        cells = [
            f'<td class="n">{_e(t.rank if t.rank is not None else "—")}</td>',
            f"<td>{link}</td>",
            f"<td>{verdict}</td>",
            f'<td class="n">{t.count(Severity.ERROR)}</td>',
            f'<td class="n">{t.count(Severity.WARNING)}</td>',
            f'<td class="n">{len(t.county_findings)}</td>',
            f'<td class="n">{_e(f"{t.women:,}" if t.audited else "—")}</td>',
            f'<td class="n">{_e(fmt_pct(completeness))}</td>',
            f'<td class="n">{_e(fmt_pct(correctness))}</td>',
            f'<td class="n">{_e(" ".join(gaps) if gaps else "—")}</td>',
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    out.append(f'<p class="note">{_e(label("four_note", lang))}<br>')
    out.append(f"{_e(label('rank_note', lang))}</p>")
    return out


def _head(heads: tuple[str, ...], status: bool, lang: str) -> str:
    cells = [_e(label(k, lang)) for k in heads] + ([_e(status_head(lang))] if status else [])
    return "<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr></thead><tbody>"


def _resolved(resolved: tuple[Finding, ...], lang: str, limit: int) -> list[str]:
    if not resolved:
        return []
    out = [f'<p class="note">{_e(resolved_title(lang, len(resolved)))}:']
    out += [f"<br>{_e(f.check)} <code>{_e(f.record)}</code>" for f in resolved[:limit]]
    if len(resolved) > limit:
        out.append(f"<br>{_e(label('more', lang, n=len(resolved) - limit))}")
    return [*out, "</p>"]


def _cross(county: CountyReport, rows: list[CountyFinding], lang: str, limit: int) -> list[str]:
    status = has_cycle(county)
    out = [_head(("severity", "send_to", "check", "record", "message"), status, lang)]
    for c in cross_ordered(county, rows)[:limit]:
        f = c.finding
        to = township_label(county, c.township_code)
        mark = f'<td class="status">{_e(cross_status(county, c))}</td>' if status else ""
        out.append(
            f'<tr><td class="{f.severity}">{_e(severity_name(f.severity, lang))}</td>'
            f'<td><a href="#{_anchor(c.township_code)}">{_e(to)}</a></td>'
            f"<td>{_e(f.check)}<br>{_e(category_name(f.category, lang))}</td>"
            f"<td><code>{_e(f.record)}</code></td><td>{_e(f.message)}</td>{mark}</tr>"
        )
    out.append("</tbody></table>")
    if len(rows) > limit:
        out.append(f'<p class="note">{_e(label("more", lang, n=len(rows) - limit))}</p>')
    return out


def _own(report: AuditReport, status: bool, lang: str, limit: int) -> list[str]:
    findings = own_ordered(report)
    out = [_head(("severity", "check", "record", "message"), status, lang)]
    for f in findings[:limit]:
        mark = f'<td class="status">{_e(own_status(report, f))}</td>' if status else ""
        out.append(
            f'<tr><td class="{f.severity}">{_e(severity_name(f.severity, lang))}</td>'
            f"<td>{_e(f.check)}<br>{_e(category_name(f.category, lang))}</td>"
            f"<td><code>{_e(f.record)}</code><br>{_e(f.village_code or '')}</td>"
            f"<td>{_e(f.message)}</td>{mark}</tr>"
        )
    out.append("</tbody></table>")
    if len(findings) > limit:
        out.append(f'<p class="note">{_e(label("more", lang, n=len(findings) - limit))}</p>')
    return out


def _township(county: CountyReport, t: TownshipEntry, lang: str, limit: int) -> list[str]:
    out = [
        f'<section class="township" id="{_anchor(t.township_code or t.folder)}">',
        f"<h3>{_e(t.rank or '—')}. {_e(t.label)} "
        f'<span class="{_verdict_class(t)}">{_e(result_text(t, lang))}</span></h3>',
        f'<p class="note">{_e(label("folder", lang))}: <code>{_e(t.folder)}</code></p>',
    ]
    if t.report is None:
        out.append(f"<p>{_e(label('reason', lang))}: {_e(t.failure or '')}</p></section>")
        return out
    s = t.report.summary()
    out.append(
        f"<p>{_e(label('errors', lang))} {s['errors']} · {_e(label('warnings', lang))} "
        f"{s['warnings']} · info {s['info']}</p>"
    )
    for i, line in enumerate(township_cycle_lines(t.report)):
        cls = "since" if i == 0 and t.report.history else "note"
        out.append(f'<p class="{cls}">{_e(line)}</p>')
    if t.report.findings:
        out += _own(t.report, has_cycle(county), lang, limit)
    if t.report.history is not None:
        out += _resolved(t.report.history.resolved, lang, limit)
    if t.county_findings:
        out.append(f"<p><b>{_e(label('cross', lang))}</b></p>")
        out += _cross(county, list(t.county_findings), lang, limit)
    out.append("</section>")
    return out
