"""Golden tests of the supply-ledger and report-table checks (checks.md §4 and §5).

Each test writes a tiny crafted submission whose summary ledgers are computed from its
records (so the clean submission balances exactly), plants faults, runs the real audit
and compares the exact findings of the check under test. The clean submission must give
no finding for any of the six checks.
"""

from __future__ import annotations

import copy
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from audit.app import run_audit
from audit.core.contract import REPORT_COUNT_COLUMNS
from audit.core.models import AuditReport, Finding
from audit.io.sqlrun import SQL_DIR
from audit.io.suites import SUITES_DIR
from tests.helpers import PERIOD, TOWNSHIP, VILLAGE_A, VILLAGE_B, woman_id, write_submission

CHECKS = (
    "stock-balance",
    "stock-carry",
    "stock-vs-issues",
    "report-internal",
    "report-levels",
    "report-vs-records",
)
VILLAGE_C = "340811101003"
VILLAGE_D = "340811101004"
STATION = TOWNSHIP  # the township service station's supply point carries the township code
PREV = "2026-09"

Row = dict[str, Any]
Tables = dict[str, list[Row]]


# --- records ---------------------------------------------------------------------------------


def woman(
    seq: int,
    village: str,
    group: int,
    *,
    marital: str = "married",
    method: str = "iud",
    residence: str = "resident",
    children: int = 1,
) -> Row:
    birth = date(1990, 3, 4)
    return {
        "person_id": woman_id(birth, seq),
        "name": f"测试{seq}",
        "birth_date": birth,
        "village_code": village,
        "group_no": group,
        "marital_status": marital,
        "marriage_date": None if marital == "single" else date(2015, 5, 1),
        "residence": residence,
        "children": children,
        "method": method,
        "method_date": None if method == "none" else date(2020, 1, 1),
        "pregnant": False,
    }


def birth(birth_id: str, mother: Row, born: date, order: int, sex: str, policy: str = "in") -> Row:
    return {
        "birth_id": birth_id,
        "mother_id": mother["person_id"],
        "child_name": f"婴{birth_id}",
        "child_sex": sex,
        "child_birth_date": born,
        "birth_order": order,
        "policy": policy,
        "village_code": mother["village_code"],
        "group_no": mother["group_no"],
        "reported_date": born,
        "delivery_place": "hospital",
    }


def procedure(procedure_id: str, who: Row, kind: str, on: date) -> Row:
    return {
        "procedure_id": procedure_id,
        "person_id": who["person_id"],
        "procedure": kind,
        "procedure_date": on,
        "postpartum": False,
        "facility": "乡镇计生站",
        "village_code": who["village_code"],
    }


def issue(issue_id: str, who: Row, point: str, item: str, quantity: int | None, on: date) -> Row:
    return {
        "issue_id": issue_id,
        "person_id": who["person_id"],
        "village_code": who["village_code"],
        "point_code": point,
        "item": item,
        "quantity": quantity,
        "issue_date": on,
    }


# --- summary ledgers computed from records ---------------------------------------------------


