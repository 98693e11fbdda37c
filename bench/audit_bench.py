"""Benchmark: the audit on a large township against the plain-SQL floor and a scan floor.

Generates a township with the sample generator (Parquet, planted faults) and
then measures, each in a fresh process so peak memory is its own:

- end to end: ``audit run FOLDER --format json`` as a user runs it (imports,
  load, checks, §6 figures, the JSON written), wall time and peak RSS;
- in a measuring process, stage by stage: GX import (once per process; left
  out of the ratios), load (files → DuckDB), preparation (params and the
  shared views and tables of ``sql/views/``: the parsed ID numbers, the
  per-person look-ups; needed by the floor and the audit alike), then
- the floor: every ``sql/checks/*.sql`` and every built-in rule's SQL form
  (its unexpected rows, the query the audit runs for it) run directly in
  DuckDB, all rows fetched, no GX (best per check of two runs, before and
  after the audit);
- the scan floor: DuckDB reading every column of every loaded table once
  (one aggregate per table), the least any rule set over all of it costs;
- the audit: every suite rule through GX on DuckDB plus every failing record
  (what ``audit run`` does after loading), split into the rules' SQL, GX's
  validation and reading the findings, the built-in expectations apart;
- the §6 figures (overview), reported apart; peak RSS after each stage.

Ratios printed: audit/floor and floor/scan floor (the preparation counted in
the audit and in the floor, GX's import in neither).

    .venv/bin/python bench/audit_bench.py --women 50000
    .venv/bin/python bench/audit_bench.py --women 1000000
    .venv/bin/python bench/audit_bench.py --women 10000000 --villages 4000 --no-datacompy

Generated townships are kept under --data (default /tmp/fourcheck-bench) and
reused by later runs of the same size. At ``--datacompy`` sizes it also
times datacompy reconciling ``women`` with a perturbed copy (a benchmark-only
dependency: ``pip install datacompy``; PandasCompare, as its PolarsCompare
needs polars < 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kib = int(f.readline().split()[1])
        mem = f", {kib / 1024**2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


# --- generation (parent process) -------------------------------------------------------------


# The sample generator gives every local woman an ID in the township's one 6-digit division,
# and GB 11643 leaves 499 women's sequence numbers per birth date and division: about 5
# million women at most. Larger townships are composed of parts of PART_WOMEN generated
# with different seeds, each moved to its own divisions (every division code of a part, the
# township's and the in-migrants' origins, becomes a real code of its own, so id-region stays
# quiet; a planted unknown code becomes another unknown one, 9k....; check character
# recomputed where it was valid, so planted invalid IDs stay invalid), its own hundred of
# village codes (k*100 + village) and its own record keys.
PART_WOMEN = 1_000_000
# Raised whenever compose() changes what it writes. A composed township carries it in
# composition.json and is composed again when it differs: one composed before the parts kept
# real division codes had 9 IDs in 10 in divisions that do not exist, and its audit measured
# tens of millions of id-region findings instead of a township.
COMPOSITION = 2
COMPOSITION_FILE = "composition.json"
PART_VILLAGES = 99
MAX_PARTS = 10
ID_COLUMNS = ("person_id", "mother_id")
KEY_COLUMNS = ("birth_id", "issue_id", "procedure_id", "checkup_id", "migrant_id", "report_id")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MACROS = [
    "CREATE MACRO fc_check(s) AS substr('10X98765432', 1 + (("
    + " + ".join(f"CAST(substr(s, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(_WEIGHTS))
    + ") % 11), 1)",
    "CREATE MACRO fc_body(x, k) AS fc_division(substr(x, 1, 6), k) || substr(x, 7, 11)",
    "CREATE MACRO fc_id(x, k) AS CASE WHEN regexp_full_match(x, '[0-9]{17}[0-9X]') THEN "
    "CASE WHEN fc_check(substr(x, 1, 17)) = substr(x, 18, 1) "
    "THEN fc_body(x, k) || fc_check(fc_body(x, k)) "
    "ELSE fc_body(x, k) || substr(x, 18, 1) END ELSE x END",
    "CREATE MACRO fc_village(c, k) AS CASE WHEN regexp_full_match(c, '340811101[0-9]{3}') "
    "AND substr(c, 10, 3) <> '000' THEN '340811101' || "
    "lpad(CAST(k * 100 + CAST(substr(c, 10, 3) AS INTEGER) AS VARCHAR), 3, '0') ELSE c END",
    "CREATE MACRO fc_unit(u, k) AS fc_village(split_part(u, '-', 1), k) || "
    "CASE WHEN contains(u, '-') THEN '-' || split_part(u, '-', 2) ELSE '' END",
]


def _division_macro() -> str:
    """fc_division(d, k): the real division code that part k uses for the generator's code d."""
    from audit.core.divisions import divisions
    from audit.sample.generator import DEFAULT_TOWNSHIP_CODE
    from audit.sample.names import ORIGINS

    used = [DEFAULT_TOWNSHIP_CODE[:6], *(str(code) for _, code in ORIGINS)]
    spare = [
        code
        for code, d in sorted(divisions().items())
        if d.last_year is None and code[2:] != "0000" and code not in used
    ]
    whens = " ".join(
        f"WHEN '{k}|{code}' THEN '{spare[k * len(used) + i]}'"
        for k in range(MAX_PARTS)
        for i, code in enumerate(used)
    )
    return (
        f"CREATE MACRO fc_division(d, k) AS CASE CAST(k AS VARCHAR) || '|' || d {whens} "
        "ELSE '9' || CAST(k AS VARCHAR) || substr(d, 3, 4) END"
    )


