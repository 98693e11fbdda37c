"""How every figure a report shows is rounded: one function, half away from zero.

Design decision: a figure appears in several places (the indicators table, a
finding's message, the XLSX, the spot-check score), and Python's `format`
rounds the binary value half to even (206.25 → "206.2") while SQL's `round`
rounds half away from zero (→ 206.3). Every displayed figure goes through
`fixed()`, which rounds the shortest decimal text of the value half away from
zero, so the same number never shows two ways. Pure: stdlib only.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def fixed(value: float, digits: int = 1, *, grouping: bool = False) -> str:
    """`value` with `digits` decimals, rounded half away from zero; ∞ for infinity.

    The shortest decimal text of the float (its `repr`) is rounded, not its
    binary expansion: 206.25 → 206.3, 2.675 → 2.68, as a reader rounds them.
    Negative zero shows as 0.
    """
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{digits}f}" if grouping else f"{rounded:.{digits}f}"


class Figure(float):
    """A float whose `format` spec `.Nf` (or none: one decimal) goes through `fixed()`.

    Finding messages are `str.format` templates over SQL rows; wrapping float
    values in `Figure` makes `{ratio:.1f}` in a template round exactly as the
    report's tables do.
    """

    def __format__(self, spec: str) -> str:
        if not spec:
            return fixed(float(self), 1)
        if spec.endswith("f") and spec[:-1].lstrip(",").startswith("."):
            body = spec[:-1]
            grouping = body.startswith(",")
            digits = int(body.lstrip(",")[1:] or 0)
            return fixed(float(self), digits, grouping=grouping)
        return format(float(self), spec)

    def __str__(self) -> str:
        return format(self, "")
