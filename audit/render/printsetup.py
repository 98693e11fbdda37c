"""How every workbook fourcheck writes prints: one page setup for the report, the field
worksheet and the score workbook.

Design decisions:

- A sheet prints on A4 at the width of one page (`fit_to_pages(1, 0)`: as many pages
  down as needed, never a second page across), landscape when its columns are wider
  than a portrait page holds at a legible scale, so no column is ever cut off or moved
  to a separate page.
- Header rows repeat on every page, and the key columns (an ID and a name) can repeat
  too, so a continuation page is never a page of bare numbers.
- Every page says what it is: the township, the period and the sheet in the page
  header; "page x of y" in the footer.
- Spreadsheet programs do not grow a row for wrapped text written by a library (Excel
  does on opening, LibreOffice does not), so wrapped cells get an explicit row height
  from their text (`wrapped_height`): CJK characters count two columns, as on screen.
- Column widths are in Excel's character units; a portrait A4 page with 1 cm margins
  holds about 95 of them at 100 %, a landscape page about 140. Sheets wider than
  `PORTRAIT_MAX` print landscape; wider than a landscape page, they are scaled down.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

A4 = 9  # xlsxwriter / Excel paper code
PORTRAIT_MAX = 100  # character units that fit a portrait A4 page at a legible scale
LINE_HEIGHT = 15.0  # points per line of 10–11 pt text with CJK glyphs (Excel's default row)

FOOTER = {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"}


def display_width(text: str) -> int:
    """Columns the text takes on screen or paper: CJK (wide and fullwidth) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` character units needs for `text` (at least 1)."""
    usable = max(1.0, width - 1.0)  # cell padding
    return max(1, sum(math.ceil(display_width(part) / usable) or 1 for part in text.split("\n")))


def wrapped_height(text: str, width: float, line_height: float = LINE_HEIGHT) -> float:
    """Row height in points for `text` wrapped in a cell `width` character units wide."""
    return wrapped_lines(text, width) * line_height + 3


def header_text(text: str) -> str:
    """Text for a page header or footer: '&' is a control character there."""
    return text.replace("&", "&&")


@dataclass(frozen=True)
class Page:
    """What a printed page says: the township, the period and the sheet's title."""

    township: str
    period: str
    lang: str = "zh"


def setup(
    ws: Any,
    page: Page,
    title: str,
    *,
    width: float,
    repeat_rows: tuple[int, int] | None = None,
    repeat_columns: tuple[int, int] | None = None,
    landscape: bool | None = None,
) -> None:
    """Print settings of one xlsxwriter worksheet whose columns add up to `width` units.

    `landscape` None: decided from `width`. `repeat_rows`/`repeat_columns`: first and last
    row/column (0-based) printed on every page.
    """
    ws.set_paper(A4)
    if landscape if landscape is not None else width > PORTRAIT_MAX:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    # "&9" sets 9 pt; a space after it keeps a following digit (2026-09) out of the size.
    left, centre, right = (header_text(t) for t in (page.township, title, page.period))
    ws.set_header(f"&L&9 {left}&C&9&B {centre}&R&9 {right}", {"margin": 0.3})
    ws.set_footer(f"&C&9 {FOOTER.get(page.lang, FOOTER['zh'])}", {"margin": 0.3})
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if repeat_columns is not None:
        ws.repeat_columns(*repeat_columns)