def generate(folder: Path, women: int, villages: int, seed: int = 1) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "audit.cli", "sample", str(folder),
            "--villages", str(villages),
            "--women-per-village", str(women // villages),
            "--format", "parquet", "--faults", "all", "--seed", str(seed),
        ],
        cwd=PROJECT,
        check=False,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"audit sample {folder} failed: {done.stderr.strip()[-2000:]}")


def compose(parts: list[Path], out: Path) -> None:
    """One township of all parts (see PART_WOMEN), written as Parquet by DuckDB."""
    import duckdb

    from audit.core import contract

    out.mkdir(parents=True)
    con = duckdb.connect()
    for macro in [_division_macro(), *_MACROS]:
        con.execute(macro)
    for t in contract.TABLES:
        selects = []
        for k, part in enumerate(parts):
            cols = []
            for c in t.column_names:
                if c in ID_COLUMNS:
                    cols.append(f"fc_id({c}, {k}) AS {c}")
                elif c in ("village_code", "point_code"):
                    cols.append(f"fc_village({c}, {k}) AS {c}")
                elif c == "unit_code":
                    cols.append(f"fc_unit({c}, {k}) AS {c}")
                elif c in KEY_COLUMNS:
                    cols.append(f"'K{k}-' || {c} AS {c}")
                else:
                    cols.append(c)
            where = ""
            if k and t.name == "stat_reports":  # one township row per period
                where = " WHERE level <> 'township'"
            elif k and t.name == "supply_stock":  # one township station
                where = " WHERE point_code <> '340811101000'"
            source = f"read_parquet('{part / f'{t.name}.parquet'}')"
            selects.append(f"SELECT {', '.join(cols)} FROM {source}{where}")
        target = out / f"{t.name}.parquet"
        con.execute(f"COPY ({' UNION ALL '.join(selects)}) TO '{target}' (FORMAT parquet)")
    con.close()
    (out / "manifest.json").write_bytes((parts[0] / "manifest.json").read_bytes())
    marker = {"composition": COMPOSITION, "parts": [str(p) for p in parts]}
    (out / COMPOSITION_FILE).write_text(json.dumps(marker), encoding="utf-8")


