"""Golden tests of the cross-ledger checks (checks.md §3, 四家一致), run through `run_audit`.

One small, self-consistent township (`township()`) passes every §3 check. Each case below
changes one thing in it — usually one cell, sometimes a row — and states the exact findings
the changed check must report: record, table, village, severity, category, ledgers and the
whole English message. Boundary cases (±7 days, 42 days, ±30 days, 92 days, window start)
sit on both sides of each limit. Period 2026-10: W = 2026-10-01..2026-10-31, "recent" =
2026-08-01..2026-10-31.

The cases do not each pay for an audit: `Batch` plants every case in its own copy of the
township (own IDs, own record keys) inside one submission, runs `run_audit` once per language
and window, and hands each case the findings of its copy translated back to the canonical
IDs and keys. The clean township is audited on its own, with the §3 suites and with all.
"""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from audit.app import run_audit
from audit.core.contract import CODE_SETS, TABLE_NAMES, table
from audit.core.idcard import id_birth_date, make_id
from audit.core.models import Category, Finding, Severity
from audit.core.period import make_window
from audit.io.schema import create_tables
from audit.io.sqlrun import SQL_DIR, install_params, install_views
from tests.helpers import VILLAGE_A, VILLAGE_B, woman_id, write_submission

SUITE_FILES = ("cross_ledger.json", "floating.json")
EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"

# check -> (category, severity, ledgers, default table): checks.md §3 and the suite entries.
CHECKS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "migrant-birth-missing": (
        "under_report",
        "error",
        ("floating", "statistics"),
        "migrant_births",
    ),
    "postpartum-birth-missing": (
        "under_report",
        "error",
        ("technical", "statistics"),
        "procedures",
    ),
    "pregnancy-missing": ("under_report", "warning", ("technical", "statistics"), "women"),
    "method-vs-procedure": ("mismatch", "error", ("statistics", "technical"), "women"),
    "method-unsupported": ("false_report", "error", ("statistics", "technical"), "women"),
    "short-method-no-supply": ("false_report", "warning", ("statistics", "supply"), "women"),
    "supply-unregistered": (
        "mismatch",
        "error",
        ("supply", "statistics", "floating"),
        "supply_issues",
    ),
    "supply-to-sterilized": ("mismatch", "warning", ("supply", "statistics"), "supply_issues"),
    "procedure-unregistered": (
        "mismatch",
        "error",
        ("technical", "statistics", "floating"),
        "procedures",
    ),
    "outmigrant-missing": ("mismatch", "error", ("statistics", "floating"), "women"),
    "migrant-status": ("mismatch", "error", ("floating", "statistics"), "migrants"),
    "inmigrant-unregistered": ("under_report", "error", ("floating", "statistics"), "migrants"),
    "migrant-marriage": ("under_report", "warning", ("floating", "statistics"), "women"),
    "certificate": ("completeness", "warning", ("floating",), "migrants"),
    "feedback-overdue": ("timeliness", "warning", ("floating",), "migrants"),
}
CHECK_IDS = tuple(CHECKS)
VIEW_FILES = ("20_x_code_labels", "21_x_open_migrants", "22_x_latest_long_acting")
VIEW_FILES += ("23_x_women_person", "24_x_migrant_person", "25_x_open_migrant_register")

# --- the people of the township ---------------------------------------------------------------
LI = woman_id(date(1990, 1, 1), 2)  # 李娟: IUD since 2025, a checkup this month
WANG = woman_id(date(1992, 3, 4), 4)  # 王芳: condoms, drew some in September
ZHANG = woman_id(date(1988, 7, 8), 6)  # 张敏: away (流出) with an open out row
CHEN = woman_id(date(1995, 2, 3), 8, division="320102")  # 陈静: in-migrant (流入)
ZHAO = woman_id(date(1993, 11, 12), 10)  # 赵丽: gave birth in October, postpartum IUD
SUN = woman_id(date(1985, 6, 6), 12)  # 孙霞: tubal ligation in 2020
ZHOU = woman_id(date(1991, 9, 9), 14)  # 周燕: pregnant, on the register as pregnant
WU = woman_id(date(1994, 4, 4), 16)  # 吴红: pregnant at a checkup, then an abortion
LIU = woman_id(date(2000, 8, 8), 18)  # 刘洋: single, worked away and came back
HUANG = woman_id(date(1997, 12, 1), 20, division="320102")  # 黄梅: only on the floating register
STRANGER = woman_id(date(1996, 5, 5), 22, division="110101")  # on no register at all

Row = dict[str, Any]
Tables = dict[str, list[Row]]


def _woman(person_id: str, name: str, **values: Any) -> Row:
    row: Row = {
        "person_id": person_id,
        "name": name,
        "birth_date": date(int(person_id[6:10]), int(person_id[10:12]), int(person_id[12:14])),
        "village_code": VILLAGE_A,
        "group_no": 1,
        "central_household": "中心户01",
        "marital_status": "married",
        "marriage_date": date(2015, 5, 1),
        "residence": "resident",
        "children": 1,
        "method": "none",
        "method_date": None,
        "pregnant": False,
        "pregnancy_date": None,
    }
    row.update(values)
    return row