def _month(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def stock_ledger(
    issues: Iterable[Mapping[str, Any]],
    points: Iterable[str],
    items: Iterable[str],
    months: Iterable[str],
    *,
    opening: int = 100,
) -> list[Row]:
    """Stock rows that balance, carry month to month and issue exactly the month's issues."""
    issued: Counter[tuple[str, str, str]] = Counter()
    for i in issues:
        issued[(_month(i["issue_date"]), i["point_code"], i["item"])] += i["quantity"] or 0
    rows = []
    for point in points:
        for item in items:
            stock = opening
            for m in months:
                out = issued[(m, point, item)]
                rows.append(
                    {
                        "period": m,
                        "point_code": point,
                        "item": item,
                        "opening": stock,
                        "received": 0,
                        "issued": out,
                        "closing": stock - out,
                    }
                )
                stock -= out
    return rows


def consistent_reports(
    women: Iterable[Mapping[str, Any]],
    births: Iterable[Mapping[str, Any]],
    procedures: Iterable[Mapping[str, Any]],
    *,
    period: str = PERIOD,
    township: str = TOWNSHIP,
) -> list[Row]:
    """stat_reports at three levels that agree with the records and add up (checks.md §5).

    Women count as of the period end; births and procedures dated in the period month. A
    procedure counts in the group of the woman it names, else the village's first group.
    """
    groups: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    where: dict[tuple[str, str], int] = {}
    for w in women:
        g = groups[(w["village_code"], w["group_no"])]
        where[(w["person_id"], w["village_code"])] = w["group_no"]
        g["women_total"] += 1
        g["married_women"] += w["marital_status"] in ("married", "remarried")
        if w["method"] != "none":
            g[f"users_{w['method']}"] += 1
        g["out_migrant_women"] += w["residence"] == "out"
        g["in_migrant_women"] += w["residence"] == "in"
    for b in births:
        if _month(b["child_birth_date"]) != period:
            continue
        g = groups[(b["village_code"], b["group_no"])]
        g["births_total"] += 1
        order = b["birth_order"]
        g["births_order3plus" if order >= 3 else f"births_order{order}"] += 1
        g["births_male" if b["child_sex"] == "M" else "births_female"] += 1
        g["births_out_of_policy"] += b["policy"] == "out"
    column = {
        "iud_insert": "proc_iud_insert",
        "iud_remove": "proc_iud_remove",
        "tubal_ligation": "proc_ligation",
        "vasectomy": "proc_ligation",
        "abortion": "proc_abortion",
        "induced_labor": "proc_abortion",
    }
    for p in procedures:
        if _month(p["procedure_date"]) != period or p["procedure"] not in column:
            continue
        village = p["village_code"]
        first = min((g for v, g in groups if v == village), default=1)
        groups[(village, where.get((p["person_id"], village), first))][column[p["procedure"]]] += 1

    def row(level: str, unit: str, counts: Counter[str]) -> Row:
        return {"period": period, "level": level, "unit_code": unit} | {
            c: counts[c] for c in REPORT_COUNT_COLUMNS
        }

    villages: dict[str, Counter[str]] = defaultdict(Counter)
    for (village, _), counts in groups.items():
        villages[village].update(counts)
    town: Counter[str] = Counter()
    for counts in villages.values():
        town.update(counts)
    return [
        row("township", township, town),
        *(row("village", v, villages[v]) for v in sorted(villages)),
        *(row("group", f"{v}-{g}", groups[(v, g)]) for v, g in sorted(groups)),
    ]


# --- the crafted township --------------------------------------------------------------------

A1 = woman(2, VILLAGE_A, 1, method="iud")
A2 = woman(4, VILLAGE_A, 1, method="oral_pill")
A3 = woman(6, VILLAGE_A, 2, marital="single", method="none", residence="out", children=0)
A4 = woman(8, VILLAGE_A, 2, marital="remarried", method="condom", residence="in")
B1 = woman(10, VILLAGE_B, 1, method="tubal_ligation", children=2)
B2 = woman(12, VILLAGE_B, 1, method="implant", children=2)


def clean_tables() -> Tables:
    women = [A1, A2, A3, A4, B1, B2]
    births = [
        birth("B001", A2, date(2026, 10, 5), 1, "M"),
        birth("B002", B2, date(2026, 10, 20), 2, "F", "out"),
        birth("B003", B1, date(2026, 9, 10), 2, "M"),  # last month: not in this report
    ]
    procedures = [
        procedure("P001", A1, "iud_insert", date(2026, 10, 3)),
        procedure("P002", A4, "abortion", date(2026, 10, 12)),
        procedure("P003", B1, "tubal_ligation", date(2026, 10, 8)),
        procedure("P004", B2, "iud_remove", date(2026, 9, 15)),  # last month
        procedure("P005", B2, "implant_insert", date(2026, 10, 15)),  # not a report column
        procedure("P006", A3, "induced_labor", date(2026, 10, 25)),  # 人流引产 with P002
        procedure("P007", B2, "vasectomy", date(2026, 10, 28)),  # her husband's; 结扎 with P003
    ]
    issues = [
        issue("I001", A2, VILLAGE_A, "oral_pill", 2, date(2026, 10, 6)),
        issue("I002", A4, VILLAGE_A, "condom", 20, date(2026, 10, 2)),
        issue("I003", A4, STATION, "condom", 10, date(2026, 10, 20)),
        issue("I004", A4, VILLAGE_A, "condom", 20, date(2026, 9, 5)),
        issue("I005", A2, VILLAGE_A, "oral_pill", 3, date(2026, 9, 7)),
    ]
    return copy.deepcopy(
        {
            "women": women,
            "births": births,
            "procedures": procedures,
            "supply_issues": issues,
            "supply_stock": stock_ledger(
                issues, (VILLAGE_A, STATION), ("condom", "oral_pill"), (PREV, PERIOD)
            ),
            "stat_reports": consistent_reports(women, births, procedures),
        }
    )  # tests plant faults in place


def find(rows: list[Row], **key: Any) -> Row:
    """The one row whose columns equal `key`."""
    hits = [r for r in rows if all(r.get(k) == v for k, v in key.items())]
    assert len(hits) == 1, (key, hits)
    return hits[0]


def report_row(t: Tables, unit: str) -> Row:
    return find(t["stat_reports"], unit_code=unit)


def stock_row(t: Tables, period: str, point: str, item: str) -> Row:
    return find(t["supply_stock"], period=period, point_code=point, item=item)


class Audit(Protocol):
    def __call__(
        self, tables: Tables, lang: str = "en", *, folder: str = "submission", **kwargs: Any
    ) -> AuditReport: ...


@pytest.fixture(scope="module")
def our_suites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped supply and reports suites alone (their SQL is found in the project's sql/)."""
    folder = tmp_path_factory.mktemp("suites") / "expectations"
    folder.mkdir()
    for name in ("supply.json", "reports.json"):
        shutil.copyfile(SUITES_DIR / name, folder / name)
    return folder


@pytest.fixture
def audit(tmp_path: Path, our_suites: Path) -> Audit:
    """Write the tables as a submission and run the real audit on it (our two suites only)."""

    def run(
        tables: Tables, lang: str = "en", *, folder: str = "submission", **kwargs: Any
    ) -> AuditReport:
        submission = write_submission(tmp_path / folder, tables)
        return run_audit(submission, lang=lang, suites_dir=our_suites, **kwargs)

    return run


def of(report: AuditReport, check: str) -> list[tuple[str, str, str, str | None, str]]:
    """(table, record, severity, village_code, message) of one check's findings, sorted."""
    return sorted(
        (f.table, f.record, str(f.severity), f.village_code, f.message)
        for f in report.findings
        if f.check == check
    )


def expect(
    *findings: tuple[str, str, str, str | None, str],
) -> list[tuple[str, str, str, str | None, str]]:
    """Expected findings in the order `of` returns them."""
    return sorted(findings)


def ours(report: AuditReport) -> list[Finding]:
    return [f for f in report.findings if f.check in CHECKS]


# --- the clean township ----------------------------------------------------------------------


def test_clean_submission_has_no_supply_or_report_finding(audit: Audit) -> None:
    report = audit(clean_tables())
    assert ours(report) == []
    ran = {c.check: c for c in report.checks if c.check in CHECKS}
    assert set(ran) == set(CHECKS)
    assert all(c.success and c.unexpected_count == 0 for c in ran.values())


def test_consistent_reports_helper_matches_hand_counts() -> None:
    """The helper the golden tests rely on, checked against counts done by hand."""
    reports = clean_tables()["stat_reports"]
    a = find(reports, unit_code=VILLAGE_A)
    assert (a["women_total"], a["married_women"], a["births_total"], a["births_male"]) == (
        4,
        3,
        1,
        1,
    )
    assert (a["users_iud"], a["users_oral_pill"], a["users_condom"]) == (1, 1, 1)
    assert (a["out_migrant_women"], a["in_migrant_women"]) == (1, 1)
    assert (a["proc_iud_insert"], a["proc_abortion"], a["proc_ligation"]) == (1, 2, 0)
    b = find(reports, unit_code=VILLAGE_B)
    assert (b["births_total"], b["births_order2"], b["births_female"]) == (1, 1, 1)
    assert (b["births_out_of_policy"], b["proc_ligation"], b["proc_iud_remove"]) == (1, 2, 0)
    town = find(reports, level="township")
    assert (town["women_total"], town["births_total"]) == (6, 2)
    assert find(reports, unit_code=f"{VILLAGE_A}-2")["proc_abortion"] == 2


# --- §4 supply ledger ------------------------------------------------------------------------


def test_stock_balance(audit: Audit) -> None:
    t = clean_tables()
    stock_row(t, PERIOD, VILLAGE_A, "condom")["closing"] = 70  # 80 + 0 − 20 = 60
    # balances (−5 + 5 − 0 = 0) but the opening is negative
    stock_row(t, PREV, STATION, "oral_pill").update(opening=-5, received=5, closing=0)
    # an empty amount cannot be balanced: not a finding of this check
    stock_row(t, PERIOD, STATION, "oral_pill").update(opening=0, received=None, closing=7)
    assert of(audit(t), "stock-balance") == expect(
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PERIOD} stock book, point {VILLAGE_A}, condoms: expected opening + received − "
            "issued = closing, found 80 + 0 − 20 = 60 ≠ 70",
        ),
        (
            "supply_stock",
            f"{PREV}|{STATION}|oral_pill",
            "error",
            TOWNSHIP,
            f"{PREV} stock book, point {STATION}, oral pills: expected opening ≥ 0, found -5",
        ),
    )


