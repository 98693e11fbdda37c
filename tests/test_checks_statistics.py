"""Golden tests of the statistics suite (checks.md §1 identity and register logic, §2 births).

Every check gets a tiny crafted submission holding the fault, run through the real engine
(`run_audit`), with the exact findings expected of that check — check, table, record,
severity, village and the message — and the same submission without the fault, which must
give no finding of that check. Boundaries sit in the same submissions (age exactly 15 and
49, day 30 and 31 of reporting, 179 and 180 days between births, 300 and 301 days after a
ligation, …) so the exact lists prove both sides of each limit.

The period is 2026-10: period end 2026-10-31, window W 2026-10-01..2026-10-31. Births of
the base submission lie before W, so only the sex-ratio tests have births in W.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from audit.app import run_audit
from audit.core import idcard
from audit.core.idcard import CHECK_CHARS, check_char, id_birth_date, make_id
from audit.core.models import Finding
from audit.io.sqlrun import SQL_DIR
from tests.helpers import TOWNSHIP, VILLAGE_A, VILLAGE_B, man_id, woman_id, write_submission
from tests.idstrings import generated_ids

VILLAGE_C = "340811101003"
PERIOD_END = date(2026, 10, 31)

CHECKS = (
    "id-format",
    "id-birthdate",
    "id-sex",
    "id-region",
    "dup-person",
    "dup-birth",
    "age-range",
    "marriage-fields",
    "early-marriage",
    "children-count",
    "value-range",
    "future-date",
    "pregnancy-fields",
    "birth-mother-unregistered",
    "birth-mother-age",
    "birth-order",
    "birth-after-sterilization",
    "birth-late-report",
    "birth-policy-missing",
    "sex-ratio",
)

Tables = dict[str, list[dict[str, Any]]]

# --- people of the base submission ----------------------------------------------------------
W1 = woman_id(date(1990, 1, 1), 2)  # 王芳: married, two births
W2 = woman_id(date(2001, 7, 15), 4)  # 李娜: single
W3 = woman_id(date(1994, 3, 8), 6, division="340104")  # 陈静: in-migrant, not on the register


def woman(pid: str, name: str = "张丽", village: str = VILLAGE_A, **over: Any) -> dict[str, Any]:
    """A register row that breaks no statistics rule: married at 22, IUD, not pregnant."""
    born = id_birth_date(pid)
    assert born is not None
    adult = born.year + 23 <= 2025  # young women default to single, no method
    row: dict[str, Any] = {
        "person_id": pid,
        "name": name,
        "birth_date": born,
        "village_code": village,
        "group_no": 1,
        "central_household": "中心户01",
        "marital_status": "married" if adult else "single",
        "marriage_date": date(born.year + 22, 5, 1) if adult else None,
        "residence": "resident",
        "children": 0,
        "method": "iud" if adult else "none",
        "method_date": date(born.year + 23, 3, 1) if adult else None,
        "pregnant": False,
        "pregnancy_date": None,
    }
    row.update(over)
    return row


def birth(
    bid: str, mother: str, born: date, order: int = 1, village: str = VILLAGE_A, **over: Any
) -> dict[str, Any]:
    """A births row reported 10 days after the birth."""
    row: dict[str, Any] = {
        "birth_id": bid,
        "mother_id": mother,
        "child_name": "小" + bid,
        "child_sex": "F",
        "child_birth_date": born,
        "birth_order": order,
        "policy": "in",
        "village_code": village,
        "group_no": 1,
        "reported_date": born + timedelta(days=10),
        "delivery_place": "hospital",
    }
    row.update(over)
    return row


def base() -> Tables:
    """A small township that breaks none of the 20 statistics rules."""
    return {
        "women": [
            woman(
                W1,
                "王芳",
                marriage_date=date(2012, 5, 1),
                children=2,
                method_date=date(2021, 3, 1),
            ),
            woman(
                W2,
                "李娜",
                VILLAGE_B,
                marital_status="single",
                marriage_date=None,
                method="none",
                method_date=None,
            ),
        ],
        "births": [
            birth("B1", W1, date(2014, 2, 10), 1, child_sex="M"),
            birth("B2", W1, date(2019, 8, 1), 2),
            birth("B3", W3, date(2025, 6, 1), 1),
        ],
        "procedures": [
            {
                "procedure_id": "P1",
                "person_id": W1,
                "procedure": "iud_insert",
                "procedure_date": date(2021, 3, 1),
                "postpartum": False,
                "facility": "乡卫生院",
                "village_code": VILLAGE_A,
            }
        ],
        "checkups": [
            {
                "checkup_id": "C1",
                "person_id": W1,
                "checkup_date": date(2026, 9, 10),
                "iud_present": True,
                "pregnant": False,
                "illness": False,
                "village_code": VILLAGE_A,
            }
        ],
        "supply_issues": [
            {
                "issue_id": "I1",
                "person_id": W2,
                "village_code": VILLAGE_B,
                "point_code": VILLAGE_B,
                "item": "condom",
                "quantity": 10,
                "issue_date": PERIOD_END,  # on the period end: not in the future
            }
        ],
        "migrants": [
            {
                "migrant_id": "M1",
                "person_id": W3,
                "name": "陈静",
                "direction": "in",
                "village_code": VILLAGE_A,
                "move_date": date(2024, 1, 1),
                "place": "合肥市",
                "marital_status": "married",
                "certificate_no": "HY0001",
                "certificate_expiry": date(2028, 1, 1),  # expiry may lie in the future
                "last_feedback_date": date(2026, 9, 1),
                "return_date": None,
            }
        ],
        "migrant_births": [
            {
                "report_id": "R1",
                "mother_id": W3,
                "child_sex": "F",
                "child_birth_date": date(2025, 6, 1),
                "reported_date": date(2025, 6, 3),
                "place": "合肥市",
            }
        ],
    }


# --- running the engine ---------------------------------------------------------------------
Row = tuple[str, str, str, str, str | None]  # check, table, record, severity, village_code


def audit(
    folder: Path, tables: Tables, *, lang: str = "en", period: str = "2026-10", **kw: Any
) -> list[Finding]:
    write_submission(folder, tables, period=period)
    return list(run_audit(folder, lang=lang, **kw).findings)


def of(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def rows(findings: list[Finding], check: str) -> list[Row]:
    return sorted(
        (f.check, f.table, f.record, str(f.severity), f.village_code) for f in of(findings, check)
    )


def message_of(findings: list[Finding], check: str, record: str, table: str | None = None) -> str:
    hits = [
        f for f in of(findings, check) if f.record == record and (table is None or f.table == table)
    ]
    assert len(hits) == 1, hits
    return hits[0].message


def pair(tmp_path: Path, faulty: Tables, clean: Tables, **kw: Any) -> tuple[list[Finding], ...]:
    """Findings of the submission with the fault and of the same one without it."""
    return audit(tmp_path / "faulty", faulty, **kw), audit(tmp_path / "clean", clean, **kw)


def with_rows(tables: Tables, **extra: list[dict[str, Any]]) -> Tables:
    out = copy.deepcopy(tables)
    for name, added in extra.items():
        out.setdefault(name, []).extend(copy.deepcopy(added))
    return out


def replace_woman(tables: Tables, pid: str, **over: Any) -> Tables:
    out = copy.deepcopy(tables)
    hits = [w for w in out["women"] if w["person_id"] == pid]
    assert len(hits) == 1
    hits[0].update(over)
    return out


# --- the base submission is clean -----------------------------------------------------------
@pytest.fixture(scope="module")
def clean_base(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    """Findings of the base submission: the fault-free side of most tests below."""
    return audit(tmp_path_factory.mktemp("base"), base())


def test_base_submission_breaks_no_statistics_rule(clean_base: list[Finding]) -> None:
    assert [f for f in clean_base if f.check in CHECKS] == []
    # ...and every check of the suite ran.
    suite = json.loads((SQL_DIR.parent / "expectations" / "statistics.json").read_text("utf-8"))
    assert sorted(e["meta"]["check"] for e in suite["expectations"]) == sorted(CHECKS)


# --- §1 identity ----------------------------------------------------------------------------
BAD_CHECK = W1[:17] + CHECK_CHARS[(CHECK_CHARS.index(W1[17]) + 1) % 11]  # check char off by one
X_ID = make_id("340811", date(1992, 4, 5), 58)  # ends in X
LEAP_ID = make_id("340811", date(2000, 2, 29), 2)  # 29 February of a leap year: real


def _with_body(body17: str) -> str:
    """17 characters plus the right check character (so only the date can be wrong)."""
    return body17 + check_char(body17)


def test_id_format(tmp_path: Path) -> None:
    bad_woman = woman(BAD_CHECK, "赵敏", VILLAGE_B, birth_date=date(1990, 1, 1))
    not_a_date = _with_body("34081119900230002")  # 30 February
    not_leap = _with_body("34081119900229004")  # 1990 is no leap year
    future = _with_body("34081120270101002")  # born after the period end
    faults: Tables = {
        "women": [bad_woman],
        "supply_issues": [
            {
                "issue_id": "I2",
                "person_id": W2[:17],
                "village_code": VILLAGE_B,
                "point_code": VILLAGE_B,
                "item": "condom",
                "quantity": 5,
                "issue_date": date(2026, 9, 2),
            }
        ],
        "procedures": [
            {
                "procedure_id": "P2",
                "person_id": W1[:10] + "A" + W1[11:],
                "procedure": "iud_remove",
                "procedure_date": date(2026, 9, 3),
                "village_code": VILLAGE_A,
            }
        ],
        "checkups": [
            {
                "checkup_id": "C2",
                "person_id": not_a_date,
                "checkup_date": date(2026, 9, 4),
                "pregnant": False,
                "village_code": VILLAGE_A,
            }
        ],
        "migrants": [
            {
                "migrant_id": "M2",
                "person_id": not_leap,
                "name": "孙丽",
                "direction": "in",
                "village_code": VILLAGE_C,
                "move_date": date(2025, 1, 1),
            }
        ],
        "births": [birth("B4", future, date(2024, 3, 1), village=VILLAGE_B)],
        # mother_id as malformed as her register row: sent to her register village (B)
        "migrant_births": [
            {
                "report_id": "R2",
                "mother_id": BAD_CHECK,
                "child_sex": "M",
                "child_birth_date": date(2025, 2, 1),
                "reported_date": date(2025, 2, 3),
            }
        ],
    }
    # Valid or empty IDs that must not be findings: X check character (also written in lower
    # case), 29 February 2000, an empty person_id.
    edges: Tables = {
        "supply_issues": [
            {
                "issue_id": "I3",
                "person_id": X_ID[:17] + "x",
                "village_code": VILLAGE_A,
                "point_code": VILLAGE_A,
                "item": "condom",
                "quantity": 5,
                "issue_date": date(2026, 9, 5),
            },
            {
                "issue_id": "I4",
                "person_id": None,
                "village_code": VILLAGE_A,
                "point_code": VILLAGE_A,
                "item": "condom",
                "quantity": 5,
                "issue_date": date(2026, 9, 5),
            },
        ],
        "checkups": [
            {
                "checkup_id": "C3",
                "person_id": LEAP_ID,
                "checkup_date": date(2026, 9, 4),
                "pregnant": False,
                "village_code": VILLAGE_A,
            }
        ],
    }
    clean = with_rows(base(), **edges)
    faulty, clean_findings = pair(tmp_path, with_rows(clean, **faults), clean)
    assert rows(faulty, "id-format") == sorted(
        [
            ("id-format", "births", "B4", "error", VILLAGE_B),
            ("id-format", "checkups", "C2", "error", VILLAGE_A),
            ("id-format", "migrant_births", "R2", "error", VILLAGE_B),
            ("id-format", "migrants", "M2", "error", VILLAGE_C),
            ("id-format", "procedures", "P2", "error", VILLAGE_A),
            ("id-format", "supply_issues", "I2", "error", VILLAGE_B),
            ("id-format", "women", BAD_CHECK, "error", VILLAGE_B),
        ]
    )
    right = W1[17]
    assert message_of(faulty, "id-format", BAD_CHECK) == (
        f"women record {BAD_CHECK}: person_id {BAD_CHECK} is not a valid ID number: "
        f"the check character is {BAD_CHECK[17]} but should be {right}"
    )
    assert message_of(faulty, "id-format", "I2").endswith("it has 17 characters, not 18")
    assert message_of(faulty, "id-format", "P2").endswith(
        "only digits are allowed, and X as the last character"
    )
    assert message_of(faulty, "id-format", "C2").endswith(
        "the birth date 19900230 in it is not a real date"
    )
    assert message_of(faulty, "id-format", "M2").endswith(
        "the birth date 19900229 in it is not a real date"
    )
    assert message_of(faulty, "id-format", "B4") == (
        f"births record B4: mother_id {future} is not a valid ID number: "
        "the birth date 2027-01-01 in it is after the period end"
    )
    assert rows(clean_findings, "id-format") == []


_SQL_REASONS = {  # the start of each problem_en of stat_ids, by idcard's reason
    "it has ": idcard.LENGTH,
    "only digits": idcard.CHARACTERS,
    "the birth year ": idcard.BEFORE_1900,
    "the check character": idcard.CHECK_CHARACTER,
}


def _sql_reason(message: str) -> str:
    problem = message.split(" is not a valid ID number: ", 1)[1]
    if problem.endswith(" in it is after the period end"):
        return idcard.AFTER_PERIOD_END
    if problem.endswith(" in it is not a real date"):
        return idcard.NOT_A_DATE
    return next(r for start, r in _SQL_REASONS.items() if problem.startswith(start))


def test_id_rules_agree_with_the_reference_definition(tmp_path: Path) -> None:
    """The SQL rules (id-format, id-region) against audit.core.idcard on generated strings:
    valid, wrong check character, impossible dates, before 1900, after the period end, lower-case
    x, full-width and other Unicode digits, superscripts, spaces, unknown and abolished regions.
    Same verdict and the same reason for every string, after a CSV round trip through the
    loader."""
    strings = generated_ids(840, seed=3)
    issues = [
        {
            "issue_id": f"I{n:04d}",
            "person_id": text,
            "village_code": VILLAGE_A,
            "point_code": VILLAGE_A,
            "item": "condom",
            "quantity": 1,
            "issue_date": date(2026, 9, 1),
        }
        for n, (_, text) in enumerate(strings)
    ]
    findings = audit(tmp_path, {"supply_issues": issues})
    sql_format = {f.record: _sql_reason(f.message) for f in of(findings, "id-format")}
    sql_region = {
        f.record: "unknown"
        if f.message.endswith("is not a division code; check the number")
        else "abolished"
        for f in of(findings, "id-region")
    }
    expected_format, expected_region = {}, {}
    for row in issues:
        problem = idcard.id_problem(row["person_id"], PERIOD_END)
        if problem is not None:
            expected_format[row["issue_id"]] = problem
        elif (region := idcard.region_problem(row["person_id"])) is not None:
            expected_region[row["issue_id"]] = region
    assert sql_format == expected_format
    assert sql_region == expected_region
    # every reason and both region problems were met
    assert set(expected_format.values()) == {
        idcard.LENGTH,
        idcard.CHARACTERS,
        idcard.BEFORE_1900,
        idcard.NOT_A_DATE,
        idcard.AFTER_PERIOD_END,
        idcard.CHECK_CHARACTER,
    }
    assert set(expected_region.values()) == {"unknown", "abolished"}
    assert len(issues) - len(expected_format) - len(expected_region) > 200  # valid ones too


def test_id_birthdate(tmp_path: Path, clean_base: list[Finding]) -> None:
    shifted = replace_woman(base(), W1, birth_date=date(1990, 1, 2))
    # A malformed ID is id-format's: its birth date is not compared.
    malformed = woman(BAD_CHECK, "赵敏", VILLAGE_B, birth_date=date(1985, 6, 1))
    faulty, clean = audit(tmp_path, with_rows(shifted, women=[malformed])), clean_base
    assert rows(faulty, "id-birthdate") == [("id-birthdate", "women", W1, "error", VILLAGE_A)]
    assert message_of(faulty, "id-birthdate", W1) == (
        f"王芳 ({W1}): birth date 1990-01-02 differs from 1990-01-01 in the ID number"
    )
    assert rows(clean, "id-birthdate") == []


def test_id_sex(tmp_path: Path, clean_base: list[Finding]) -> None:
    man = man_id(date(1988, 8, 8), 3)
    man2 = man_id(date(1970, 2, 2), 5)
    odd_malformed = man[:17] + CHECK_CHARS[(CHECK_CHARS.index(man[17]) + 1) % 11]
    faults: Tables = {
        "women": [
            woman(man, "刘强", VILLAGE_B),
            woman(odd_malformed, "刘刚", VILLAGE_B, birth_date=date(1988, 8, 8)),
        ],
        "births": [birth("B5", man2, date(2024, 1, 5), village=VILLAGE_C)],
        "migrants": [
            {
                "migrant_id": "M3",
                "person_id": man2,
                "name": "周杰",
                "direction": "out",
                "village_code": VILLAGE_C,
                "move_date": date(2025, 3, 1),
            }
        ],
    }
    faulty, clean = audit(tmp_path, with_rows(base(), **faults)), clean_base
    assert rows(faulty, "id-sex") == [
        ("id-sex", "births", "B5", "error", VILLAGE_C),
        ("id-sex", "migrants", "M3", "error", VILLAGE_C),
        ("id-sex", "women", man, "error", VILLAGE_B),
    ]
    assert message_of(faulty, "id-sex", "B5") == (
        f"births record B5: mother_id {man2} is a man's ID number "
        f"(17th digit {man2[16]} is odd); a woman's is expected"
    )
    # the malformed one is an id-format finding only
    assert odd_malformed in {f.record for f in of(faulty, "id-format")}
    assert rows(clean, "id-sex") == []


def test_id_region(tmp_path: Path, clean_base: list[Finding]) -> None:
    unknown = woman_id(date(1991, 3, 3), 12, division="990426")
    zeros = woman_id(date(1985, 6, 6), 14, division="000000")
    no_county = woman_id(date(1988, 8, 8), 16, division="349999")  # Anhui, no such county
    abolished = woman_id(date(2011, 2, 2), 18, division="110103")  # 崇文区, until 2010
    faults: Tables = {
        "women": [woman(unknown, "吴梅", VILLAGE_B)],
        "migrants": [
            {
                "migrant_id": "M4",
                "person_id": abolished,
                "name": "郑红",
                "direction": "in",
                "village_code": VILLAGE_C,
                "move_date": date(2026, 1, 1),
            }
        ],
        "supply_issues": [
            {
                "issue_id": f"I{n}",
                "person_id": pid,
                "village_code": VILLAGE_A,
                "point_code": VILLAGE_A,
                "item": "condom",
                "quantity": 5,
                "issue_date": date(2026, 9, 2),
            }
            for n, pid in ((5, zeros), (6, no_county), (7, unknown[:17] + "0"))
        ],
    }
    # Real codes that must not be findings: one abolished in the birth year itself, one
    # created after the holder's birth (340811 dates from 1983), a current one in Beijing.
    edges: Tables = {
        "checkups": [
            {
                "checkup_id": f"C{n}",
                "person_id": pid,
                "checkup_date": date(2026, 9, 4),
                "pregnant": False,
                "village_code": VILLAGE_A,
            }
            for n, pid in (
                (4, woman_id(date(2010, 12, 31), 20, division="110103")),
                (5, woman_id(date(1977, 5, 5), 22)),
                (6, woman_id(date(1999, 9, 9), 24, division="110105")),
            )
        ]
    }
    clean = with_rows(base(), **edges)
    faulty, clean_findings = pair(tmp_path, with_rows(clean, **faults), clean)
    assert rows(faulty, "id-region") == sorted(
        [
            ("id-region", "migrants", "M4", "warning", VILLAGE_C),
            ("id-region", "supply_issues", "I5", "warning", VILLAGE_A),
            ("id-region", "supply_issues", "I6", "warning", VILLAGE_A),
            ("id-region", "women", unknown, "warning", VILLAGE_B),
        ]
    )
    # a malformed ID is id-format's alone
    assert [f.record for f in of(faulty, "id-format")] == ["I7"]
    assert message_of(faulty, "id-region", unknown) == (
        f"women record {unknown}: person_id {unknown} begins with 990426, which is not a "
        "division code; check the number"
    )
    assert message_of(faulty, "id-region", "M4") == (
        f"migrants record M4: person_id {abolished} begins with 110103, which (崇文区) was "
        "abolished after 2010, before the birth year 2011; check the number"
    )
    zh = audit(tmp_path / "zh", with_rows(clean, **faults), lang="zh")
    assert message_of(zh, "id-region", "I5") == (
        f"药具发放登记记录 I5 的身份证号 {zeros} 前六位 000000 不是行政区划代码，请核对号码"
    )
    assert message_of(zh, "id-region", "M4") == (
        f"流动人口登记记录 M4 的身份证号 {abolished} 前六位 110103（崇文区）2010 年后已撤销，"
        "早于出生年份 2011，请核对号码"
    )
    assert rows(clean_findings, "id-region") == []
    assert rows(clean_base, "id-region") == []


# --- §1 register logic ----------------------------------------------------------------------
def test_dup_person(tmp_path: Path, clean_base: list[Finding]) -> None:
    w1 = next(w for w in base()["women"] if w["person_id"] == W1)
    w2 = next(w for w in base()["women"] if w["person_id"] == W2)
    copies = [
        {**w1, "group_no": 2},  # twice in the same village A
        {**w2, "village_code": VILLAGE_A},  # W2 lives in B and appears in A as well
    ]
    faulty, clean = audit(tmp_path, with_rows(base(), women=copies)), clean_base
    assert rows(faulty, "dup-person") == [
        ("dup-person", "women", W1, "error", VILLAGE_A),
        ("dup-person", "women", W2, "error", VILLAGE_A),
        ("dup-person", "women", W2, "error", VILLAGE_B),
    ]
    assert message_of(faulty, "dup-person", W1) == (
        f"{W1} (王芳) is on the register of women 2 times, in village(s) "
        f"{VILLAGE_A} (2); keep one row and delete the others"
    )
    w2_messages = {f.message for f in of(faulty, "dup-person") if f.record == W2}
    assert w2_messages == {
        f"{W2} (李娜) is on the register of women 2 times, in village(s) "
        f"{VILLAGE_A} (1), {VILLAGE_B} (1); keep one row and delete the others"
    }
    assert rows(clean, "dup-person") == []


def test_dup_birth(tmp_path: Path, clean_base: list[Finding]) -> None:
    b1 = next(b for b in base()["births"] if b["birth_id"] == "B1")
    faults = [
        {**b1, "birth_id": "B1a", "reported_date": date(2014, 2, 25)},
        {**b1, "birth_id": "B1b"},
    ]
    faulty, clean = audit(tmp_path, with_rows(base(), births=faults)), clean_base
    assert rows(faulty, "dup-birth") == [
        ("dup-birth", "births", "B1a", "error", VILLAGE_A),
        ("dup-birth", "births", "B1b", "error", VILLAGE_A),
    ]
    assert message_of(faulty, "dup-birth", "B1b") == (
        f"birth B1b repeats birth B1 (mother {W1}, child 小B1 born 2014-02-10); "
        "delete the duplicate"
    )
    # the copies are counted once against her children (2), and are no birth-order finding
    assert rows(faulty, "children-count") == []
    assert rows(faulty, "birth-order") == []
    assert rows(clean, "dup-birth") == []


def test_dup_birth_needs_the_same_child_name(tmp_path: Path) -> None:
    twin = birth("B1t", W1, date(2014, 2, 10), 2, child_name="小双")
    findings = audit(tmp_path, with_rows(replace_woman(base(), W1, children=3), births=[twin]))
    assert rows(findings, "dup-birth") == []


def _born(age: int, on: date, days: int = 0) -> date:
    """Birth date of someone exactly `age` on `on`, moved by `days`."""
    return date(on.year - age, on.month, on.day) + timedelta(days=days)


def test_age_range(tmp_path: Path) -> None:
    ages = {
        "14": _born(15, PERIOD_END, 1),  # her 15th birthday is tomorrow
        "15": _born(15, PERIOD_END),  # 15 today
        "49": _born(50, PERIOD_END, 1),  # 50 tomorrow
        "50": _born(50, PERIOD_END),
    }
    people = {k: woman_id(b, 10 + 2 * i) for i, (k, b) in enumerate(sorted(ages.items()))}
    women = [
        woman(people[k], f"年龄{k}", marital_status="single", marriage_date=None)
        for k in ("14", "50")
    ]
    edges = [
        woman(people[k], f"年龄{k}", marital_status="single", marriage_date=None)
        for k in ("15", "49")
    ]
    clean_tables = with_rows(base(), women=edges)
    faulty, clean = pair(tmp_path, with_rows(clean_tables, women=women), clean_tables)
    assert rows(faulty, "age-range") == sorted(
        [
            ("age-range", "women", people["14"], "warning", VILLAGE_A),
            ("age-range", "women", people["50"], "warning", VILLAGE_A),
        ]
    )
    assert message_of(faulty, "age-range", people["50"]) == (
        f"年龄50 ({people['50']}), born 1976-10-31, is 50 at the period end 2026-10-31, "
        "outside childbearing age 15–49; check the birth date or take her off the register"
    )
    assert rows(clean, "age-range") == []


def test_age_range_29_february(tmp_path: Path) -> None:
    """Period end 2027-02-28: born 29 Feb 2012 she is still 14; born 28 Feb 2012, 15."""
    leap = woman_id(date(2012, 2, 29), 2)
    day_before = woman_id(date(2012, 2, 28), 2)
    tables = {
        "women": [
            woman(leap, "闰年", marital_status="single", marriage_date=None),
            woman(day_before, "平年", marital_status="single", marriage_date=None),
        ]
    }
    findings = audit(tmp_path, tables, period="2027-02")
    assert rows(findings, "age-range") == [("age-range", "women", leap, "warning", VILLAGE_A)]
    assert ", is 14 at the period end 2027-02-28," in message_of(findings, "age-range", leap)


def test_marriage_fields(tmp_path: Path) -> None:
    w4, w5, w6, w7 = (woman_id(date(1985, 3, 3), s) for s in (12, 14, 16, 18))
    faults = [
        woman(w4, "再婚无日期", marital_status="remarried", marriage_date=None),
        woman(w5, "未婚有日期", VILLAGE_B, marital_status="single", marriage_date=date(2010, 5, 1)),
    ]
    no_rule = [
        woman(w6, "离婚无日期", marital_status="divorced", marriage_date=None),
        woman(w7, "丧偶有日期", marital_status="widowed", marriage_date=date(2008, 1, 1)),
    ]
    clean_tables = with_rows(base(), women=no_rule)
    faulty_tables = with_rows(replace_woman(clean_tables, W1, marriage_date=None), women=faults)
    faulty, clean = pair(tmp_path, faulty_tables, clean_tables)
    assert rows(faulty, "marriage-fields") == sorted(
        [
            ("marriage-fields", "women", W1, "error", VILLAGE_A),
            ("marriage-fields", "women", w4, "error", VILLAGE_A),
            ("marriage-fields", "women", w5, "error", VILLAGE_B),
        ]
    )
    assert message_of(faulty, "marriage-fields", W1) == (
        f"王芳 ({W1}): marital status married but no marriage date"
    )
    assert message_of(faulty, "marriage-fields", w5) == (
        f"未婚有日期 ({w5}): marital status single but has a marriage date 2010-05-01"
    )
    assert rows(clean, "marriage-fields") == []


def test_early_marriage(tmp_path: Path) -> None:
    leap = woman_id(date(2004, 2, 29), 12)
    plain = woman_id(date(1995, 6, 15), 14)
    faulty_tables = with_rows(
        base(),
        women=[
            woman(leap, "闰日", marriage_date=date(2024, 2, 28), method="none", method_date=None),
            woman(plain, "早婚", VILLAGE_B, marriage_date=date(2015, 6, 14)),
        ],
    )
    clean_tables = with_rows(
        base(),
        women=[
            woman(leap, "闰日", marriage_date=date(2024, 2, 29), method="none", method_date=None),
            woman(plain, "早婚", VILLAGE_B, marriage_date=date(2015, 6, 15)),  # 20th birthday
        ],
    )
    faulty, clean = pair(tmp_path, faulty_tables, clean_tables)
    assert rows(faulty, "early-marriage") == sorted(
        [
            ("early-marriage", "women", leap, "warning", VILLAGE_A),
            ("early-marriage", "women", plain, "warning", VILLAGE_B),
        ]
    )
    assert message_of(faulty, "early-marriage", plain) == (
        f"早婚 ({plain}), born 1995-06-15, married on 2015-06-14 at 19, "
        "before her 20th birthday; check both dates"
    )
    assert rows(clean, "early-marriage") == []


def test_children_count(tmp_path: Path, clean_base: list[Finding]) -> None:
    faulty, clean = audit(tmp_path, replace_woman(base(), W1, children=1)), clean_base
    assert rows(faulty, "children-count") == [("children-count", "women", W1, "error", VILLAGE_A)]
    assert message_of(faulty, "children-count", W1) == (
        f"王芳 ({W1}): 1 living children on the register, fewer than her 2 birth(s) in the "
        "birth register; check the number of children or the births"
    )
    assert rows(clean, "children-count") == []


def test_future_date(tmp_path: Path, clean_base: list[Finding]) -> None:
    t = replace_woman(base(), W1, marriage_date=date(2026, 12, 1), method_date=date(2026, 11, 5))
    t["checkups"][0]["checkup_date"] = date(2026, 11, 2)
    t["migrants"][0]["return_date"] = date(2026, 11, 1)
    t["migrant_births"][0]["reported_date"] = date(2026, 11, 3)
    faulty, clean = audit(tmp_path, t), clean_base
    assert rows(faulty, "future-date") == [
        ("future-date", "checkups", "C1", "error", VILLAGE_A),
        ("future-date", "migrant_births", "R1", "error", VILLAGE_A),  # her migrants village
        ("future-date", "migrants", "M1", "error", VILLAGE_A),
        ("future-date", "women", W1, "error", VILLAGE_A),
    ]
    assert message_of(faulty, "future-date", W1) == (
        f"women record {W1}: marriage_date 2026-12-01, method_date 2026-11-05 after the "
        "period end 2026-10-31"
    )
    assert message_of(faulty, "future-date", "M1") == (
        "migrants record M1: return_date 2026-11-01 after the period end 2026-10-31"
    )
    # certificate_expiry 2028 and an issue on the period end itself are no findings
    assert rows(clean, "future-date") == []


def test_pregnancy_fields(tmp_path: Path) -> None:
    lig, vas, later = (woman_id(date(1988, 4, 4), s) for s in (20, 22, 24))
    clean_tables = with_rows(
        base(),
        women=[
            woman(lig, "女扎", method="tubal_ligation", method_date=date(2020, 1, 1)),
            woman(vas, "男扎", VILLAGE_B, method="vasectomy", method_date=date(2021, 1, 1)),
            # sterilised after the pregnancy was recorded: no contradiction
            woman(
                later,
                "后扎",
                method="tubal_ligation",
                method_date=date(2026, 9, 1),
                pregnant=True,
                pregnancy_date=date(2026, 8, 1),
            ),
        ],
    )
    t = replace_woman(clean_tables, W1, pregnant=True, pregnancy_date=None)
    t = replace_woman(t, lig, pregnant=True, pregnancy_date=date(2026, 8, 1))
    t = replace_woman(t, vas, pregnant=True, pregnancy_date=date(2026, 8, 1))
    faulty, clean = pair(tmp_path, t, clean_tables)
    assert rows(faulty, "pregnancy-fields") == sorted(
        [
            ("pregnancy-fields", "women", W1, "error", VILLAGE_A),
            ("pregnancy-fields", "women", lig, "error", VILLAGE_A),
            ("pregnancy-fields", "women", vas, "error", VILLAGE_B),
        ]
    )
    assert message_of(faulty, "pregnancy-fields", W1) == (
        f"王芳 ({W1}) is recorded pregnant but has no pregnancy date"
    )
    assert message_of(faulty, "pregnancy-fields", lig) == (
        f"女扎 ({lig}) is recorded pregnant since 2026-08-01, yet her method tubal ligation "
        "dates from 2020-01-01, before that"
    )
    assert rows(clean, "pregnancy-fields") == []


# --- §2 births ------------------------------------------------------------------------------
def test_birth_mother_unregistered(tmp_path: Path, clean_base: list[Finding]) -> None:
    stranger = woman_id(date(1993, 9, 9), 30)
    faulty_tables = with_rows(
        base(), births=[birth("B9", stranger, date(2023, 5, 5), village=VILLAGE_B)]
    )
    # B3's mother is in migrants only: registered
    faulty, clean = audit(tmp_path, faulty_tables), clean_base
    assert rows(faulty, "birth-mother-unregistered") == [
        ("birth-mother-unregistered", "births", "B9", "error", VILLAGE_B)
    ]
    assert message_of(faulty, "birth-mother-unregistered", "B9") == (
        f"birth B9 (child 小B9 born 2023-05-05): the mother {stranger} is on neither the "
        "register of women nor the floating-population register; register her"
    )
    assert rows(clean, "birth-mother-unregistered") == []


def test_birth_mother_age(tmp_path: Path) -> None:
    child_day = date(2024, 6, 10)
    cases = {  # birth id -> (mother's age at the birth, days to move her birth date)
        "A11": (12, 1),  # 11: error
        "A12": (12, 0),  # 12: warning
        "A14": (15, 1),  # 14: warning
        "A15": (15, 0),  # 15: fine
        "A49": (50, 1),  # 49: fine
        "A50": (50, 0),  # 50: warning
        "A60": (61, 1),  # 60: warning
        "A61": (61, 0),  # 61: error
    }
    women, births = [], []
    mothers = {}
    for n, (bid, (age, shift)) in enumerate(sorted(cases.items())):
        pid = woman_id(_born(age, child_day, shift), 40 + 2 * n)
        mothers[bid] = pid
        women.append(
            woman(pid, f"母{bid}", marital_status="single", marriage_date=None, children=1)
        )
        births.append(birth(bid, pid, child_day))
    # Not on the register: her age comes from her ID (in-migrant, 14 at the birth).
    migrant = woman_id(_born(15, child_day, 1), 90, division="340104")
    migrants = [
        {
            "migrant_id": "M5",
            "person_id": migrant,
            "name": "流入母",
            "direction": "in",
            "village_code": VILLAGE_B,
            "move_date": date(2020, 1, 1),
        }
    ]
    births.append(birth("AM", migrant, child_day, village=VILLAGE_B))
    # On the register with a birth date (30 at the birth) that differs from her ID (50):
    # the register wins.
    odd = woman_id(_born(50, child_day), 98)
    women.append(woman(odd, "登记为准", birth_date=_born(30, child_day), children=1))
    births.append(birth("AR", odd, child_day))

    faulty_tables = with_rows(base(), women=women, births=births, migrants=migrants)
    fine = {"A15", "A49", "AR"}
    clean_tables = with_rows(
        base(),
        women=women,
        births=[b for b in births if b["birth_id"] in fine],
        migrants=migrants,
    )
    faulty, clean = pair(tmp_path, faulty_tables, clean_tables)
    assert rows(faulty, "birth-mother-age") == sorted(
        [
            ("birth-mother-age", "births", "A11", "error", VILLAGE_A),
            ("birth-mother-age", "births", "A12", "warning", VILLAGE_A),
            ("birth-mother-age", "births", "A14", "warning", VILLAGE_A),
            ("birth-mother-age", "births", "A50", "warning", VILLAGE_A),
            ("birth-mother-age", "births", "A60", "warning", VILLAGE_A),
            ("birth-mother-age", "births", "A61", "error", VILLAGE_A),
            ("birth-mother-age", "births", "AM", "warning", VILLAGE_B),
        ]
    )
    assert message_of(faulty, "birth-mother-age", "A61") == (
        f"birth A61: the mother {mothers['A61']}, born 1963-06-10 (per the register of "
        "women), was 61 when child 小A61 was born on 2024-06-10; "
        "check the dates and the mother's ID"
    )
    assert "born 2009-06-11 (per her ID number), was 14 when" in message_of(
        faulty, "birth-mother-age", "AM"
    )
    assert rows(clean, "birth-mother-age") == []


def _mother_births(mother: str, spec: list[tuple[str, date, int]]) -> list[dict[str, Any]]:
    return [birth(bid, mother, born, order) for bid, born, order in spec]


def test_birth_order(tmp_path: Path) -> None:
    d = date(2015, 1, 1)
    m = {k: woman_id(date(1985, 5, 5), s) for k, s in zip("ABCDEFG", range(50, 64, 2), strict=True)}
    faulty_spec = {
        "A": [("OA1", d, 2), ("OA2", date(2018, 1, 1), 1)],  # order falls
        "B": [("OB1", d, 1), ("OB2", date(2018, 1, 1), 1)],  # order repeats (not 3)
        "C": [("OC1", d, 3), ("OC2", date(2018, 1, 1), 3)],  # 3 = third or later: fine
        "D": [  # twins, then a second delivery: fine
            ("OD1", d, 1),
            ("OD2", d, 2),
            ("OD3", date(2018, 1, 1), 3),
        ],
        "E": [("OE1", d, 1), ("OE2", d + timedelta(days=179), 2)],  # 179 days apart
        "F": [("OF1", d, 1), ("OF2", d + timedelta(days=180), 2)],  # 180 days: fine
        "G": [("OG1", d, 2), ("OG2", d + timedelta(days=59), 1)],  # both rules broken
    }
    fine = {"C", "D", "F"}
    women = [woman(m[k], f"母{k}", children=3) for k in m]
    faulty_births = [b for k, spec in faulty_spec.items() for b in _mother_births(m[k], spec)]
    clean_births = [
        b
        for k, spec in faulty_spec.items()
        for b in _mother_births(m[k], spec if k in fine else spec[:1])
    ]
    faulty, clean = pair(
        tmp_path,
        with_rows(base(), women=women, births=faulty_births),
        with_rows(base(), women=women, births=clean_births),
    )
    assert rows(faulty, "birth-order") == [
        ("birth-order", "births", r, "error", VILLAGE_A) for r in ("OA2", "OB2", "OE2", "OG2")
    ]
    assert message_of(faulty, "birth-order", "OA2") == (
        f"birth OA2 (mother {m['A']}, child 小OA2 born 2018-01-01, order 1): "
        "birth order 1 is not above order 2 of OA1 born 2015-01-01"
    )
    assert message_of(faulty, "birth-order", "OE2") == (
        f"birth OE2 (mother {m['E']}, child 小OE2 born 2015-06-29, order 2): "
        "only 179 days after OE1 born 2015-01-01 (180 at least)"
    )
    assert message_of(faulty, "birth-order", "OG2").endswith(
        "birth order 1 is not above order 2 of OG1 born 2015-01-01; "
        "only 59 days after OG1 born 2015-01-01 (180 at least)"
    )
    assert rows(clean, "birth-order") == []


def test_birth_order_twins_too_soon_are_both_findings(tmp_path: Path) -> None:
    mother = woman_id(date(1986, 6, 6), 70)
    spec = [
        ("T1", date(2016, 1, 1), 1),
        ("T2", date(2016, 4, 1), 2),
        ("T3", date(2016, 4, 1), 3),
    ]
    findings = audit(
        tmp_path,
        with_rows(base(), women=[woman(mother, children=3)], births=_mother_births(mother, spec)),
    )
    assert rows(findings, "birth-order") == [
        ("birth-order", "births", "T2", "error", VILLAGE_A),
        ("birth-order", "births", "T3", "error", VILLAGE_A),
    ]
    assert "only 91 days after T1 born 2016-01-01" in message_of(findings, "birth-order", "T3")


def test_birth_after_sterilization(tmp_path: Path) -> None:
    lig = date(2020, 1, 1)
    s = {k: woman_id(date(1986, 2, 2), n) for k, n in zip("12345", range(72, 82, 2), strict=True)}
    women = [
        woman(s["1"], "扎300", children=1),
        woman(s["2"], "扎301", children=1),
        woman(s["3"], "措施扎", children=2, method="tubal_ligation", method_date=date(2019, 1, 1)),
        woman(s["4"], "男扎", children=1, method="vasectomy", method_date=date(2015, 1, 1)),
        woman(s["5"], "扎前生", children=1),
    ]
    procedures = [
        {
            "procedure_id": f"PL{k}",
            "person_id": s[k],
            "procedure": "tubal_ligation",
            "procedure_date": lig,
            "village_code": VILLAGE_A,
        }
        for k in ("1", "2", "5")
    ]
    births = [
        birth("S1", s["1"], lig + timedelta(days=300)),
        birth("S2", s["2"], lig + timedelta(days=301)),
        birth("S3", s["3"], date(2021, 1, 1)),
        birth("S4", s["4"], date(2020, 6, 1)),
        birth("S5", s["5"], date(2019, 12, 1)),
    ]
    fine = {"S1", "S4", "S5"}
    faulty, clean = pair(
        tmp_path,
        with_rows(base(), women=women, procedures=procedures, births=births),
        with_rows(
            base(),
            women=women,
            procedures=procedures,
            births=[b for b in births if b["birth_id"] in fine],
        ),
    )
    assert rows(faulty, "birth-after-sterilization") == [
        ("birth-after-sterilization", "births", "S2", "error", VILLAGE_A),
        ("birth-after-sterilization", "births", "S3", "error", VILLAGE_A),
    ]
    assert message_of(faulty, "birth-after-sterilization", "S2") == (
        f"birth S2 (mother {s['2']}, child 小S2 born 2020-10-28) is 301 days after her tubal "
        "ligation on 2020-01-01 (procedure PL2); more than 300 days is impossible: "
        "check the birth, the operation and the method"
    )
    assert "is 731 days after her tubal ligation on 2019-01-01 (method date on the register" in (
        message_of(faulty, "birth-after-sterilization", "S3")
    )
    assert rows(clean, "birth-after-sterilization") == []


def test_birth_late_report(tmp_path: Path) -> None:
    mother = woman_id(date(1992, 2, 2), 84)
    women = [woman(mother, "迟报", children=3)]
    births = [  # births 200 days apart, reported after 30, 31 and -1 days
        birth(bid, mother, born, 1, reported_date=born + timedelta(days=days))
        for bid, born, days in (
            ("L30", date(2025, 1, 1), 30),  # day 30: in time
            ("L31", date(2025, 7, 20), 31),
            ("L-1", date(2026, 2, 5), -1),
        )
    ]
    faulty, clean = pair(
        tmp_path,
        with_rows(base(), women=women, births=births),
        with_rows(base(), women=women, births=births[:1]),
    )
    assert rows(faulty, "birth-late-report") == [
        ("birth-late-report", "births", "L-1", "error", VILLAGE_A),
        ("birth-late-report", "births", "L31", "warning", VILLAGE_A),
    ]
    assert message_of(faulty, "birth-late-report", "L31") == (
        f"birth L31 (mother {mother}, child 小L31 born 2025-07-20) reported on 2025-08-20, "
        "31 days after the birth (30 allowed)"
    )
    assert message_of(faulty, "birth-late-report", "L-1") == (
        f"birth L-1 (mother {mother}, child 小L-1 born 2026-02-05) reported on 2026-02-04, "
        "1 day(s) before the birth: one of the dates is wrong"
    )
    assert rows(clean, "birth-late-report") == []


def test_birth_policy_missing(tmp_path: Path, clean_base: list[Finding]) -> None:
    mothers = [woman_id(date(1993, 1, d), 60 + 2 * d) for d in range(1, 6)]
    women = [woman(m, f"政策{i}", children=1) for i, m in enumerate(mothers)]
    births = [  # one birth each; W is 2026-10-01 .. 2026-10-31
        birth("P1", mothers[0], date(2026, 10, 1), policy=None, reported_date=date(2026, 10, 3)),
        birth("P2", mothers[1], date(2026, 10, 31), policy=None, reported_date=date(2026, 10, 31)),
        birth("P3", mothers[2], date(2026, 10, 9), policy="maybe", village=VILLAGE_B,
              reported_date=date(2026, 10, 12)),  # not a policy code: cell-invalid, then empty
        birth("P4", mothers[3], date(2026, 9, 30), policy=None),  # before W
        birth("P5", mothers[4], date(2026, 10, 20), policy="out", reported_date=date(2026, 10, 22)),
    ]  # fmt: skip
    filled = copy.deepcopy(births)
    for b in filled:
        b["policy"] = b["policy"] if b["policy"] in ("in", "out") else "in"
    faulty_tables = with_rows(base(), women=women, births=births)
    faulty, clean = pair(tmp_path, faulty_tables, with_rows(base(), women=women, births=filled))
    assert rows(faulty, "birth-policy-missing") == [
        ("birth-policy-missing", "births", "P1", "warning", VILLAGE_A),
        ("birth-policy-missing", "births", "P2", "warning", VILLAGE_A),
        ("birth-policy-missing", "births", "P3", "warning", VILLAGE_B),
    ]
    assert [f.record for f in of(faulty, "cell-invalid")] == ["P3"]
    assert message_of(faulty, "birth-policy-missing", "P1") == (
        f"birth P1 (mother {mothers[0]}, child 小P1 born 2026-10-01) has no policy attribute; "
        "the policy compliance rate leaves it out until it is filled in"
    )
    assert rows(clean, "birth-policy-missing") == []
    assert rows(clean_base, "birth-policy-missing") == []


# --- sex ratio ------------------------------------------------------------------------------
Z = 1.959963984540054


def wilson(boys: int, n: int) -> tuple[float, float]:
    p = boys / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def ratio_text(p: float) -> str:
    return "∞" if p >= 0.9999999 else f"{100 * p / (1 - p):.1f}"


def in_window_births(village: str, boys: int, girls: int, tag: str) -> list[dict[str, Any]]:
    """Births in W (October 2026), each of its own mother (not on the register)."""
    out = []
    for i in range(boys + girls):
        mother = woman_id(date(1990, 1, 1) + timedelta(days=i), 2, division="340111")
        out.append(
            birth(
                f"X{tag}{i:02d}",
                mother,
                date(2026, 10, 1) + timedelta(days=i % 28),
                village=village,
                child_sex="M" if i < boys else "F",
                reported_date=date(2026, 10, 30),
            )
        )
    return out


def test_sex_ratio(tmp_path: Path) -> None:
    faulty_births = (
        in_window_births(VILLAGE_A, 20, 0, "a")  # 20 births: warning
        + in_window_births(VILLAGE_B, 19, 0, "b")  # 19 births: info
        + in_window_births(VILLAGE_C, 10, 10, "c")  # balanced: fine
    )
    # September, before W: not counted
    before = [
        {**b, "child_birth_date": date(2026, 9, 15), "reported_date": date(2026, 9, 20)}
        for b in in_window_births(VILLAGE_A, 0, 30, "s")
    ]
    clean_births = (
        in_window_births(VILLAGE_A, 10, 10, "a")
        + in_window_births(VILLAGE_B, 2, 2, "b")
        + in_window_births(VILLAGE_C, 10, 10, "c")
    )
    faulty, clean = pair(
        tmp_path,
        with_rows(base(), births=faulty_births + before),
        with_rows(base(), births=clean_births + before),
    )
    assert rows(faulty, "sex-ratio") == [
        ("sex-ratio", "births", TOWNSHIP, "warning", TOWNSHIP),
        ("sex-ratio", "births", VILLAGE_A, "warning", VILLAGE_A),
        ("sex-ratio", "births", VILLAGE_B, "info", VILLAGE_B),
    ]
    lo, _ = wilson(20, 20)
    assert message_of(faulty, "sex-ratio", VILLAGE_A) == (
        f"village {VILLAGE_A}: 20 boys and 0 girls born 2026-10-01 to 2026-10-31, sex ratio ∞ "
        f"(95% interval {ratio_text(lo)}–∞), above the normal 103–107"
    )
    assert message_of(faulty, "sex-ratio", VILLAGE_B).endswith(
        "above the normal 103–107 (fewer than 20 births: for information)"
    )
    lo, hi = wilson(49, 59)
    assert message_of(faulty, "sex-ratio", TOWNSHIP) == (
        f"township {TOWNSHIP}: 49 boys and 10 girls born 2026-10-01 to 2026-10-31, "
        f"sex ratio 490.0 (95% interval {ratio_text(lo)}–{ratio_text(hi)}), "
        "above the normal 103–107"
    )
    assert rows(clean, "sex-ratio") == []


def test_sex_ratio_low_and_window_from_params(tmp_path: Path) -> None:
    """A girls-heavy village is 'below'; an earlier --window-start brings September in."""
    tables = with_rows(base(), births=in_window_births(VILLAGE_A, 10, 30, "a"))
    findings = audit(tmp_path / "oct", tables)
    lo, hi = wilson(10, 40)
    assert rows(findings, "sex-ratio") == [
        ("sex-ratio", "births", TOWNSHIP, "warning", TOWNSHIP),
        ("sex-ratio", "births", VILLAGE_A, "warning", VILLAGE_A),
    ]
    assert message_of(findings, "sex-ratio", VILLAGE_A) == (
        f"village {VILLAGE_A}: 10 boys and 30 girls born 2026-10-01 to 2026-10-31, "
        f"sex ratio 33.3 (95% interval {ratio_text(lo)}–{ratio_text(hi)}), "
        "below the normal 103–107"
    )
    # 30 boys born in September balance the village once W starts on 1 September.
    september = [
        {**b, "child_birth_date": date(2026, 9, 10), "reported_date": date(2026, 9, 20)}
        for b in in_window_births(VILLAGE_A, 30, 0, "s")
    ]
    findings = audit(
        tmp_path / "sep", with_rows(tables, births=september), window_start=date(2026, 9, 1)
    )
    assert rows(findings, "sex-ratio") == []


# --- every template, both languages ---------------------------------------------------------
def everything_wrong() -> Tables:
    """One submission breaking all 20 rules at once."""
    man = man_id(date(1988, 8, 8), 3)
    far = woman_id(date(1991, 1, 1), 40, division="990426")  # no such division
    window_births = in_window_births(VILLAGE_C, 8, 0, "c")
    window_births[0]["policy"] = None
    stranger = woman_id(date(1993, 9, 9), 30)
    young = woman_id(_born(14, PERIOD_END), 32)
    w1 = next(w for w in base()["women"] if w["person_id"] == W1)
    t = replace_woman(
        base(),
        W1,
        birth_date=date(1990, 1, 2),
        children=1,
        marital_status="single",
        marriage_date=date(2008, 1, 1),
        method="tubal_ligation",
        method_date=date(2015, 1, 1),
        pregnant=True,
        pregnancy_date=date(2026, 12, 1),
    )
    b1 = next(b for b in t["births"] if b["birth_id"] == "B1")
    return with_rows(
        t,
        women=[
            {**w1, "village_code": VILLAGE_B},
            woman(man, "刘强"),
            woman(young, "少女", group_no=100),  # value-range: groups are 1..99
            woman(far, "吴梅"),
        ],
        births=[
            {**b1, "birth_id": "B1a"},
            birth("B4", W1[:17], date(2024, 3, 1)),
            birth("B9", stranger, date(2023, 5, 5), 1, reported_date=date(2023, 7, 5)),
            birth("B10", young, date(2024, 1, 1), 1),
            birth("B11", W1, date(2019, 10, 1), 1),
            *window_births,
        ],
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_check_fires_and_formats(tmp_path: Path, lang: str) -> None:
    findings = audit(tmp_path, everything_wrong(), lang=lang)
    fired = {f.check for f in findings if f.check in CHECKS}
    assert fired == set(CHECKS)
    for f in findings:
        if f.check in CHECKS:
            # no column left NULL (the engine writes NULL as "empty"/"空") or unfilled
            for text in ("None", "{", "empty" if lang == "en" else "空"):
                assert text not in f.message, f
            assert f.message.strip() == f.message and "\n" not in f.message
    if lang == "zh":
        man = man_id(date(1988, 8, 8), 3)
        assert message_of(findings, "id-birthdate", W1, "women").startswith(
            f"王芳（{W1}）出生日期 1990-01-02 与身份证中的 1990-01-01 不符"
        )
        assert message_of(findings, "id-format", "B4") == (
            f"出生登记记录 B4 的母亲身份证号 {W1[:17]} 不是有效身份证号码：长度为 17 位，应为 18 位"
        )
        assert message_of(findings, "id-sex", man) == (
            f"育龄妇女花名册记录 {man} 的身份证号 {man} 是男性身份证号码"
            f"（第17位 {man[16]} 为奇数），应为女性"
        )
        assert message_of(findings, "future-date", W1) == (
            f"育龄妇女花名册记录 {W1}：孕情日期 2026-12-01 晚于报告期末 2026-10-31"
        )
        assert message_of(findings, "marriage-fields", W1) == (
            f"王芳（{W1}）婚姻状况为未婚，但填有结婚日期 2008-01-01"
        )
        lo, _ = wilson(8, 8)
        assert message_of(findings, "sex-ratio", VILLAGE_C) == (
            f"村 {VILLAGE_C}：2026-10-01 至 2026-10-31 出生男孩 8 人、女孩 0 人，出生性别比 ∞"
            f"（95% 区间 {ratio_text(lo)}–∞），高于正常范围 103–107（出生不足 20 人，仅供参考）"
        )


# --- portability ----------------------------------------------------------------------------
def statistics_sql_files() -> list[Path]:
    checks = [SQL_DIR / "checks" / f"{c}.sql" for c in CHECKS]
    views = sorted((SQL_DIR / "views").glob("*stat_*.sql"))
    return [*views, *checks]


@pytest.mark.parametrize("path", statistics_sql_files(), ids=lambda p: p.name)
def test_sql_transpiles_to_spark(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    out = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert len(out) == 1 and out[0].strip()
    # one statement: a SELECT for a check, a CREATE VIEW for a view
    head = sqlglot.parse_one(sql, read="duckdb")
    if path.parent.name == "checks":
        assert isinstance(head, sqlglot.exp.Query), path
    else:
        assert isinstance(head, sqlglot.exp.Create), path


def test_suite_entries_point_at_these_files() -> None:
    suite = json.loads((SQL_DIR.parent / "expectations" / "statistics.json").read_text("utf-8"))
    for e in suite["expectations"]:
        meta = e["meta"]
        assert meta["sql"] == f"checks/{meta['check']}.sql"
        assert (SQL_DIR / meta["sql"]).is_file()
        for lang in ("zh", "en"):
            assert meta["message"][lang] and meta["message"][lang] != "TODO"
            assert meta["title"][lang]