def township() -> Tables:
    """Every §3 check passes here: each ledger agrees with the others, record by record."""
    iud_2025, since_2019 = date(2025, 3, 10), date(2019, 1, 1)
    return {
        "women": [
            _woman(LI, "李娟", method="iud", method_date=iud_2025),
            _woman(WANG, "王芳", method="condom", method_date=date(2024, 6, 1)),
            _woman(
                ZHANG,
                "张敏",
                village_code=VILLAGE_B,
                residence="out",
                method="iud",
                method_date=since_2019,
            ),
            _woman(CHEN, "陈静", residence="in"),
            _woman(
                ZHAO, "赵丽", village_code=VILLAGE_B, method="iud", method_date=date(2026, 10, 20)
            ),
            _woman(SUN, "孙霞", children=2, method="tubal_ligation", method_date=date(2020, 4, 1)),
            _woman(ZHOU, "周燕", pregnant=True, pregnancy_date=date(2026, 8, 20)),
            _woman(WU, "吴红"),
            _woman(LIU, "刘洋", marital_status="single", marriage_date=None, children=0),
        ],
        "births": [
            {
                "birth_id": "B1",
                "mother_id": ZHAO,
                "child_name": "赵小宝",
                "child_sex": "F",
                "child_birth_date": date(2026, 10, 5),
                "birth_order": 2,
                "policy": "in",
                "village_code": VILLAGE_B,
                "group_no": 1,
                "reported_date": date(2026, 10, 9),
                "delivery_place": "hospital",
            },
        ],
        "procedures": [
            {
                "procedure_id": "P0",
                "person_id": ZHANG,
                "procedure": "iud_insert",
                "procedure_date": since_2019,
                "postpartum": False,
                "village_code": VILLAGE_B,
            },
            {
                "procedure_id": "P1",
                "person_id": LI,
                "procedure": "iud_insert",
                "procedure_date": iud_2025,
                "postpartum": False,
                "village_code": VILLAGE_A,
            },
            {
                "procedure_id": "P2",
                "person_id": ZHAO,
                "procedure": "iud_insert",
                "procedure_date": date(2026, 10, 20),
                "postpartum": True,
                "village_code": VILLAGE_B,
            },
            {
                "procedure_id": "P3",
                "person_id": SUN,
                "procedure": "tubal_ligation",
                "procedure_date": date(2020, 4, 1),
                "postpartum": False,
                "village_code": VILLAGE_A,
            },
            {
                "procedure_id": "P4",
                "person_id": WU,
                "procedure": "abortion",
                "procedure_date": date(2026, 9, 20),
                "postpartum": False,
                "village_code": VILLAGE_A,
            },
        ],
        "checkups": [
            {
                "checkup_id": "C1",
                "person_id": ZHOU,
                "checkup_date": date(2026, 9, 1),
                "pregnant": True,
                "illness": False,
                "village_code": VILLAGE_A,
            },
            {
                "checkup_id": "C2",
                "person_id": WU,
                "checkup_date": date(2026, 9, 5),
                "pregnant": True,
                "illness": False,
                "village_code": VILLAGE_A,
            },
            {
                "checkup_id": "C3",
                "person_id": LI,
                "checkup_date": date(2026, 10, 10),
                "iud_present": True,
                "pregnant": False,
                "illness": False,
                "village_code": VILLAGE_A,
            },
        ],
        "supply_issues": [
            {
                "issue_id": "S1",
                "person_id": WANG,
                "village_code": VILLAGE_A,
                "point_code": VILLAGE_A,
                "item": "condom",
                "quantity": 20,
                "issue_date": date(2026, 9, 20),
            },
            {
                "issue_id": "S2",
                "person_id": CHEN,
                "village_code": VILLAGE_A,
                "point_code": VILLAGE_A,
                "item": "condom",
                "quantity": 10,
                "issue_date": date(2026, 10, 12),
            },
        ],
        "migrants": [
            {
                "migrant_id": "M1",
                "person_id": ZHANG,
                "name": "张敏",
                "direction": "out",
                "village_code": VILLAGE_B,
                "move_date": date(2025, 5, 1),
                "place": "江苏省苏州市",
                "marital_status": "married",
                "certificate_no": "婚育证〔2025〕00001号",
                "certificate_expiry": date(2028, 5, 1),
                "last_feedback_date": date(2026, 10, 5),
            },
            {
                "migrant_id": "M2",
                "person_id": CHEN,
                "name": "陈静",
                "direction": "in",
                "village_code": VILLAGE_A,
                "move_date": date(2026, 3, 1),
                "place": "江苏省南京市",
                "marital_status": "married",
            },
            {
                "migrant_id": "M3",
                "person_id": ZHAO,
                "name": "赵丽",
                "direction": "out",
                "village_code": VILLAGE_B,
                "move_date": date(2026, 1, 10),
                "place": "浙江省杭州市",
                "marital_status": "married",
                "certificate_no": "婚育证〔2026〕00007号",
                "certificate_expiry": date(2029, 1, 10),
                "last_feedback_date": date(2026, 10, 1),
                "return_date": date(2026, 10, 15),
            },
            {
                "migrant_id": "M4",
                "person_id": LIU,
                "name": "刘洋",
                "direction": "out",
                "village_code": VILLAGE_A,
                "move_date": date(2022, 3, 1),
                "place": "广东省深圳市",
                "marital_status": "single",
                "return_date": date(2024, 2, 1),
            },
        ],
        "migrant_births": [
            {
                "report_id": "R1",
                "mother_id": ZHAO,
                "child_sex": "F",
                "child_birth_date": date(2026, 10, 7),
                "reported_date": date(2026, 10, 12),
                "place": "浙江省杭州市",
            },
        ],
    }


# --- editing the township ---------------------------------------------------------------------
def _find(tables: Tables, name: str, key: str) -> Row:
    col = table(name).key[0]
    for row in tables[name]:
        if row[col] == key:
            return row
    raise KeyError(f"{name}: no row {key}")


def edit(name: str, key: str, /, **values: Any) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        _find(tables, name, key).update(values)

    return change


