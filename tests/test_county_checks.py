"""Golden tests of the cross-township checks: a tiny crafted county database, its exact findings.

Each case fills the county database (canonical tables with a township column)
with a few rows, runs every county rule through the engine (GX on DuckDB, as
the county run does) and compares the findings — check, category, severity,
table, record, the township sent to, village — with the exact expected list.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
import pytest
import sqlglot
from sqlglot import exp

from audit.core.county import CountyFinding
from audit.core.models import Category, Severity
from audit.io.county import (
    COUNTY_SQL_DIR,
    COUNTY_SUITES_DIR,
    CountyDatabase,
    county_suites,
    run_checks,
)
from tests.helpers import woman_id

COUNTY = "340811000000"
A, B, C = "340811101000", "340811102000", "340811103000"
NAMES = {A: "杨桥镇", B: "罗岭镇", C: "五横乡"}
PERIOD = "2026-10"
ANNA = woman_id(date(1990, 3, 4), 2)
BEA = woman_id(date(1991, 5, 6), 4)
CAT = woman_id(date(1992, 7, 8), 6)
CHECK_IDS = (
    "county-dup-person",
    "county-dup-birth",
    "county-outmigrant-unrecorded",
    "county-inmigrant-home-resident",
    "county-report-sum",
)


def village(township: str, n: int = 1) -> str:
    return f"{township[:9]}{n:03d}"


def woman(township: str, pid: str, residence: str = "resident", name: str = "王芳") -> dict:
    return {
        "township_code": township,
        "person_id": pid,
        "name": name,
        "village_code": village(township),
        "residence": residence,
    }


def migrant(
    township: str, mid: str, pid: str, direction: str, place: str, back: date | None = None
) -> dict:
    return {
        "township_code": township,
        "migrant_id": mid,
        "person_id": pid,
        "name": "王芳",
        "direction": direction,
        "village_code": village(township),
        "move_date": date(2025, 3, 1),
        "place": place,
        "return_date": back,
    }


def birth(
    township: str, bid: str, mother: str, name: str = "李明", born: date | None = None
) -> dict:
    return {
        "township_code": township,
        "birth_id": bid,
        "mother_id": mother,
        "child_name": name,
        "child_birth_date": born or date(2026, 3, 1),
        "village_code": village(township),
    }


def report(township: str, level: str, unit: str, women_total: int, births: int = 1) -> dict:
    return {
        "township_code": township,
        "period": PERIOD,
        "level": level,
        "unit_code": unit,
        "women_total": women_total,
        "births_total": births,
    }


def _insert(db: CountyDatabase, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(rows)
    db.con.register("incoming", frame.to_arrow())
    db.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming')
    db.con.unregister("incoming")


def run(
    *,
    women: list[dict] = (),  # type: ignore[assignment]
    births: list[dict] = (),  # type: ignore[assignment]
    migrants: list[dict] = (),  # type: ignore[assignment]
    reports: list[dict] = (),  # type: ignore[assignment]
    townships: tuple[str, ...] = (A, B, C),
    lang: str = "en",
) -> list[CountyFinding]:
    with CountyDatabase(PERIOD, COUNTY) as db:
        for code in townships:
            db.add_township(code, NAMES.get(code), code)
        _insert(db, "women", list(women))
        _insert(db, "births", list(births))
        _insert(db, "migrants", list(migrants))
        _insert(db, "stat_reports", list(reports))
        _, findings = run_checks(db, county_suites(None), lang=lang, county_code=COUNTY)
    return list(findings)


def brief(findings: list[CountyFinding]) -> list[tuple[str, str, str, str, str | None]]:
    return [
        (
            c.finding.check,
            c.township_code,
            c.finding.table,
            c.finding.record,
            c.finding.village_code,
        )
        for c in findings
    ]


# --- county-dup-person ---------------------------------------------------------------------------


def test_dup_person_resident_in_two_townships_goes_to_both() -> None:
    found = run(women=[woman(A, ANNA), woman(B, ANNA), woman(C, BEA)])
    assert brief(found) == [
        ("county-dup-person", A, "women", f"{A}|{ANNA}", village(A)),
        ("county-dup-person", B, "women", f"{B}|{ANNA}", village(B)),
    ]
    f = found[0].finding
    assert (f.category, f.severity, f.ledgers) == (
        Category.DUPLICATE,
        Severity.ERROR,
        ("statistics",),
    )
    assert f.message == (
        f"王芳 ({ANNA}) is on this township's register as resident and also on the register of "
        f"罗岭镇 {B}: registered twice in the county; agree with the other township which "
        "register keeps her"
    )


def test_dup_person_out_and_resident_and_two_in_rows() -> None:
    # out in A + resident in B: two home townships; in in B and in in C: lives in two places
    found = run(
        women=[
            woman(A, ANNA, "out"),
            woman(B, ANNA, "resident"),
            woman(B, BEA, "in"),
            woman(C, BEA, "in"),
        ]
    )
    assert brief(found) == [
        ("county-dup-person", A, "women", f"{A}|{ANNA}", village(A)),
        ("county-dup-person", B, "women", f"{B}|{ANNA}", village(B)),
        ("county-dup-person", B, "women", f"{B}|{BEA}", village(B)),
        ("county-dup-person", C, "women", f"{C}|{BEA}", village(C)),
    ]


def test_migration_between_townships_is_not_a_duplicate() -> None:
    found = run(
        women=[woman(A, ANNA, "out"), woman(B, ANNA, "in")],
        migrants=[
            migrant(A, "M1", ANNA, "out", "宜秀区罗岭镇"),
            migrant(B, "M1", ANNA, "in", "杨桥镇"),
        ],
    )
    assert found == []


# --- county-dup-birth ----------------------------------------------------------------------------


def test_dup_birth_on_two_registers_goes_to_both() -> None:
    found = run(
        births=[
            birth(A, "B1", ANNA),
            birth(B, "B7", ANNA),
            birth(C, "B2", ANNA, name="李华"),  # another child: not the same birth
            birth(C, "B3", BEA, born=date(2026, 3, 2)),
        ]
    )
    assert brief(found) == [
        ("county-dup-birth", A, "births", f"{A}|B1", village(A)),
        ("county-dup-birth", B, "births", f"{B}|B7", village(B)),
    ]
    assert found[0].finding.category is Category.DUPLICATE
    assert found[0].finding.message == (
        f"birth B1 (mother {ANNA}, 李明, born 2026-03-01) is also registered by 罗岭镇 {B} B7: "
        "one birth on two townships' registers"
    )


def test_dup_birth_within_one_township_is_left_to_dup_birth() -> None:
    assert run(births=[birth(A, "B1", ANNA), birth(A, "B2", ANNA)]) == []


# --- county-outmigrant-unrecorded -----------------------------------------------------------------


def test_outmigrant_to_a_township_that_does_not_record_her_goes_to_the_destination() -> None:
    found = run(
        women=[woman(A, ANNA, "out"), woman(A, BEA, "out"), woman(A, CAT, "out")],
        migrants=[
            migrant(A, "M1", ANNA, "out", "安庆市宜秀区罗岭镇"),  # B has no record of her
            migrant(A, "M2", BEA, "out", "浙江省杭州市"),  # outside the county
            migrant(A, "M3", CAT, "out", "罗岭镇", back=date(2026, 1, 1)),  # back home
        ],
    )
    assert brief(found) == [("county-outmigrant-unrecorded", B, "migrants", f"{A}|M1", B)]
    f = found[0].finding
    assert (f.category, f.ledgers) == (Category.UNDER_REPORT, ("floating", "statistics"))
    assert f.message == (
        f"杨桥镇 {A} records 王芳 ({ANNA}) as gone to 安庆市宜秀区罗岭镇 on 2025-03-01, but 罗岭镇 "
        f"{B} has her neither on its register nor as an in-migrant: register her there (out row M1)"
    )


def test_outmigrant_recorded_by_the_destination_or_named_by_code_prefix() -> None:
    found = run(
        women=[woman(A, ANNA, "out"), woman(B, ANNA, "in"), woman(A, BEA, "out")],
        migrants=[
            migrant(A, "M1", ANNA, "out", "罗岭镇"),
            migrant(A, "M2", BEA, "out", f"{C[:9]} 村"),  # the destination by its code
            migrant(C, "M9", BEA, "in", "杨桥镇"),  # C records her: open in row
        ],
    )
    assert found == []
    found = run(
        women=[woman(A, BEA, "out")],
        migrants=[migrant(A, "M2", BEA, "out", f"{C[:9]}")],
    )
    assert brief(found) == [("county-outmigrant-unrecorded", C, "migrants", f"{A}|M2", C)]


def test_outmigrant_to_a_township_that_could_not_be_read_is_not_judged() -> None:
    with CountyDatabase(PERIOD, COUNTY) as db:
        db.add_township(A, NAMES[A], "a")
        db.add_township(B, NAMES[B], "b", audited=False)  # its folder could not be audited
        db.add_township(C, NAMES[C], None)  # expected, no folder
        _insert(db, "women", [woman(A, ANNA, "out"), woman(A, BEA, "out")])
        _insert(
            db,
            "migrants",
            [migrant(A, "M1", ANNA, "out", "罗岭镇"), migrant(A, "M2", BEA, "out", "五横乡")],
        )
        _, found = run_checks(db, county_suites(None), lang="en", county_code=COUNTY)
    assert found == ()


# --- county-inmigrant-home-resident ---------------------------------------------------------------


def test_inmigrant_still_resident_at_home_goes_to_the_home_township() -> None:
    found = run(
        women=[woman(A, ANNA, "resident"), woman(B, ANNA, "in"), woman(A, BEA, "resident")],
        migrants=[migrant(C, "M5", BEA, "in", "杨桥镇")],  # open in row only
    )
    assert brief(found) == [
        ("county-inmigrant-home-resident", A, "women", f"{A}|{ANNA}", village(A)),
        ("county-inmigrant-home-resident", A, "women", f"{A}|{BEA}", village(A)),
    ]
    f = found[0].finding
    assert (f.category, f.severity) == (Category.MISMATCH, Severity.ERROR)
    assert f.message == (
        f"王芳 ({ANNA}) is recorded as an in-migrant by 罗岭镇 {B} but is still resident on this "
        "township's register: record her move out"
    )


def test_inmigrant_recorded_as_out_at_home_is_consistent() -> None:
    closed = migrant(C, "M5", BEA, "in", "杨桥镇", back=date(2026, 2, 1))
    assert (
        run(women=[woman(A, ANNA, "out"), woman(B, ANNA, "in"), woman(A, BEA)], migrants=[closed])
        == []
    )


# --- county-report-sum ----------------------------------------------------------------------------


def test_county_report_differs_from_the_sum_of_townships() -> None:
    found = run(
        reports=[
            report(A, "township", A, 100),
            report(B, "township", B, 200),
            report(C, "township", C, 300),
            report(A, "village", village(A), 100),  # village rows are not summed
            report(COUNTY, "county", COUNTY, 607, births=3),
        ]
    )
    record = f"{COUNTY}|{PERIOD}|county|{COUNTY}"
    assert brief(found) == [("county-report-sum", COUNTY, "stat_reports", record, COUNTY)]
    assert found[0].finding.category is Category.ARITHMETIC
    assert found[0].finding.message == (
        f"{PERIOD} county report {COUNTY}: women_total=607, the 3 townships' rows sum to 600 "
        "(difference 7)"
    )


def test_county_report_not_compared_without_every_township_row() -> None:
    rows = [report(A, "township", A, 100), report(B, "township", B, 200)]
    assert run(reports=[*rows, report(COUNTY, "county", COUNTY, 999)]) == []
    # an expected township with no folder is not in the sum (it has its own finding)
    with CountyDatabase(PERIOD, COUNTY) as db:
        db.add_township(A, None, "a")
        db.add_township(B, None, "b")
        db.add_township(C, None, None)
        _insert(db, "stat_reports", [*rows, report(COUNTY, "county", COUNTY, 300, births=2)])
        _, found = run_checks(db, county_suites(None), lang="en", county_code=COUNTY)
    assert found == ()


def test_clean_county_has_no_findings() -> None:
    assert (
        run(
            women=[woman(A, ANNA), woman(B, BEA), woman(C, CAT, "in")],
            births=[birth(A, "B1", ANNA), birth(B, "B1", BEA)],
            migrants=[migrant(C, "M1", CAT, "in", "河南省周口市")],
            reports=[
                report(A, "township", A, 1),
                report(B, "township", B, 1),
                report(C, "township", C, 1),
                report(COUNTY, "county", COUNTY, 3, births=3),
            ],
        )
        == []
    )


def test_messages_in_chinese() -> None:
    found = run(women=[woman(A, ANNA), woman(B, ANNA)], lang="zh")
    assert found[0].finding.message == (
        f"王芳（{ANNA}）在本乡镇花名册上为常住，同时也登记在 罗岭镇 {B} 的花名册上："
        "跨乡镇重复登记，请与对方乡镇核实后只保留一处"
    )


# --- rules as data --------------------------------------------------------------------------------


def test_suite_lists_every_county_check_once() -> None:
    suite = json.loads((COUNTY_SUITES_DIR / "county.json").read_text(encoding="utf-8"))
    checks = [e["meta"]["check"] for e in suite["expectations"]]
    assert checks == list(CHECK_IDS)
    for entry in suite["expectations"]:
        assert entry["meta"]["sql"] == f"county/checks/{entry['meta']['check']}.sql"
        assert {"zh", "en"} <= set(entry["meta"]["message"])


SQL_FILES = sorted((COUNTY_SQL_DIR / "checks").glob("*.sql")) + sorted(
    (COUNTY_SQL_DIR / "views").glob("*.sql")
)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_county_sql_transpiles_to_spark(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    statements = sqlglot.parse(text, read="duckdb")
    assert len(statements) == 1
    spark = sqlglot.transpile(text, read="duckdb", write="spark")
    back = sqlglot.parse_one(spark[0], read="spark")
    assert back.find(exp.Anonymous) is None, back.find(exp.Anonymous)
    assert "->" not in spark[0]