def test_stock_balance_reports_each_negative_amount_and_the_imbalance(audit: Audit) -> None:
    t = clean_tables()
    stock_row(t, PERIOD, VILLAGE_A, "condom").update(opening=-3, issued=-2, closing=9)
    t["supply_stock"].append(
        {  # a station that is not a division code: the finding goes to the township
            "period": PERIOD,
            "point_code": "ZX01",
            "item": "other",
            "opening": 1,
            "received": 0,
            "issued": 0,
            "closing": 2,
        }
    )
    report = audit(t, lang="zh")
    assert of(report, "stock-balance") == expect(
        (
            "supply_stock",
            f"{PERIOD}|ZX01|other",
            "error",
            TOWNSHIP,
            f"{PERIOD} 药具账 ZX01 其他药具：应 期初 + 收入 − 发出 = 期末，实为 1 + 0 − 0 = 1 ≠ 2",
        ),
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PERIOD} 药具账 {VILLAGE_A} 避孕套：应 期初 + 收入 − 发出 = 期末，"
            "实为 -3 + 0 − -2 = -1 ≠ 9",
        ),
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PERIOD} 药具账 {VILLAGE_A} 避孕套：应 发出 ≥ 0，实为 -2",
        ),
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PERIOD} 药具账 {VILLAGE_A} 避孕套：应 期初 ≥ 0，实为 -3",
        ),
    )