def drop(name: str, key: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[name].remove(_find(tables, name, key))

    return change


def add(name: str, /, **row: Any) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        unknown = set(row) - set(table(name).column_names)
        assert not unknown, unknown
        tables[name].append(dict(row))

    return change


def proc(pid: str, person: str, kind: str, on: date, **values: Any) -> Callable[[Tables], None]:
    values.setdefault("postpartum", False)
    values.setdefault("village_code", VILLAGE_A)
    return add(
        "procedures",
        procedure_id=pid,
        person_id=person,
        procedure=kind,
        procedure_date=on,
        **values,
    )


def issue(sid: str, person: str, item: str, qty: int, on: date) -> Callable[[Tables], None]:
    return add(
        "supply_issues",
        issue_id=sid,
        person_id=person,
        village_code=VILLAGE_A,
        point_code=VILLAGE_A,
        item=item,
        quantity=qty,
        issue_date=on,
    )


def checkup(cid: str, person: str, on: date, pregnant: bool) -> Callable[[Tables], None]:
    return add(
        "checkups",
        checkup_id=cid,
        person_id=person,
        checkup_date=on,
        pregnant=pregnant,
        illness=False,
        village_code=VILLAGE_A,
    )


def birth(bid: str, mother: str, on: date) -> Callable[[Tables], None]:
    return add(
        "births",
        birth_id=bid,
        mother_id=mother,
        child_name="小宝",
        child_sex="M",
        child_birth_date=on,
        birth_order=1,
        policy="in",
        village_code=VILLAGE_A,
        group_no=1,
        reported_date=on,
        delivery_place="hospital",
    )


def migrant(
    mid: str, person: str, name: str, direction: str, **values: Any
) -> Callable[[Tables], None]:
    values.setdefault("village_code", VILLAGE_A)
    values.setdefault("move_date", date(2025, 1, 1))
    return add(
        "migrants", migrant_id=mid, person_id=person, name=name, direction=direction, **values
    )


# --- running the audit ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def suites_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two suites of §3 alone, so that the golden runs stay about these checks."""
    folder = tmp_path_factory.mktemp("suites")
    for name in SUITE_FILES:
        shutil.copy(EXPECTATIONS_DIR / name, folder / name)
    return folder


@dataclass(frozen=True)
class Expect:
    record: str
    village_code: str | None
    message: str
    table: str | None = None  # the check's default table unless given


@dataclass(frozen=True)
class Case:
    name: str
    check: str
    changes: tuple[Callable[[Tables], None], ...]
    expected: tuple[Expect, ...]
    window_start: date | None = None
    zh: tuple[str, ...] = field(default=())  # exact Chinese messages, same order as expected


def expected_finding(check: str, e: Expect, message: str | None = None) -> Finding:
    category, severity, ledgers, default_table = CHECKS[check]
    return Finding(
        check=check,
        category=Category(category),
        severity=Severity(severity),
        ledgers=ledgers,
        table=e.table or default_table,
        record=e.record,
        village_code=e.village_code,
        message=e.message if message is None else message,
    )


def D(text: str) -> date:
    return date.fromisoformat(text)


# --- the cases, check by check ----------------------------------------------------------------
def _mb(person: str, born: str, report: str) -> str:
    return (
        f"{person}: a birth on {born} was notified by the floating-population exchange "
        f"(report {report}), but the birth register has no birth of hers within 7 days of that date"
    )


def _pp(person: str, what: str, on: str, pid: str, since: str) -> str:
    return (
        f"{person}: postpartum {what} on {on} ({pid}), but the birth register has no birth of "
        f"hers from {since} to {on}"
    )


def _preg(person: str, on: str, cid: str) -> str:
    return (
        f"{person}: found pregnant at the checkup of {on} ({cid}), but the register does not "
        "record her as pregnant and no birth, abortion or induced labour of hers is on file since"
    )


def _mvp(person: str, method: str, what: str, on: str, pid: str) -> str:
    return (
        f"{person}: the register's method is {method}, but her latest procedure is {what} "
        f"({on}, {pid})"
    )


def _unsup(person: str, method: str, since: str, what: str) -> str:
    return (
        f"{person}: the register has {method} since {since}, but no {what} of hers is on file "
        "within 30 days of that date"
    )


def _short(person: str, method: str, item: str, last: str) -> str:
    return (
        f"{person}: the register's method is {method}, but she received no {item} from "
        f"2026-08-01 to 2026-10-31 (last issue: {last})"
    )


def _unreg_issue(person_id: str, qty: int, item: str, on: str, sid: str) -> str:
    return (
        f"{person_id}: received {qty} {item} on {on} (issue {sid}), but is on neither the "
        "women's register nor the in-migrant list"
    )


def _steril(person: str, qty: int, item: str, on: str, sid: str, method: str) -> str:
    return (
        f"{person}: received {qty} {item} on {on} (issue {sid}), but the register's method is "
        f"{method}"
    )


def _unreg_event(person_id: str, what: str, on: str, rec: str) -> str:
    return (
        f"{person_id}: {what} on {on} ({rec}), but the person is on neither the women's register "
        "nor the floating-population register"
    )


def _out_missing(person: str, status: str) -> str:
    return f"{person}: the register says out-migrant, but {status}"


def _status(person: str, mid: str, since: str, register: str) -> str:
    return (
        f"{person}: the floating-population register ({mid}) has her away as an out-migrant"
        f"{since}, but {register}"
    )


def _in_unreg(person: str, mid: str, since: str, register: str) -> str:
    return (
        f"{person}: the floating-population register ({mid}) has her living here as an "
        f"in-migrant{since}, but {register}"
    )


def _marriage(person: str, mid: str, status: str) -> str:
    return (
        f"{person}: the floating-population register ({mid}) says {status}, but the women's "
        "register says single"
    )


def _feedback(person: str, mid: str, last: str) -> str:
    return (
        f"{person}: married out-migrant ({mid}) with no pregnancy-check feedback since "
        f"2026-08-01 ({last})"
    )


P_LI, P_WANG, P_ZHANG, P_CHEN = f"李娟 {LI}", f"王芳 {WANG}", f"张敏 {ZHANG}", f"陈静 {CHEN}"
P_ZHAO, P_SUN, P_ZHOU, P_WU = f"赵丽 {ZHAO}", f"孙霞 {SUN}", f"周燕 {ZHOU}", f"吴红 {WU}"
P_LIU, P_HUANG = f"刘洋 {LIU}", f"黄梅 {HUANG}"
CERT = "婚育证〔2025〕00001号"
NOT_ON_REGISTER = "she is not on the women's register"


def case(
    name: str,
    check: str,
    changes: list[Callable[[Tables], None]],
    *expected: Expect,
    window_start: date | None = None,
    zh: tuple[str, ...] = (),
) -> Case:
    return Case(name, check, tuple(changes), tuple(expected), window_start, zh)


CASES: list[Case] = [
    # migrant-birth-missing: ±7 days around the notified birth, window start, village fallback
    case(
        "migrant birth, register birth 8 days earlier",
        "migrant-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-09-29"))],
        Expect("R1", VILLAGE_B, _mb(P_ZHAO, "2026-10-07", "R1")),
        zh=(
            f"{P_ZHAO}：流动人口信息通报其于 2026-10-07 生育（通报 R1），"
            "但出生登记中该日前后7天内没有她的出生记录",
        ),
    ),
    case(
        "migrant birth, register birth 7 days earlier",
        "migrant-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-09-30"))],
    ),
    case(
        "migrant birth, register birth 7 days later",
        "migrant-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-10-14"))],
    ),
    case(
        "migrant birth, register birth 8 days later",
        "migrant-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-10-15"))],
        Expect("R1", VILLAGE_B, _mb(P_ZHAO, "2026-10-07", "R1")),
    ),
    case(
        "migrant birth, the register birth is another mother's",
        "migrant-birth-missing",
        [edit("births", "B1", mother_id=LI)],
        Expect("R1", VILLAGE_B, _mb(P_ZHAO, "2026-10-07", "R1")),
    ),
    case(
        "migrant birth the day before the window",
        "migrant-birth-missing",
        [drop("births", "B1"), edit("migrant_births", "R1", child_birth_date=D("2026-09-30"))],
    ),
    case(
        "migrant birth on the window start",
        "migrant-birth-missing",
        [drop("births", "B1"), edit("migrant_births", "R1", child_birth_date=D("2026-10-01"))],
        Expect("R1", VILLAGE_B, _mb(P_ZHAO, "2026-10-01", "R1")),
    ),
    case(
        "migrant birth inside a window given by --window-start",
        "migrant-birth-missing",
        [drop("births", "B1"), edit("migrant_births", "R1", child_birth_date=D("2026-09-15"))],
        Expect("R1", VILLAGE_B, _mb(P_ZHAO, "2026-09-15", "R1")),
        window_start=D("2026-09-01"),
    ),
    case(
        "migrant birth of a mother known only to the floating register, and of a stranger",
        "migrant-birth-missing",
        [
            migrant("M5", HUANG, "黄梅", "in", village_code=VILLAGE_B, return_date=D("2026-06-01")),
            add(
                "migrant_births",
                report_id="R2",
                mother_id=HUANG,
                child_sex="M",
                child_birth_date=D("2026-10-09"),
                reported_date=D("2026-10-20"),
            ),
            add(
                "migrant_births",
                report_id="R3",
                mother_id=STRANGER,
                child_sex="F",
                child_birth_date=D("2026-10-11"),
                reported_date=D("2026-10-20"),
            ),
        ],
        Expect("R2", VILLAGE_B, _mb(P_HUANG, "2026-10-09", "R2")),
        Expect("R3", None, _mb(STRANGER, "2026-10-11", "R3")),
    ),
    # postpartum-birth-missing: a birth 0..42 days before the procedure
    case(
        "postpartum IUD, register birth 43 days earlier",
        "postpartum-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-09-07"))],
        Expect("P2", VILLAGE_B, _pp(P_ZHAO, "IUD insertion", "2026-10-20", "P2", "2026-09-08")),
        zh=(
            f"{P_ZHAO}：2026-10-20 做了产后放环（P2），"
            "但出生登记中 2026-09-08 至 2026-10-20 没有她的分娩记录",
        ),
    ),
    case(
        "postpartum IUD, register birth 42 days earlier",
        "postpartum-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-09-08"))],
    ),
    case(
        "postpartum IUD, register birth on the same day",
        "postpartum-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-10-20"))],
    ),
    case(
        "postpartum IUD, register birth the day after",
        "postpartum-birth-missing",
        [edit("births", "B1", child_birth_date=D("2026-10-21"))],
        Expect("P2", VILLAGE_B, _pp(P_ZHAO, "IUD insertion", "2026-10-20", "P2", "2026-09-08")),
    ),
    case(
        "interval (not postpartum) IUD without a birth",
        "postpartum-birth-missing",
        [drop("births", "B1"), edit("procedures", "P2", postpartum=False)],
    ),
    case(
        "postpartum procedure the day before the window",
        "postpartum-birth-missing",
        [drop("births", "B1"), edit("procedures", "P2", procedure_date=D("2026-09-30"))],
    ),
    case(
        "postpartum ligation on the window start, procedure without a village",
        "postpartum-birth-missing",
        [
            drop("births", "B1"),
            edit(
                "procedures",
                "P2",
                procedure="tubal_ligation",
                procedure_date=D("2026-10-01"),
                village_code=None,
            ),
        ],
        Expect("P2", VILLAGE_B, _pp(P_ZHAO, "tubal ligation", "2026-10-01", "P2", "2026-08-20")),
    ),
    # pregnancy-missing: pregnant at a checkup in the last 92 days, nothing after it
    case(
        "pregnant at a checkup, no outcome and not on the register",
        "pregnancy-missing",
        [drop("procedures", "P4")],
        Expect(WU, VILLAGE_A, _preg(P_WU, "2026-09-05", "C2")),
        zh=(
            f"{P_WU}：2026-09-05 查孕结果为怀孕（C2），"
            "但花名册未登记孕情，其后也没有出生、人流或引产记录",
        ),
    ),
    case(
        "abortion on the checkup day",
        "pregnancy-missing",
        [edit("procedures", "P4", procedure_date=D("2026-09-05"))],
    ),
    case(
        "abortion the day before the checkup",
        "pregnancy-missing",
        [edit("procedures", "P4", procedure_date=D("2026-09-04"))],
        Expect(WU, VILLAGE_A, _preg(P_WU, "2026-09-05", "C2")),
    ),
    case(
        "induced labour after the checkup",
        "pregnancy-missing",
        [edit("procedures", "P4", procedure="induced_labor")],
    ),
    case(
        "an IUD insertion is no pregnancy outcome",
        "pregnancy-missing",
        [edit("procedures", "P4", procedure="iud_insert")],
        Expect(WU, VILLAGE_A, _preg(P_WU, "2026-09-05", "C2")),
    ),
    case(
        "birth after the checkup",
        "pregnancy-missing",
        [drop("procedures", "P4"), birth("B2", WU, D("2026-10-02"))],
    ),
    case(
        "pregnant checkup 93 days before the period end",
        "pregnancy-missing",
        [drop("procedures", "P4"), edit("checkups", "C2", checkup_date=D("2026-07-31"))],
    ),
    case(
        "pregnant checkup 92 days before the period end",
        "pregnancy-missing",
        [drop("procedures", "P4"), edit("checkups", "C2", checkup_date=D("2026-08-01"))],
        Expect(WU, VILLAGE_A, _preg(P_WU, "2026-08-01", "C2")),
    ),
    case(
        "register pregnancy left empty",
        "pregnancy-missing",
        [edit("women", ZHOU, pregnant=None, pregnancy_date=None)],
        Expect(ZHOU, VILLAGE_A, _preg(P_ZHOU, "2026-09-01", "C1")),
    ),
    case(
        "pregnant again after the abortion: one finding naming the latest checkup",
        "pregnancy-missing",
        [checkup("C4", WU, D("2026-10-02"), True), checkup("C5", WU, D("2026-10-20"), True)],
        Expect(WU, VILLAGE_A, _preg(P_WU, "2026-10-20", "C5")),
    ),
    case(
        "pregnant checkup of a woman not on the register",
        "pregnancy-missing",
        [drop("procedures", "P4"), drop("women", WU)],
    ),
    # method-vs-procedure: the latest long-acting procedure against women.method
    case(
        "IUD on the register, latest procedure an IUD removal",
        "method-vs-procedure",
        [proc("P5", LI, "iud_remove", D("2026-08-03"))],
        Expect(LI, VILLAGE_A, _mvp(P_LI, "IUD", "IUD removal", "2026-08-03", "P5")),
        zh=(f"{P_LI}：避孕方法为上环，但最近一次手术为取环（2026-08-03，P5）",),
    ),
    case(
        "IUD removed and the register moved on to condoms",
        "method-vs-procedure",
        [proc("P5", LI, "iud_remove", D("2026-08-03")), edit("women", LI, method="condom")],
    ),
    case(
        "implant on the register, latest procedure an IUD insertion; method left empty",
        "method-vs-procedure",
        [
            edit("women", LI, method="implant"),
            edit("women", WANG, method=None),
            proc("P5", WANG, "iud_insert", D("2026-05-06")),
        ],
        Expect(LI, VILLAGE_A, _mvp(P_LI, "implant", "IUD insertion", "2025-03-10", "P1")),
        Expect(WANG, VILLAGE_A, _mvp(P_WANG, "blank", "IUD insertion", "2026-05-06", "P5")),
    ),
    case(
        "insertion and removal on one day: the greater procedure_id is the latest (removal)",
        "method-vs-procedure",
        [
            proc("P6", LI, "iud_insert", D("2026-08-03")),
            proc("P7", LI, "iud_remove", D("2026-08-03")),
        ],
        Expect(LI, VILLAGE_A, _mvp(P_LI, "IUD", "IUD removal", "2026-08-03", "P7")),
    ),
    case(
        "removal and insertion on one day: the greater procedure_id is the latest (insertion)",
        "method-vs-procedure",
        [
            proc("P6", LI, "iud_remove", D("2026-08-03")),
            proc("P7", LI, "iud_insert", D("2026-08-03")),
        ],
    ),
    case(
        "an abortion after the insertion is not long-acting",
        "method-vs-procedure",
        [proc("P5", LI, "abortion", D("2026-09-01"))],
    ),
    case(
        "a removal dated after the period end is not on file yet",
        "method-vs-procedure",
        [proc("P5", LI, "iud_remove", D("2026-11-05"))],
    ),
    case(
        "tubal ligation on the register, latest procedure a vasectomy; implant removed",
        "method-vs-procedure",
        [
            proc("P5", SUN, "vasectomy", D("2026-09-01")),
            edit("women", LI, method="implant"),
            proc("P6", LI, "implant_insert", D("2025-06-01")),
            proc("P7", LI, "implant_remove", D("2026-09-02")),
        ],
        Expect(LI, VILLAGE_A, _mvp(P_LI, "implant", "implant removal", "2026-09-02", "P7")),
        Expect(SUN, VILLAGE_A, _mvp(P_SUN, "tubal ligation", "vasectomy", "2026-09-01", "P5")),
    ),
    case(
        "a woman on the register twice: each register row is checked on its own",
        "method-vs-procedure",
        [add("women", **{**_woman(LI, "李娟"), "village_code": VILLAGE_B, "method": "implant"})],
        Expect(LI, VILLAGE_B, _mvp(P_LI, "implant", "IUD insertion", "2025-03-10", "P1")),
    ),
    # method-unsupported: a matching procedure within ±30 days of method_date in W
    case(
        "IUD since October, no insertion on file",
        "method-unsupported",
        [drop("procedures", "P2")],
        Expect(ZHAO, VILLAGE_B, _unsup(P_ZHAO, "IUD", "2026-10-20", "IUD insertion")),
        zh=(f"{P_ZHAO}：花名册登记 2026-10-20 落实上环，但该日前后30天内没有她的放环手术记录",),
    ),
    case(
        "insertion 30 days before the method date",
        "method-unsupported",
        [edit("procedures", "P2", procedure_date=D("2026-09-20"))],
    ),
    case(
        "insertion 31 days before the method date",
        "method-unsupported",
        [edit("procedures", "P2", procedure_date=D("2026-09-19"))],
        Expect(ZHAO, VILLAGE_B, _unsup(P_ZHAO, "IUD", "2026-10-20", "IUD insertion")),
    ),
    case(
        "insertion 30 days after the method date",
        "method-unsupported",
        [
            edit("women", ZHAO, method_date=D("2026-10-01")),
            edit("procedures", "P2", procedure_date=D("2026-10-31")),
        ],
    ),
    case(
        "insertion 31 days after the method date",
        "method-unsupported",
        [
            edit("women", ZHAO, method_date=D("2026-10-01")),
            edit("procedures", "P2", procedure_date=D("2026-11-01")),
        ],
        Expect(ZHAO, VILLAGE_B, _unsup(P_ZHAO, "IUD", "2026-10-01", "IUD insertion")),
    ),
    case(
        "method date the day before the window",
        "method-unsupported",
        [drop("procedures", "P2"), edit("women", ZHAO, method_date=D("2026-09-30"))],
    ),
    case(
        "implant backed only by an IUD insertion; ligation dated this month, operated in 2020",
        "method-unsupported",
        [edit("women", ZHAO, method="implant"), edit("women", SUN, method_date=D("2026-10-10"))],
        Expect(SUN, VILLAGE_A, _unsup(P_SUN, "tubal ligation", "2026-10-10", "tubal ligation")),
        Expect(ZHAO, VILLAGE_B, _unsup(P_ZHAO, "implant", "2026-10-20", "implant insertion")),
    ),
    case(
        "the insertion on file is another woman's",
        "method-unsupported",
        [edit("procedures", "P2", person_id=LI)],
        Expect(ZHAO, VILLAGE_B, _unsup(P_ZHAO, "IUD", "2026-10-20", "IUD insertion")),
    ),
    # short-method-no-supply: an issue of the item in the last 92 days
    case(
        "condoms last drawn 93 days before the period end",
        "short-method-no-supply",
        [edit("supply_issues", "S1", issue_date=D("2026-07-31"))],
        Expect(WANG, VILLAGE_A, _short(P_WANG, "condom", "condoms", "2026-07-31")),
        zh=(
            f"{P_WANG}：避孕方法为避孕套，但 2026-08-01 至 2026-10-31 没有领取避孕套"
            "（最近一次领取：2026-07-31）",
        ),
    ),
    case(
        "condoms drawn 92 days before the period end",
        "short-method-no-supply",
        [edit("supply_issues", "S1", issue_date=D("2026-08-01"))],
    ),
    case(
        "pills on the register, only condoms drawn; an issue to another woman",
        "short-method-no-supply",
        [
            edit("women", WANG, method="oral_pill"),
            edit("women", LI, method="injection"),
            issue("S3", WANG, "injection", 1, D("2026-10-02")),
        ],
        Expect(LI, VILLAGE_A, _short(P_LI, "injection", "contraceptive injections", "never")),
        Expect(WANG, VILLAGE_A, _short(P_WANG, "oral pill", "oral pills", "never")),
    ),
    case(
        "an issue dated after the period end does not count",
        "short-method-no-supply",
        [edit("supply_issues", "S1", issue_date=D("2026-11-02"))],
        Expect(WANG, VILLAGE_A, _short(P_WANG, "condom", "condoms", "never")),
    ),
    case(
        "out- and in-migrants are not resident",
        "short-method-no-supply",
        [
            drop("supply_issues", "S1"),
            edit("women", WANG, residence="out"),
            edit("women", CHEN, method="condom"),
            drop("supply_issues", "S2"),
        ],
    ),
    # supply-unregistered: the recipient on neither the register nor the in-migrant list
    case(
        "condoms to a person on no register",
        "supply-unregistered",
        [issue("S3", STRANGER, "condom", 10, D("2026-10-12"))],
        Expect("S3", VILLAGE_A, _unreg_issue(STRANGER, 10, "condoms", "2026-10-12", "S3")),
        zh=(
            f"{STRANGER}：2026-10-12 领取避孕套（数量 10，发放 S3），"
            "但此人既不在育龄妇女花名册中，也不在流入人口登记中",
        ),
    ),
    case(
        "issues the day before the window and without an ID",
        "supply-unregistered",
        [
            issue("S3", STRANGER, "condom", 10, D("2026-09-30")),
            issue("S4", "", "condom", 10, D("2026-10-12")),
        ],
    ),
    case(
        "issue on the window start to a former in-migrant",
        "supply-unregistered",
        [
            issue("S3", HUANG, "oral_pill", 3, D("2026-10-01")),
            migrant("M5", HUANG, "黄梅", "in", return_date=D("2026-06-01")),
        ],
    ),
    case(
        "issue on the window start to a person with only an out row",
        "supply-unregistered",
        [issue("S3", HUANG, "oral_pill", 3, D("2026-10-01")), migrant("M5", HUANG, "黄梅", "out")],
        Expect("S3", VILLAGE_A, _unreg_issue(HUANG, 3, "oral pills", "2026-10-01", "S3")),
    ),
    # supply-to-sterilized
    case(
        "condoms to a woman with a tubal ligation",
        "supply-to-sterilized",
        [issue("S4", SUN, "condom", 10, D("2026-10-03"))],
        Expect(
            "S4",
            VILLAGE_A,
            _steril(P_SUN, 10, "condoms", "2026-10-03", "S4", "tubal ligation since 2020-04-01"),
        ),
        zh=(
            f"{P_SUN}：2026-10-03 领取避孕套（数量 10，发放 S4），"
            "但花名册避孕方法为女扎（2020-04-01起）",
        ),
    ),
    case(
        "supplies before the window and to an IUD user",
        "supply-to-sterilized",
        [
            issue("S4", SUN, "condom", 10, D("2026-09-30")),
            issue("S5", LI, "condom", 10, D("2026-10-03")),
        ],
    ),
    case(
        "emergency pills to a woman whose husband had a vasectomy (no method date)",
        "supply-to-sterilized",
        [
            edit("women", SUN, method="vasectomy", method_date=None),
            issue("S4", SUN, "emergency_pill", 1, D("2026-10-31")),
        ],
        Expect(
            "S4", VILLAGE_A, _steril(P_SUN, 1, "emergency pills", "2026-10-31", "S4", "vasectomy")
        ),
    ),
    # procedure-unregistered: procedures and checkups of a person on no register
    case(
        "procedure and checkup of a person on no register",
        "procedure-unregistered",
        [
            proc("P8", STRANGER, "iud_insert", D("2026-10-11"), village_code=VILLAGE_B),
            checkup("C5", STRANGER, D("2026-10-12"), False),
        ],
        Expect(
            "C5", VILLAGE_A, _unreg_event(STRANGER, "checkup", "2026-10-12", "C5"), table="checkups"
        ),
        Expect("P8", VILLAGE_B, _unreg_event(STRANGER, "IUD insertion", "2026-10-11", "P8")),
        zh=(
            f"{STRANGER}：2026-10-12 有三查记录（C5），"
            "但此人既不在育龄妇女花名册中，也不在流动人口登记中",
            f"{STRANGER}：2026-10-11 有放环手术记录（P8），"
            "但此人既不在育龄妇女花名册中，也不在流动人口登记中",
        ),
    ),
    case(
        "the person is on the floating register (a closed out row)",
        "procedure-unregistered",
        [
            proc("P8", HUANG, "iud_insert", D("2026-10-11")),
            checkup("C5", HUANG, D("2026-10-12"), False),
            migrant("M5", HUANG, "黄梅", "out", return_date=D("2026-06-01")),
        ],
    ),
    case(
        "procedure and checkup the day before the window",
        "procedure-unregistered",
        [
            proc("P8", STRANGER, "abortion", D("2026-09-30")),
            checkup("C5", STRANGER, D("2026-09-30"), True),
        ],
    ),
    # outmigrant-missing
    case(
        "out on the register, the out row closed on return",
        "outmigrant-missing",
        [edit("migrants", "M1", return_date=D("2026-10-15"))],
        Expect(
            ZHANG,
            VILLAGE_B,
            _out_missing(
                P_ZHANG, "her latest out-migration row M1 was closed on return on 2026-10-15"
            ),
        ),
        zh=(
            f"{P_ZHANG}：花名册居住状态为流出，"
            "但流动人口登记中她最近的流出记录 M1 已于 2026-10-15 返回注销",
        ),
    ),
    case(
        "out on the register, no out row at all (only an in row)",
        "outmigrant-missing",
        [edit("migrants", "M1", direction="in")],
        Expect(
            ZHANG,
            VILLAGE_B,
            _out_missing(
                P_ZHANG, "the floating-population register has no out-migration row of hers"
            ),
        ),
    ),
    case(
        "old out row closed, a new one open",
        "outmigrant-missing",
        [
            edit("migrants", "M1", return_date=D("2026-02-01")),
            migrant(
                "M6",
                ZHANG,
                "张敏",
                "out",
                move_date=D("2026-04-01"),
                marital_status="married",
                certificate_no=CERT,
                certificate_expiry=D("2028-05-01"),
                last_feedback_date=D("2026-10-02"),
            ),
        ],
    ),
    # migrant-status
    case(
        "open out row, the register says resident",
        "migrant-status",
        [edit("women", ZHANG, residence="resident")],
        Expect(
            "M1",
            VILLAGE_B,
            _status(P_ZHANG, "M1", " since 2025-05-01", "the women's register says resident"),
        ),
        zh=(f"{P_ZHANG}：流动人口登记 M1 显示她自 2025-05-01 起流出在外，但花名册居住状态为常住",),
    ),
    case(
        "open out row of a woman not on the register, and one with no move date",
        "migrant-status",
        [drop("women", ZHANG), migrant("M6", WANG, "王芳", "out", move_date=None)],
        Expect("M1", VILLAGE_B, _status(P_ZHANG, "M1", " since 2025-05-01", NOT_ON_REGISTER)),
        Expect("M6", VILLAGE_A, _status(P_WANG, "M6", "", "the women's register says resident")),
    ),
    case(
        "open out row of a woman on the register twice: her first row by village is quoted",
        "migrant-status",
        [
            edit("women", ZHANG, residence="resident"),
            add("women", **_woman(ZHANG, "张敏", residence="in")),
        ],
        Expect(
            "M1",
            VILLAGE_B,
            _status(P_ZHANG, "M1", " since 2025-05-01", "the women's register says in-migrant"),
        ),
    ),
    case(
        "closed out row of a resident",
        "migrant-status",
        [
            edit("women", ZHANG, residence="resident"),
            edit("migrants", "M1", return_date=D("2026-10-15")),
        ],
    ),
    # inmigrant-unregistered
    case(
        "open in row of a woman not on the register",
        "inmigrant-unregistered",
        [drop("women", CHEN), drop("supply_issues", "S2")],
        Expect("M2", VILLAGE_A, _in_unreg(P_CHEN, "M2", " since 2026-03-01", NOT_ON_REGISTER)),
        zh=(
            f"{P_CHEN}：流动人口登记 M2 显示她自 2026-03-01 起流入本地居住，"
            "但育龄妇女花名册中没有她",
        ),
    ),
    case(
        "open in row, the register says resident",
        "inmigrant-unregistered",
        [edit("women", CHEN, residence="resident")],
        Expect(
            "M2",
            VILLAGE_A,
            _in_unreg(P_CHEN, "M2", " since 2026-03-01", "the women's register says resident"),
        ),
    ),
    case(
        "in row closed when she left",
        "inmigrant-unregistered",
        [
            drop("women", CHEN),
            drop("supply_issues", "S2"),
            edit("migrants", "M2", return_date=D("2026-09-01")),
        ],
    ),
    # migrant-marriage
    case(
        "floating register says married, the register single",
        "migrant-marriage",
        [edit("migrants", "M4", marital_status="married")],
        Expect(LIU, VILLAGE_A, _marriage(P_LIU, "M4", "married")),
        zh=(f"{P_LIU}：流动人口登记 M4 的婚姻状况为初婚，但花名册为未婚",),
    ),
    case(
        "two rows say married and remarried: the latest is named",
        "migrant-marriage",
        [
            edit("migrants", "M4", marital_status="married"),
            migrant(
                "M7",
                LIU,
                "刘洋",
                "out",
                move_date=D("2025-06-01"),
                marital_status="remarried",
                return_date=D("2025-12-01"),
            ),
        ],
        Expect(LIU, VILLAGE_A, _marriage(P_LIU, "M7", "remarried")),
    ),
    case(
        "both registers say married",
        "migrant-marriage",
        [
            edit("migrants", "M4", marital_status="married"),
            edit("women", LIU, marital_status="married", marriage_date=D("2023-10-01")),
        ],
    ),
    # certificate
    case(
        "married out-migrant without a certificate",
        "certificate",
        [edit("migrants", "M1", certificate_no=None, certificate_expiry=None)],
        Expect(
            "M1",
            VILLAGE_B,
            f"{P_ZHANG}: married out-migrant (M1): no marriage-and-childbearing certificate",
        ),
        zh=(f"{P_ZHANG}：已婚流出妇女（M1）没有婚育证明",),
    ),
    case(
        "certificate expired the day before the period end",
        "certificate",
        [edit("migrants", "M1", certificate_expiry=D("2026-10-30"))],
        Expect(
            "M1",
            VILLAGE_B,
            f"{P_ZHANG}: married out-migrant (M1): marriage-and-childbearing "
            f"certificate {CERT} expired on 2026-10-30",
        ),
        zh=(f"{P_ZHANG}：已婚流出妇女（M1）婚育证明 {CERT} 已于 2026-10-30 过期",),
    ),
    case(
        "certificate valid through the period end",
        "certificate",
        [edit("migrants", "M1", certificate_expiry=D("2026-10-31"))],
    ),
    case(
        "marital status empty on the row: the register's married counts",
        "certificate",
        [edit("migrants", "M1", marital_status=None, certificate_no=None)],
        Expect(
            "M1",
            VILLAGE_B,
            f"{P_ZHANG}: married out-migrant (M1): no marriage-and-childbearing certificate",
        ),
    ),
    case(
        "not married: single on the row, or empty on the row and single on the register",
        "certificate",
        [
            edit("migrants", "M1", marital_status="single", certificate_no=None),
            migrant("M6", LIU, "刘洋", "out", move_date=D("2026-05-01")),
        ],
    ),
    case(
        "closed out row and open in row without certificates",
        "certificate",
        [edit("migrants", "M1", certificate_no=None, return_date=D("2026-10-20"))],
    ),
    # feedback-overdue
    case(
        "last feedback 93 days before the period end",
        "feedback-overdue",
        [edit("migrants", "M1", last_feedback_date=D("2026-07-31"))],
        Expect("M1", VILLAGE_B, _feedback(P_ZHANG, "M1", "last received 2026-07-31")),
        zh=(
            f"{P_ZHANG}：已婚流出妇女（M1）自 2026-08-01 以来没有孕检反馈"
            "（最近一次反馈为 2026-07-31）",
        ),
    ),
    case(
        "last feedback 92 days before the period end",
        "feedback-overdue",
        [edit("migrants", "M1", last_feedback_date=D("2026-08-01"))],
    ),
    case(
        "never any feedback, remarried per the row",
        "feedback-overdue",
        [edit("migrants", "M1", last_feedback_date=None, marital_status="remarried")],
        Expect("M1", VILLAGE_B, _feedback(P_ZHANG, "M1", "none ever received")),
    ),
    case(
        "never any feedback from a single out-migrant",
        "feedback-overdue",
        [
            edit("migrants", "M1", last_feedback_date=None, marital_status=None),
            edit("women", ZHANG, marital_status="single", marriage_date=None),
        ],
    ),
]


