"""`audit sample`: reproducible townships, clean by the rules, faults named in truth.json."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.core.contract import REPORT_COUNT_COLUMNS, TABLE_NAMES, table
from audit.core.idcard import id_birth_date, is_male_id, is_valid_id
from audit.core.period import period_end
from audit.sample.demo import build_demo
from audit.sample.faults import CATALOGUE, CHECK_IDS
from audit.sample.generator import generate
from audit.sample.ids import build_ids, women_sequences

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "sample_data" / "demo"
SMALL = {"villages": 3, "women_per_village": 120, "period": "2026-10", "seed": 7}
PERIOD_END = period_end("2026-10")
RECENT = PERIOD_END - timedelta(days=91)
WINDOW = date(2026, 10, 1)
# Suites holding the checks of checks.md §1–5 (`technical` holds built-in GX expectations).
SPEC_SUITES = ("statistics", "cross_ledger", "floating", "supply", "reports")
# Checks whose findings may name a record of another table than the suite's default.
SPANNING = {"id-format", "future-date", "procedure-unregistered"}


def make(folder: Path, *, faults: str = "none", fmt: str = "csv", **kw: object) -> Path:
    generate(folder, **{**SMALL, **kw}, faults=faults, fmt=fmt)  # type: ignore[arg-type]
    return folder


def read(folder: Path, name: str) -> pl.DataFrame:
    """A generated CSV table with the contract's types (IDs and codes as text)."""
    t = table(name)
    types = {"int": pl.Int64, "date": pl.Date, "bool": pl.Boolean}
    schema = {c.name: types.get(c.type.value, pl.String) for c in t.columns}
    return pl.read_csv(folder / f"{name}.csv", schema=schema)


def key_of(name: str) -> pl.Expr:
    return pl.concat_str(list(table(name).key), separator="|")


def catalogue_from_suites() -> dict[str, dict[str, str]]:
    """meta of every check of checks.md §1–5, read from their suite files."""
    out = {}
    for suite in SPEC_SUITES:
        path = REPO / "expectations" / f"{suite}.json"
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            meta = e.get("meta", {})
            if "check" in meta:
                out[meta["check"]] = meta
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("s") / "clean", villages=4, women_per_village=300)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("s") / "faulty", faults="all")


