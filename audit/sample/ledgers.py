"""Ledgers that are *computed* from the individual records: the stock book and the reports.

Design: the contraceptive stock ledger (药具明细账) and the monthly report
table (统计月报) are summaries, so the generator derives them from the final
individual records, after any planted fault in those records. The clean
parts then balance exactly — issued equals the sum of the month's issues,
closing carries into the next opening, groups add up to villages and
villages to the township, village rows equal the counts from the records —
and only the summary faults planted afterwards break them.

The report counts follow checks.md §5 report-vs-records: women, married
women (married + remarried), users by method and migrant women by residence
as of the period end; births (by order, sex, policy) and procedures (放环,
取环, 结扎 = tubal ligation + vasectomy, 人流 = abortion + induced labour)
dated in the period month. A procedure has no group in its own table: it is
counted in the group of the woman it names, or in the village's first group
when she is not on the register there.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from audit.core.contract import CODE_SETS, REPORT_COUNT_COLUMNS, table
from audit.sample.timeline import Timeline, month_key, period_key

STOCK_ITEMS = tuple(CODE_SETS["item"])  # condom, oral_pill, injection, emergency_pill, other
# Typical pack sizes: receipts come in whole packs.
PACK = {"condom": 144, "oral_pill": 20, "injection": 10, "emergency_pill": 10, "other": 10}


def supply_stock(
    rng: np.random.Generator,
    tl: Timeline,
    issues: pl.DataFrame,
    points: tuple[str, ...],
) -> pl.DataFrame:
    """Monthly rows per point and item: issued = the month's issues; balances; carries."""
    months = tl.stock_periods
    first = period_key(months[0])
    n_m, n_p, n_i = len(months), len(points), len(STOCK_ITEMS)
    issued = np.zeros((n_m, n_p, n_i), dtype=np.int64)
    if len(issues):
        mk = month_key(issues["issue_date"].to_physical().to_numpy().astype(np.int64)) - first
        p_index = {p: k for k, p in enumerate(points)}
        i_index = {it: k for k, it in enumerate(STOCK_ITEMS)}
        pk = issues["point_code"].replace_strict(p_index, return_dtype=pl.Int64).to_numpy()
        ik = issues["item"].replace_strict(i_index, return_dtype=pl.Int64).to_numpy()
        if (mk < 0).any() or (mk >= n_m).any():
            raise ValueError("supply issues outside the stock months")
        np.add.at(issued, (mk, pk, ik), issues["quantity"].to_numpy())
    pack = np.array([PACK[i] for i in STOCK_ITEMS], dtype=np.int64)
    avg = issued.mean(axis=0)  # (points, items)
    opening = np.ceil(avg * rng.uniform(1.2, 2.5, avg.shape) / pack).astype(np.int64) * pack
    opening += rng.integers(0, 5, avg.shape) * (pack // 4 + 1)
    rows = []
    for m in range(n_m):
        # restock when the shelf would run low: whole packs, enough for about two months
        need = np.maximum(issued[m] + np.ceil(avg).astype(np.int64) - opening, 0)
        received = np.ceil(need / pack).astype(np.int64) * pack
        received = np.where(
            (received == 0) & (rng.random(avg.shape) < 0.15), pack, received
        )  # the odd routine delivery
        closing = opening + received - issued[m]
        rows.append((m, opening.copy(), received, issued[m].copy(), closing))
        opening = closing
    frames = []
    for m, op, rec, iss, clo in rows:
        frames.append(
            pl.DataFrame(
                {
                    "period": [months[m]] * (n_p * n_i),
                    "point_code": np.repeat(np.array(points), n_i),
                    "item": np.tile(np.array(STOCK_ITEMS), n_p),
                    "opening": op.ravel(),
                    "received": rec.ravel(),
                    "issued": iss.ravel(),
                    "closing": clo.ravel(),
                }
            )
        )
    return pl.concat(frames).sort("period", "point_code", "item")


def stat_reports(
    tl: Timeline,
    township_code: str,
    village_codes: tuple[str, ...],
    women: pl.DataFrame,
    births: pl.DataFrame,
    procedures: pl.DataFrame,
) -> pl.DataFrame:
    """Report rows at the three levels for the period, counted from the records."""
    counts = list(REPORT_COUNT_COLUMNS)
    in_month = (pl.col("d") >= tl.start) & (pl.col("d") <= tl.end)

    w = women.select(
        "village_code",
        "group_no",
        women_total=pl.lit(1),
        married_women=pl.col("marital_status").is_in(["married", "remarried"]).cast(pl.Int64),
        **{
            f"users_{m}": (pl.col("method") == m).cast(pl.Int64)
            for m in (
                "iud",
                "tubal_ligation",
                "vasectomy",
                "implant",
                "oral_pill",
                "injection",
                "condom",
                "other",
            )
        },
        out_migrant_women=(pl.col("residence") == "out").cast(pl.Int64),
        in_migrant_women=(pl.col("residence") == "in").cast(pl.Int64),
    )
    b = births.with_columns(d=pl.col("child_birth_date").cast(pl.Int32)).filter(in_month)
    b = b.select(
        "village_code",
        "group_no",
        births_total=pl.lit(1),
        births_order1=(pl.col("birth_order") == 1).cast(pl.Int64),
        births_order2=(pl.col("birth_order") == 2).cast(pl.Int64),
        births_order3plus=(pl.col("birth_order") >= 3).cast(pl.Int64),
        births_male=(pl.col("child_sex") == "M").cast(pl.Int64),
        births_female=(pl.col("child_sex") == "F").cast(pl.Int64),
        births_out_of_policy=(pl.col("policy") == "out").cast(pl.Int64),
    )
    p = procedures.with_columns(d=pl.col("procedure_date").cast(pl.Int32)).filter(in_month)
    first_group = women.group_by("village_code").agg(pl.col("group_no").min().alias("g1"))
    where = women.select("person_id", "village_code", "group_no").unique(
        ["person_id", "village_code"], keep="first", maintain_order=True
    )
    p = (
        p.join(where, on=["person_id", "village_code"], how="left")
        .join(first_group, on="village_code", how="left")
        .with_columns(group_no=pl.coalesce("group_no", "g1", pl.lit(1)))
    )
    p = p.select(
        "village_code",
        "group_no",
        proc_iud_insert=(pl.col("procedure") == "iud_insert").cast(pl.Int64),
        proc_iud_remove=(pl.col("procedure") == "iud_remove").cast(pl.Int64),
        proc_ligation=pl.col("procedure").is_in(["tubal_ligation", "vasectomy"]).cast(pl.Int64),
        proc_abortion=pl.col("procedure").is_in(["abortion", "induced_labor"]).cast(pl.Int64),
    )
    per_group = [
        part.group_by("village_code", "group_no").agg(pl.exclude("village_code", "group_no").sum())
        for part in (w, b, p)
    ]
    events = pl.concat(per_group, how="diagonal").with_columns(
        pl.col(c).fill_null(0).cast(pl.Int64) for c in counts
    )
    groups = events.group_by("village_code", "group_no").agg(pl.col(c).sum() for c in counts)
    villages = pl.DataFrame({"village_code": list(village_codes)}).join(
        groups.group_by("village_code").agg(pl.col(c).sum() for c in counts),
        on="village_code",
        how="left",
    )
    villages = villages.with_columns(pl.col(c).fill_null(0) for c in counts)
    town = villages.select(pl.col(c).sum() for c in counts)

    def shape(df: pl.DataFrame, level: str, unit: pl.Expr) -> pl.DataFrame:
        return df.select(
            pl.lit(tl.period).alias("period"),
            pl.lit(level).alias("level"),
            unit.alias("unit_code"),
            *counts,
        )

    group_rows = shape(
        groups.sort("village_code", "group_no"),
        "group",
        pl.col("village_code") + "-" + pl.col("group_no").cast(pl.String),
    )
    out = pl.concat(
        [
            shape(town, "township", pl.lit(township_code)),
            shape(villages.sort("village_code"), "village", pl.col("village_code")),
            group_rows,
        ]
    )
    return out.select(table("stat_reports").column_names)
