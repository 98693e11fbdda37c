"""Writing a generated township: one file per table, byte-for-byte reproducible.

Design: the whole folder is written into a temporary sibling and renamed into
place at the end, so a failed run never leaves half a township behind, and
an existing non-empty folder is never overwritten. CSV is UTF-8 with ISO
dates; Parquet is written by polars (no timestamps inside); XLSX gets a fixed
creation date so the same seed gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from audit.core.exitcodes import AuditError

XLSX_MAX_ROWS = 1_048_575  # one header row + data rows per sheet
FIXED_CREATED = datetime(2026, 1, 1)  # workbook property, so repeated runs are identical


def check_target(out_dir: Path) -> None:
    """The output folder must be new or empty: a township is never written over files."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise AuditError(f"{out_dir}: exists and is not a folder")
        if any(out_dir.iterdir()):
            raise AuditError(
                f"{out_dir}: folder exists and is not empty; refusing to overwrite it "
                "(name a new or empty folder)"
            )


@contextmanager
def new_folder(out_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes `out_dir` when the block succeeds."""
    out_dir = Path(out_dir)
    check_target(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as e:
        raise AuditError(f"{out_dir}: cannot create the folder ({e.strerror})") from e
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        yield tmp
        if out_dir.exists():
            out_dir.rmdir()
        tmp.rename(out_dir)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise AuditError(f"{out_dir}: cannot write the township ({e.strerror})") from e
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_xlsx_size(tables: dict[str, pl.DataFrame]) -> None:
    for name, df in tables.items():
        if len(df) > XLSX_MAX_ROWS:
            raise AuditError(
                f"--format xlsx: table {name} has {len(df):,} rows, more than a sheet holds "
                f"({XLSX_MAX_ROWS:,}); use --format csv or parquet for a township this large"
            )


def write_xlsx(df: pl.DataFrame, path: Path, sheet: str) -> None:
    """First sheet, header row, real date cells (yyyy-mm-dd), IDs kept as text."""
    from xlsxwriter import Workbook

    wb = Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    wb.set_properties({"created": FIXED_CREATED})
    df.write_excel(
        workbook=wb,
        worksheet=sheet,
        dtype_formats={pl.Date: "yyyy-mm-dd"},
        table_style=None,
        autofilter=False,
    )
    wb.close()


def write_table(df: pl.DataFrame, folder: Path, name: str, fmt: str) -> Path:
    path = folder / f"{name}.{fmt}"
    if fmt == "csv":
        df.write_csv(path)
    elif fmt == "parquet":
        df.write_parquet(path, compression="zstd", statistics=True)
    elif fmt == "xlsx":
        write_xlsx(df, path, name)
    else:
        raise AuditError(f"--format: expected csv, parquet or xlsx, got {fmt!r}")
    return path


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
