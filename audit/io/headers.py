"""Two-row headers: a group header over sub-headers, as township registers print them.

Design decision: a register often groups columns under a merged cell, e.g. 避孕措施
over 方法 and 日期. The reader takes the row naming the key columns as the header; if
the row below it names more of the table's columns when read with the group header
above (避孕措施 + 方法 = 避孕措施方法), and is empty under the key columns (so it cannot
be a record), it is a sub-header row: the two rows become one header and the data
starts below them. A merged group cell holds its text in its first column only, so a
group header carries on to the right over the empty cells of its span. Pure over the
raw frame, the same for CSV, XLSX and XLS.
"""

from __future__ import annotations

from dataclasses import replace

from audit.core import contract
from audit.core.contract import Table
from audit.io.readers import RawTable


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def combined_headers(top: list[str], sub: list[str], t: Table) -> list[str]:
    """One header per column from a group row and a sub-header row."""
    known = contract.header_map(t)

    def maps(header: str) -> bool:
        return contract.normalise_header(header) in known

    out: list[str] = []
    group = ""
    for head, below in zip(top, sub, strict=True):
        if head:
            group = head
        elif not below:
            group = ""  # an empty column ends a merged span
        if not below:
            out.append(head)
            continue
        candidates = [f"{group}{below}", below] if group else [below]
        out.append(next((c for c in candidates if maps(c)), candidates[0]))
    return out


def merge_sub_header(t: Table, raw: RawTable) -> RawTable:
    """`raw` with a sub-header row folded into its header (unchanged when there is none)."""
    frame = raw.frame
    if frame.height == 0:
        return raw
    sub = [_text(v) for v in frame.row(0)]
    if not any(sub):
        return raw
    top = list(raw.headers) + [""] * (len(sub) - len(raw.headers))
    known = contract.header_map(t)

    def mapped(headers: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, h in enumerate(headers):
            name = known.get(contract.normalise_header(h)) if h else None
            if name is not None:
                out.setdefault(name, i)
        return out

    before = mapped(top)
    if any(sub[before[k]] for k in t.key if k in before):  # a value under a key: a record
        return raw
    merged = combined_headers(top, sub, t)
    if not set(mapped(merged)) - set(before):
        return raw
    short = tuple((r - 1, f) for r, f in raw.short_rows if r > 1)
    return replace(raw, headers=tuple(merged), frame=frame.slice(1), short_rows=short)
