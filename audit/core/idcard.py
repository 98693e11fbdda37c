"""Resident identity numbers (居民身份证号码, GB 11643-1999), pure Python.

One definition of a valid ID, the one the SQL view `stat_ids` (checks
`id-format`, `id-sex`, `id-birthdate`, `id-region`) applies to whole tables;
tests hold the two to the same verdict and the same reason on generated
strings. An ID, after the loader's trimming (`trim`), is valid when:

- it has 18 characters;
- the first 17 are ASCII digits 0-9 and the last an ASCII digit or X (x is
  read as X). Full-width (０-９), Arabic-Indic, superscript and every other
  Unicode digit is rejected: the ledgers are joined on the ID text, so a
  number typed with other digits would silently fail to match the same
  person elsewhere;
- digits 7-14 are a real calendar date (Gregorian leap years), in 1900 or
  later, not after the period end (the holder is born);
- the last character is the ISO 7064 MOD 11-2 check character.

Whether the first six digits are a division code is a separate, milder
question (`region_problem`, check `id-region`, a warning).

Compared with python-stdnum's `cn.ric` these differences are deliberate:
a birth date after the period end and a birth year before 1900 are invalid
here (stdnum accepts any real date); stdnum maps full-width digits to ASCII
first, the audit rejects them (see above); and for the division code see
`audit.core.divisions`.
"""

from __future__ import annotations

from datetime import date

from audit.core import divisions

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11
DIGITS = frozenset("0123456789")
FIRST_YEAR = 1900

# What the loader strips from both ends of a text cell (polars `str.strip_chars()`: the
# Unicode White_Space characters). Python's str.strip() would also take U+001C-U+001F.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Why an ID is invalid, in the order the rules are applied (the first that fails).
LENGTH = "length"
CHARACTERS = "characters"
BEFORE_1900 = "before_1900"
NOT_A_DATE = "not_a_date"
AFTER_PERIOD_END = "after_period_end"
CHECK_CHARACTER = "check_character"


def trim(text: str) -> str:
    """The ID text as the loader stores it: surrounding white space removed."""
    return text.strip(WHITESPACE)


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits (ASCII)."""
    if len(first17) != 17 or not set(first17) <= DIGITS:
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def make_id(division: str, birth: date, sequence: int) -> str:
    """Build a valid ID: 6-digit division, birth date, 3-digit sequence (even = woman)."""
    body = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


def _well_formed(pid: str) -> bool:
    return len(pid) == 18 and set(pid[:17]) <= DIGITS and pid[17] in "0123456789Xx"


def id_birth_date(person_id: str) -> date | None:
    """The birth date inside a well-formed ID, when it is a real date (any year)."""
    pid = trim(person_id)
    if not _well_formed(pid):
        return None
    try:
        return date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
    except ValueError:
        return None


def id_problem(person_id: str, period_end: date | None = None) -> str | None:
    """Why the ID is invalid (LENGTH, CHARACTERS, ...), or None when it is valid.

    `period_end` None: no date is too late (a reference check outside an audit).
    """
    pid = trim(person_id)
    if len(pid) != 18:
        return LENGTH
    if not _well_formed(pid):
        return CHARACTERS
    if int(pid[6:10]) < FIRST_YEAR:
        return BEFORE_1900
    born = id_birth_date(pid)
    if born is None:
        return NOT_A_DATE
    if period_end is not None and born > period_end:
        return AFTER_PERIOD_END
    if check_char(pid[:17]) != pid[17].upper():
        return CHECK_CHARACTER
    return None


def is_valid_id(person_id: str | None, period_end: date | None = None) -> bool:
    return person_id is not None and id_problem(person_id, period_end) is None


def is_male_id(person_id: str) -> bool:
    """The 17th digit is odd for men (a well-formed ID)."""
    return int(trim(person_id)[16]) % 2 == 1


def region_problem(person_id: str) -> str | None:
    """For a valid ID: 'unknown' when its first six digits are no GB/T 2260 division code,
    'abolished' when that code was out of use before the birth year, else None."""
    pid = trim(person_id)
    born = id_birth_date(pid)
    if born is None:
        raise ValueError(f"not a well-formed ID with a real birth date: {person_id!r}")
    return divisions.region_problem(pid[:6], born.year)
