"""County benchmark: one `audit county` run against the sum of single `audit run`s, peak memory.

    .venv/bin/python bench/county_bench.py                      # 20 townships x 10,000 women
    .venv/bin/python bench/county_bench.py --townships 4 --women 2000   # a quick look

Generates a county with `audit sample --townships N` (Parquet, with every
cross-township fault), then times, as an officer would run them:

- the sum of N single runs: `audit run TOWNSHIP -f json` in a fresh process
  each (imports, GX and all), one after another;
- one county run: `audit county COUNTY -f json` (one process, its workers).

Each command's wall time is measured from outside; peak memory is the
largest resident set the process tree held at once (the county run's parent,
fork server and workers summed), sampled from /proc every 50 ms. Prints the
machine, the load average before and after, every figure and the ratio
county ÷ sum (the target is under 0.5).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
AUDIT = [sys.executable, "-m", "audit.cli"]


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem = f", {int(f.readline().split()[1]) / 1024**2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process tree, exit code) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return wall, peak / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--women", type=int, default=10_000, help="women per township")
    ap.add_argument("--villages", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=None, help="county run's --jobs (default: cores)")
    ap.add_argument("--data", type=Path, default=None, help="keep the county here")
    args = ap.parse_args()

    print(f"machine: {machine()}")
    print(f"load average at start: {load()}")
    tmp = tempfile.TemporaryDirectory(prefix="county-bench-")
    root = args.data or Path(tmp.name)
    county = root / f"county-{args.townships}x{args.women}"
    if not county.exists():
        started = time.perf_counter()
        subprocess.run(
            [
                *AUDIT, "sample", str(county), "--townships", str(args.townships),
                "--villages", str(args.villages),
                "--women-per-village", str(max(1, args.women // args.villages)),
                "--faults", "all", "--format", "parquet",
            ],
            cwd=PROJECT, check=True, capture_output=True,
        )  # fmt: skip
        print(f"generated {county} in {time.perf_counter() - started:.1f} s")
    folders = sorted(p for p in county.iterdir() if p.is_dir())

    singles = []
    single_peak = 0.0
    for folder in folders:
        wall, peak, _ = timed([*AUDIT, "run", str(folder), "-f", "json", "-o", os.devnull])
        singles.append(wall)
        single_peak = max(single_peak, peak)
        print(f"  single run {folder.name}: {wall:.1f} s, peak {peak:,.0f} MB", flush=True)
    total = sum(singles)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    wall, peak, code = timed([*AUDIT, "county", str(county), "-f", "json", "-o", os.devnull, *jobs])

    print(f"townships: {len(folders)} x {args.women:,} women ({args.villages} villages each)")
    spread = f"each {min(singles):.1f}–{max(singles):.1f} s, peak {single_peak:,.0f} MB"
    print(f"sum of {len(folders)} single runs: {total:.1f} s ({spread})")
    print(f"county run: {wall:.1f} s, peak {peak:,.0f} MB (process tree), exit {code}")
    print(f"ratio county / sum of singles: {wall / total:.2f} (target < 0.5)")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
