"""Resident identity numbers (居民身份证号码, GB 11643-1999), pure Python.

The SQL check `id-format` repeats this rule inside DuckDB for whole tables;
this module is the reference the tests and the sample generator use.
"""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def make_id(division: str, birth: date, sequence: int) -> str:
    """Build a valid ID: 6-digit division, birth date, 3-digit sequence (even = woman)."""
    body = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


def id_birth_date(person_id: str) -> date | None:
    try:
        return date(int(person_id[6:10]), int(person_id[10:12]), int(person_id[12:14]))
    except (ValueError, IndexError):
        return None


def is_valid_id(person_id: str | None) -> bool:
    if person_id is None or len(person_id) != 18:
        return False
    body, last = person_id[:17], person_id[17].upper()
    if not body.isdigit() or not (last.isdigit() or last == "X"):
        return False
    if id_birth_date(person_id) is None:
        return False
    return check_char(body) == last


def is_male_id(person_id: str) -> bool:
    """The 17th digit is odd for men."""
    return int(person_id[16]) % 2 == 1