@pytest.fixture()
def con(clean: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for name in TABLE_NAMES:
        c.register(name, read(clean, name))
    c.execute(
        f"CREATE TABLE p AS SELECT DATE '{PERIOD_END}' pe, DATE '{RECENT}' rs, DATE '{WINDOW}' ws"
    )
    return c


# --- reproducibility -----------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    a = make(tmp_path / "a", faults="all", fmt=fmt)
    b = make(tmp_path / "b", faults="all", fmt=fmt)
    assert tree(a) == tree(b)
    assert set(tree(a)) == {f"{t}.{fmt}" for t in TABLE_NAMES} | {
        f"villages.{fmt}",
        "manifest.json",
        "truth.json",
    }


def test_another_seed_gives_another_township(tmp_path: Path) -> None:
    a = make(tmp_path / "a")
    b = make(tmp_path / "b", seed=8)
    assert (a / "women.csv").read_bytes() != (b / "women.csv").read_bytes()


def test_faults_leave_the_clean_township_underneath(tmp_path: Path, faulty: Path) -> None:
    """The fault stream is separate: most records are the same with or without faults."""
    clean = make(tmp_path / "c")
    cols = list(table("checkups").column_names)
    changed = read(clean, "checkups").join(
        read(faulty, "checkups"), on=cols, how="anti", nulls_equal=True
    )
    assert len(changed) == 1  # only the checkup dated into the future


def test_manifest(clean: Path) -> None:
    m = json.loads((clean / "manifest.json").read_text(encoding="utf-8"))
    assert m["period"] == "2026-10"
    assert m["township_code"] == "340811101000"
    assert m["township_name"].endswith(("镇", "乡"))


# --- truth ---------------------------------------------------------------------------------------


def test_generator_catalogue_matches_the_suites() -> None:
    suites = catalogue_from_suites()
    assert set(CHECK_IDS) == set(suites)
    for check, (category, tbl) in CATALOGUE.items():
        assert suites[check]["category"] == category, check
        assert suites[check]["table"] == tbl, check


def test_faults_all_plants_every_check_once(faulty: Path) -> None:
    truth = json.loads((faulty / "truth.json").read_text(encoding="utf-8"))
    suites = catalogue_from_suites()
    assert sorted(t["check"] for t in truth) == sorted(suites)
    assert truth == sorted(
        truth, key=lambda t: (t["check"], t["category"], t["table"], t["record"])
    )
    for t in truth:
        assert t["category"] == suites[t["check"]]["category"]
        if t["check"] not in SPANNING:
            assert t["table"] == suites[t["check"]]["table"], t


def test_every_truth_record_exists_in_its_table(faulty: Path) -> None:
    truth = json.loads((faulty / "truth.json").read_text(encoding="utf-8"))
    for t in truth:
        df = read(faulty, t["table"])
        if t["check"] == "sex-ratio":  # a village's births
            assert t["record"] in df["village_code"].to_list()
            continue
        keys = df.select(key_of(t["table"]).alias("k"))["k"].to_list()
        assert t["record"] in keys, t


def test_planted_faults_are_what_truth_says(faulty: Path) -> None:
    """Spot checks that the named record really carries its fault."""
    truth = {t["check"]: t["record"] for t in json.loads((faulty / "truth.json").read_text())}
    women = read(faulty, "women")
    assert not is_valid_id(truth["id-format"])
    assert is_valid_id(truth["id-sex"]) and is_male_id(truth["id-sex"])
    assert (women["person_id"] == truth["dup-person"]).sum() == 2
    births = read(faulty, "births")
    dup = births.filter(pl.col("birth_id") == truth["dup-birth"]).row(0, named=True)
    twins = births.filter(
        (pl.col("mother_id") == dup["mother_id"])
        & (pl.col("child_birth_date") == dup["child_birth_date"])
        & (pl.col("child_name") == dup["child_name"])
    )
    assert len(twins) == 2 and dup["birth_id"] == twins["birth_id"].max()
    late = births.filter(pl.col("birth_id") == truth["birth-late-report"]).row(0, named=True)
    assert (late["reported_date"] - late["child_birth_date"]).days > 30
    checkups = read(faulty, "checkups")
    ck = checkups.filter(pl.col("checkup_id") == truth["future-date"]).row(0, named=True)
    assert ck["checkup_date"] > PERIOD_END
    village_births = births.filter(pl.col("village_code") == truth["sex-ratio"])
    assert set(village_births["child_sex"]) == {"M"} and len(village_births) >= 6
    stock = read(faulty, "supply_stock").with_columns(k=key_of("supply_stock"))
    row = stock.filter(pl.col("k") == truth["stock-balance"]).row(0, named=True)
    assert row["opening"] + row["received"] - row["issued"] != row["closing"]


def test_faults_none_writes_an_empty_truth(clean: Path) -> None:
    assert json.loads((clean / "truth.json").read_text(encoding="utf-8")) == []


def test_faults_n_plants_n_distinct_checks(tmp_path: Path) -> None:
    folder = make(tmp_path / "n", faults="5")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert len(truth) == 5 and len({t["check"] for t in truth}) == 5


# --- a clean township is clean -------------------------------------------------------------------


def test_ids_are_valid_women(clean: Path) -> None:
    women = read(clean, "women")
    for pid, born in women.select("person_id", "birth_date").iter_rows():
        assert is_valid_id(pid) and not is_male_id(pid), pid
        assert id_birth_date(pid) == born
    assert women["person_id"].is_unique().all()
    for name, col in [
        ("births", "mother_id"),
        ("migrants", "person_id"),
        ("supply_issues", "person_id"),
    ]:
        ids = read(clean, name)[col].unique().to_list()
        assert all(is_valid_id(i) and not is_male_id(i) for i in ids), name


def test_register_logic(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """
        SELECT person_id FROM women, p
        WHERE date_diff('year', birth_date, pe)
              - (strftime(pe, '%m%d') < strftime(birth_date, '%m%d'))::INT NOT BETWEEN 15 AND 49
           OR (marital_status IN ('married', 'remarried')) <> (marriage_date IS NOT NULL)
              AND marital_status NOT IN ('divorced', 'widowed')
           OR marriage_date < birth_date + INTERVAL 20 YEAR
           OR (pregnant AND (pregnancy_date IS NULL OR method <> 'none'))
           OR children < (SELECT count(*) FROM births b WHERE b.mother_id = person_id)
        """
    ).fetchall()
    assert bad == []


def test_births_are_orderly(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """
        SELECT b2.birth_id FROM births b1 JOIN births b2
          ON b1.mother_id = b2.mother_id AND b1.child_birth_date < b2.child_birth_date
        WHERE b2.birth_order <= b1.birth_order AND b2.birth_order < 3
           OR date_diff('day', b1.child_birth_date, b2.child_birth_date) < 180
        UNION ALL
        SELECT birth_id FROM births
        WHERE reported_date < child_birth_date OR reported_date > child_birth_date + INTERVAL 30 DAY
        """
    ).fetchall()
    assert bad == []


def test_cross_ledger_rules_hold(con: duckdb.DuckDBPyConnection) -> None:
    rules = {
        "short-method user without a recent issue": """
            SELECT person_id FROM women w, p
            WHERE residence = 'resident' AND method IN ('oral_pill', 'injection', 'condom')
              AND NOT EXISTS (SELECT 1 FROM supply_issues s WHERE s.person_id = w.person_id
                              AND s.item = w.method AND s.issue_date BETWEEN rs AND pe)""",
        "long-acting method in W without its operation": """
            SELECT person_id FROM women w, p
            WHERE method IN ('iud', 'tubal_ligation', 'vasectomy', 'implant')
              AND method_date BETWEEN ws AND pe
              AND NOT EXISTS (SELECT 1 FROM procedures o WHERE o.person_id = w.person_id
                  AND abs(date_diff('day', o.procedure_date, w.method_date)) <= 30
                  AND o.procedure = CASE w.method WHEN 'iud' THEN 'iud_insert'
                      WHEN 'implant' THEN 'implant_insert' ELSE w.method END)""",
        "latest operation disagrees with the method": """
            SELECT w.person_id FROM women w JOIN (
                SELECT person_id, arg_max(procedure, procedure_date) AS latest FROM procedures
                WHERE procedure NOT IN ('abortion', 'induced_labor') GROUP BY person_id) l
              ON l.person_id = w.person_id
            WHERE CASE l.latest
                WHEN 'iud_insert' THEN w.method <> 'iud'
                WHEN 'implant_insert' THEN w.method <> 'implant'
                WHEN 'iud_remove' THEN w.method = 'iud'
                WHEN 'implant_remove' THEN w.method = 'implant'
                ELSE w.method <> l.latest END""",
        "postpartum operation without a birth": """
            SELECT procedure_id FROM procedures o WHERE postpartum AND NOT EXISTS (
                SELECT 1 FROM births b WHERE b.mother_id = o.person_id
                AND b.child_birth_date
                    BETWEEN o.procedure_date - INTERVAL 42 DAY AND o.procedure_date)""",
        "pregnant at a recent checkup, then nothing": """
            SELECT c.person_id FROM checkups c, p
            WHERE c.pregnant AND c.checkup_date BETWEEN rs AND pe
              AND NOT EXISTS (SELECT 1 FROM women w WHERE w.person_id = c.person_id AND w.pregnant)
              AND NOT EXISTS (SELECT 1 FROM births b WHERE b.mother_id = c.person_id
                              AND b.child_birth_date >= c.checkup_date)
              AND NOT EXISTS (SELECT 1 FROM procedures o WHERE o.person_id = c.person_id
                  AND o.procedure IN ('abortion', 'induced_labor')
                  AND o.procedure_date >= c.checkup_date)""",
        "birth after sterilisation": """
            SELECT b.birth_id FROM births b JOIN women w ON w.person_id = b.mother_id
            WHERE w.method = 'tubal_ligation' AND b.child_birth_date > w.method_date""",
        "supply to a sterilised or unknown woman": """
            SELECT issue_id FROM supply_issues s LEFT JOIN women w USING (person_id)
            WHERE w.person_id IS NULL OR w.method IN ('tubal_ligation', 'vasectomy')""",
        "out of the village without an open out row": """
            SELECT person_id FROM women w WHERE residence = 'out' AND (
                SELECT count(*) FROM migrants m WHERE m.person_id = w.person_id
                AND direction = 'out' AND return_date IS NULL) <> 1""",
        "open migrant row not matching the register": """
            SELECT migrant_id FROM migrants m WHERE return_date IS NULL AND NOT EXISTS (
                SELECT 1 FROM women w WHERE w.person_id = m.person_id AND w.residence = m.direction
                AND w.marital_status = m.marital_status)""",
        "out row without certificate or recent feedback": """
            SELECT migrant_id FROM migrants, p WHERE direction = 'out' AND return_date IS NULL
              AND (certificate_no IS NULL OR certificate_expiry < pe OR last_feedback_date < rs
                   OR last_feedback_date IS NULL)""",
        "migrant birth not on the register": """
            SELECT report_id FROM migrant_births r WHERE NOT EXISTS (SELECT 1 FROM births b
                WHERE b.mother_id = r.mother_id
                AND abs(date_diff('day', b.child_birth_date, r.child_birth_date)) <= 7)""",
    }
    for rule, sql in rules.items():
        assert con.execute(sql).fetchall() == [], rule


def test_no_date_after_the_period_end(clean: Path) -> None:
    for name in TABLE_NAMES:
        df = read(clean, name)
        for c in table(name).columns:
            if c.type.value == "date" and c.name != "certificate_expiry":
                late = df.filter(pl.col(c.name) > PERIOD_END)
                assert late.is_empty(), (name, c.name)


def test_report_levels_add_up_and_match_records(clean: Path) -> None:
    r = read(clean, "stat_reports")
    counts = list(REPORT_COUNT_COLUMNS)
    groups = (
        r.filter(pl.col("level") == "group")
        .with_columns(unit_code=pl.col("unit_code").str.split("-").list.first())
        .group_by("unit_code")
        .agg(pl.col(c).sum() for c in counts)
    )
    villages = r.filter(pl.col("level") == "village").select("unit_code", *counts)
    assert villages.sort("unit_code").equals(groups.sort("unit_code"))
    town = r.filter(pl.col("level") == "township").select(counts)
    assert town.equals(villages.select(pl.col(c).sum() for c in counts))
    assert (
        r["births_total"] == r["births_order1"] + r["births_order2"] + r["births_order3plus"]
    ).all()
    assert (r["births_total"] == r["births_male"] + r["births_female"]).all()
    assert (r["married_women"] <= r["women_total"]).all()
    women = read(clean, "women")
    per_village = women.group_by("village_code").agg(
        pl.len().alias("women_total"),
        (pl.col("method") == "iud").sum().alias("users_iud"),
        (pl.col("residence") == "out").sum().alias("out_migrant_women"),
    )
    got = villages.select(pl.col("unit_code").alias("village_code"), *per_village.columns[1:])
    assert got.sort("village_code").equals(per_village.sort("village_code").cast(got.schema))
    births = read(clean, "births").filter(pl.col("child_birth_date") >= date(2026, 10, 1))
    assert town["births_total"][0] == len(births)
    procs = read(clean, "procedures").filter(pl.col("procedure_date") >= date(2026, 10, 1))
    assert town["proc_iud_insert"][0] == (procs["procedure"] == "iud_insert").sum()


def test_supply_ledger_balances(clean: Path) -> None:
    s = read(clean, "supply_stock")
    assert (s["opening"] + s["received"] - s["issued"] == s["closing"]).all()
    assert s.select(pl.min_horizontal("opening", "received", "issued", "closing").min()).item() >= 0
    assert s["period"].n_unique() >= 4  # months of history
    carried = s.sort("point_code", "item", "period").with_columns(
        before=pl.col("closing").shift(1).over("point_code", "item")
    )
    assert carried.filter(pl.col("before") != pl.col("opening")).is_empty()
    assert carried["before"].null_count() == s.select("point_code", "item").n_unique()
    issues = read(clean, "supply_issues").with_columns(
        period=pl.col("issue_date").dt.strftime("%Y-%m")
    )
    sums = issues.group_by("period", "point_code", "item").agg(pl.col("quantity").sum())
    joined = s.join(sums, on=["period", "point_code", "item"], how="full", coalesce=True)
    assert (joined["issued"].fill_null(-1) == joined["quantity"].fill_null(0)).all()
    assert (issues["quantity"] > 0).all()


def test_rates_look_like_a_real_district(tmp_path: Path) -> None:
    folder = make(tmp_path / "big", villages=10, women_per_village=1500)
    women = read(folder, "women")
    married = women.filter(pl.col("marital_status").is_in(["married", "remarried"]))
    assert 0.72 < len(married) / len(women) < 0.82
    prevalence = (married["method"] != "none").mean()
    assert 0.86 < prevalence < 0.95  # type: ignore[operator]
    top = married["method"].value_counts(sort=True)["method"].head(2).to_list()
    assert set(top) == {"iud", "tubal_ligation"}
    births = read(folder, "births").filter(pl.col("child_birth_date") > date(2025, 10, 31))
    assert 0.025 < len(births) / len(women) < 0.04
    assert 0.6 < (births["birth_order"] == 1).mean() < 0.8  # type: ignore[operator]
    assert (births["policy"] == "in").mean() > 0.93  # type: ignore[operator]
    out = (women["residence"] == "out").mean()
    assert 0.05 < out < 0.15  # type: ignore[operator]


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--faults", "some"], "--faults: expected none, all or a number"),
        (["--faults", "-2"], "--faults: expected none, all or a number"),
        (["--period", "2026-13"], "--period: expected a period YYYY-MM"),
        (["--villages", "1000"], "--villages: expected 1 to 999"),
        (["--seed", "-1"], "--seed: expected a number 0 or more"),
        (["--villages", "1", "--women-per-village", "10", "--faults", "all"], "cannot plant"),
    ],
)
def test_cli_argument_errors_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sample", str(out), *args])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written or temporary folder left


