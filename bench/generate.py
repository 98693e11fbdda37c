"""Benchmark: time `audit sample` on a large township (default 1,000,000 women, Parquet).

Runs the same steps as `audit sample` — build (simulation, planted faults,
stock book, reports) then write — and prints the time of each and the rows
per table. Data goes to a temporary folder, removed at the end unless --keep.

    .venv/bin/python bench/generate.py [--women 1000000] [--format parquet] [--faults none]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from audit.core.contract import TABLE_NAMES
from audit.sample.generator import build_township, manifest, truth_json
from audit.sample.writer import check_xlsx_size, new_folder, write_json, write_table


def main() -> None:
    ap = argparse.ArgumentParser(description="Time `audit sample` on a large township.")
    ap.add_argument("--women", type=int, default=1_000_000)
    ap.add_argument("--villages", type=int, default=400)
    ap.add_argument("--format", default="parquet", choices=["csv", "parquet", "xlsx"])
    ap.add_argument("--faults", default="none")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args()
    per_village = args.women // args.villages

    t0 = time.perf_counter()
    tw, truth = build_township(
        villages=args.villages,
        women_per_village=per_village,
        period="2026-10",
        seed=args.seed,
        faults=args.faults,
    )
    t_build = time.perf_counter() - t0

    work = Path(tempfile.mkdtemp(prefix="fourcheck-bench-"))
    out = work / "township"
    t0 = time.perf_counter()
    if args.format == "xlsx":
        check_xlsx_size(tw.tables)
    with new_folder(out) as tmp:
        for name in TABLE_NAMES:
            write_table(tw.tables[name], tmp, name, args.format)
        write_json(tmp / "manifest.json", manifest(tw))
        write_json(tmp / "truth.json", truth_json(truth))
    t_write = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in out.iterdir())

    print(f"women              {args.villages * per_village:>12,} in {args.villages} villages")
    for name in TABLE_NAMES:
        print(f"  {name:<17}{len(tw.tables[name]):>12,} rows")
    print(f"planted faults     {len(truth):>12}")
    print(f"build              {t_build:>11.1f} s  (simulation, faults, stock book, reports)")
    print(f"write              {t_write:>11.1f} s  ({args.format}, {size / 1e6:,.0f} MB)")
    print(f"total              {t_build + t_write:>11.1f} s")
    print(f"load average       {os.getloadavg()[0]:>11.1f}    (on {os.cpu_count()} cores)")
    if args.keep:
        print(f"kept in {out}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
