"""`audit sample`: a synthetic township submission, clean or with known faults.

Design: three seeded random streams derived from the one `--seed` — the
township itself, the planted faults, the stock book — so the clean township
is the same with and without faults, and the same seed always gives the
same bytes. The township is simulated as life courses (`population`), faults
are planted in the records (`faults`), the stock book and the report table
are computed from the final records (`ledgers`), then the summary faults are
planted and everything is written at once (`writer`), with `truth.json`
listing every planted fault as the finding the audit must report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from audit.core.contract import TABLE_NAMES, table
from audit.core.exitcodes import AuditError
from audit.core.period import normalise_period, parse_period
from audit.sample import ledgers, names
from audit.sample.faults import (
    CannotPlant,
    Planter,
    Truth,
    choose_checks,
    plant_record_faults,
    plant_summary_faults,
)
from audit.sample.population import Township, simulate
from audit.sample.timeline import Timeline
from audit.sample.writer import (
    check_target,
    check_xlsx_size,
    new_folder,
    write_json,
    write_table,
)

DEFAULT_TOWNSHIP_CODE = "340811101000"
MAX_VILLAGES = 999  # three digits of the division code
MAX_WOMEN = 20_000_000
FORMATS = ("csv", "parquet", "xlsx")
# Row order of each file (a key or, for the register, how a village keeps it).
SORT_ORDER: dict[str, tuple[str, ...]] = {
    "women": ("village_code", "group_no", "central_household", "person_id"),
    "births": ("birth_id",),
    "supply_stock": ("period", "point_code", "item"),
    "supply_issues": ("issue_id",),
    "procedures": ("procedure_id",),
    "checkups": ("checkup_id",),
    "migrants": ("migrant_id",),
    "migrant_births": ("report_id",),
}


def parse_faults(faults: str) -> str:
    """`none`, `all` or a count, normalised ('0' -> 'none')."""
    text = str(faults).strip().lower()
    if text in ("none", "all"):
        return text
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise AuditError(f"--faults: expected none, all or a number of faults, got {faults!r}")
    return "none" if n == 0 else str(n)


def _validate(villages: int, women_per_village: int, period: str, seed: int, fmt: str) -> None:
    if not 1 <= villages <= MAX_VILLAGES:
        raise AuditError(f"--villages: expected 1 to {MAX_VILLAGES}, got {villages}")
    if women_per_village < 1:
        raise AuditError(f"--women-per-village: expected at least 1, got {women_per_village}")
    if villages * women_per_village > MAX_WOMEN:
        raise AuditError(
            f"--villages x --women-per-village: at most {MAX_WOMEN:,} women, "
            f"got {villages * women_per_village:,}"
        )
    parse_period(period, "--period")
    if seed < 0:
        raise AuditError(f"--seed: expected a number 0 or more, got {seed}")
    if fmt not in FORMATS:
        raise AuditError(f"--format: expected csv, parquet or xlsx, got {fmt!r}")


def build_township(
    *,
    villages: int,
    women_per_village: int,
    period: str,
    seed: int,
    faults: str = "none",
    checks: list[str] | None = None,
    township_code: str = DEFAULT_TOWNSHIP_CODE,
) -> tuple[Township, list[Truth]]:
    """The township's final tables and the truth about its planted faults.

    `checks` names the faults to plant explicitly (one per entry); otherwise
    `faults` (none / all / N) chooses them.
    """
    tl = Timeline.for_period(period)
    faults_rng = np.random.default_rng([seed, 1])
    tw = simulate(
        tl,
        villages=villages,
        women_per_village=women_per_village,
        rng=np.random.default_rng([seed, 0]),
        township_code=township_code,
        township_name=names.TOWNSHIP_NAMES[seed % len(names.TOWNSHIP_NAMES)],
    )
    chosen = list(checks) if checks is not None else choose_checks(faults, faults_rng)
    planter = Planter(tw, faults_rng)
    try:
        plant_record_faults(planter, chosen)
        t = tw.tables
        t["supply_stock"] = ledgers.supply_stock(
            np.random.default_rng([seed, 2]),
            tl,
            t["supply_issues"],
            (*tw.village_codes, tw.station_code),
        )
        t["stat_reports"] = ledgers.stat_reports(
            tl, tw.code, tw.village_codes, t["women"], t["births"], t["procedures"]
        )
        plant_summary_faults(planter, chosen)
    except CannotPlant as e:
        raise AuditError(
            f"--faults: cannot plant {e} ({villages * women_per_village} women); "
            "use more --villages or --women-per-village"
        ) from None
    for name in TABLE_NAMES:
        df = tw.tables[name].select(table(name).column_names)
        keys = SORT_ORDER.get(name)
        if keys and not (len(keys) == 1 and df[keys[0]].is_sorted()):
            df = df.sort(keys, maintain_order=True)
        tw.tables[name] = df
    return tw, sorted(planter.truth)


def manifest(tw: Township) -> dict[str, str]:
    return {"period": tw.timeline.period, "township_code": tw.code, "township_name": tw.name}


def villages_frame(tw: Township) -> pl.DataFrame:
    """The optional villages table (村名表): code, name and the village's statistics officer."""
    codes = list(tw.village_codes)
    return pl.DataFrame(
        {
            "village_code": codes,
            "name": names.village_names(len(codes)),
            "officer": [names.officer_name(k) for k in range(len(codes))],
        }
    )


def truth_json(truth: list[Truth]) -> list[dict[str, str]]:
    return [t.to_dict() for t in sorted(truth)]


def summary(out_dir: Path, tw: Township, truth: list[Truth], fmt: str) -> str:
    t = tw.tables
    planted = f"{len(truth)} planted faults listed in truth.json" if truth else "no planted faults"
    return (
        f"{out_dir}: {tw.name} {tw.code}, period {tw.timeline.period}, {fmt}: "
        f"{len(t['women']):,} women in {len(tw.village_codes)} villages, "
        f"{len(t['births']):,} births, {len(t['procedures']):,} procedures, "
        f"{len(t['checkups']):,} checkups, {len(t['supply_issues']):,} supply issues, "
        f"{len(t['migrants']):,} migrant rows; {planted}"
    )


def generate(
    out_dir: Path,
    *,
    villages: int,
    women_per_village: int,
    period: str,
    seed: int,
    faults: str,
    fmt: str,
) -> str:
    """Write a township submission into `out_dir` (new or empty); return a one-line summary."""
    out_dir = Path(out_dir)
    fmt = fmt.lower()
    period = normalise_period(period, "--period")
    _validate(villages, women_per_village, period, seed, fmt)
    faults = parse_faults(faults)
    check_target(out_dir)  # before the work, not after it (and again when writing)
    tw, truth = build_township(
        villages=villages,
        women_per_village=women_per_village,
        period=period,
        seed=seed,
        faults=faults,
    )
    if fmt == "xlsx":
        check_xlsx_size(tw.tables)
    with new_folder(out_dir) as tmp:
        for name in TABLE_NAMES:
            write_table(tw.tables[name], tmp, name, fmt)
        write_table(villages_frame(tw), tmp, "villages", fmt)
        write_json(tmp / "manifest.json", manifest(tw))
        write_json(tmp / "truth.json", truth_json(truth))
    return summary(out_dir, tw, truth, fmt)