def test_stock_carry(audit: Audit) -> None:
    t = clean_tables()
    # September closes at 97 (100 − 3); October opens at 90 and still balances (90 − 2 = 88)
    stock_row(t, PERIOD, VILLAGE_A, "oral_pill").update(opening=90, closing=88)
    # a point and item with a month missing in between is not compared across the gap
    t["supply_stock"] += [
        {"period": "2026-08", "point_code": VILLAGE_B, "item": "condom", "opening": 50,
         "received": 0, "issued": 0, "closing": 50},
        {"period": PERIOD, "point_code": VILLAGE_B, "item": "condom", "opening": 40,
         "received": 0, "issued": 0, "closing": 40},
    ]  # fmt: skip
    report = audit(t)
    assert of(report, "stock-carry") == expect(
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|oral_pill",
            "error",
            VILLAGE_A,
            f"{PERIOD} stock book, point {VILLAGE_A}, oral pills: opening 90 differs from the "
            f"{PREV} closing 97 (difference -7)",
        )
    )
    assert of(report, "stock-balance") == expect()


def test_stock_carry_in_chinese_across_a_year_end(audit: Audit) -> None:
    t = clean_tables()
    t["supply_stock"] += [
        {"period": "2025-12", "point_code": VILLAGE_B, "item": "injection", "opening": 10,
         "received": 0, "issued": 0, "closing": 10},
        {"period": "2026-01", "point_code": VILLAGE_B, "item": "injection", "opening": 12,
         "received": 0, "issued": 0, "closing": 12},
    ]  # fmt: skip
    assert of(audit(t, lang="zh"), "stock-carry") == expect(
        (
            "supply_stock",
            f"2026-01|{VILLAGE_B}|injection",
            "error",
            VILLAGE_B,
            f"2026-01 药具账 {VILLAGE_B} 避孕针：本月期初 12 与上月（2025-12）期末 10 不符（差 2）",
        )
    )