def _apply(c: Case) -> Tables:
    tables = township()
    for change in c.changes:
        change(tables)
    return tables


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


# --- one audit for many cases ----------------------------------------------------------------
PEOPLE = (LI, WANG, ZHANG, CHEN, ZHAO, SUN, ZHOU, WU, LIU, HUANG, STRANGER)
ID_COLUMNS = ("person_id", "mother_id")


def _copy_id(person_id: str, n: int) -> str:
    """The person's ID in copy n: same birth date and sequence, a division of its own."""
    return make_id(
        f"{person_id[:2]}{n:04d}",
        id_birth_date(person_id) or date(1990, 1, 1),
        int(person_id[14:17]),
    )


class Batch:
    """Runs every case in one submission per (language, window start), through `run_audit`.

    Case n is planted in a copy of the township whose persons carry IDs of their own
    (`_copy_id`) and whose records carry keys prefixed `K<n>-`, so the copies cannot see each
    other: every §3 check matches people by ID and reports records by key. A finding belongs
    to the copy whose key or ID it reports; translating that copy's IDs and keys back gives the
    canonical finding the case expects. One audit instead of one per case keeps the file fast.
    """

    def __init__(self, folder: Path, suites: Path) -> None:
        self.folder = folder
        self.suites = suites
        self.runs: dict[tuple[str, date | None], list[list[Finding]]] = {}
        self.load_findings: list[Finding] = []

    def findings(self, c: Case, lang: str) -> list[Finding]:
        group = [x for x in CASES if x.window_start == c.window_start]
        key = (lang, c.window_start)
        if key not in self.runs:
            self.runs[key] = self._run(group, lang, c.window_start)
        return self.runs[key][group.index(c)]

    def _run(self, group: list[Case], lang: str, window_start: date | None) -> list[list[Finding]]:
        tables: Tables = {name: [] for name in TABLE_NAMES}
        owner: dict[str, int] = {}  # record key or person ID in a copy -> case index
        back: list[dict[str, str]] = []  # per copy: its IDs -> canonical IDs
        for n, c in enumerate(group):
            ids = {p: _copy_id(p, n + 1) for p in PEOPLE}
            back.append({v: k for k, v in ids.items()})
            owner.update({v: n for v in ids.values()})
            for name, rows in _apply(c).items():
                key = table(name).key[0]
                for row in rows:
                    row = dict(row)
                    if key not in ID_COLUMNS:  # women: keyed by the person's ID, mapped below
                        row[key] = f"K{n + 1}-{row[key]}"
                        owner[row[key]] = n
                    for col in ID_COLUMNS:
                        if row.get(col) in ids:
                            row[col] = ids[row[col]]
                    tables[name].append(row)
        folder = self.folder / f"{lang}-{window_start}"
        write_submission(folder, tables)
        report = run_audit(folder, lang=lang, window_start=window_start, suites_dir=self.suites)
        out: list[list[Finding]] = [[] for _ in group]
        for f in report.findings:
            if f.check not in CHECKS:
                self.load_findings.append(f)
                continue
            n = owner[f.record]
            prefix = f"K{n + 1}-"
            record, message = f.record.removeprefix(prefix), f.message.replace(prefix, "")
            for copy_id, person_id in back[n].items():
                record, message = (
                    record.replace(copy_id, person_id),
                    message.replace(copy_id, person_id),
                )
            out[n].append(replace(f, record=record, message=message))
        return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, suites_dir: Path) -> Batch:
    return Batch(tmp_path_factory.mktemp("batch"), suites_dir)


