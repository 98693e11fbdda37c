"""Benchmark: the same audit on DuckDB and on Spark (local mode), step by step.

Uses the townships of ``bench/audit_bench.py`` (Parquet, planted faults, kept
under --data and reused) and runs each engine in a fresh process, timing:

- start-up: GX's import (DuckDB engine) or the Spark session (JVM start),
  reported apart from the audit,
- load (files → the engine's tables), preparation (params, shared views),
- the checks (every suite rule, every failing record fetched),
- the §6 figures,
- peak resident memory and CPU time of the whole process tree (Python and, for
  Spark, the JVM), sampled every 0.2 s: on a shared machine the wall clock
  mostly measures the other processes, the CPU seconds what the audit cost,

and checks that both engines found the same findings.

    .venv/bin/python bench/engines_bench.py --women 1000000
    .venv/bin/python bench/engines_bench.py --women 1000000 --spark-master 'local[2]' \\
        --spark-conf spark.driver.memory=6g --spark-conf spark.sql.shuffle.partitions=4

(Spark's default of 200 shuffle partitions is meant for a cluster; on two cores 4 cost less
time and memory, see docs/performance.md.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.audit_bench import MAX_PARTS, machine, township  # noqa: E402


def _tree(root: int) -> tuple[float, dict[int, float]]:
    """Resident memory (MB) of a process and all its descendants, and each one's CPU seconds
    so far (user + system, its own threads only), from Linux /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo, tree_cpu = 0, [root], {}
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        tree_cpu[pid] = cpu.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total / 1024**2, tree_cpu


class PeakSampler:
    """Peak memory and CPU time of this process and its descendants (the Spark JVM), sampled
    every 0.2 s. CPU time is reported because on a shared machine the wall clock mostly
    measures the other processes; CPU seconds are what the audit itself cost."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._cpu: dict[int, float] = {}  # last seen per process: one that ends keeps its total
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        mb, cpu = _tree(os.getpid())
        with self._lock:
            self.peak = max(self.peak, mb)
            self._cpu.update(cpu)

    def cpu(self) -> float:
        self.sample()
        with self._lock:
            return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.peak


class StepLog:
    """The engine's progress as timed lines on stderr: a long run (Spark at 10M takes hours)
    shows how far it got, and which rule it was in, even if it is stopped."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.done = 0
        self.total: int | None = None

    def stage(self, name: str, total: int | None) -> None:
        self.done, self.total = 0, total
        self._line(f"{name} started")

    def advance(self, name: str, description: str | None = None) -> None:
        self.done += 1
        self._line(f"{name} {self.done}/{self.total or '?'} {description or ''}")

    def _line(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:8.1f} s] {text}", file=sys.stderr, flush=True)


def measure(folder: Path, engine: str, master: str | None, conf: list[str]) -> dict[str, Any]:
    sampler = PeakSampler()
    out: dict[str, Any] = {"engine": engine}
    started = time.perf_counter()
    if engine == "duckdb":
        import great_expectations  # noqa: F401  (imported once per process; apart)

        from audit.io.backends.duckdb import DuckDBBackend

        backend: Any = DuckDBBackend()
    else:
        from audit.io.backends import EngineOptions, parse_conf
        from audit.io.backends.spark import SparkBackend

        backend = SparkBackend(EngineOptions("spark", master, parse_conf(conf)))
        out["spark_version"] = backend.spark.version
    out["startup"] = time.perf_counter() - started
    startup_cpu = sampler.cpu()

    from audit.app import latest_report_period, township_from_data
    from audit.core.models import sort_findings
    from audit.core.period import make_window
    from audit.io.overview import compute_overview
    from audit.io.suites import load_suites

    suites = load_suites()
    t = time.perf_counter()
    sub = backend.load(folder, lang="en")
    out["load"] = time.perf_counter() - t
    t = time.perf_counter()
    period = sub.manifest.get("period") or latest_report_period(backend)
    township_code = sub.manifest.get("township_code") or township_from_data(backend, period)
    backend.install(period, make_window(period), township_code)
    out["prepare"] = time.perf_counter() - t
    t = time.perf_counter()
    evaluation = backend.evaluate(
        suites, lang="en", township_code=township_code, progress=StepLog()
    )
    out["checks"] = time.perf_counter() - t
    findings = sort_findings([*sub.findings, *evaluation.findings])
    t = time.perf_counter()
    compute_overview(backend, findings)
    out["overview"] = time.perf_counter() - t
    audit_cpu = sampler.cpu()
    backend.close()
    out["startup_cpu"] = startup_cpu
    out["audit_cpu"] = audit_cpu - startup_cpu
    out["audit"] = out["load"] + out["prepare"] + out["checks"] + out["overview"]
    out["findings"] = len(findings)
    out["findings_digest"] = sorted(
        f"{f.check}|{f.table}|{f.record}|{f.severity}|{f.message}" for f in findings
    )
    out["slowest"] = sorted(
        ((r.check, r.sql_seconds + r.gx_seconds + r.fetch_seconds) for r in evaluation.timings),
        key=lambda x: -x[1],
    )[:6]
    out["peak_rss_mb"] = sampler.stop()
    return out


