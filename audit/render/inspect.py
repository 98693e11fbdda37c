"""`audit inspect`: what the loader read, before any check runs.

Per table: the file, its format and encoding, the rows loaded, which header
each canonical column came from, missing and extra columns, and a digest of
the loaded canonical table; then the load findings. The table form is drawn
by rich into a string (no colour codes unless asked); the JSON form is sorted
and deterministic, and its per-table `rows` and `checksum` depend only on the
canonical content, so a UTF-8 submission and its GB18030 copy with Chinese
headers (or its XLSX/Parquet copy) report the same values.
"""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from audit.core.contract import LEDGER_NAMES_ZH, Ledger, table
from audit.core.models import Severity, Village
from audit.io.loader import Submission
from audit.render.safe import terminal_safe

WIDTH = 100
FINDINGS_SHOWN = 50  # the table form lists this many load findings; JSON lists all

LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "提交文件检查", "en": "Submission inspection"},
    "submission": {"zh": "提交文件夹", "en": "Submission"},
    "manifest": {"zh": "manifest.json", "en": "manifest.json"},
    "no_manifest": {"zh": "（无）", "en": "(none)"},
    "tables": {"zh": "表", "en": "Tables"},
    "table": {"zh": "表", "en": "table"},
    "ledger": {"zh": "台账", "en": "ledger"},
    "file": {"zh": "文件", "en": "file"},
    "format": {"zh": "格式", "en": "format"},
    "encoding": {"zh": "编码", "en": "encoding"},
    "rows": {"zh": "行数", "en": "rows"},
    "columns": {"zh": "列", "en": "columns"},
    "missing": {"zh": "缺列", "en": "missing"},
    "extra": {"zh": "多余列", "en": "extra"},
    "checksum": {"zh": "校验和", "en": "checksum"},
    "table_missing": {"zh": "缺表", "en": "missing"},
    "column": {"zh": "列", "en": "column"},
    "header": {"zh": "表头", "en": "header"},
    "filled": {"zh": "非空", "en": "filled"},
    "missing_columns": {"zh": "缺少的列", "en": "missing columns"},
    "extra_columns": {"zh": "多余的列（未使用）", "en": "extra columns (ignored)"},
    "findings": {"zh": "读取问题", "en": "Load findings"},
    "no_findings": {"zh": "读取时未发现问题。", "en": "No load findings."},
    "severity": {"zh": "级别", "en": "severity"},
    "check": {"zh": "规则", "en": "check"},
    "record": {"zh": "记录", "en": "record"},
    "village": {"zh": "村", "en": "village"},
    "message": {"zh": "说明", "en": "message"},
    "more": {
        "zh": "……另有 {n} 条，完整列表请用 --format json",
        "en": "… and {n} more; --format json lists them all",
    },
    "summary": {
        "zh": "共 {tables} 张表已读取、{missing} 张缺失，{rows} 行；读取问题 {findings} 条"
        "（错误 {errors}，警告 {warnings}）",
        "en": "{tables} tables read, {missing} missing, {rows} rows; {findings} load findings "
        "({errors} errors, {warnings} warnings)",
    },
    "villages": {"zh": "村名表（{n} 个村）", "en": "Villages table ({n} villages)"},
    "villages_none": {
        "zh": "无村名表（villages.csv）：报告中的村以代码显示",
        "en": "No villages table (villages.csv): reports show villages by code",
    },
    "village_name": {"zh": "村名", "en": "name"},
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "警告", "en": "warning"},
    "info": {"zh": "提示", "en": "info"},
}

_SEVERITY_STYLE = {
    Severity.ERROR.value: "bold red",
    Severity.WARNING.value: "yellow",
    Severity.INFO.value: "cyan",
}


def _label(key: str, lang: str, **fields: object) -> str:
    text = LABELS[key].get(lang, LABELS[key]["zh"])
    return text.format(**fields) if fields else text


def inspect_data(sub: Submission, villages: tuple[Village, ...] = ()) -> dict[str, Any]:
    """The inspection as plain data (the JSON form); `villages` from the optional villages table."""
    tables: list[dict[str, Any]] = []
    for load in sub.tables:
        digest = sub.digest(load.table)
        headers = dict(load.columns)
        tables.append(
            {
                "table": load.table,
                "ledger": load.ledger,
                "file": load.path,
                "sheet": load.sheet,  # a worksheet of a workbook holding several tables
                "format": load.format,
                "encoding": load.encoding,
                "rows": digest.rows,
                "checksum": digest.checksum,
                "columns": [
                    {"column": c, "header": headers.get(c), "filled": digest.filled[c]}
                    for c in table(load.table).column_names
                ],
                "missing_columns": list(load.missing_columns),
                "extra_columns": list(load.extra_columns),
            }
        )
    severities = Counter(str(f.severity) for f in sub.findings)
    return {
        "submission": str(sub.path),
        "manifest": dict(sorted(sub.manifest.items())),
        "tables": tables,
        "summary": {
            "tables_read": sum(1 for t in sub.tables if t.path is not None),
            "tables_missing": sum(1 for t in sub.tables if t.path is None),
            "rows": sum(t["rows"] for t in tables),
            "findings": len(sub.findings),
            "errors": severities.get("error", 0),
            "warnings": severities.get("warning", 0),
            "info": severities.get("info", 0),
        },
        "findings": [f.to_dict() for f in sub.findings],
        "villages": [v.to_dict() for v in villages],
    }