def composition(folder: Path) -> int | None:
    """The COMPOSITION a composed township was written by (None: older than the marker)."""
    try:
        marker = json.loads((folder / COMPOSITION_FILE).read_text(encoding="utf-8"))
        return int(marker["composition"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def township(data: Path, women: int, villages: int, part_seeds: int = MAX_PARTS) -> Path:
    """The township of this size under data/, generated (or composed of parts) when missing.

    part_seeds: how many different parts to generate; part k reuses seed k mod part_seeds + 1
    (still moved to its own division, villages and keys), trading variety for generation time.
    """
    folder = data / f"women-{women}"
    if part_seeds < MAX_PARTS and women > PART_WOMEN:
        folder = data / f"women-{women}-{part_seeds}-seeds"
    composed = women > PART_WOMEN
    if (folder / "manifest.json").is_file():
        if not composed or composition(folder) == COMPOSITION:
            print(f"reusing            {folder}")
            return folder
        print(f"stale composition  {folder} (composed again)")
        shutil.rmtree(folder)
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if not composed:
        generate(folder, women, villages)
    else:
        n = -(-women // PART_WOMEN)
        if n > MAX_PARTS:
            sys.exit(f"--women: at most {MAX_PARTS * PART_WOMEN:,} (composed of parts)")
        parts = []
        for k in range(n):
            seed = k % part_seeds + 1
            part = data / "parts" / f"seed-{seed}"
            if not (part / "manifest.json").is_file():
                generate(part, women // n, PART_VILLAGES, seed=seed)
            parts.append(part)
            print(f"part {k + 1:>2} of {n}       {part} ({time.perf_counter() - started:.0f} s)")
        compose(parts, folder)
    print(f"generated          {folder} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


# --- measurement (child process) ---------------------------------------------------------------


def measure(folder: Path, floor_runs: int) -> dict[str, Any]:
    from audit.io import gx_shim

    out: dict[str, Any] = {"rss_mb": {}}
    t = time.perf_counter()
    gx_shim.apply()
    out["gx_import"] = time.perf_counter() - t
    out["rss_mb"]["gx import"] = peak_rss_mb()

    from audit.app import latest_report_period, township_from_data
    from audit.core.period import make_window
    from audit.io import sqlrun
    from audit.io.engine import builtin_form, evaluate
    from audit.io.loader import load_submission
    from audit.io.overview import compute_overview
    from audit.io.suites import load_suites

    t = time.perf_counter()
    suites = load_suites()
    out["suites"] = time.perf_counter() - t
    # The floor's SQL, read together with the suites: one version of the rules for both sides.
    # Every check file, and every built-in rule's SQL form (its unexpected rows: the query the
    # audit runs for it, e.g. the uniqueness of a key); (check, SQL) as a check id may have
    # several built-in rules (one per table).
    floor_sql = [
        (p.stem, p.read_text(encoding="utf-8"))
        for p in sorted((sqlrun.SQL_DIR / "checks").glob("*.sql"))
    ]
    file_checks = {name for name, _ in floor_sql}
    floor_sql += [
        (rule.check, form.rows)
        for suite in suites
        for rule in suite.rules
        if (form := builtin_form(rule)) is not None
    ]

    t = time.perf_counter()
    sub = load_submission(folder, lang="en")
    out["load"] = time.perf_counter() - t
    out["rss_mb"]["load"] = peak_rss_mb()
    out["rows"] = {t.table: t.rows for t in sub.tables}
    con = sub.con

    t = time.perf_counter()
    period = sub.manifest.get("period") or latest_report_period(con)
    assert period
    township = sub.manifest.get("township_code") or township_from_data(con, period)
    sqlrun.install_params(con, period, make_window(period), township)
    sqlrun.install_views(con)
    out["prepare"] = time.perf_counter() - t
    out["rss_mb"]["prepare"] = peak_rss_mb()

    t = time.perf_counter()
    scan_floor(con)
    out["scan_floor"] = time.perf_counter() - t

    # The floor: every check's SQL, all rows fetched, no GX; run before and after the audit
    # (--floor-runs 2) so that neither side alone pays for a cold start.
    def floor() -> dict[str, float]:
        times: dict[str, float] = {}
        for name, sql in floor_sql:
            started = time.perf_counter()
            sqlrun.fetch_rows(con, sql)
            times[name] = times.get(name, 0.0) + time.perf_counter() - started
        return times

    floor_before = floor() if floor_runs > 1 else {}
    out["rss_mb"]["floor"] = peak_rss_mb()

    t = time.perf_counter()
    evaluation = evaluate(con, suites, lang="en", township_code=township)
    out["audit"] = time.perf_counter() - t
    out["rss_mb"]["audit"] = peak_rss_mb()
    print(json.dumps(out), flush=True)  # the audit's figures survive a failure below
    floor_after = floor()
    out["floor_runs"] = [sum(floor_before.values()), sum(floor_after.values())]
    floor_rule = {k: min(floor_before.get(k, v), v) for k, v in floor_after.items()}
    out["floor"] = sum(floor_rule.values())
    out["floor_files"] = sum(v for k, v in floor_rule.items() if k in file_checks)

    rules = {r.check: r for s in suites for r in s.rules}
    out["per_rule"] = [
        {
            "check": tm.check,
            "rows": rules[tm.check].is_rows,
            "sql": tm.sql_seconds,
            "gx": tm.gx_seconds,
            "fetch": tm.fetch_seconds,
            "floor": floor_rule.get(tm.check),
        }
        for tm in evaluation.timings
    ]
    out["findings"] = len(evaluation.findings) + len(sub.findings)

    t = time.perf_counter()
    compute_overview(con, [*sub.findings, *evaluation.findings])
    out["overview"] = time.perf_counter() - t
    out["rss_mb"]["overview"] = peak_rss_mb()

    truth_path = folder / "truth.json"
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        got = {(f.check, f.table, f.record) for f in [*sub.findings, *evaluation.findings]}
        out["truth"] = [
            len(truth),
            sum((t["check"], t["table"], t["record"]) in got for t in truth),
        ]
    con.close()
    return out


def scan_floor(con: Any) -> None:
    """DuckDB reading every column of every loaded table once: one aggregate query per table."""
    from audit.core import contract

    for t in contract.TABLES:
        cols = ", ".join(f'max(hash("{c}"))' for c in t.column_names)
        con.execute(f'SELECT count(*), {cols} FROM "{t.name}"').fetchall()


def end_to_end(folder: Path) -> dict[str, float]:
    """`audit run FOLDER --format json` as a user runs it: wall seconds and peak RSS (MB)."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"fourcheck-bench-{os.getpid()}.json"
    audit = Path(sys.executable).with_name("audit")
    command = [str(audit), "run", str(folder), "--format", "json", "--output", str(out)]
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: the child never blocks on it
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: the audit ran and found errors (planted faults)
        sys.exit(f"audit run {folder} exited {code}: {stderr.strip()[-2000:]}")
    findings = len(json.loads(out.read_text(encoding="utf-8"))["findings"])
    out.unlink()
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024, "findings": findings}


def reconcile_with_datacompy(folder: Path) -> dict[str, Any]:
    """datacompy comparing `women` with a copy where 1% of methods changed and 0.1% of rows gone."""
    try:
        import datacompy
    except ImportError:
        return {"missing": True}
    import polars as pl

    women = pl.read_parquet(folder / "women.parquet")
    n = women.height
    changed = (
        women.with_row_index("i")
        .with_columns(
            pl.when(pl.col("i") % 100 == 7)
            .then(pl.lit("none"))
            .otherwise(pl.col("method"))
            .alias("method")
        )
        .filter(pl.col("i") % 1000 != 3)
        .drop("i")
    )
    left, right = women.to_pandas(), changed.to_pandas()
    started = time.perf_counter()
    compare = datacompy.PandasCompare(left, right, join_columns="person_id")
    mismatched = len(compare.all_mismatch())
    seconds = time.perf_counter() - started
    return {
        "rows": n,
        "seconds": seconds,
        "mismatched": mismatched,
        "only_left": len(compare.df1_unq_rows),
        "rss_mb": peak_rss_mb(),
        "version": datacompy.__version__,
    }


# --- report ----------------------------------------------------------------------------------


def child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=PROJECT, check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        errors = [ln for ln in done.stderr.splitlines() if "leaked" not in ln]
        partial = done.stdout.strip().splitlines()
        sys.exit(
            f"{' '.join(args)} failed:\n"
            + "\n".join(errors[-15:])
            + (f"\nfigures so far: {partial[-1]}" if partial else "")
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(m: dict[str, Any], e2e: dict[str, float]) -> None:
    rows = m["rows"]
    print(f"rows               {', '.join(f'{k} {v:,}' for k, v in rows.items())}")
    print(
        f"end to end         {e2e['seconds']:>8.1f} s   (audit run --format json, cold: imports, "
        f"load, checks, §6 figures; peak RSS {e2e['rss_mb']:,.0f} MB, "
        f"{e2e['findings']:,} findings)"
    )
    print(f"GX import          {m['gx_import']:>8.1f} s   (once per process, not in the ratios)")
    print(f"suites             {m['suites']:>8.2f} s   (strict load of expectations/*.json)")
    print(f"load               {m['load']:>8.1f} s   (files → DuckDB)")
    print(f"prepare            {m['prepare']:>8.2f} s   (params, shared views and tables)")
    a, b = m["floor_runs"]
    runs = f"best per file of two runs, {a:.1f} / {b:.1f} s" if a else "one run, after the audit"
    floor = m["prepare"] + m["floor"]
    audit = m["prepare"] + m["audit"]
    print(f"scan floor         {m['scan_floor']:>8.2f} s   (every column of every table read once)")
    print(
        f"floor              {floor:>8.2f} s   (prepare + sql/checks/*.sql and the built-in "
        f"rules' SQL forms, direct; {runs})"
    )
    rows_rules = [r for r in m["per_rule"] if r["rows"]]
    builtins = [r for r in m["per_rule"] if not r["rows"]]
    sql_rows = sum(r["sql"] for r in rows_rules)
    gx_rows = sum(r["gx"] for r in rows_rules)
    fetch_rows = sum(r["fetch"] for r in rows_rules)
    gx_builtin = sum(r["sql"] + r["gx"] + r["fetch"] for r in builtins)
    print(f"audit              {audit:>8.2f} s   (prepare + every rule through GX + findings)")
    print(f"  rows rules, SQL  {sql_rows:>8.2f} s   (each rule's SQL, run once into a table)")
    print(f"  rows rules, GX   {gx_rows:>8.2f} s   (GX validating those tables)")
    print(f"  rows rules, read {fetch_rows:>8.2f} s   (the failing records, as findings)")
    n = len(builtins)
    print(f"  built-in rules   {gx_builtin:>8.2f} s   ({n} GX expectations: SQL form, GX, rows)")
    print(f"ratio audit/floor  {audit / floor:>8.2f}")
    floor_files = m["prepare"] + m["floor_files"]
    rows_audit = audit - gx_builtin
    print(
        f"  rows rules only  {rows_audit / floor_files:>8.2f}   (the built-in rules left out "
        f"of both: audit {rows_audit:.2f} s over prepare + sql/checks/*.sql {floor_files:.2f} s)"
    )
    print(f"ratio floor/scan   {floor / m['scan_floor']:>8.1f}")
    print(f"overview           {m['overview']:>8.1f} s   (§6 figures, not a check)")
    print(f"findings           {m['findings']:>8,}")
    if "truth" in m:
        print(f"planted faults     {m['truth'][1]:>8} of {m['truth'][0]} found")
    print("peak RSS           " + ", ".join(f"{k} {v:,.0f} MB" for k, v in m["rss_mb"].items()))
    print("\nslowest rules (seconds):")
    print(f"  {'check':<28}{'floor':>8}{'SQL':>8}{'GX':>8}{'read':>8}")
    for r in sorted(m["per_rule"], key=lambda r: -(r["sql"] + r["gx"] + r["fetch"]))[:10]:
        times = f"{r['floor'] or 0:>8.2f}{r['sql']:>8.2f}{r['gx']:>8.2f}{r['fetch']:>8.2f}"
        print(f"  {r['check']:<28}{times}")


def main() -> None:
    ap = argparse.ArgumentParser(description="Time the audit against the plain-SQL floor.")
    ap.add_argument("--women", type=int, default=1_000_000)
    ap.add_argument("--villages", type=int, default=400)
    ap.add_argument("--data", type=Path, default=Path("/tmp/fourcheck-bench"))
    ap.add_argument("--no-datacompy", action="store_true", help="skip the datacompy timing")
    ap.add_argument(
        "--part-seeds",
        type=int,
        default=MAX_PARTS,
        help="above 1M women: how many different 1M parts to generate (default: one per part)",
    )
    ap.add_argument("--floor-runs", type=int, default=2, choices=[1, 2])
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--datacompy", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.floor_runs)))
        return
    if args.datacompy:
        print(json.dumps(reconcile_with_datacompy(args.datacompy)))
        return

    print(f"machine            {machine()}")
    print(f"load average       {os.getloadavg()[0]:.1f} at start")
    folder = township(args.data, args.women, args.villages, args.part_seeds)
    e2e = end_to_end(folder)
    report(child(["--measure", str(folder), "--floor-runs", str(args.floor_runs)]), e2e)
    print(f"load average       {os.getloadavg()[0]:.1f} at end")
    if not args.no_datacompy:
        d = child(["--datacompy", str(folder)])
        if d.get("missing"):
            print("\ndatacompy          not installed: pip install datacompy (benchmark only)")
        else:
            print(
                f"\ndatacompy {d['version']}    {d['seconds']:.1f} s to reconcile women "
                f"({d['rows']:,} rows) with a perturbed copy: {d['mismatched']:,} mismatched, "
                f"{d['only_left']:,} missing; peak RSS {d['rss_mb']:,.0f} MB"
            )


if __name__ == "__main__":
    main()