# --- the tests --------------------------------------------------------------------------------
def test_clean_township_passes_every_cross_ledger_check(tmp_path: Path, suites_dir: Path) -> None:
    """The submission every case starts from: no finding of any kind, every §3 check ran."""
    write_submission(tmp_path / "sub", township())
    report = run_audit(tmp_path / "sub", lang="en", suites_dir=suites_dir)
    assert report.findings == ()
    assert {c.check for c in report.checks} == set(CHECKS)
    assert all(c.evaluated and c.success and c.unexpected_count == 0 for c in report.checks)


def test_clean_township_with_all_suites(tmp_path: Path) -> None:
    """Under the default suites (every check of the tool) none of §3 fires on it either."""
    write_submission(tmp_path / "sub", township())
    report = run_audit(tmp_path / "sub", lang="en")
    assert set(CHECKS) <= {c.check for c in report.checks}
    assert [f for f in report.findings if f.check in CHECKS] == []


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_golden_case(c: Case, batch: Batch) -> None:
    found = batch.findings(c, "en")
    assert [f for f in found if f.check == c.check] == _sorted(
        [expected_finding(c.check, e) for e in c.expected]
    )


def test_batch_submissions_load_cleanly(batch: Batch) -> None:
    for c in CASES:
        batch.findings(c, "en")
    assert batch.load_findings == []