def render_inspect(
    sub: Submission,
    fmt: str,
    *,
    lang: str = "zh",
    color: bool = False,
    limit: int = FINDINGS_SHOWN,
    villages: tuple[Village, ...] = (),
) -> str:
    """`fmt` "json" or "table"; colour codes only when `color` is asked for."""
    data = inspect_data(sub, villages)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown inspect format {fmt!r}")
    return _render_table(terminal_safe(data), lang=lang, color=color, limit=limit)


def _ledger(ledger: str, lang: str) -> str:
    return LEDGER_NAMES_ZH[Ledger(ledger)] if lang == "zh" else ledger


def _villages(console: Console, villages: list[dict[str, Any]], L: Any) -> None:
    """The optional villages table: code, name and the extra columns as written."""
    console.print()
    if not villages:
        console.print(Text(L("villages_none"), style="dim"))
        return
    console.print(Text(L("villages", n=len(villages)), style="bold"))
    extra = list(dict.fromkeys(k for v in villages for k in v["extra"]))
    t = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    t.add_column(L("village"), no_wrap=True)
    t.add_column(L("village_name"), no_wrap=True)
    for header in extra:
        t.add_column(header, overflow="fold")
    for v in villages:
        t.add_row(v["code"], v["name"], *(v["extra"].get(h, "") for h in extra))
    console.print(t)


def _render_table(data: dict[str, Any], *, lang: str, color: bool, limit: int) -> str:
    out = StringIO()
    console = Console(
        file=out,
        width=WIDTH,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )

    def L(key: str, **fields: object) -> str:
        return _label(key, lang, **fields)

    console.print(Text(L("title"), style="bold"))
    console.print(f"{L('submission')}: {data['submission']}")
    manifest = data["manifest"]
    shown = ", ".join(f"{k}={v}" for k, v in manifest.items()) if manifest else L("no_manifest")
    console.print(f"{L('manifest')}: {shown}")
    console.print()

    overview = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for key, justify in (
        ("table", "left"),
        ("ledger", "left"),
        ("file", "left"),
        ("format", "left"),
        ("encoding", "left"),
        ("rows", "right"),
        ("columns", "right"),
        ("missing", "right"),
        ("extra", "right"),
    ):
        overview.add_column(L(key), justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for t in data["tables"]:
        if t.get("sheet"):  # as Excel refers to a sheet: [统计站.xlsx]花名册
            t = {**t, "file": f"[{t['file']}]{t['sheet']}"}
        n_cols = len(table(t["table"]).column_names)
        if t["file"] is None:
            overview.add_row(
                t["table"],
                _ledger(t["ledger"], lang),
                Text(L("table_missing"), style="bold red"),
                *("",) * 6,
            )
            continue
        overview.add_row(
            t["table"],
            _ledger(t["ledger"], lang),
            t["file"],
            t["format"],
            t["encoding"] or "",
            f"{t['rows']:,}",
            f"{n_cols - len(t['missing_columns'])}/{n_cols}",
            str(len(t["missing_columns"])) if t["missing_columns"] else "",
            str(len(t["extra_columns"])) if t["extra_columns"] else "",
        )
    console.print(overview)

    for t in data["tables"]:
        if t["file"] is None:
            continue
        if t.get("sheet"):
            t = {**t, "file": f"[{t['file']}]{t['sheet']}"}
        console.print()
        console.print(
            Text(f"{t['table']} ({table(t['table']).title_zh}) — {t['file']}", style="bold"),
            Text(f"  {L('checksum')} {t['checksum']}", style="dim"),
        )
        cols = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        cols.add_column(L("column"))
        cols.add_column(L("header"))
        cols.add_column(L("filled"), justify="right")
        for c in t["columns"]:
            if c["header"] is None:
                cols.add_row(c["column"], Text(L("missing"), style="yellow"), "")
            else:
                cols.add_row(c["column"], c["header"], f"{c['filled']:,}")
        console.print(cols)
        if t["missing_columns"]:
            console.print(f"{L('missing_columns')}: {', '.join(t['missing_columns'])}")
        if t["extra_columns"]:
            console.print(f"{L('extra_columns')}: {', '.join(t['extra_columns'])}")

    _villages(console, data["villages"], L)

    console.print()
    findings = data["findings"]
    console.print(Text(f"{L('findings')} ({len(findings)})", style="bold"))
    if not findings:
        console.print(L("no_findings"))
    else:
        # Grouped by table (contract order), each group in the findings' own order.
        order = {t["table"]: i for i, t in enumerate(data["tables"])}
        listed = sorted(findings[:limit], key=lambda f: order.get(f["table"], len(order)))
        groups: dict[str, list[dict[str, Any]]] = {}
        for f in listed:
            groups.setdefault(f["table"], []).append(f)
        for name, group in groups.items():
            console.print(Text(f"{name} ({table(name).title_zh})", style="bold"))
            ft = RichTable(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 2))
            for _ in range(4):
                ft.add_column(no_wrap=True)
            ft.add_column(overflow="fold", ratio=1)
            for f in group:
                sev = f["severity"]
                ft.add_row(
                    Text(L(sev), style=_SEVERITY_STYLE[sev]),
                    f["check"],
                    f["record"],
                    f["village_code"] or "",
                    f["message"],
                )
            console.print(ft)
        if len(findings) > limit:
            console.print(L("more", n=len(findings) - limit))
    s = data["summary"]
    console.print()
    console.print(
        L(
            "summary",
            tables=s["tables_read"],
            missing=s["tables_missing"],
            rows=f"{s['rows']:,}",
            findings=s["findings"],
            errors=s["errors"],
            warnings=s["warnings"],
        )
    )
    return out.getvalue()
