"""Benchmark: loading a submission folder, the loader's polars path against DuckDB reading the
files itself (`audit.io.duckload`).

Each path runs in a fresh process, so peak memory is its own: wall time, CPU time (the
process and its threads) and peak RSS, with the tables each path loaded natively. The two
loads must agree (rows, TableLoad, findings and an order-independent checksum of every
table); the benchmark says so or stops.

    .venv/bin/audit sample /tmp/load-bench/w1m --villages 400 --women-per-village 2500 \\
        --format csv --faults all
    .venv/bin/python bench/load_bench.py /tmp/load-bench/w1m
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def child(folder: Path, native: bool) -> dict[str, Any]:
    from audit.io import duckload, loader

    taken: list[str] = []
    load_native = duckload.load_native

    def traced(con: Any, t: Any, path: Path, *, lang: str = "zh") -> Any:
        loaded = load_native(con, t, path, lang=lang) if native else None
        if loaded is not None:
            taken.append(t.name)
        return loaded

    duckload.load_native = traced  # load_submission looks it up when it runs
    started = time.perf_counter()
    sub = loader.load_submission(folder)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "rows": sum(t.rows for t in sub.tables),
        "taken": taken,
        "loads": repr(sub.tables),
        "findings": repr(sub.findings),
        "digests": {t.table: repr(sub.digest(t.table)) for t in sub.tables},
    }


def run(folder: Path, native: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, str(folder), "--child", "native" if native else "loader"]
    done = subprocess.run(args, check=True, capture_output=True, text=True, cwd=PROJECT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description="Time loading a submission both ways.")
    ap.add_argument("folder", type=Path)
    ap.add_argument("--child", choices=("loader", "native"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.folder, args.child == "native")))
        return
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    results = {
        "loader's polars path": run(args.folder, False),
        "DuckDB reading": run(args.folder, True),
    }
    for name, r in results.items():
        native = ", ".join(r["taken"]) or "none"
        print(
            f"{name:22} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU "
            f"peak {r['peak_mb']:6.0f} MB  {r['rows']:,} rows; read by DuckDB: {native}"
        )
    print(f"load average at end   {os.getloadavg()[0]:.1f}")
    first, second = results.values()
    same = all(first[k] == second[k] for k in ("rows", "loads", "findings", "digests"))
    if not same:
        sys.exit("the two loads differ")
    print("both loads give the same tables, TableLoad and findings")


if __name__ == "__main__":
    main()