def test_cli_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(app, ["sample", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty" in result.output and "refusing to overwrite" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_cli_writes_into_an_empty_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["sample", str(tmp_path), "--villages", "2", "--women-per-village", "60", "-f", "parquet"],
    )
    assert result.exit_code == 0, result.output
    assert "120 women in 2 villages" in result.output
    assert (tmp_path / "women.parquet").exists() and (tmp_path / "truth.json").exists()


# --- the shipped demo ----------------------------------------------------------------------------


def test_demo_is_reproducible(tmp_path: Path) -> None:
    build_demo(tmp_path / "demo")
    assert tree(tmp_path / "demo") == tree(DEMO)


def test_demo_looks_like_a_township_export() -> None:
    assert sum(p.stat().st_size for p in DEMO.iterdir()) < 2_000_000
    raw = (DEMO / "women.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header, first = raw.decode("gb18030").splitlines()[:2]
    assert header.startswith("身份证号,姓名,出生日期,村代码,组,中心户,婚姻状况")
    assert any(code in first for code in ("初婚", "未婚", "再婚", "离婚", "丧偶"))
    xl = pl.read_excel(DEMO / "procedures.xlsx")
    assert xl.schema["procedure_date"] == pl.Date
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))
    assert 8 <= len(truth) <= 15
    assert {CATALOGUE[t["check"]][1] for t in truth} >= {
        "women",
        "births",
        "migrants",
        "supply_stock",
    }


