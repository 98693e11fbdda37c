"""Administrative division codes (行政区划代码, GB/T 2260) that ID numbers may begin with.

GB 11643 makes the first six digits of a resident ID the division code of the
place where the number was issued. An ID keeps its code for life, so the
list has to hold historical codes as well as current ones. python-stdnum ships
that list for its own ID check (`stdnum.cn.ric`: the data file `cn/loc`, read
with `stdnum.numdb`); this module reads it from there rather than keeping a
copy, so a newer python-stdnum brings newer codes.

Each entry of the file names the years a county code was in use, e.g.
``[1983-2004]郊区,[2005-]宜秀区`` (a code reused under a new name). What the
audit asks of a code (`region_problem`):

- it is one of the codes: otherwise "unknown region";
- it was still in use in the holder's birth year: a code abolished before she
  was born cannot have been issued to her.

It does not ask that the code already existed in the birth year, as
python-stdnum does: numbers are issued (and were re-issued when 15-digit IDs
became 18-digit ones) years after birth, with the code current at issue, so a
woman born in 1978 rightly holds 340811, in use since 1983.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_SPAN = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str  # the latest name (a code may have been reused)
    first_year: int | None  # None: in use since before the list begins
    last_year: int | None  # None: still in use


def parse_division(code: str, county: str) -> Division:
    """One entry of python-stdnum's `cn/loc`: `[start-end]name` parts joined by commas."""
    firsts: list[int | None] = []
    lasts: list[int | None] = []
    name = ""
    for part in county.split(","):
        m = _SPAN.match(part)
        if m is None:  # no years: in use throughout
            firsts.append(None)
            lasts.append(None)
            name = part
            continue
        start, end, name = m.group(1), m.group(2), m.group(3)
        firsts.append(int(start) if start else None)
        lasts.append(int(end) if end else None)
    first = None if None in firsts else min(y for y in firsts if y is not None)
    last = None if None in lasts else max(y for y in lasts if y is not None)
    return Division(code, name, first, last)


@cache
def divisions() -> dict[str, Division]:
    """Every six-digit code of the list (provinces, prefectures and counties), by code."""
    from stdnum import numdb

    out: dict[str, Division] = {}
    for _, province, _, _, counties in numdb.get("cn/loc").prefixes:
        for _, low, high, props, _ in counties:
            for n in range(int(low), int(high) + 1):
                code = f"{province}{n:0{len(low)}d}"
                out[code] = parse_division(code, props["county"])
    return out


def region_problem(code: str, birth_year: int) -> str | None:
    """'unknown' (not a division code), 'abolished' (out of use before the birth year) or
    None (a code that could have been issued to someone born in `birth_year`)."""
    division = divisions().get(code)
    if division is None:
        return "unknown"
    if division.last_year is not None and division.last_year < birth_year:
        return "abolished"
    return None