def test_every_check_has_a_fault_case_and_a_clean_boundary() -> None:
    firing = {c.check for c in CASES if c.expected}
    quiet = {c.check for c in CASES if not c.expected}
    assert firing == set(CHECKS)
    assert quiet == set(CHECKS)


ZH_CASES = [c for c in CASES if c.zh]


@pytest.mark.parametrize("c", ZH_CASES, ids=[c.name for c in ZH_CASES])
def test_golden_case_in_chinese(c: Case, batch: Batch) -> None:
    found = batch.findings(c, "zh")
    assert len(c.zh) == len(c.expected)
    assert [f for f in found if f.check == c.check] == _sorted(
        [expected_finding(c.check, e, zh) for e, zh in zip(c.expected, c.zh, strict=True)]
    )


def test_every_check_has_a_chinese_case() -> None:
    assert {c.check for c in ZH_CASES} == set(CHECKS)


# --- the SQL files ----------------------------------------------------------------------------
CHECK_SQL = [SQL_DIR / "checks" / f"{check}.sql" for check in CHECKS]
VIEW_SQL = [SQL_DIR / "views" / f"{name}.sql" for name in VIEW_FILES]


def test_views_of_this_suite_are_the_listed_ones() -> None:
    assert sorted(p.stem for p in (SQL_DIR / "views").glob("*_x_*.sql")) == sorted(VIEW_FILES)


