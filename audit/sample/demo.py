"""The shipped demo township (sample_data/demo): small, realistic, with known problems.

Design: the demo is generated, not hand-edited, so it can always be rebuilt
and its truth.json is exact. It looks like what a township office really
sends: the register of women (花名册) as a GB18030 CSV export with Chinese
headers and Chinese code values (上环, 女扎, 初婚, 常住, 是/否), the operations
ledger as an Excel workbook with real date cells, everything else as
canonical UTF-8 CSV. Thirteen problems are planted across the four ledgers.

    python -m audit.sample.demo sample_data/demo
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from audit.core.contract import CODE_SETS, TABLE_NAMES, ColumnType, table
from audit.core.exitcodes import AuditError
from audit.sample.generator import build_township, manifest, truth_json, villages_frame
from audit.sample.writer import new_folder, write_json, write_table, write_xlsx

DEMO_SEED = 2026
DEMO_PERIOD = "2026-09"
DEMO_VILLAGES = 6
DEMO_WOMEN_PER_VILLAGE = 250
DEMO_CHECKS = [
    "id-format",
    "dup-person",
    "children-count",
    "birth-late-report",
    "migrant-birth-missing",
    "postpartum-birth-missing",
    "method-unsupported",
    "short-method-no-supply",
    "supply-to-sterilized",
    "outmigrant-missing",
    "certificate",
    "stock-vs-issues",
    "report-vs-records",
]
CHINESE_CSV = "women"  # GB18030, Chinese headers and code values
EXCEL = "procedures"  # XLSX with date cells
BOOL_ZH = {True: "是", False: "否"}
DEMO_FILES = frozenset(
    {
        *(f"{t}.csv" for t in TABLE_NAMES if t != EXCEL),
        f"{EXCEL}.xlsx",
        "villages.csv",
        "manifest.json",
        "truth.json",
    }
)


def chinese_frame(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """Headers -> first Chinese alias; code values -> first Chinese spelling; booleans -> 是/否."""
    t = table(name)
    exprs = []
    for c in t.columns:
        e = pl.col(c.name)
        if c.codes is not None:
            zh = {code: spellings[0] for code, spellings in CODE_SETS[c.codes].items()}
            e = e.replace_strict(zh, return_dtype=pl.String)
        elif c.type is ColumnType.BOOL:
            e = e.replace_strict(BOOL_ZH, return_dtype=pl.String)
        exprs.append(e.alias(c.aliases[0] if c.aliases else c.name))
    return df.select(exprs)


def build_demo(out_dir: Path) -> str:
    """Write the demo township into `out_dir` (new or empty); return a one-line summary."""
    tw, truth = build_township(
        villages=DEMO_VILLAGES,
        women_per_village=DEMO_WOMEN_PER_VILLAGE,
        period=DEMO_PERIOD,
        seed=DEMO_SEED,
        checks=DEMO_CHECKS,
    )
    with new_folder(Path(out_dir)) as tmp:
        for name in TABLE_NAMES:
            df = tw.tables[name]
            if name == CHINESE_CSV:
                text = chinese_frame(df, name).write_csv()
                (tmp / f"{name}.csv").write_bytes(text.encode("gb18030"))
            elif name == EXCEL:
                write_xlsx(df, tmp / f"{name}.xlsx", name)
            else:
                write_table(df, tmp, name, "csv")
        # Village names as an office types them: Chinese headers, an extra column kept as is.
        villages = villages_frame(tw).rename(
            {"village_code": "村代码", "name": "村名", "officer": "统计员"}
        )
        (tmp / "villages.csv").write_text(villages.write_csv(), encoding="utf-8")
        write_json(tmp / "manifest.json", manifest(tw))
        write_json(tmp / "truth.json", truth_json(truth))
    return (
        f"{out_dir}: demo township {tw.name} {tw.code}, period {DEMO_PERIOD}: "
        f"{len(tw.tables['women']):,} women in {DEMO_VILLAGES} villages, "
        f"{len(truth)} planted problems listed in truth.json"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m audit.sample.demo OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    fresh = out.parent / f".{out.name}.new"
    try:
        if out.is_dir() and any(out.iterdir()):
            extra = {p.name for p in out.iterdir()} - DEMO_FILES
            if extra:
                raise AuditError(
                    f"{out}: holds files that are not the demo's ({', '.join(sorted(extra))}); "
                    "refusing to replace it"
                )
        shutil.rmtree(fresh, ignore_errors=True)
        summary = build_demo(fresh)
        if out.exists():  # an earlier demo: swap the new one in
            shutil.rmtree(out)
        fresh.rename(out)
        print(summary.replace(str(fresh), str(out)), file=sys.stderr)
    except AuditError as e:
        print(f"audit: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
