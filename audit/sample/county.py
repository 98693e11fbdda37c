"""`audit sample OUT --townships N`: a synthetic county, clean or with cross-township faults.

Design decisions:

- A county is N generated townships (the single-township generator, unchanged,
  each with its own code 3408111NN000 and seed), made consistent with each
  other afterwards: some out-migrants of township A live in township B of the
  county. B's in-migrant of the same birth month (and no births on file) takes
  on A's woman's identity — ID number, name, birth date, in every table of B —
  A's open out row names B as the destination and B's open in row names A as
  the origin. Nothing B counts changes, so every township still agrees with
  itself and its report, and the county's report is the sum of its townships.
- `county.json` lists the county code and name, the period and every expected
  township; `stat_reports.csv` in the county folder holds the county row
  (level `county`), the sum of the township rows.
- `--faults` (none, all, or a number) plants cross-township faults, each
  listed in the county's `truth.json` as the finding the county audit must
  report — check, category, table, record ("<township>|<key>") and township
  (the one that must fix it; both when both must). Townships themselves get
  no single-township faults, so their own truth.json files are empty; a fault
  may still have single-township consequences (a birth copied into B has a
  mother B does not register), which B's own audit reports.
- Same seed, same bytes: the county's random stream is derived from `--seed`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from audit.core.contract import REPORT_COUNT_COLUMNS, TABLE_NAMES
from audit.core.exitcodes import AuditError
from audit.core.idcard import check_char
from audit.sample import names
from audit.sample.generator import (
    _validate,
    build_township,
    manifest,
    parse_faults,
    villages_frame,
    write_table,
)
from audit.sample.population import Township
from audit.sample.writer import check_target, new_folder, write_json

COUNTY_CODE = "340811000000"
COUNTY_NAME = "宜秀区"
MAX_TOWNSHIPS = 99
# More township names of the district and its neighbours, after names.TOWNSHIP_NAMES.
MORE_TOWNSHIP_NAMES = (
    "高河镇", "三桥镇", "公岭镇", "黄墩镇", "石镜乡", "清河乡", "平山镇", "雷埠乡",
    "凉亭乡", "金拱镇", "洪铺镇", "黄龙镇", "小市镇", "茶岭镇", "马庙镇", "腊树镇",
    "秀山乡", "独秀镇", "酒店乡", "龙池乡", "晓天镇", "汤池镇",
)  # fmt: skip
# The cross-township faults, in the order `--faults N` takes them.
FAULTS = (
    "county-dup-person",
    "county-dup-birth",
    "county-outmigrant-unrecorded",
    "county-inmigrant-home-resident",
    "county-report-sum",
    "county-township-missing",
)
CATEGORY = {
    "county-dup-person": "duplicate",
    "county-dup-birth": "duplicate",
    "county-outmigrant-unrecorded": "under_report",
    "county-inmigrant-home-resident": "mismatch",
    "county-report-sum": "arithmetic",
    "county-township-missing": "completeness",
}
PERSON_TABLES = {  # table -> its columns holding a person's ID number
    "women": "person_id",
    "births": "mother_id",
    "supply_issues": "person_id",
    "procedures": "person_id",
    "checkups": "person_id",
    "migrants": "person_id",
    "migrant_births": "mother_id",
}


@dataclass(frozen=True, order=True)
class CountyTruth:
    check: str
    township: str
    table: str
    record: str
    category: str

    def to_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "category": self.category,
            "table": self.table,
            "record": self.record,
            "township": self.township,
        }


def township_names(n: int) -> list[str]:
    pool = list(names.TOWNSHIP_NAMES) + list(MORE_TOWNSHIP_NAMES)
    return [
        pool[i] if i < len(pool) else f"{pool[i % len(pool)]}{i // len(pool) + 1}" for i in range(n)
    ]


def township_code(i: int) -> str:
    return f"{COUNTY_CODE[:6]}{101 + i:03d}000"


def folder_name(tw: Township) -> str:
    return f"{tw.code[:9]}-{tw.name}"


# --- making the townships agree -------------------------------------------------------------------


def _no_births(tw: Township) -> set[str]:
    t = tw.tables
    mothers = set(t["births"]["mother_id"].to_list()) | set(t["migrant_births"]["mother_id"])
    return {p for p in t["women"]["person_id"].to_list() if p not in mothers}


def _candidates(tw: Township, residence: str, taken: set[str]) -> pl.DataFrame:
    """Women of `residence` with no births on file (and, for migrants, one open row)."""
    t = tw.tables
    w = t["women"].filter(pl.col("residence") == residence)
    free = _no_births(tw) - taken
    w = w.filter(pl.col("person_id").is_in(list(free)))
    if residence in ("out", "in"):
        direction = residence
        open_rows = (
            t["migrants"]
            .filter((pl.col("direction") == direction) & pl.col("return_date").is_null())
            .group_by("person_id")
            .len()
            .filter(pl.col("len") == 1)
        )
        w = w.filter(pl.col("person_id").is_in(open_rows["person_id"].to_list()))
    else:
        w = w.filter(~pl.col("pregnant").fill_null(False))
    return w.with_columns(month=pl.col("birth_date").dt.strftime("%Y-%m")).sort("person_id")


def _fits(target: dict[str, Any], source_birth: Any) -> bool:
    """The target's marriage still comes at 20 or later with the source's birth date."""
    married = target.get("marriage_date")
    if married is None:
        return True
    return bool(source_birth.replace(year=source_birth.year + 20) <= married)


def _pairs(
    src: pl.DataFrame, dst: pl.DataFrame, want: int
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Up to `want` (source, target) women born in the same month, the target fitting."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for row in dst.iter_rows(named=True):
        by_month.setdefault(row["month"], []).append(row)
    out = []
    for row in src.iter_rows(named=True):
        pool = by_month.get(row["month"]) or []
        match = next((t for t in pool if _fits(t, row["birth_date"])), None)
        if match is None:
            continue
        pool.remove(match)
        out.append((row, match))
        if len(out) >= want:
            break
    return out


def _become(tw: Township, old_id: str, new: dict[str, Any]) -> None:
    """Woman `old_id` of this township takes on `new`'s identity in every table."""
    t = tw.tables
    for name, column in PERSON_TABLES.items():
        df = t[name]
        hit = pl.col(column) == old_id
        updates = [
            pl.when(hit).then(pl.lit(new["person_id"])).otherwise(pl.col(column)).alias(column)
        ]
        if name in ("women", "migrants"):
            updates.append(
                pl.when(hit).then(pl.lit(new["name"])).otherwise(pl.col("name")).alias("name")
            )
        if name == "women":
            updates.append(
                pl.when(hit)
                .then(pl.lit(new["birth_date"]))
                .otherwise(pl.col("birth_date"))
                .alias("birth_date")
            )
        t[name] = df.with_columns(updates)