@pytest.mark.parametrize("path", CHECK_SQL + VIEW_SQL, ids=lambda p: p.name)
def test_sql_transpiles_to_spark(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    statements = sqlglot.parse(text, read="duckdb")
    assert len(statements) == 1
    statement = statements[0]
    if path.parent.name == "views":
        assert isinstance(statement, exp.Create)
        # a view, or a table built once per audit from the same kind of SELECT
        assert statement.kind in ("VIEW", "TABLE") and statement.args.get("replace")
        assert statement.this.name == path.stem.split("_", 1)[1]
    else:
        assert isinstance(statement, exp.Select)
    spark = sqlglot.transpile(text, read="duckdb", write="spark")
    assert len(spark) == 1
    back = sqlglot.parse_one(spark[0], read="spark")  # Spark SQL that reads back
    assert back.find(exp.Anonymous) is None, back.find(exp.Anonymous)  # no unknown functions
    assert "STRUCT_PACK" not in spark[0].upper() and "->" not in spark[0]


@pytest.fixture(scope="module")
def empty_db() -> Any:
    con = duckdb.connect()
    create_tables(con)
    install_params(con, "2026-10", make_window("2026-10"), None)
    install_views(con)
    yield con
    con.close()


def _columns(con: Any, sql: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM ({sql}) AS q LIMIT 0").description]


def _suite_entries() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for name in SUITE_FILES:
        suite = json.loads((EXPECTATIONS_DIR / name).read_text(encoding="utf-8"))
        for entry in suite["expectations"]:
            entries[entry["meta"]["check"]] = entry
    return entries


@pytest.mark.parametrize("check", CHECK_IDS)
def test_message_templates_use_output_columns(check: str, empty_db: Any) -> None:
    entry = _suite_entries()[check]
    meta = entry["meta"]
    category, severity, ledgers, default_table = CHECKS[check]
    assert (meta["category"], meta["ledgers"], meta["table"]) == (
        category,
        list(ledgers),
        default_table,
    )
    assert entry["severity"] == {"error": "critical"}.get(severity, severity)
    assert meta["sql"] == f"checks/{check}.sql"
    sql = (SQL_DIR / meta["sql"]).read_text(encoding="utf-8")
    columns = _columns(empty_db, sql)
    assert columns[:2] == ["record", "village_code"] or {"record", "village_code"} <= set(columns)
    for lang in ("zh", "en"):
        template = meta["message"][lang]
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert fields, template
        assert fields <= set(columns), (lang, fields - set(columns))
        assert meta["title"][lang]


VIEW_COLUMNS = {
    "x_code_labels": ["code_set", "code", "label_zh", "label_en"],
    "x_open_migrants": [
        "migrant_id",
        "person_id",
        "name",
        "direction",
        "village_code",
        "move_date",
        "place",
        "marital_status",
        "certificate_no",
        "certificate_expiry",
        "last_feedback_date",
    ],
    "x_latest_long_acting": [
        "person_id",
        "procedure_id",
        "procedure",
        "procedure_date",
        "method_implied",
        "method_removed",
    ],
    "x_women_person": [
        "person_id",
        "name",
        "village_code",
        "group_no",
        "marital_status",
        "residence",
        "method",
        "method_date",
        "pregnant",
        "pregnancy_date",
        "register_rows",
    ],
    "x_migrant_person": [
        "person_id",
        "migrant_id",
        "name",
        "direction",
        "village_code",
        "marital_status",
        "is_open",
    ],
    "x_open_migrant_register": [
        "record",
        "direction",
        "village_code",
        "person",
        "since_zh",
        "since_en",
        "register_zh",
        "register_en",
    ],
}


@pytest.mark.parametrize("view", VIEW_COLUMNS)
def test_shared_view_columns_are_stable(view: str, empty_db: Any) -> None:
    assert _columns(empty_db, f"SELECT * FROM {view}") == VIEW_COLUMNS[view]


@pytest.mark.parametrize(
    "code_set", ["method", "procedure", "item", "residence", "marital_status", "direction"]
)
def test_every_code_has_labels(code_set: str, empty_db: Any) -> None:
    rows = empty_db.execute(
        "SELECT code, label_zh, label_en FROM x_code_labels WHERE code_set = ?", [code_set]
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(CODE_SETS[code_set])
    assert all(r[1] and r[2] for r in rows)


def test_latest_long_acting_breaks_date_ties_by_procedure_id(empty_db: Any) -> None:
    con = empty_db.cursor()
    con.execute("BEGIN")
    try:
        con.execute(
            """
            INSERT INTO procedures (procedure_id, person_id, procedure, procedure_date) VALUES
              ('P10', 'w1', 'iud_insert', DATE '2026-05-01'),
              ('P09', 'w1', 'iud_remove', DATE '2026-05-01'),
              ('P01', 'w1', 'abortion',   DATE '2026-06-01'),
              ('P02', 'w2', 'implant_insert', DATE '2026-01-01'),
              ('P03', 'w2', 'implant_remove', DATE '2026-12-01')
            """
        )
        rows = con.execute("SELECT * FROM x_latest_long_acting ORDER BY person_id").fetchall()
    finally:
        con.execute("ROLLBACK")
    assert rows == [
        ("w1", "P10", "iud_insert", date(2026, 5, 1), "iud", None),
        ("w2", "P02", "implant_insert", date(2026, 1, 1), "implant", None),  # P03: after period
    ]
