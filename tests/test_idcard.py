"""audit.core.idcard and audit.core.divisions against references nobody here wrote:
python-stdnum's `cn.ric` on generated strings, the loader's own trimming, the division list."""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl
import pytest
import stdnum.cn.ric as ric
from stdnum import numdb

from audit.core import idcard
from audit.core.contract import ColumnType
from audit.core.divisions import Division, divisions, parse_division
from audit.io.loader import source_text
from tests.idstrings import PERIOD_END, generated_ids


def stdnum_valid(text: str) -> bool:
    try:
        return ric.is_valid(text)
    except Exception:  # stdnum raises KeyError for a province with an unknown county
        return False


def ours_valid(text: str) -> bool:
    """id-format passes and id-region finds nothing."""
    return idcard.id_problem(text, PERIOD_END) is None and idcard.region_problem(text) is None


def deliberate_difference(text: str) -> str | None:
    """Why the audit judges `text` differently from python-stdnum on purpose (module
    docstrings of audit.core.idcard and audit.core.divisions), or None."""
    problem = idcard.id_problem(text, PERIOD_END)
    if problem == idcard.AFTER_PERIOD_END:
        return "birth date after the period end"
    if problem == idcard.BEFORE_1900:
        return "birth year before 1900"
    trimmed = idcard.trim(text)
    if not trimmed.isascii() and ric.compact(text).isascii():
        return "stdnum reads non-ASCII digits as ASCII"
    valid = problem is None and idcard.region_problem(text) is None
    if valid and not _in_use(trimmed[:6], int(trimmed[6:10])):
        return "division code not in use in the birth year"
    return None


def _in_use(code: str, year: int) -> bool:
    """python-stdnum's own reading of its list: some [start-end] span of the code holds year."""
    (county,) = [p["county"] for _, p in numdb.get("cn/loc").info(code) if "county" in p]
    for part in county.split(","):
        if not part.startswith("["):
            return True
        start, end = part[1:].split("]")[0].split("-")
        if (not start or int(start) <= year) and (not end or year <= int(end)):
            return True
    return False


def test_zero_disagreements_with_stdnum_outside_the_deliberate_ones() -> None:
    strings = generated_ids(22_000, seed=12)
    disagree: Counter[str] = Counter()
    unexplained = []
    for kind, text in strings:
        if ours_valid(text) == stdnum_valid(text):
            continue
        why = deliberate_difference(text)
        if why is None:
            unexplained.append((kind, text, ours_valid(text), stdnum_valid(text)))
        else:
            disagree[why] += 1
    assert unexplained == []
    # every deliberate difference was met, and most strings agree
    assert set(disagree) == {
        "birth date after the period end",
        "birth year before 1900",
        "stdnum reads non-ASCII digits as ASCII",
        "division code not in use in the birth year",
    }
    assert sum(disagree.values()) < len(strings) / 4
    kinds = Counter(kind for kind, _ in strings)
    assert len(kinds) == 21 and min(kinds.values()) > 1000


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("34081119900106002X", idcard.CHECK_CHARACTER),
        ("34081\u2074199001060024", idcard.CHARACTERS),  # superscript four
        ("340\u0668" + "11199001060024", idcard.CHARACTERS),  # Arabic-Indic eight
        ("３４０８１１１９９００１０６００２４", idcard.CHARACTERS),  # full-width
        ("34081119900106002", idcard.LENGTH),
        ("340811 199001060024", idcard.LENGTH),
        ("340811189901060024", idcard.BEFORE_1900),
        ("340811000001060024", idcard.BEFORE_1900),
        ("340811199002300024", idcard.NOT_A_DATE),
        ("340811202701010024", idcard.AFTER_PERIOD_END),
    ],
)
def test_id_problem_names_what_is_wrong(text: str, problem: str) -> None:
    assert idcard.id_problem(text, PERIOD_END) == problem
    assert not idcard.is_valid_id(text, PERIOD_END)


def test_valid_ids_trimmed_like_the_loader_and_lower_case_x() -> None:
    pid = idcard.make_id("340811", date(1992, 4, 5), 58)
    assert pid.endswith("X")
    for text in (pid, pid[:17] + "x", f" {pid}\u3000", f"\t{pid}\n", f"\xa0{pid}"):
        assert idcard.id_problem(text, PERIOD_END) is None, repr(text)
        assert idcard.id_birth_date(text) == date(1992, 4, 5)
    assert idcard.is_valid_id(idcard.make_id("340811", date(2027, 1, 1), 2))  # no period end
    assert not idcard.is_valid_id(None)
    with pytest.raises(ValueError):
        idcard.check_char("34081\u20741990010600")


def test_trimming_is_the_loaders() -> None:
    """idcard.trim removes exactly what the loader strips from a text cell."""
    chars = [chr(i) for i in range(0x3100) if not 0xD800 <= i < 0xE000]
    cells = [f"{c}12{c}" for c in chars]
    text = source_text("c", pl.String(), ColumnType.TEXT)
    loaded = pl.DataFrame({"c": cells}).select(text).to_series()
    assert [idcard.trim(c) for c in cells] == loaded.to_list()
    assert idcard.trim("\x1c12") == "\x1c12"  # Python's str.strip() would take it


def test_the_division_list_is_python_stdnums() -> None:
    codes = divisions()
    assert len(codes) > 6000
    assert codes["340811"] == Division("340811", "宜秀区", 1983, None)
    assert codes["110103"] == Division("110103", "崇文区", None, 2010)
    assert "990426" not in codes and "000000" not in codes
    assert parse_division("210811", "[1983-1983]郊区,[1984-]老边区") == Division(
        "210811", "老边区", 1983, None
    )
    assert parse_division("x", "[1983-1990]甲,[1995-2001]乙") == Division("x", "乙", 1983, 2001)
    # a code abolished before the birth year cannot have been issued; one created after it can
    assert idcard.region_problem(idcard.make_id("110103", date(2010, 5, 1), 2)) is None
    assert idcard.region_problem(idcard.make_id("110103", date(2011, 5, 1), 2)) == "abolished"
    assert idcard.region_problem(idcard.make_id("340811", date(1978, 5, 1), 2)) is None
    assert idcard.region_problem(idcard.make_id("990426", date(1978, 5, 1), 2)) == "unknown"


def test_sample_townships_use_real_division_codes() -> None:
    from audit.sample.generator import DEFAULT_TOWNSHIP_CODE
    from audit.sample.names import ORIGINS

    for code in [DEFAULT_TOWNSHIP_CODE[:6], *(str(c) for _, c in ORIGINS)]:
        assert code in divisions(), code
        assert divisions()[code].last_year is None, code  # still in use
