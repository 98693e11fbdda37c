"""Planting known faults in a clean township, and the truth list that names them.

Design: every check of checks.md §1–5, and every check the project adds
(docs/checks.md), has one planter here. A planter picks
an untouched record that can carry the fault alone (a single woman with no
other records for identity faults, an old birth for a re-assigned mother,
an IUD user whose method date lies outside the window for a method
mismatch, …), changes as little as possible — usually one cell, sometimes a
row added — and returns the `Truth` entry the audit must report: check,
category, the table holding the record to fix and that record's key.

Records touched by one planter are never used by another, so each planted
fault is unambiguous. The stock ledger and the report table are recomputed
from the final records after the record faults (see `ledgers`), and only
then are the stock and report faults planted on them: report-vs-records
fires where it was planted and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import numpy as np
import polars as pl

from audit.core.contract import SHORT_ACTING_METHODS, table
from audit.core.divisions import divisions
from audit.core.idcard import CHECK_CHARS, check_char, id_birth_date, make_id
from audit.sample.population import ID_PREFIX, Township
from audit.sample.timeline import day, from_day, years_before

# check id -> (category, table of the record to fix), in the order of checks.md §1–5.
CATALOGUE: dict[str, tuple[str, str]] = {
    "id-format": ("invalid_id", "women"),
    "id-birthdate": ("invalid_id", "women"),
    "id-sex": ("invalid_id", "women"),
    "dup-person": ("duplicate", "women"),
    "dup-birth": ("duplicate", "births"),
    "age-range": ("logic", "women"),
    "marriage-fields": ("logic", "women"),
    "early-marriage": ("logic", "women"),
    "children-count": ("logic", "women"),
    "value-range": ("logic", "women"),
    "future-date": ("logic", "women"),
    "pregnancy-fields": ("logic", "women"),
    "birth-mother-unregistered": ("under_report", "births"),
    "birth-mother-age": ("logic", "births"),
    "birth-order": ("logic", "births"),
    "birth-after-sterilization": ("logic", "births"),
    "birth-late-report": ("timeliness", "births"),
    "sex-ratio": ("plausibility", "births"),
    "migrant-birth-missing": ("under_report", "migrant_births"),
    "postpartum-birth-missing": ("under_report", "procedures"),
    "pregnancy-missing": ("under_report", "women"),
    "method-vs-procedure": ("mismatch", "women"),
    "method-unsupported": ("false_report", "women"),
    "short-method-no-supply": ("false_report", "women"),
    "supply-unregistered": ("mismatch", "supply_issues"),
    "supply-to-sterilized": ("mismatch", "supply_issues"),
    "procedure-unregistered": ("mismatch", "procedures"),
    "outmigrant-missing": ("mismatch", "women"),
    "migrant-status": ("mismatch", "migrants"),
    "inmigrant-unregistered": ("under_report", "migrants"),
    "migrant-marriage": ("under_report", "women"),
    "certificate": ("completeness", "migrants"),
    "feedback-overdue": ("timeliness", "migrants"),
    "stock-balance": ("arithmetic", "supply_stock"),
    "stock-carry": ("arithmetic", "supply_stock"),
    "stock-vs-issues": ("mismatch", "supply_stock"),
    "report-internal": ("arithmetic", "stat_reports"),
    "report-levels": ("arithmetic", "stat_reports"),
    "report-vs-records": ("mismatch", "stat_reports"),
    # The project's own checks beyond checks.md (docs/checks.md), planted after the others so
    # a seed plants the checks above where it always did.
    "id-region": ("invalid_id", "women"),
    "birth-policy-missing": ("completeness", "births"),
}
CHECK_IDS: tuple[str, ...] = tuple(CATALOGUE)
# Planted on the computed summaries, after the record faults.
SUMMARY_CHECKS = frozenset(
    {
        "stock-balance",
        "stock-carry",
        "stock-vs-issues",
        "report-internal",
        "report-levels",
        "report-vs-records",
    }
)
PERSON_TABLES = {
    "women": ("person_id",),
    "births": ("mother_id",),
    "procedures": ("person_id",),
    "checkups": ("person_id",),
    "supply_issues": ("person_id",),
    "migrants": ("person_id",),
    "migrant_births": ("mother_id",),
}


@dataclass(frozen=True, order=True)
class Truth:
    check: str
    category: str
    table: str
    record: str

    def to_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "category": self.category,
            "table": self.table,
            "record": self.record,
        }


class CannotPlant(Exception):
    """The township has no record that can carry this fault (too small)."""


def choose_checks(faults: str, rng: np.random.Generator) -> list[str]:
    """`none` -> [], `all` -> every check once, N -> N checks drawn (each once before repeats)."""
    if faults == "none":
        return []
    if faults == "all":
        return list(CHECK_IDS)
    n = int(faults)
    out: list[str] = []
    while len(out) < n:
        out.extend(CHECK_IDS[i] for i in rng.permutation(len(CHECK_IDS)))
    return sorted(out[:n], key=CHECK_IDS.index)


def _day(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int32).cast(pl.Int64)


class Planter:
    """Plants faults into one township's tables (in place) and collects the truth."""

    def __init__(self, tw: Township, rng: np.random.Generator) -> None:
        self.tw = tw
        self.t = tw.tables
        self.tl = tw.timeline
        self.rng = rng
        self.people_used: set[str] = set()
        self.rows_used: set[tuple[str, str]] = set()  # (table, record)
        self.villages_used: set[str] = set()  # villages given a sex-ratio anomaly
        self.report_villages: dict[str, set[str]] = {}
        self._women_cache: pl.DataFrame | None = None
        self._people_in: dict[str, pl.DataFrame] = {}
        self.truth: list[Truth] = []

    # --- plumbing --------------------------------------------------------------------------
    def plant(self, check: str) -> None:
        planter: Callable[[], str] = getattr(self, "_" + check.replace("-", "_"))
        category, default_table = CATALOGUE[check]
        self._women()  # facts of the township as generated, before the first fault
        try:
            result = planter()
        except CannotPlant as e:
            raise CannotPlant(f"{check}: {e}") from None
        tbl, record = (default_table, result) if isinstance(result, str) else result
        self.truth.append(Truth(check, category, tbl, record))

    def _pick(self, df: pl.DataFrame, key: str) -> dict[str, Any]:
        """One row at random, the same for the same seed: rows are put in a fixed order first
        (the register's row number when present: far cheaper than sorting ID strings)."""
        if df.is_empty():
            raise CannotPlant("no record in this township can carry it")
        if "_row" in df.columns:
            df = df.sort("_row")
        elif not df[key].is_sorted():
            df = df.sort(key)
        return df.row(int(self.rng.integers(len(df))), named=True)

    def _free(self, df: pl.DataFrame, col: str = "person_id") -> pl.DataFrame:
        return df.filter(~pl.col(col).is_in(list(self.people_used)))

    def _use(self, *person_ids: str) -> None:
        self.people_used.update(person_ids)

    def _update(self, name: str, where: pl.Expr, *, some: bool = True, **values: Any) -> None:
        """Set columns on the rows `where` selects (at least one row unless `some` is False)."""
        df = self.t[name]
        if some and not df.select(where.any()).item():
            raise AssertionError(f"{name}: no row to update")
        self.t[name] = df.with_columns(
            pl.when(where).then(pl.lit(v, dtype=df.schema[c])).otherwise(pl.col(c)).alias(c)
            for c, v in values.items()
        )

    def _append(self, name: str, row: dict[str, Any]) -> None:
        df = self.t[name]
        self.t[name] = pl.concat([df, pl.DataFrame([row], schema=df.schema)])

    def _new_key(self, name: str) -> str:
        key = table(name).key[0]
        s = self.t[name][key]
        top = s.str.slice(1).cast(pl.Int64).max() if len(s) else None
        return f"{ID_PREFIX[name]}{int(cast(int, top or 0)) + 1:08d}"

    def _id_taken(self, pid: str) -> bool:
        return any(
            self.t[name].select((pl.col(c) == pid).any()).item()
            for name, cols in PERSON_TABLES.items()
            for c in cols
        )

    def _fresh_id(self, birth: date, division: str | None = None, odd: bool = False) -> str:
        division = division or self.tw.code[:6]
        for _ in range(1000):
            seq = int(self.rng.integers(1, 500)) * 2 - (1 if odd else 0)
            pid = make_id(division, birth, seq)
            if not self._id_taken(pid):
                return pid
        raise CannotPlant("no free ID sequence")

    def _linked(self, *, besides: tuple[str, ...] = ("women",)) -> pl.DataFrame:
        """People with a record in a table other than `besides` (one column, person_id).

        As found before any planting (cached): planters only link records to people they mark
        as used, and used people are never candidates again."""
        for name, cols in PERSON_TABLES.items():
            if name not in self._people_in:
                self._people_in[name] = pl.concat(
                    [self.t[name].select(pl.col(c).alias("person_id")) for c in cols]
                ).unique()
        parts = [ids for name, ids in self._people_in.items() if name not in besides]
        return pl.concat(parts).unique()

    def _women(self) -> pl.DataFrame:
        """Register rows of untouched women, with her internal facts and register counts.

        Computed once: a planter changes only the records of people it marks as used, and
        used people are filtered out here, so the cached facts of everyone else stay true.
        """
        if self._women_cache is None:
            reg = (
                self.t["births"]
                .group_by("mother_id")
                .agg(
                    pl.len().alias("reg_births"),
                    _day("child_birth_date").max().alias("reg_last_birth"),
                )
            )
            facts = self.tw.people.select("person_id", "age").with_row_index("_row")
            linked = self._linked().with_columns(linked=pl.lit(True))
            self._women_cache = (
                self.t["women"]
                .join(facts, on="person_id", how="inner")
                .join(reg, left_on="person_id", right_on="mother_id", how="left")
                .join(linked, on="person_id", how="left")
                .with_columns(
                    pl.col("reg_births").fill_null(0),
                    unlinked=pl.col("linked").is_null(),
                )
                .drop("linked")
            )
        return self._free(self._women_cache)

    def _unlinked_single(self) -> pl.DataFrame:
        return self._women().filter(
            (pl.col("marital_status") == "single")
            & (pl.col("residence") == "resident")
            & (pl.col("method") == "none")
            & pl.col("unlinked")
        )

    def _random_day(self, lo: int, hi: int) -> date:
        if hi < lo:
            raise CannotPlant("no date available")
        return from_day(int(self.rng.integers(lo, hi + 1)))

    def _open_migrants(self, direction: str) -> pl.DataFrame:
        return self.t["migrants"].filter(
            (pl.col("direction") == direction) & pl.col("return_date").is_null()
        )

    # --- §1 identity and register logic ------------------------------------------------------
    def _id_format(self) -> str:
        w = self._pick(self._unlinked_single(), "person_id")
        pid = w["person_id"]
        right = pid[17]
        wrong = CHECK_CHARS[(CHECK_CHARS.index(right) + 1) % len(CHECK_CHARS)]
        bad = pid[:17] + wrong
        self._update("women", pl.col("person_id") == pid, person_id=bad)
        self._use(pid, bad)
        return bad

    def _id_birthdate(self) -> str:
        c = self._unlinked_single().filter(pl.col("age").is_between(20, 45))
        w = self._pick(c, "person_id")
        shift = int(self.rng.integers(40, 300)) * (1 if self.rng.random() < 0.5 else -1)
        self._update(
            "women",
            pl.col("person_id") == w["person_id"],
            birth_date=w["birth_date"] + timedelta(days=shift),
        )
        self._use(w["person_id"])
        return str(w["person_id"])

    def _id_sex(self) -> str:
        w = self._pick(self._unlinked_single(), "person_id")
        pid = w["person_id"]
        body = pid[:14] + f"{int(pid[14:17]) + 1:03d}"  # even sequence -> the next, odd one
        man = body + check_char(body)
        self._update("women", pl.col("person_id") == pid, person_id=man)
        self._use(pid, man)
        return man

    def _id_region(self) -> str:
        """A valid ID whose first six digits are no division code (a mistyped county)."""
        w = self._pick(self._unlinked_single(), "person_id")
        pid = w["person_id"]
        born = id_birth_date(pid)
        assert born is not None
        division = next(
            d for d in (pid[:4] + "99", pid[:2] + "9999", "990426") if d not in divisions()
        )
        new = self._fresh_id(born, division)
        self._update("women", pl.col("person_id") == pid, person_id=new)
        self._use(pid, new)
        return new

    def _dup_person(self) -> str:
        w = self._pick(self._unlinked_single(), "person_id")
        codes = self.tw.village_codes
        other = codes[(codes.index(w["village_code"]) + 1) % len(codes)]
        row = {c: w[c] for c in table("women").column_names}
        row.update(village_code=other, group_no=1, central_household="中心户01")
        self._append("women", row)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _dup_birth(self) -> str:
        w = self._women().filter(pl.col("children") > pl.col("reg_births"))
        b = self.t["births"].filter(_day("child_birth_date") < self.tl.start)
        b = b.join(w.select(pl.col("person_id").alias("mother_id")), on="mother_id", how="semi")
        row = self._pick(b, "birth_id")
        new = self._new_key("births")
        self._append("births", {**row, "birth_id": new})
        self._use(row["mother_id"])
        return new

    def _age_range(self) -> str:
        w = self._pick(self._unlinked_single(), "person_id")
        lo = self.tl.years_before_end(51) + 1
        birth = self._random_day(lo, lo + 300)  # 50 at the period end
        pid = self._fresh_id(birth, w["person_id"][:6])
        self._update(
            "women", pl.col("person_id") == w["person_id"], person_id=pid, birth_date=birth
        )
        self._use(w["person_id"], pid)
        return pid

    def _married_resident(self) -> pl.DataFrame:
        return self._women().filter(
            (pl.col("marital_status") == "married") & (pl.col("residence") == "resident")
        )

    def _marriage_fields(self) -> str:
        w = self._pick(self._married_resident(), "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], marriage_date=None)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _early_marriage(self) -> str:
        w = self._pick(self._married_resident(), "person_id")
        born: date = w["birth_date"]
        at19 = years_before(born, -19)
        married = at19 + timedelta(days=int(self.rng.integers(30, 300)))
        self._update("women", pl.col("person_id") == w["person_id"], marriage_date=married)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _children_count(self) -> str:
        c = self._women().filter(
            (pl.col("reg_births") >= 1) & (pl.col("children") == pl.col("reg_births"))
        )
        w = self._pick(c, "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], children=w["reg_births"] - 1)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _value_range(self) -> str:
        # Living children below zero, on a woman with no births on the register (so the
        # number cannot also fall short of her births: children-count stays silent).
        w = self._pick(self._free(self._women()).filter(pl.col("reg_births") == 0), "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], children=-1)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _future_date(self) -> tuple[str, str]:
        c = self._free(self.t["checkups"]).filter(~pl.col("pregnant"))
        row = self._pick(c, "checkup_id")
        later = self.tl.end_date + timedelta(days=int(self.rng.integers(3, 21)))
        self._update("checkups", pl.col("checkup_id") == row["checkup_id"], checkup_date=later)
        self._use(row["person_id"])
        return "checkups", str(row["checkup_id"])

    def _pregnancy_fields(self) -> str:
        w = self._pick(self._women().filter(pl.col("pregnant")), "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], pregnancy_date=None)
        self._use(w["person_id"])
        return str(w["person_id"])

    # --- §2 births ---------------------------------------------------------------------------
    def _birth_mother_unregistered(self) -> str:
        old = min(self.tl.window_start, self.tl.recent_start) - 60
        b = self._free(self.t["births"], "mother_id").filter(_day("child_birth_date") < old)
        mb = self.t["migrant_births"].select("mother_id").unique()
        b = b.join(mb, on="mother_id", how="anti")
        row = self._pick(b, "birth_id")
        mother = row["mother_id"]
        fake = self._fresh_id(
            date(int(mother[6:10]), int(mother[10:12]), int(mother[12:14])), mother[:6]
        )
        self._update("births", pl.col("birth_id") == row["birth_id"], mother_id=fake)
        self._use(mother, fake)
        return str(row["birth_id"])

    def _add_birth(
        self, w: dict[str, Any], born: date, order: int, *, sex: str | None = None
    ) -> str:
        new = self._new_key("births")
        given = "子浩宇轩梓涵睿博文欣一诺若雨思可嘉"
        self._append(
            "births",
            {
                "birth_id": new,
                "mother_id": w["person_id"],
                "child_name": w["name"][0]
                + "".join(given[int(i)] for i in self.rng.integers(0, len(given), 2)),
                "child_sex": sex or ("M" if self.rng.random() < 0.53 else "F"),
                "child_birth_date": born,
                "birth_order": order,
                "policy": "out" if order >= 3 else "in",
                "village_code": w["village_code"],
                "group_no": w["group_no"],
                "reported_date": min(
                    born + timedelta(days=int(self.rng.integers(2, 20))), self.tl.end_date
                ),
                "delivery_place": "hospital",
            },
        )
        return new

    def _birth_mother_age(self) -> str:
        w = self._pick(
            self._unlinked_single().filter(pl.col("age").is_between(16, 18)), "person_id"
        )
        at14 = years_before(w["birth_date"], -14)
        born = at14 + timedelta(days=int(self.rng.integers(30, 200)))
        if born > self.tl.end_date - timedelta(days=40):
            raise CannotPlant("mother too young")
        new = self._add_birth(w, born, 1)
        self._update("births", pl.col("birth_id") == new, policy="out")
        self._update("women", pl.col("person_id") == w["person_id"], children=1)
        self._use(w["person_id"])
        return new

    def _birth_order(self) -> str:
        """The latest birth gets the order of the one before it (孩次 not rising)."""
        b = self._free(self.t["births"], "mother_id")
        pairs = (
            b.sort("child_birth_date", "birth_id")
            .group_by("mother_id")
            .agg(
                pl.len().alias("n"),
                pl.col("birth_order").tail(2).first().alias("before"),
                pl.col("birth_id").last().alias("latest"),
            )
            .filter((pl.col("n") >= 2) & (pl.col("before") < 3))
        )
        if not pairs.is_empty():
            row = self._pick(pairs, "mother_id")
            self._update("births", pl.col("birth_id") == row["latest"], birth_order=row["before"])
            self._use(row["mother_id"])
            return str(row["latest"])
        # no mother with two births on the register: a second one within 180 days of the first
        end = self.tl.end
        c = self._women().filter(
            (pl.col("reg_births") == 1)
            & (pl.col("reg_last_birth") <= end - 200)
            & pl.col("marital_status").is_in(["married", "remarried"])
            & (pl.col("residence") == "resident")
        )
        w = self._pick(c, "person_id")
        first = b.filter(pl.col("mother_id") == w["person_id"]).row(0, named=True)
        born = first["child_birth_date"] + timedelta(days=int(self.rng.integers(100, 171)))
        new = self._add_birth(
            w, min(born, self.tl.end_date - timedelta(days=30)), min(first["birth_order"] + 1, 3)
        )
        self._update("women", pl.col("person_id") == w["person_id"], children=w["children"] + 1)
        self._use(w["person_id"])
        return new

    def _birth_after_sterilization(self) -> str:
        end = self.tl.end
        c = self._women().filter(
            (pl.col("method") == "tubal_ligation")
            & (_day("method_date") <= end - 420)
            & pl.col("marital_status").is_in(["married", "remarried"])
            & (pl.col("residence") == "resident")
            & (pl.col("age") <= 44)
        )
        w = self._pick(c, "person_id")
        md = day(w["method_date"])
        born = self._random_day(max(md + 330, end - 380), end - 40)
        new = self._add_birth(w, born, min(w["children"] + 1, 3))
        self._update("women", pl.col("person_id") == w["person_id"], children=w["children"] + 1)
        self._use(w["person_id"])
        return new

    def _birth_late_report(self) -> str:
        b = self._free(self.t["births"], "mother_id").filter(
            _day("child_birth_date") <= self.tl.end - 50
        )
        row = self._pick(b, "birth_id")
        late = row["child_birth_date"] + timedelta(days=int(self.rng.integers(40, 50)))
        self._update("births", pl.col("birth_id") == row["birth_id"], reported_date=late)
        self._use(row["mother_id"])
        return str(row["birth_id"])

    def _birth_policy_missing(self) -> str:
        """A birth in W with its policy attribute left empty: an existing one of an untouched
        mother, else (a small township, a short W) a new first birth on the register of a
        married woman who is not sterilised."""
        b = self._free(self.t["births"], "mother_id").filter(
            _day("child_birth_date") >= self.tl.window_start
        )
        if not b.is_empty():
            row = self._pick(b, "birth_id")
            self._update("births", pl.col("birth_id") == row["birth_id"], policy=None)
            self._use(row["mother_id"])
            return str(row["birth_id"])
        w = self._pick(
            self._women().filter(
                pl.col("marital_status").is_in(["married", "remarried"])
                & (pl.col("residence") == "resident")
                & ~pl.col("method").is_in(["tubal_ligation", "vasectomy"])
                & ~pl.col("pregnant")
                & (pl.col("reg_births") == 0)
                & pl.col("age").is_between(22, 40)
            ),
            "person_id",
        )
        born = self._random_day(self.tl.window_start, self.tl.end - 1)
        new = self._add_birth(w, born, 1)
        self._update("births", pl.col("birth_id") == new, policy=None)
        if not w["children"]:
            self._update("women", pl.col("person_id") == w["person_id"], children=1)
        self._use(w["person_id"])
        return new

    def _sex_ratio(self) -> str:
        """A village whose births are all boys, with enough of them in the month to show."""
        tl = self.tl
        recent_ab = self.t["procedures"].filter(
            pl.col("procedure").is_in(["abortion", "induced_labor"])
            & (_day("procedure_date") > tl.end - 330)
        )
        c = (
            self._women()
            .filter(
                pl.col("marital_status").is_in(["married", "remarried"])
                & (pl.col("residence") == "resident")
                & ~pl.col("pregnant")
                & pl.col("method").is_in([*SHORT_ACTING_METHODS, "other", "none"])
                & (pl.col("children") <= 2)
                & pl.col("age").is_between(21, 43)
                & (pl.col("reg_last_birth").is_null() | (pl.col("reg_last_birth") <= tl.end - 400))
                & ~pl.col("village_code").is_in(list(self.villages_used))
            )
            .join(recent_ab.select("person_id"), on="person_id", how="anti")
        )
        if c.is_empty():
            raise CannotPlant("no woman can carry an extra birth")
        per_village = (
            c.group_by("village_code").len().sort(["len", "village_code"], descending=[True, False])
        )
        village = per_village["village_code"][0]
        pool = c.filter(pl.col("village_code") == village).sort("person_id")
        in_month = self.t["births"].filter(
            (pl.col("village_code") == village) & (_day("child_birth_date") >= tl.start)
        )
        # the month needs 20 births for a warning (fewer make an info); six boys in a row
        # already put the 95% interval above the normal band
        k = min(len(pool), max(0, 20 - len(in_month)))
        if len(in_month) + k < 6:
            raise CannotPlant(f"village {village} has too few women for a visible sex ratio")
        # every girl of the village becomes a boy, so any span of its births shows it
        self._update(
            "births",
            (pl.col("village_code") == village) & (pl.col("child_sex") == "F"),
            some=False,
            child_sex="M",
        )
        chosen = pool[self.rng.permutation(len(pool))[:k]].sort("person_id")
        for w in chosen.iter_rows(named=True):
            born = self._random_day(tl.start, tl.end - 1)
            self._add_birth(w, born, min(w["children"] + 1, 3), sex="M")
            self._update("women", pl.col("person_id") == w["person_id"], children=w["children"] + 1)
            self._use(w["person_id"])
        self.villages_used.add(village)
        return str(village)

    # --- §3 cross-ledger ---------------------------------------------------------------------
    def _migrant_birth_missing(self) -> str:
        tl = self.tl
        away = self._open_migrants("out").select("person_id", "place", "move_date")
        c = (
            self._women()
            .join(away, on="person_id")
            .filter(
                pl.col("marital_status").is_in(["married", "remarried"])
                & ~pl.col("pregnant")
                & (pl.col("reg_last_birth").is_null() | (pl.col("reg_last_birth") <= tl.end - 400))
                & (pl.col("age") <= 44)
                & (_day("move_date") < tl.end - 10)
            )
        )
        w = self._pick(c, "person_id")
        move = day(w["move_date"])
        born = self._random_day(max(tl.window_start, move + 1), tl.end - 3)
        new = self._new_key("migrant_births")
        self._append(
            "migrant_births",
            {
                "report_id": new,
                "mother_id": w["person_id"],
                "child_sex": "M" if self.rng.random() < 0.53 else "F",
                "child_birth_date": born,
                "reported_date": min(born + timedelta(days=3), tl.end_date),
                "place": w["place"],
            },
        )
        self._use(w["person_id"])
        return new

    def _postpartum_birth_missing(self) -> str | tuple[str, str]:
        tl = self.tl
        births = self.t["births"].select(
            pl.col("mother_id").alias("person_id"), _day("child_birth_date").alias("born")
        )
        p = self._free(self.t["procedures"]).filter(
            (_day("procedure_date") >= tl.window_start)
            & ~pl.col("postpartum")
            & pl.col("procedure").is_in(["iud_insert", "tubal_ligation", "implant_insert"])
        )
        near = (
            p.join(births, on="person_id")
            .filter(
                (pl.col("born") <= _day("procedure_date"))
                & (pl.col("born") >= _day("procedure_date") - 60)
            )
            .select("procedure_id")
        )
        p = p.join(near, on="procedure_id", how="anti")
        if not p.is_empty():
            row = self._pick(p, "procedure_id")
            self._update(
                "procedures", pl.col("procedure_id") == row["procedure_id"], postpartum=True
            )
            self._use(row["person_id"])
            return str(row["procedure_id"])
        # no interval operation this window: file a "postpartum" IUD insertion without a birth
        c = self._women().filter(
            (pl.col("method") == "iud")
            & (_day("method_date") < tl.window_start - 31)
            & (pl.col("residence") == "resident")
            & (
                pl.col("reg_last_birth").is_null()
                | (pl.col("reg_last_birth") < tl.window_start - 60)
            )
        )
        w = self._pick(c, "person_id")
        new = self._new_key("procedures")
        self._append(
            "procedures",
            {
                "procedure_id": new,
                "person_id": w["person_id"],
                "procedure": "iud_insert",
                "procedure_date": self._random_day(tl.window_start, tl.end),
                "postpartum": True,
                "facility": "县妇幼保健院",
                "village_code": w["village_code"],
            },
        )
        self._use(w["person_id"])
        return new

    def _pregnancy_missing(self) -> str:
        tl = self.tl
        recent = self.t["checkups"].filter(
            pl.col("pregnant") & (_day("checkup_date") >= tl.recent_start)
        )
        c = self._women().filter(pl.col("pregnant"))
        c = c.join(recent.select("person_id"), on="person_id", how="semi")
        if not c.is_empty():
            w = self._pick(c, "person_id")
            self._update(
                "women", pl.col("person_id") == w["person_id"], pregnant=False, pregnancy_date=None
            )
            self._use(w["person_id"])
            return str(w["person_id"])
        # no pregnancy on record lately: a checkup that found one the register never got
        later = (
            self.t["births"]
            .select(pl.col("mother_id").alias("person_id"), _day("child_birth_date").alias("d"))
            .vstack(self.t["procedures"].select("person_id", _day("procedure_date").alias("d")))
        )
        ck = self._free(self.t["checkups"]).filter(
            ~pl.col("pregnant") & (_day("checkup_date") >= tl.recent_start)
        )
        married = self._married_resident().filter(
            ~pl.col("pregnant") & ~pl.col("method").is_in(["tubal_ligation", "vasectomy"])
        )
        ck = ck.join(married.select("person_id"), on="person_id", how="semi")
        after = ck.join(later, on="person_id").filter(pl.col("d") >= _day("checkup_date"))
        ck = ck.join(after.select("checkup_id"), on="checkup_id", how="anti")
        row = self._pick(ck, "checkup_id")
        self._update("checkups", pl.col("checkup_id") == row["checkup_id"], pregnant=True)
        self._use(row["person_id"])
        return str(row["person_id"])

    def _latest_long_procedure(self) -> pl.DataFrame:
        long = [
            "iud_insert",
            "iud_remove",
            "tubal_ligation",
            "vasectomy",
            "implant_insert",
            "implant_remove",
        ]
        return (
            self.t["procedures"]
            .filter(pl.col("procedure").is_in(long))
            .sort("procedure_date", "procedure_id")
            .group_by("person_id")
            .agg(
                pl.col("procedure").last().alias("latest"),
                _day("procedure_date").max().alias("latest_day"),
            )
        )

    def _old_iud_users(self) -> pl.DataFrame:
        return self._women().filter(
            (pl.col("method") == "iud") & (_day("method_date") < self.tl.window_start - 31)
        )

    def _method_vs_procedure(self) -> str:
        c = (
            self._old_iud_users()
            .join(self._latest_long_procedure(), on="person_id")
            .filter(pl.col("latest") == "iud_insert")
        )
        w = self._pick(c, "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], method="implant")
        self._use(w["person_id"])
        return str(w["person_id"])

    def _method_unsupported(self) -> str:
        tl = self.tl
        late = self.t["procedures"].filter(
            (pl.col("procedure") == "iud_insert") & (_day("procedure_date") >= tl.window_start - 31)
        )
        c = self._old_iud_users().join(late.select("person_id"), on="person_id", how="anti")
        w = self._pick(c, "person_id")
        self._update(
            "women",
            pl.col("person_id") == w["person_id"],
            method_date=self._random_day(tl.window_start, tl.end),
        )
        self._use(w["person_id"])
        return str(w["person_id"])

    def _short_method_no_supply(self) -> str:
        c = self._women().filter(
            (pl.col("method") == "condom") & (pl.col("residence") == "resident")
        )
        w = self._pick(c, "person_id")
        pills = self.t["supply_issues"].filter(
            (pl.col("person_id") == w["person_id"]) & (pl.col("item") == "oral_pill")
        )
        if not pills.is_empty():
            raise AssertionError("condom user with pill issues")
        self._update("women", pl.col("person_id") == w["person_id"], method="oral_pill")
        self._use(w["person_id"])
        return str(w["person_id"])

    def _issue_day(self) -> date:
        return self._random_day(max(self.tl.window_start, self.tl.stock_start), self.tl.end)

    def _add_issue(self, person_id: str, village: str, item: str, qty: int) -> str:
        new = self._new_key("supply_issues")
        self._append(
            "supply_issues",
            {
                "issue_id": new,
                "person_id": person_id,
                "village_code": village,
                "point_code": village,
                "item": item,
                "quantity": qty,
                "issue_date": self._issue_day(),
            },
        )
        return new

    def _supply_unregistered(self) -> str:
        born = self._random_day(self.tl.years_before_end(40), self.tl.years_before_end(22))
        pid = self._fresh_id(born)
        village = self.tw.village_codes[int(self.rng.integers(len(self.tw.village_codes)))]
        self._use(pid)
        return self._add_issue(pid, village, "condom", 20)

    def _supply_to_sterilized(self) -> str:
        c = self._women().filter(
            (pl.col("method") == "tubal_ligation") & (pl.col("residence") == "resident")
        )
        w = self._pick(c, "person_id")
        self._use(w["person_id"])
        return self._add_issue(w["person_id"], w["village_code"], "condom", 10)

    def _procedure_unregistered(self) -> str:
        tl = self.tl
        born = self._random_day(tl.years_before_end(40), tl.years_before_end(22))
        pid = self._fresh_id(born)
        village = self.tw.village_codes[int(self.rng.integers(len(self.tw.village_codes)))]
        new = self._new_key("procedures")
        self._append(
            "procedures",
            {
                "procedure_id": new,
                "person_id": pid,
                "procedure": "iud_insert",
                "procedure_date": self._random_day(tl.window_start, tl.end),
                "postpartum": False,
                "facility": "乡镇计生服务站",
                "village_code": village,
            },
        )
        self._use(pid)
        return new

    def _away(self, *, married: bool | None = None) -> pl.DataFrame:
        rows = self._open_migrants("out").select(
            "migrant_id", "person_id", "move_date", pl.col("marital_status").alias("m_status")
        )
        c = self._women().filter(pl.col("residence") == "out").join(rows, on="person_id")
        if married is not None:
            is_married = pl.col("marital_status").is_in(["married", "remarried"])
            c = c.filter(is_married if married else ~is_married)
        return c

    def _outmigrant_missing(self) -> str:
        w = self._pick(self._away(), "person_id")
        move = day(w["move_date"])
        back = self._random_day(max(move + 1, self.tl.end - 30), self.tl.end)
        self._update("migrants", pl.col("migrant_id") == w["migrant_id"], return_date=back)
        self._use(w["person_id"])
        return str(w["person_id"])

    def _migrant_status(self) -> str:
        c = self._away().filter(~pl.col("method").is_in(list(SHORT_ACTING_METHODS)))
        w = self._pick(c, "person_id")
        self._update("women", pl.col("person_id") == w["person_id"], residence="resident")
        self._use(w["person_id"])
        return str(w["migrant_id"])

    def _inmigrant_unregistered(self) -> str:
        rows = self._open_migrants("in").select("migrant_id", "person_id")
        c = self._women().filter(pl.col("residence") == "in").join(rows, on="person_id")
        alone = c.join(self._linked(besides=("women", "migrants")), on="person_id", how="anti")
        if not alone.is_empty():
            w = self._pick(alone, "person_id")
            self.t["women"] = self.t["women"].filter(pl.col("person_id") != w["person_id"])
        else:
            w = self._pick(c, "person_id")
            self._update("women", pl.col("person_id") == w["person_id"], residence="resident")
        self._use(w["person_id"])
        return str(w["migrant_id"])

    def _migrant_marriage(self) -> str:
        rows = (
            self.t["migrants"]
            .filter(pl.col("return_date").is_null())
            .select("migrant_id", "person_id")
        )
        c = self._women().filter(pl.col("marital_status") == "single").join(rows, on="person_id")
        w = self._pick(c, "person_id")
        self._update("migrants", pl.col("migrant_id") == w["migrant_id"], marital_status="married")
        self._use(w["person_id"])
        return str(w["person_id"])

    def _certificate(self) -> str:
        w = self._pick(self._away(married=True), "person_id")
        self._update(
            "migrants",
            pl.col("migrant_id") == w["migrant_id"],
            certificate_no=None,
            certificate_expiry=None,
        )
        self._use(w["person_id"])
        return str(w["migrant_id"])

    def _feedback_overdue(self) -> str:
        c = self._away(married=True).filter(_day("move_date") <= self.tl.end - 130)
        w = self._pick(c, "person_id")
        last = self.tl.end_date - timedelta(days=int(self.rng.integers(100, 126)))
        self._update("migrants", pl.col("migrant_id") == w["migrant_id"], last_feedback_date=last)
        self._use(w["person_id"])
        return str(w["migrant_id"])

    # --- §4 supply ledger (on the computed stock) -------------------------------------------
    def _stock_row(self, cond: pl.Expr | None = None) -> dict[str, Any]:
        s = self.t["supply_stock"].with_columns(
            key=pl.concat_str("period", "point_code", "item", separator="|")
        )
        s = s.filter(~pl.col("key").is_in([r for t, r in self.rows_used if t == "supply_stock"]))
        if cond is not None:
            s = s.filter(cond)
        row = self._pick(s, "key")
        self.rows_used.add(("supply_stock", row["key"]))
        return row

    def _stock_where(self, row: dict[str, Any]) -> pl.Expr:
        return (
            (pl.col("period") == row["period"])
            & (pl.col("point_code") == row["point_code"])
            & (pl.col("item") == row["item"])
        )

    def _stock_balance(self) -> str:
        row = self._stock_row()
        self._update("supply_stock", self._stock_where(row), received=row["received"] + 7)
        return str(row["key"])

    def _stock_carry(self) -> str:
        row = self._stock_row(
            (pl.col("period") != self.tl.stock_periods[0]) & (pl.col("opening") >= 10)
        )
        self._update(
            "supply_stock",
            self._stock_where(row),
            opening=row["opening"] - 10,
            received=row["received"] + 10,
        )
        return str(row["key"])

    def _stock_vs_issues(self) -> str:
        row = self._stock_row(pl.col("issued") > 0)
        self._update(
            "supply_stock",
            self._stock_where(row),
            issued=row["issued"] + 6,
            received=row["received"] + 6,
        )
        return str(row["key"])

    # --- §5 report table (on the computed reports) ------------------------------------------
    def _report_village(self, check: str, min_groups: int) -> tuple[str, pl.DataFrame]:
        """A village not yet used by this check. The three report faults change different
        columns (married women; removals; insertions), so they may share a village."""
        used = self.report_villages.setdefault(check, set())
        r = self.t["stat_reports"]
        groups = r.filter(pl.col("level") == "group").with_columns(
            village=pl.col("unit_code").str.split("-").list.first()
        )
        n = (
            groups.group_by("village")
            .len()
            .filter((pl.col("len") >= min_groups) & ~pl.col("village").is_in(list(used)))
        )
        if n.is_empty():
            raise CannotPlant("no village left with enough villager groups")
        village = str(self._pick(n, "village")["village"])
        used.add(village)
        return village, groups.filter(pl.col("village") == village).sort("unit_code")

    def _report_key(self, level: str, unit: str) -> str:
        return f"{self.tl.period}|{level}|{unit}"

    def _report_add(self, level: str, unit: str, column: str, delta: int) -> None:
        r = self.t["stat_reports"]
        row = r.filter((pl.col("level") == level) & (pl.col("unit_code") == unit)).row(
            0, named=True
        )
        self._update(
            "stat_reports",
            (pl.col("level") == level) & (pl.col("unit_code") == unit),
            **{column: row[column] + delta},
        )

    def _report_internal(self) -> str:
        _, groups = self._report_village("report-internal", 2)
        g = groups.with_columns(gap=pl.col("women_total") - pl.col("married_women")).sort(
            "gap", "unit_code"
        )
        a = g.row(0, named=True)
        shift = a["gap"] + 1
        donors = g.filter(
            (pl.col("unit_code") != a["unit_code"]) & (pl.col("married_women") >= shift)
        )
        if donors.is_empty():
            raise CannotPlant("no villager group can balance the shift")
        b = donors.row(0, named=True)
        self._report_add("group", a["unit_code"], "married_women", shift)
        self._report_add("group", b["unit_code"], "married_women", -shift)
        return self._report_key("group", a["unit_code"])

    def _report_levels(self) -> str:
        village, groups = self._report_village("report-levels", 1)
        g = groups.row(int(self.rng.integers(len(groups))), named=True)
        self._report_add("group", g["unit_code"], "proc_iud_remove", 2)
        return self._report_key("village", village)

    def _report_vs_records(self) -> str:
        """Operations inflated consistently at all three levels: only the records disagree."""
        village, groups = self._report_village("report-vs-records", 1)
        g = groups.row(int(self.rng.integers(len(groups))), named=True)
        for level, unit in (
            ("group", g["unit_code"]),
            ("village", village),
            ("township", self.tw.code),
        ):
            self._report_add(level, unit, "proc_iud_insert", 3)
        return self._report_key("village", village)


def plant_record_faults(planter: Planter, checks: list[str]) -> None:
    for check in checks:
        if check not in SUMMARY_CHECKS:
            planter.plant(check)


def plant_summary_faults(planter: Planter, checks: list[str]) -> None:
    for check in checks:
        if check in SUMMARY_CHECKS:
            planter.plant(check)


__all__ = [
    "CATALOGUE",
    "CHECK_IDS",
    "CannotPlant",
    "Planter",
    "Truth",
    "choose_checks",
    "plant_record_faults",
    "plant_summary_faults",
]