def _set_place(tw: Township, person_id: str, direction: str, place: str) -> str:
    """The open row's place; returns its migrant_id."""
    m = tw.tables["migrants"]
    hit = (
        (pl.col("person_id") == person_id)
        & (pl.col("direction") == direction)
        & pl.col("return_date").is_null()
    )
    tw.tables["migrants"] = m.with_columns(
        pl.when(hit).then(pl.lit(place)).otherwise(pl.col("place")).alias("place")
    )
    return str(m.filter(hit)["migrant_id"][0])


def _persons(tw: Township) -> set[str]:
    t = tw.tables
    return set(t["women"]["person_id"].to_list()) | set(t["migrants"]["person_id"].to_list())


def keep_ids_apart(tw: Township, used: set[str]) -> None:
    """Townships are generated alone and may draw the same ID number: give this one's new ones.

    A colliding woman gets the next free even sequence of her division and
    birth date (so her ID still holds her birth date and sex), in every table.
    """
    own = _persons(tw)
    taken = used | own
    mapping: dict[str, str] = {}
    for old in sorted(own & used):
        seq = int(old[14:17])
        for step in range(1, 500):
            candidate = (seq + 2 * step - 2) % 998 + 2
            first17 = f"{old[:14]}{candidate:03d}"
            new = first17 + check_char(first17)
            if new not in taken:
                break
        else:
            raise AuditError(f"--townships: no free ID number left for {old[:14]}")
        mapping[old] = new
        taken.add(new)
    if mapping:
        for name, column in PERSON_TABLES.items():
            col = pl.col(column)
            tw.tables[name] = tw.tables[name].with_columns(col.replace(mapping).alias(column))
    used |= _persons(tw)


