"""`audit sample --months`: consecutive months of one township, with faults that come and go.

Design decisions:

- One township, simulated once as of the last month. Every earlier month is
  the same township seen earlier: every date is moved back by the days
  between the two period ends (birth dates excepted: they are in the ID
  numbers), so the same women with the same record keys appear every month
  and each month agrees with itself exactly as a generated township does.
  Women who would be under 15 or married before 20 in the earliest month
  once their dates move back are left out of the township altogether.
- Faults are planted once, on the last month's township, one check at a
  time; what each one changed (rows taken out, rows put in, per table) is
  kept, so a month holds exactly the faults its schedule names. Each planted
  check follows one schedule across the months — present throughout, fixed
  after the first month, fixed before the last, new in the second or the
  last month, or fixed and back again (reopened) — so every status occurs.
- Each month's stock book and report table are computed from its own
  records; the report carries the previous twelve months too (counted from
  the same records), the series a county's report system would send along
  and the one the consistency-over-time checks compare with.
- Drift (on by default): in the last month one village's report overstates
  its IUD users (and its women with them), in the village, group and township
  rows alike (so each row adds up and the three levels still agree). It is
  a trend-outlier and a trend-method-balance finding, and, because the
  report no longer matches the register, a report-vs-records one.
  `--no-drift` writes the same series without it.
- Truth: each month's `truth.json` lists every finding the planted faults
  and the drift must produce, each with its expected `status` (and `since`
  and `months` for persisting ones, `last_seen` for reopened ones);
  `resolved.json` lists what the month before had and this month fixed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

from audit.core.contract import TABLE_NAMES, ColumnType, table
from audit.core.exitcodes import AuditError
from audit.core.lifecycle import months_between
from audit.core.period import parse_period, period_end
from audit.sample import ledgers, names
from audit.sample.faults import (
    CATALOGUE,
    PERSON_TABLES,
    SUMMARY_CHECKS,
    CannotPlant,
    Planter,
    Truth,
)
from audit.sample.generator import (
    DEFAULT_TOWNSHIP_CODE,
    FORMATS,
    MAX_VILLAGES,
    MAX_WOMEN,
    SORT_ORDER,
    parse_faults,
)
from audit.sample.population import Township, simulate
from audit.sample.timeline import Timeline, add_months, day, years_before
from audit.sample.writer import check_target, check_xlsx_size, new_folder, write_json, write_table

MAX_MONTHS = 12
REPORT_HISTORY_MONTHS = 12  # earlier months each month's stat_reports carries
# Record faults planted in a series. Left out: the plausibility check on a village's births
# (sex-ratio; its window moves with the months) and the summary faults (stock book and
# report table are recomputed every month).
SERIES_CHECKS: tuple[str, ...] = tuple(
    c for c in CATALOGUE if c not in SUMMARY_CHECKS and c != "sex-ratio"
)


@dataclass(frozen=True)
class Schedule:
    name: str
    present: Callable[[int, int], bool]  # (month index, months) -> planted that month


SCHEDULES = (
    Schedule("throughout", lambda i, n: True),
    Schedule("fixed-after-first", lambda i, n: i == 0),
    Schedule("new-last", lambda i, n: i == n - 1),
    Schedule("new-second", lambda i, n: i >= 1),
    Schedule("reopened", lambda i, n: i in (0, n - 1)),
    Schedule("fixed-before-last", lambda i, n: i < n - 1),
)


def parse_months(text: str) -> list[str]:
    """'2026-07:2026-09' -> ['2026-07', '2026-08', '2026-09'] (2 to 12 months)."""
    first, sep, last = text.partition(":")
    if not sep:
        raise AuditError(f"--months: expected FIRST:LAST, e.g. 2026-07:2026-09, got {text!r}")
    parse_period(first.strip(), "--months")
    parse_period(last.strip(), "--months")
    n = months_between(first.strip(), last.strip())
    if not 2 <= n <= MAX_MONTHS:
        raise AuditError(f"--months: expected 2 to {MAX_MONTHS} consecutive months, got {n}")
    return [add_months(first.strip(), k) for k in range(n)]


# --- one planted change, and composing a month of them --------------------------------------------


@dataclass(frozen=True)
class Change:
    """What planting one check did: per table, rows taken out and rows put in."""

    removed: dict[str, pl.Series]  # table -> row hashes taken out
    added: dict[str, pl.DataFrame]  # table -> rows put in


def _diff(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> Change:
    removed: dict[str, pl.Series] = {}
    added: dict[str, pl.DataFrame] = {}
    for name, new in after.items():
        old = before.get(name)
        if old is new:
            continue
        old_h = old.hash_rows(seed=0) if old is not None else pl.Series([], dtype=pl.UInt64)
        new_h = new.hash_rows(seed=0)
        old_c, new_c = Counter(old_h.to_list()), Counter(new_h.to_list())
        gone = [h for h, k in old_c.items() if k > new_c.get(h, 0)]
        extra = {h: k - old_c.get(h, 0) for h, k in new_c.items() if k > old_c.get(h, 0)}
        if gone:
            removed[name] = pl.Series(gone, dtype=pl.UInt64)
        if extra:
            keep: list[int] = []
            for i, h in enumerate(new_h.to_list()):
                if extra.get(h, 0) > 0:
                    keep.append(i)
                    extra[h] -= 1
            added[name] = new[keep]
    return Change(removed, added)


def _compose(clean: dict[str, pl.DataFrame], changes: list[Change]) -> dict[str, pl.DataFrame]:
    out = dict(clean)
    for name in clean:
        gone = [c.removed[name] for c in changes if name in c.removed]
        extra = [c.added[name] for c in changes if name in c.added]
        df = out[name]
        if gone:
            drop = pl.concat(gone).implode()
            df = df.filter(~df.hash_rows(seed=0).is_in(drop))
        if extra:
            df = pl.concat([df, *extra], how="vertical_relaxed")
        out[name] = df
    return out


def _shift(tables: dict[str, pl.DataFrame], days: int) -> dict[str, pl.DataFrame]:
    """Every date `days` earlier, birth dates of the register excepted (they are in the IDs)."""
    if days == 0:
        return dict(tables)
    out = {}
    for name, df in tables.items():
        cols = [
            c.name
            for c in table(name).columns
            if c.type is ColumnType.DATE
            and not (name == "women" and c.name == "birth_date")
            and c.name in df.columns
        ]
        out[name] = df.with_columns(pl.col(c) - timedelta(days=days) for c in cols)
    return out


# --- the township --------------------------------------------------------------------------------


def _keep_valid_in(tw: Township, earliest: str, shift: int) -> None:
    """Leave out women too young, or married too young, once their dates move `shift` days back."""
    end = period_end(earliest)
    women = tw.tables["women"]
    fifteen = years_before(end, 15)
    too_young = pl.col("birth_date") > fifteen
    # marriage_date moves back; her 20th birthday does not
    married_early = (pl.col("marriage_date") - timedelta(days=shift + 1)) < pl.col(
        "birth_date"
    ).dt.offset_by("20y")
    dropped = set(women.filter(too_young | married_early.fill_null(False))["person_id"].to_list())
    if not dropped:
        return
    gone = pl.Series(sorted(dropped))
    for name, keys in PERSON_TABLES.items():
        df = tw.tables[name]
        tw.tables[name] = df.filter(~pl.col(keys[0]).is_in(gone.implode()))
    tw.people = tw.people.filter(~pl.col("person_id").is_in(gone.implode()))


def _schedule(checks: list[str]) -> dict[str, Schedule]:
    return {c: SCHEDULES[i % len(SCHEDULES)] for i, c in enumerate(checks)}


def _report(tw: Township, tl: Timeline, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    frames = [
        ledgers.stat_reports(
            Timeline.for_period(add_months(tl.period, -k)),
            tw.code,
            tw.village_codes,
            tables["women"],
            tables["births"],
            tables["procedures"],
        )
        for k in range(REPORT_HISTORY_MONTHS, -1, -1)
    ]
    return pl.concat(frames, how="vertical_relaxed")


def _drift(report: pl.DataFrame, period: str, village: str) -> tuple[pl.DataFrame, int]:
    """Overstate one village's IUD users in its village, first group and township rows."""
    cur = report.filter((pl.col("period") == period) & (pl.col("unit_code") == village))
    users = int(cur["users_iud"][0]) if len(cur) else 0
    extra = max(20, math.ceil(6 * math.sqrt(max(users, 1))))
    groups = sorted(
        report.filter(
            (pl.col("period") == period)
            & (pl.col("level") == "group")
            & pl.col("unit_code").str.starts_with(village + "-")
        )["unit_code"].to_list()
    )
    targets = [village, village[:9] + "000", *groups[:1]]
    hit = (pl.col("period") == period) & pl.col("unit_code").is_in(targets)
    # women_total grows with them so each row still adds up (users of all methods ≤ women)
    drifted = report.with_columns(
        pl.when(hit).then(pl.col(c) + extra).otherwise(pl.col(c))
        for c in ("users_iud", "women_total")
    )
    return drifted, extra