def test_stock_vs_issues(audit: Audit) -> None:
    t = clean_tables()
    # the book says 25 condoms went out in October; the register has one issue of 20
    stock_row(t, PERIOD, VILLAGE_A, "condom").update(issued=25, closing=55)
    # issues at a point and item that has no stock row this month
    t["supply_issues"].append(issue("I006", B1, VILLAGE_B, "emergency_pill", 2, date(2026, 10, 9)))
    t["supply_issues"].append(issue("I007", B1, VILLAGE_B, "emergency_pill", 1, date(2026, 10, 19)))
    # an issue with an empty quantity: the month's total is unknown, not compared
    t["supply_issues"].append(issue("I008", A2, STATION, "oral_pill", None, date(2026, 10, 9)))
    report = audit(t)
    assert of(report, "stock-vs-issues") == expect(
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PERIOD} stock book, point {VILLAGE_A}, condoms: issued 25, but the issues "
            "register has 1 row(s) totalling 20 this month (difference 5)",
        ),
        (
            "supply_stock",
            f"{PERIOD}|{VILLAGE_B}|emergency_pill",
            "error",
            VILLAGE_B,
            f"{PERIOD} stock book, point {VILLAGE_B}, emergency pills: no row, but the issues "
            "register has 2 row(s) totalling 3 this month",
        ),
    )
    assert of(report, "stock-balance") == expect()


def test_stock_vs_issues_compares_the_months_the_register_covers(audit: Audit) -> None:
    t = clean_tables()
    # September says 25 condoms went out at village A where the register has one issue of 20;
    # the register reaches back into September, so September is compared too
    stock_row(t, PREV, VILLAGE_A, "condom").update(issued=25, closing=75)
    stock_row(t, PERIOD, VILLAGE_A, "condom").update(opening=75, closing=55)
    assert of(audit(t, lang="zh"), "stock-vs-issues") == expect(
        (
            "supply_stock",
            f"{PREV}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PREV} 药具账 {VILLAGE_A} 避孕套 发出 25，但发放登记本月 1 笔合计 20（差 5）",
        )
    )