def test_demo_loads_without_problems() -> None:
    from audit.io.loader import load_submission

    sub = load_submission(DEMO)
    assert sub.findings == ()
    rows = {t.table: t.rows for t in sub.tables}
    assert rows["women"] == 1501 and rows["procedures"] > 100
    n = sub.con.execute("SELECT count(*) FROM women WHERE method = 'iud'").fetchone()
    assert n is not None and n[0] > 300


def test_more_women_on_one_birth_date_than_a_division_has_numbers() -> None:
    # 1,200 women born on one day in one division (a township of millions has such days):
    # 499 keep the local division, the rest hold IDs of the spare divisions, all distinct.
    rng = np.random.default_rng(7)
    local, spares = 340811, (411623, 341221, 511322)
    birth = np.full(1200, 8000, dtype=np.int64)
    division, seq = women_sequences(rng, np.full(1200, local), birth, spares)
    assert sorted(Counter(division.tolist()).values()) == [202, 499, 499]
    assert set(division.tolist()) == {local, 411623, 341221}
    ids = build_ids(division, birth, seq).to_list()
    assert len(set(ids)) == 1200
    assert all(is_valid_id(i) and not is_male_id(i) for i in ids)
    with pytest.raises(ValueError, match="more than 499 women share a birth date"):
        women_sequences(rng, np.full(1200, local), birth, spares[:1])


def test_in_migrants_origin_names_the_county_of_their_id_division_code() -> None:
    """流出地 and the first six digits of the ID agree, by GB/T 2260 as python-stdnum has it."""
    from stdnum import numdb

    from audit.sample.names import ORIGINS

    divisions = numdb.get("cn/loc")
    for place, code in ORIGINS:
        (_, province), (_, county) = divisions.info(str(code))
        county_name = county["county"].split("]")[-1]  # "[2000-]商水县" → 商水县
        assert place.startswith(province["province"]), (place, code)
        assert place.endswith(county_name), (place, code, county_name)