# --- truth ----------------------------------------------------------------------------------------


def _statuses(
    months: list[str], present: list[set[Truth]]
) -> tuple[list[list[dict[str, object]]], list[list[dict[str, str]]]]:
    """Each month's expected findings with their status, and what it resolved."""
    out: list[list[dict[str, object]]] = []
    resolved: list[list[dict[str, str]]] = []
    since: dict[Truth, str] = {}
    seen: dict[Truth, str] = {}
    for i, period in enumerate(months):
        now = present[i]
        before = present[i - 1] if i else set()
        rows: list[dict[str, object]] = []
        for t in sorted(now):
            entry: dict[str, object] = dict(t.to_dict())
            if t in before:
                entry.update(status="persisting", since=since[t])
                entry["months"] = months_between(since[t], period)
            elif t in seen:
                entry.update(status="reopened", since=period, months=1, last_seen=seen[t])
                since[t] = period
            else:
                entry.update(status="new", since=period, months=1)
                since[t] = period
            rows.append(entry)
        for t in now:
            seen[t] = period
        out.append(rows)
        resolved.append([t.to_dict() for t in sorted(before - now)])
    return out, resolved


# --- writing --------------------------------------------------------------------------------------


def generate_series(
    out_dir: Path,
    *,
    months: str,
    villages: int,
    women_per_village: int,
    seed: int,
    faults: str,
    fmt: str,
    drift: bool = True,
) -> str:
    """Write one folder per month into `out_dir` (new or empty); return a summary."""
    out_dir = Path(out_dir)
    fmt = fmt.lower()
    periods = parse_months(months)
    if not 1 <= villages <= MAX_VILLAGES:
        raise AuditError(f"--villages: expected 1 to {MAX_VILLAGES}, got {villages}")
    if women_per_village < 1 or villages * women_per_village > MAX_WOMEN:
        raise AuditError(f"--women-per-village: expected 1 to {MAX_WOMEN // villages}")
    if fmt not in FORMATS:
        raise AuditError(f"--format: expected csv, parquet or xlsx, got {fmt!r}")
    if seed < 0:
        raise AuditError(f"--seed: expected a number 0 or more, got {seed}")
    faults = parse_faults(faults)
    check_target(out_dir)

    last = periods[-1]
    tl_last = Timeline.for_period(last)
    tw = simulate(
        tl_last,
        villages=villages,
        women_per_village=women_per_village,
        rng=np.random.default_rng([seed, 0]),
        township_code=DEFAULT_TOWNSHIP_CODE,
        township_name=names.TOWNSHIP_NAMES[seed % len(names.TOWNSHIP_NAMES)],
    )
    shifts = [day(period_end(last)) - day(period_end(p)) for p in periods]
    _keep_valid_in(tw, periods[0], shifts[0])

    if faults == "none":
        chosen: list[str] = []
    elif faults == "all":
        chosen = list(SERIES_CHECKS)
    else:
        rng = np.random.default_rng([seed, 3])
        n = min(int(faults), len(SERIES_CHECKS))
        chosen = sorted(
            (SERIES_CHECKS[i] for i in rng.permutation(len(SERIES_CHECKS))[:n]),
            key=SERIES_CHECKS.index,
        )
    clean = dict(tw.tables)
    planter = Planter(tw, np.random.default_rng([seed, 1]))
    changes: dict[str, tuple[Change, Truth]] = {}
    for check in chosen:
        before = dict(tw.tables)
        try:
            planter.plant(check)
        except CannotPlant as e:
            raise AuditError(
                f"--faults: cannot plant {e} ({villages * women_per_village} women); "
                "use more --villages or --women-per-village"
            ) from None
        changes[check] = (_diff(before, tw.tables), planter.truth[-1])
    schedule = _schedule(chosen)

    present: list[set[Truth]] = []
    monthly: list[dict[str, pl.DataFrame]] = []
    drift_note = ""
    for i, period in enumerate(periods):
        planted = [c for c in chosen if schedule[c].present(i, len(periods))]
        tables = _shift(_compose(clean, [changes[c][0] for c in planted]), shifts[i])
        tl = Timeline.for_period(period)
        # the stock book covers six months; issues moved back before its first day are older
        # than any month the book (or a check) looks at
        first_stock_day = period_end(tl.stock_periods[0]).replace(day=1)
        tables["supply_issues"] = tables["supply_issues"].filter(
            pl.col("issue_date") >= first_stock_day
        )
        tables["supply_stock"] = ledgers.supply_stock(
            np.random.default_rng([seed, 2]),
            tl,
            tables["supply_issues"],
            (*tw.village_codes, tw.station_code),
        )
        report = _report(tw, tl, tables)
        truth = {changes[c][1] for c in planted}
        if drift and i == len(periods) - 1:
            village = tw.village_codes[0]
            report, extra = _drift(report, period, village)
            record = f"{period}|village|{village}"
            truth |= {
                Truth("trend-outlier", "plausibility", "stat_reports", record),
                Truth("trend-method-balance", "plausibility", "stat_reports", record),
                Truth("report-vs-records", "mismatch", "stat_reports", record),
            }
            drift_note = (
                f"; drift in {period}: village {village} reports {extra} IUD users too many"
            )
        tables["stat_reports"] = report
        for name in TABLE_NAMES:
            df = tables[name].select(table(name).column_names)
            keys = SORT_ORDER.get(name)
            if keys:
                df = df.sort(keys, maintain_order=True)
            tables[name] = df
        if fmt == "xlsx":
            check_xlsx_size(tables)
        present.append(truth)
        monthly.append(tables)

    expected, resolved = _statuses(periods, present)
    with new_folder(out_dir) as tmp:
        for i, period in enumerate(periods):
            folder = tmp / period
            folder.mkdir()
            for name in TABLE_NAMES:
                write_table(monthly[i][name], folder, name, fmt)
            write_json(
                folder / "manifest.json",
                {"period": period, "township_code": tw.code, "township_name": tw.name},
            )
            write_json(folder / "truth.json", expected[i])
            write_json(folder / "resolved.json", resolved[i])
    counts = ", ".join(f"{p}: {len(e)} planted" for p, e in zip(periods, expected, strict=True))
    return (
        f"{out_dir}: {tw.name} {tw.code}, {len(periods)} months {periods[0]} to {last}, {fmt}: "
        f"{len(tw.tables['women']):,} women in {len(tw.village_codes)} villages; "
        f"{counts}{drift_note}; statuses in each month's truth.json"
    )