def test_stock_vs_issues_older_months_only_within_the_window(audit: Audit) -> None:
    t = clean_tables()
    # the register starts in October: September's book (20 condoms, 3 pills issued at
    # village A) is older than both the register and the default window
    t["supply_issues"] = [i for i in t["supply_issues"] if i["issue_date"] >= date(2026, 10, 1)]
    assert of(audit(t, folder="default"), "stock-vs-issues") == expect()
    report = audit(t, folder="wide", window_start=date(2026, 9, 1))
    assert of(report, "stock-vs-issues") == expect(
        (
            "supply_stock",
            f"{PREV}|{VILLAGE_A}|condom",
            "error",
            VILLAGE_A,
            f"{PREV} stock book, point {VILLAGE_A}, condoms: issued 20, but the issues register "
            "has 0 row(s) totalling 0 this month (difference 20)",
        ),
        (
            "supply_stock",
            f"{PREV}|{VILLAGE_A}|oral_pill",
            "error",
            VILLAGE_A,
            f"{PREV} stock book, point {VILLAGE_A}, oral pills: issued 3, but the issues register "
            "has 0 row(s) totalling 0 this month (difference 3)",
        ),
    )


def test_stock_vs_issues_without_an_issues_register_is_silent(audit: Audit) -> None:
    """No issues at all: the missing register is a completeness finding, not one per row."""
    t = clean_tables()
    del t["supply_issues"]
    report = audit(t)
    assert [f.check for f in ours(report)] == []


def test_stock_vs_issues_without_a_stock_book_is_silent(audit: Audit) -> None:
    """No stock rows at all: no month was kept, so the issues are not each a missing row."""
    t = clean_tables()
    del t["supply_stock"]
    report = audit(t)
    assert [f.check for f in ours(report)] == []


# --- §5 report tables ------------------------------------------------------------------------


def test_report_internal(audit: Audit) -> None:
    t = clean_tables()
    report_row(t, VILLAGE_A)["births_male"] = 2  # 1 ≠ 2 + 0
    report_row(t, f"{VILLAGE_A}-2")["married_women"] = 3  # of 2 women
    report_row(t, f"{VILLAGE_B}-1")["births_out_of_policy"] = 2  # of 1 birth
    town = report_row(t, TOWNSHIP)
    town["births_order2"] = 2  # 1 + 2 + 0 ≠ 2
    town["users_other"] = 2  # 5 + 2 users of 6 women
    town["out_migrant_women"] = 7
    report_row(t, f"{VILLAGE_A}-1")["births_order1"] = None  # empty: rule not evaluated
    assert of(audit(t), "report-internal") == expect(
        (
            "stat_reports",
            f"{PERIOD}|group|{VILLAGE_A}-2",
            "error",
            VILLAGE_A,
            f"{PERIOD} group {VILLAGE_A}-2: the report row does not add up: expected "
            "married women ≤ women, found 3 > 2",
        ),
        (
            "stat_reports",
            f"{PERIOD}|group|{VILLAGE_B}-1",
            "error",
            VILLAGE_B,
            f"{PERIOD} group {VILLAGE_B}-1: the report row does not add up: expected "
            "out-of-policy births ≤ births, found 2 > 1",
        ),
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} township {TOWNSHIP}: the report row does not add up: expected "
            "births = first + second + third or later, found 2 ≠ 3",
        ),
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} township {TOWNSHIP}: the report row does not add up: expected "
            "out-migrant women ≤ women, found 7 > 6",
        ),
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} township {TOWNSHIP}: the report row does not add up: expected "
            "users of all methods (IUD + … + other) ≤ women, found 7 > 6",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} village {VILLAGE_A}: the report row does not add up: expected "
            "births = boys + girls, found 1 ≠ 2",
        ),
    )


def test_report_internal_checks_only_the_audit_period(audit: Audit) -> None:
    t = clean_tables()
    # last month's row of village A does not add up, and differs from this month's records
    old = copy.deepcopy(report_row(t, VILLAGE_A)) | {"period": PREV, "in_migrant_women": 9}
    t["stat_reports"].append(old)
    report = audit(t, lang="zh")
    assert [f.check for f in ours(report)] == []


