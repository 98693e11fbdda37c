"""Generated ID strings of every kind the ID rules must judge, for the agreement tests.

Each string comes with the kind it was made as (valid, wrong check character,
impossible date, ...); the tests compare verdicts, the kind only helps to read a
failure and to prove every kind was generated.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from audit.core.divisions import divisions
from audit.core.idcard import CHECK_CHARS, check_char, make_id

PERIOD_END = date(2026, 10, 31)

_FULL_WIDTH = {ord(c): 0xFF10 + int(c) for c in "0123456789"}
# other Unicode decimal digits (and digit-like characters) for 0..9
_OTHER_DIGITS = {
    "arabic-indic": 0x0660,
    "extended-arabic-indic": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "thai": 0x0E50,
    "math-bold": 0x1D7CE,
}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_IMPOSSIBLE_DATES = (
    "19900230", "19900229", "20230229", "19991301", "19990000",
    "19990431", "20000931", "19850100", "20011232", "19900631",
)  # fmt: skip
_SURROUNDING = (" ", "  ", "\t", "\u3000", "\xa0", "\n", " \u3000")


def _body(division: str, born: str, seq: int) -> str:
    return f"{division}{born}{seq:03d}"


def _with_check(body17: str) -> str:
    return body17 + check_char(body17)


def generated_ids(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """n strings as (kind, text), roughly evenly over the kinds."""
    rng = random.Random(seed)
    codes = sorted(divisions())
    abolished = sorted(c for c, d in divisions().items() if d.last_year is not None)
    young = sorted(c for c, d in divisions().items() if d.first_year and d.first_year > 1950)

    def valid(division: str | None = None, lo: int = 1900, hi: date = PERIOD_END) -> str:
        start = date(lo, 1, 1)
        born = start + timedelta(days=rng.randrange((hi - start).days + 1))
        return make_id(division or rng.choice(codes), born, rng.randrange(1000))

    def replace_digit(pid: str, table: dict[int, int] | int) -> str:
        pos = rng.randrange(17)
        d = int(pid[pos])
        char = chr(table + d) if isinstance(table, int) else chr(table[ord(pid[pos])])
        return pid[:pos] + char + pid[pos + 1 :]

    makers = {
        "valid": lambda: valid(),
        "valid-born-1900s": lambda: valid(lo=1900, hi=date(1910, 12, 31)),
        "wrong-check": lambda: (
            lambda p: p[:17] + rng.choice([c for c in CHECK_CHARS if c != p[17]])
        )(valid()),
        "digit-changed": lambda: (
            lambda p, i: p[:i] + str((int(p[i]) + rng.randrange(1, 10)) % 10) + p[i + 1 :]
        )(valid(), rng.randrange(17)),
        "impossible-date": lambda: _with_check(
            _body(
                rng.choice(codes),
                rng.choice(_IMPOSSIBLE_DATES),
                rng.randrange(1000),
            )
        ),
        "leap-day": lambda: _with_check(
            _body(rng.choice(codes), rng.choice(["20000229", "19960229", "20240229"]), 8)
        ),
        "before-1900": lambda: _with_check(
            _body(
                rng.choice(codes),
                rng.choice(["18991231", "18990101", "18000615", "00000101", "10000101"]),
                rng.randrange(1000),
            )
        ),
        "after-period-end": lambda: make_id(
            rng.choice(codes),
            PERIOD_END + timedelta(days=rng.randrange(1, 2000)),
            rng.randrange(1000),
        ),
        "lower-x": lambda: _lower_x(rng, codes),
        "full-width": lambda: valid().translate(_FULL_WIDTH),
        "one-full-width-digit": lambda: replace_digit(valid(), _FULL_WIDTH),
        "other-unicode-digit": lambda: replace_digit(
            valid(), _OTHER_DIGITS[rng.choice(sorted(_OTHER_DIGITS))]
        ),
        "superscript": lambda: (lambda p, i: p[:i] + _SUPERSCRIPTS[int(p[i])] + p[i + 1 :])(
            valid(), rng.randrange(17)
        ),
        "surrounding-space": lambda: rng.choice(_SURROUNDING) + valid() + rng.choice(_SURROUNDING),
        "inner-space": lambda: (lambda p, i: p[:i] + " " + p[i:])(valid(), rng.randrange(1, 18)),
        "too-short": lambda: valid()[: rng.randrange(15, 18)],
        "too-long": lambda: valid() + str(rng.randrange(10)),
        "letter": lambda: (lambda p, i: p[:i] + rng.choice("XAOl") + p[i + 1 :])(
            valid(), rng.randrange(17)
        ),
        "unknown-region": lambda: valid(rng.choice(["000000", "990426", "349999", "123456"])),
        "abolished-region": lambda: (
            lambda c: valid(c, lo=min(2025, divisions()[c].last_year or 2025) + 1)
        )(rng.choice(abolished)),
        "region-younger-than-holder": lambda: (
            lambda c: valid(c, lo=1900, hi=date((divisions()[c].first_year or 1950) - 1, 12, 31))
        )(rng.choice(young)),
    }
    kinds = sorted(makers)
    return [(k, makers[k]()) for k in (kinds[i % len(kinds)] for i in range(n))]


def _lower_x(rng: random.Random, codes: list[str]) -> str:
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
        pid = make_id(rng.choice(codes), born, rng.randrange(1000))
        if pid.endswith("X"):
            return pid[:17] + "x"
