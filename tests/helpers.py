"""Build tiny crafted submissions for tests: canonical CSV files in a temp folder."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from audit.core.contract import TABLE_NAMES, table
from audit.core.idcard import make_id

TOWNSHIP = "340811101000"
VILLAGE_A = "340811101001"
VILLAGE_B = "340811101002"
PERIOD = "2026-10"


def woman_id(birth: date, seq: int = 2, division: str = "340811") -> str:
    """A valid ID of a woman (even sequence)."""
    return make_id(division, birth, seq if seq % 2 == 0 else seq + 1)


def man_id(birth: date, seq: int = 1, division: str = "340811") -> str:
    return make_id(division, birth, seq if seq % 2 == 1 else seq + 1)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def write_table(folder: Path, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write one table as canonical UTF-8 CSV; columns not given in a row are empty."""
    cols = list(table(name).column_names)
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            unknown = set(r) - set(cols)
            if unknown:
                raise KeyError(f"{name}: unknown columns {sorted(unknown)}")
            w.writerow([_cell(r.get(c)) for c in cols])
    return path


def write_submission(
    folder: Path,
    tables: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    *,
    period: str = PERIOD,
    township_code: str = TOWNSHIP,
    omit: Iterable[str] = (),
) -> Path:
    """All nine tables (empty unless given), minus `omit`, plus manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(tables or {})
    skip = set(omit)
    for name in TABLE_NAMES:
        if name not in skip:
            write_table(folder, name, tables.get(name, ()))
    (folder / "manifest.json").write_text(
        json.dumps({"period": period, "township_code": township_code, "township_name": "测试镇"}),
        encoding="utf-8",
    )
    return folder