def test_report_internal_message_in_chinese(audit: Audit) -> None:
    t = clean_tables()
    report_row(t, VILLAGE_B)["in_migrant_women"] = 5
    assert of(audit(t, lang="zh"), "report-internal") == expect(
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_B}",
            "error",
            VILLAGE_B,
            f"{PERIOD} 村 {VILLAGE_B} 报表表内不平：应 流入育龄妇女 ≤ 育龄妇女，实为 5 > 2",
        )
    )


def test_report_levels(audit: Audit) -> None:
    t = clean_tables()
    report_row(t, f"{VILLAGE_A}-2")["women_total"] = 3  # groups of A now add up to 5, A says 4
    report_row(t, TOWNSHIP)["births_total"] = 3  # villages add up to 2
    # group rows of a village that has no village row (and is not in the township row)
    t["stat_reports"].append(
        {"period": PERIOD, "level": "group", "unit_code": f"{VILLAGE_C}-1"}
        | dict.fromkeys(REPORT_COUNT_COLUMNS, 0)
        | {"women_total": 1}
    )
    # an empty child cell: the parent's column is not compared
    report_row(t, f"{VILLAGE_B}-1")["proc_ligation"] = None
    report_row(t, VILLAGE_B)["proc_ligation"] = 4
    assert of(audit(t), "report-levels") == expect(
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} township {TOWNSHIP}: report births 3, but its 2 village row(s) "
            "add up to births 2 (difference 1)",
        ),
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} township {TOWNSHIP}: report ligations 2, but its 2 village row(s) "
            "add up to ligations 4 (difference -2)",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} village {VILLAGE_A}: report women 4, but its 2 group row(s) add "
            "up to women 5 (difference -1)",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_C}",
            "error",
            VILLAGE_C,
            f"{PERIOD} village {VILLAGE_C}: no row in the report, but its 1 group row(s) add "
            "up to women 1",
        ),
    )


def test_report_levels_missing_township_row_in_chinese(audit: Audit) -> None:
    t = clean_tables()
    t["stat_reports"] = [r for r in t["stat_reports"] if r["level"] != "township"]
    report = audit(t, lang="zh")
    assert of(report, "report-levels") == expect(
        (
            "stat_reports",
            f"{PERIOD}|township|{TOWNSHIP}",
            "error",
            TOWNSHIP,
            f"{PERIOD} 乡镇 {TOWNSHIP} 报表中没有这一行，但所辖 2 个村合计 育龄妇女 6 人",
        )
    )
    assert of(report, "report-vs-records") == expect()


def test_report_levels_message_in_chinese(audit: Audit) -> None:
    t = clean_tables()
    report_row(t, f"{VILLAGE_B}-1")["users_implant"] = 0
    assert of(audit(t, lang="zh"), "report-levels") == expect(
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_B}",
            "error",
            VILLAGE_B,
            f"{PERIOD} 村 {VILLAGE_B} 报表 皮埋 1 人，但所辖 1 个组合计 皮埋 0 人（差 1）",
        )
    )