def link_migrants(towns: list[Township], rng: np.random.Generator, taken: set[str]) -> int:
    """Out-migrants of each township living in the next one; returns the number of pairs."""
    n = len(towns)
    pairs = 0
    if n < 2:
        return 0
    for i, a in enumerate(towns):
        b = towns[(i + 1) % n]
        src = _candidates(a, "out", taken)
        dst = _candidates(b, "in", taken)
        want = max(1, len(dst) // 4)
        for woman, target in _pairs(src, dst, want):
            _become(b, target["person_id"], woman)
            _set_place(a, woman["person_id"], "out", f"{COUNTY_NAME}{b.name}")
            _set_place(b, woman["person_id"], "in", f"安徽省安庆市{COUNTY_NAME}{a.name}")
            taken.add(woman["person_id"])
            pairs += 1
    return pairs


# --- faults ---------------------------------------------------------------------------------------


class _Planter:
    def __init__(self, towns: list[Township], rng: np.random.Generator, taken: set[str]) -> None:
        self.towns = towns
        self.rng = rng
        self.taken = taken
        self.truth: list[CountyTruth] = []

    def note(self, check: str, township: str, table: str, record: str) -> None:
        self.truth.append(CountyTruth(check, township, table, record, CATEGORY[check]))

    def _pick_pair(self, residence_a: str, residence_b: str) -> tuple[Township, Township, Any, Any]:
        for k in range(len(self.towns)):
            a = self.towns[k]
            b = self.towns[(k + 1) % len(self.towns)]
            found = _pairs(
                _candidates(a, residence_a, self.taken), _candidates(b, residence_b, self.taken), 1
            )
            if found:
                src, dst = found[0]
                return a, b, src, dst
        raise AuditError(
            "--faults: the townships are too small to plant the county's faults; "
            "use more --villages or --women-per-village"
        )

    def dup_person(self) -> None:
        a, b, woman, target = self._pick_pair("resident", "resident")
        _become(b, target["person_id"], woman)
        self.taken.add(woman["person_id"])
        pid = woman["person_id"]
        self.note("county-dup-person", a.code, "women", f"{a.code}|{pid}")
        self.note("county-dup-person", b.code, "women", f"{b.code}|{pid}")

    def inmigrant_home_resident(self) -> None:
        a, b, woman, target = self._pick_pair("resident", "in")
        _become(b, target["person_id"], woman)
        _set_place(b, woman["person_id"], "in", f"安徽省安庆市{COUNTY_NAME}{a.name}")
        self.taken.add(woman["person_id"])
        pid = woman["person_id"]
        self.note("county-inmigrant-home-resident", a.code, "women", f"{a.code}|{pid}")

    def dup_birth(self) -> None:
        a = self.towns[0]
        b = self.towns[1 % len(self.towns)]
        births = a.tables["births"]
        month = a.timeline.period
        old = births.filter(
            ~pl.col("child_birth_date").dt.strftime("%Y-%m").eq(month)
            & ~pl.col("mother_id").is_in(list(self.taken))
        )
        if old.is_empty():
            raise AuditError("--faults: township too small to copy a birth (no births on file)")
        row = old.row(int(self.rng.integers(0, len(old))), named=True)
        self.taken.add(row["mother_id"])
        new_id = f"B{len(b.tables['births']) + 90000001:08d}"
        copy = {**row, "birth_id": new_id, "village_code": b.village_codes[0], "group_no": 1}
        b.tables["births"] = pl.concat(
            [b.tables["births"], pl.DataFrame([copy], schema=b.tables["births"].schema)]
        )
        self.note("county-dup-birth", a.code, "births", f"{a.code}|{row['birth_id']}")
        self.note("county-dup-birth", b.code, "births", f"{b.code}|{new_id}")

    def outmigrant_unrecorded(self) -> None:
        n = len(self.towns)
        for k in range(n):
            a = self.towns[(k + 2) % n]
            dest = self.towns[(k + 3) % n] if n > 2 else self.towns[(k + 1) % n]
            if dest is a:
                continue
            cands = _candidates(a, "out", self.taken)
            cands = cands.filter(
                ~pl.col("person_id").is_in(dest.tables["women"]["person_id"].to_list())
            )
            if cands.is_empty():
                continue
            woman = cands.row(0, named=True)
            self.taken.add(woman["person_id"])
            mid = _set_place(a, woman["person_id"], "out", f"{COUNTY_NAME}{dest.name}")
            self.note("county-outmigrant-unrecorded", dest.code, "migrants", f"{a.code}|{mid}")
            return
        raise AuditError("--faults: no out-migrant to plant county-outmigrant-unrecorded")


def choose_faults(faults: str, rng: np.random.Generator) -> list[str]:
    if faults == "none":
        return []
    if faults == "all":
        return list(FAULTS)
    n = int(faults)
    order = list(rng.permutation(len(FAULTS)))
    return [FAULTS[order[i % len(FAULTS)]] for i in range(n)]


# --- the county -----------------------------------------------------------------------------------


def county_report(towns: list[Township], period: str) -> pl.DataFrame:
    """The county row (level county): the sum of the townships' township rows of the period."""
    rows = pl.concat(
        [
            t.tables["stat_reports"].filter(
                (pl.col("level") == "township") & (pl.col("period") == period)
            )
            for t in towns
        ]
    )
    sums = rows.select([pl.col(c).sum().cast(pl.Int64) for c in REPORT_COUNT_COLUMNS])
    return sums.select(
        pl.lit(period).alias("period"),
        pl.lit("county").alias("level"),
        pl.lit(COUNTY_CODE).alias("unit_code"),
        pl.all(),
    )


def generate_county(
    out_dir: Path,
    *,
    townships: int,
    villages: int,
    women_per_village: int,
    period: str,
    seed: int,
    faults: str,
    fmt: str,
) -> str:
    """Write a county folder into `out_dir` (new or empty); return a one-line summary."""
    out_dir = Path(out_dir)
    fmt = fmt.lower()
    _validate(villages, women_per_village, period, seed, fmt)
    if not 1 <= townships <= MAX_TOWNSHIPS:
        raise AuditError(f"--townships: expected 1 to {MAX_TOWNSHIPS}, got {townships}")
    faults = parse_faults(faults)
    check_target(out_dir)
    labels = township_names(townships + 1)
    towns: list[Township] = []
    used: set[str] = set()
    for i in range(townships):
        tw, _ = build_township(
            villages=villages,
            women_per_village=women_per_village,
            period=period,
            seed=seed * 1000 + i,
            township_code=township_code(i),
        )
        keep_ids_apart(tw, used)
        towns.append(replace(tw, name=labels[i]))
    rng = np.random.default_rng([seed, 9])
    taken: set[str] = set()
    pairs = link_migrants(towns, rng, taken)
    chosen = choose_faults(faults, rng)
    planter = _Planter(towns, rng, taken)
    expected = [{"code": t.code, "name": t.name, "folder": folder_name(t)} for t in towns]
    report = county_report(towns, period)
    for check in chosen:
        if check == "county-dup-person":
            planter.dup_person()
        elif check == "county-dup-birth":
            planter.dup_birth()
        elif check == "county-outmigrant-unrecorded":
            planter.outmigrant_unrecorded()
        elif check == "county-inmigrant-home-resident":
            planter.inmigrant_home_resident()
        elif check == "county-report-sum":
            report = report.with_columns(pl.col("women_total") + 7)
            planter.note(
                "county-report-sum",
                COUNTY_CODE,
                "stat_reports",
                f"{COUNTY_CODE}|{period}|county|{COUNTY_CODE}",
            )
        elif check == "county-township-missing":
            code = township_code(townships + len([e for e in expected if "folder" not in e]))
            expected.append({"code": code, "name": labels[townships]})
            planter.note(
                "county-township-missing", code, "stat_reports", f"{code}|{period}|township|{code}"
            )
    with new_folder(out_dir) as tmp:
        for tw in towns:
            folder = tmp / folder_name(tw)
            folder.mkdir()
            for name in TABLE_NAMES:
                write_table(tw.tables[name], folder, name, fmt)
            write_table(villages_frame(tw), folder, "villages", fmt)
            write_json(folder / "manifest.json", manifest(tw))
            write_json(folder / "truth.json", [])
        write_table(report, tmp, "stat_reports", "csv")
        write_json(
            tmp / "county.json",
            {
                "county_code": COUNTY_CODE,
                "county_name": COUNTY_NAME,
                "period": period,
                "townships": expected,
            },
        )
        write_json(tmp / "truth.json", [t.to_dict() for t in sorted(set(planter.truth))])
    women = sum(len(t.tables["women"]) for t in towns)
    planted = (
        f"{len(planter.truth)} planted cross-township faults listed in truth.json"
        if planter.truth
        else "no planted faults"
    )
    return (
        f"{out_dir}: {COUNTY_NAME} {COUNTY_CODE}, period {period}, {fmt}: {townships} townships, "
        f"{women:,} women, {pairs} women living in another township of the county; {planted}"
    )
