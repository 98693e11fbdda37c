"""Text from a submission made safe for a terminal: no control character reaches it.

A cell can hold anything: an escape sequence that clears the screen (ESC[2J), sets
the window title (an OSC sequence), moves the cursor or rings the bell, a carriage
return that overwrites the line before it, or a bidirectional override that shows
text in another order than it is stored. The terminal table, Markdown and `audit
inspect` show every such character as a visible escape (``\\x1b``, ``\\u202e``)
instead; the renderer's own colour codes are added afterwards and stay. JSON,
XML, XLSX and HTML have their own escaping and keep the data as it is.

One function over the result model (dataclasses, tuples, dicts), so no renderer
has to remember which of its fields came from a cell.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any, TypeVar

# C0 and C1 controls but tab and line feed; DEL; bidirectional embeddings, overrides
# and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

T = TypeVar("T")


def printable(text: str) -> str:
    """`text` with every control character written as a visible escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def terminal_safe(value: T) -> T:
    """A copy of `value` whose strings are `printable` (enums and numbers as they are)."""
    safe: T = _safe(value)
    return safe


def _safe(value: Any) -> Any:
    if isinstance(value, Enum):  # StrEnum members are codes the program chose, not data
        return value
    if isinstance(value, str):
        return printable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_safe(v) for v in value)
    if isinstance(value, list):
        return [_safe(v) for v in value]
    if isinstance(value, dict):
        return {_safe(k): _safe(v) for k, v in value.items()}
    return value