def child(args: list[str]) -> dict[str, Any]:
    # stderr passes through: the run's progress lines, and any error, as they happen
    done = subprocess.run(
        [sys.executable, __file__, *args],
        cwd=PROJECT,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed (exit {done.returncode}; its error is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description="Time the audit on DuckDB and on Spark.")
    ap.add_argument("--women", type=int, default=1_000_000)
    ap.add_argument("--villages", type=int, default=400)
    ap.add_argument("--data", type=Path, default=Path("/tmp/fourcheck-bench"))
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument(
        "--part-seeds",
        type=int,
        default=MAX_PARTS,
        help="above 1M women: how many different 1M parts (as bench/audit_bench.py)",
    )
    ap.add_argument("--spark-master", default=None, help="default local[*]")
    ap.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        m = measure(args.measure, args.engine, args.spark_master, args.spark_conf)
        print(json.dumps(m))
        return

    print(f"machine            {machine()}")
    print(f"load average       {os.getloadavg()[0]:.1f} at start")
    folder = township(args.data, args.women, args.villages, args.part_seeds)
    results = []
    for engine in args.engines.split(","):
        extra = ["--spark-master", args.spark_master] if args.spark_master else []
        for kv in args.spark_conf:
            extra += ["--spark-conf", kv]
        results.append(child(["--measure", str(folder), "--engine", engine, *extra]))
        r = results[-1]
        steps = ", ".join(f"{k} {r[k]:.1f} s" for k in ("startup", "load", "checks", "audit"))
        print(
            f"{engine:<18} done: {steps}, peak {r['peak_rss_mb']:,.0f} MB "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    rows = [
        ("start-up (apart)", "startup"),
        ("load", "load"),
        ("params + views", "prepare"),
        ("checks", "checks"),
        ("§6 figures", "overview"),
        ("audit (no start-up)", "audit"),
    ]
    print(f"\n{'step':<22}" + "".join(f"{r['engine']:>12}" for r in results))
    for label, key in rows:
        print(f"{label:<22}" + "".join(f"{r[key]:>10.1f} s" for r in results))
    print(
        f"{'CPU, start-up (tree)':<22}" + "".join(f"{r['startup_cpu']:>10.1f} s" for r in results)
    )
    print(f"{'CPU, audit (tree)':<22}" + "".join(f"{r['audit_cpu']:>10.1f} s" for r in results))
    print(f"{'peak RSS (tree)':<22}" + "".join(f"{r['peak_rss_mb']:>9,.0f} MB" for r in results))
    print(f"{'findings':<22}" + "".join(f"{r['findings']:>12,}" for r in results))
    for r in results:
        slow = ", ".join(f"{c} {s:.1f}" for c, s in r["slowest"])
        print(f"slowest on {r['engine']}: {slow}")
    if len(results) == 2:
        same = results[0]["findings_digest"] == results[1]["findings_digest"]
        print(f"same findings      {'yes' if same else 'NO'}")
    print(f"load average       {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
