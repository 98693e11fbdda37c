"""Footer rows below a township table: totals and signatures, which are not records.

Design decisions:

- Registers printed from office software end with a total row (合计 1501人, or
  合计 under the key column with column totals beside it) and signature lines
  (填表人：… 审核人：… 填报日期：…). Read as records they become people with
  malformed IDs. A footer is recognised only at the bottom: from the last row
  upwards, over blank rows and rows that start with a total word or carry a
  signature word, and no further than `MAX_FOOTER_ROWS`; a row in the middle of
  the data is always a record.
- A total row is checked, not trusted and not dropped silently: the count it
  states ("1501人", "共1501条") must equal the records read, and a number under an
  integer column must equal that column's sum (`total-row` findings, by the
  loader). Signature rows carry nothing to check.
- Pure over the raw frame's text (no file access), so a reader that later loads
  straight into DuckDB can keep it: it needs only the last rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

MAX_FOOTER_ROWS = 20
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数", "total")
SIGNATURE_WORDS = (
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "负责人",
    "统计员",
    "填表日期",
    "填报日期",
    "制表日期",
    "报送日期",
    "联系电话",
    "盖章",
)
# "1501人", "共 1501 条", "1,501名": the number of records a total row states.
_COUNT = re.compile(r"(?:共\s*)?(\d[\d,]*)\s*(?:人|条|户|名|例|笔|行)")


@dataclass(frozen=True)
class TotalRow:
    row: int  # data row number (1 = first row below the header), as in key-missing
    cells: tuple[str | None, ...]  # the row's cells as text, positional like the frame

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)

    def stated_count(self) -> int | None:
        m = _COUNT.search(self.text)
        return int(m.group(1).replace(",", "")) if m else None


@dataclass(frozen=True)
class Footer:
    start: int  # index of the first footer row in the frame (the frame's height: none)
    totals: tuple[TotalRow, ...]
    signatures: int  # signature rows skipped


def _cells(frame: pl.DataFrame, i: int) -> tuple[str | None, ...]:
    out: list[str | None] = []
    for v in frame.row(i):
        text = None if v is None else str(v).strip()
        out.append(text or None)
    return tuple(out)


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def is_total(cells: tuple[str | None, ...]) -> bool:
    first = next((c for c in cells if c), None)
    return first is not None and _folded(first).startswith(TOTAL_WORDS)


def is_signature(cells: tuple[str | None, ...]) -> bool:
    return any(w in _folded(c) for c in cells if c for w in SIGNATURE_WORDS)


def find_footer(frame: pl.DataFrame) -> Footer:
    """The footer at the bottom of a raw frame (positional columns, any cell types)."""
    start = frame.height
    totals: list[TotalRow] = []
    signatures = 0
    i = frame.height - 1
    while i >= 0 and frame.height - i <= MAX_FOOTER_ROWS:
        cells = _cells(frame, i)
        if not any(cells):
            i -= 1
            continue
        if is_total(cells):
            totals.append(TotalRow(i + 1, cells))
        elif is_signature(cells):
            signatures += 1
        else:
            break
        start = i
        i -= 1
    return Footer(start, tuple(reversed(totals)), signatures)