def test_report_vs_records(audit: Audit) -> None:
    t = clean_tables()
    # one more 'other method' user in village A, carried up consistently through the levels
    for unit in (f"{VILLAGE_A}-2", VILLAGE_A, TOWNSHIP):
        report_row(t, unit)["users_other"] = 1
    # an empty report cell is not compared (the records say 1 ligation)
    for unit in (f"{VILLAGE_B}-1", VILLAGE_B):
        report_row(t, unit)["proc_ligation"] = None
    # a woman of a village the report does not have at all
    t["women"].append(woman(14, VILLAGE_C, 1, method="condom"))
    # a village on the report (consistent through the levels) without a single record
    phantom = dict.fromkeys(REPORT_COUNT_COLUMNS, 0) | {"women_total": 3}
    t["stat_reports"] += [
        {"period": PERIOD, "level": "village", "unit_code": VILLAGE_D} | phantom,
        {"period": PERIOD, "level": "group", "unit_code": f"{VILLAGE_D}-1"} | phantom,
    ]
    report_row(t, TOWNSHIP)["women_total"] += 3
    report = audit(t)
    assert of(report, "report-vs-records") == expect(
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} village {VILLAGE_A}: report other-method users 1, "
            "but other-method users on the register: 0 (difference 1)",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_C}",
            "error",
            VILLAGE_C,
            f"{PERIOD} village {VILLAGE_C}: no village row in the report, but women on the "
            "register: 1",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_D}",
            "error",
            VILLAGE_D,
            f"{PERIOD} village {VILLAGE_D}: report women 3, but women on the register: 0 "
            "(difference 3)",
        ),
    )
    assert of(report, "report-levels") == expect()
    assert of(report, "report-internal") == expect()


def test_report_vs_records_births_in_chinese(audit: Audit) -> None:
    """The wording a village officer gets (checks.md §5, 报表与个案一致)."""
    t = clean_tables()
    for unit in (f"{VILLAGE_A}-1", VILLAGE_A, TOWNSHIP):
        row = report_row(t, unit)
        for column in ("births_total", "births_order1", "births_male"):
            row[column] += 1
    # a procedure counts in the month it is dated: September's removal is not October's
    for unit in (VILLAGE_B, f"{VILLAGE_B}-1", TOWNSHIP):
        report_row(t, unit)["proc_iud_remove"] = 1
    report = audit(t, lang="zh")
    assert of(report, "report-vs-records") == expect(
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} 村 {VILLAGE_A} 报表 出生 2 人，但出生登记本月为 1 人（差 1）",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} 村 {VILLAGE_A} 报表 出生男孩 2 人，但出生登记本月男孩为 1 人（差 1）",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_A}",
            "error",
            VILLAGE_A,
            f"{PERIOD} 村 {VILLAGE_A} 报表 一孩出生 2 人，但出生登记本月一孩为 1 人（差 1）",
        ),
        (
            "stat_reports",
            f"{PERIOD}|village|{VILLAGE_B}",
            "error",
            VILLAGE_B,
            f"{PERIOD} 村 {VILLAGE_B} 报表 取环 1 例，但手术登记本月取环为 0 例（差 1）",
        ),
    )
    assert of(report, "report-levels") == expect()
    assert of(report, "report-internal") == expect()


def test_report_vs_records_without_a_report_is_silent(audit: Audit) -> None:
    """No report rows for the period: villages are not each reported as missing."""
    t = clean_tables()
    for r in t["stat_reports"]:
        r["period"] = PREV
    report = audit(t)
    assert [f.check for f in ours(report)] == []


# --- portability -----------------------------------------------------------------------------

OWN_SQL = sorted(
    [SQL_DIR / "checks" / f"{check}.sql" for check in CHECKS]
    + list((SQL_DIR / "views").glob("*_rep_*.sql"))
)


@pytest.mark.parametrize("path", OWN_SQL, ids=lambda p: p.name)
def test_sql_transpiles_to_spark(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    (spark,) = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE
    )
    sqlglot.parse_one(spark, read="spark")  # the Spark text parses back
    (statement,) = sqlglot.parse(sql, read="duckdb")  # one statement per file
    assert statement is not None
    if path.parent.name == "views":
        assert "CREATE OR REPLACE VIEW rep_" in sql
    else:
        assert statement.key in ("select", "union")


def test_own_sql_files_are_all_present() -> None:
    names = {p.stem for p in OWN_SQL}
    assert set(CHECKS) <= names
    assert {
        "30_rep_count_columns",
        "31_rep_village_records",
        "32_rep_village_record_cells",
        "33_rep_report_rows",
        "34_rep_report_cells",
        "35_rep_stock_rows",
    } <= names
