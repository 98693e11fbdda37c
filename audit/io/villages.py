"""The optional `villages` table (村名表): village code → name, for reports that name villages.

Design decisions:

- Optional and outside the nine ledger tables: no file means no finding and
  reports show codes as before. It is read with the same readers (CSV in any
  accepted encoding, XLSX, Parquet) and header aliases as the ledgers.
- Columns other than code and name (the responsible officer, a phone number)
  are kept as written, in file order, so `audit inspect` and the reports can
  show them; nothing is checked about them.
- Bad input stops the audit (exit 2) with the file and row: a missing code or
  name column, or one village code given twice with different names (which
  name to print cannot be guessed). Rows without a code are skipped; a row
  repeated identically is read once.
"""

from __future__ import annotations

from pathlib import Path

from audit.core import contract
from audit.core.contract import ColumnType
from audit.core.exitcodes import AuditError
from audit.core.messages import message
from audit.core.models import Village
from audit.io.loader import _header_test, map_headers, source_text
from audit.io.readers import FORMATS, read_table_file


def villages_file(folder: Path, *, lang: str = "zh") -> Path | None:
    """villages.csv, .xlsx or .parquet in the submission folder (None when absent)."""
    name = contract.VILLAGES.name
    try:
        found = sorted(
            p
            for p in Path(folder).iterdir()
            if p.is_file() and p.stem.lower() == name and p.suffix.lower() in FORMATS
        )
    except OSError:
        return None  # the loader has already reported an unreadable folder
    if len(found) > 1:
        raise AuditError(
            message("error-two-files", lang, files=", ".join(p.name for p in found), table=name)
        )
    return found[0] if found else None


def read_villages(folder: Path, *, lang: str = "zh") -> tuple[Village, ...]:
    """The villages the submission names, in code order; () without a villages file."""
    path = villages_file(folder, lang=lang)
    if path is None:
        return ()
    t = contract.VILLAGES
    raw = read_table_file(path, lang=lang, is_header=_header_test(t))
    positions, _ = map_headers(t, raw, lang=lang)
    if "name" not in positions:
        raise AuditError(
            message(
                "error-no-key-column",
                lang,
                file=path.name,
                column="name",
                expected=message(
                    "expected-headers",
                    lang,
                    column="name",
                    aliases=", ".join(t.column("name").aliases),
                ),
            )
        )
    frame = raw.frame
    texts = frame.select(
        source_text(c, frame.schema[c], ColumnType.TEXT).alias(c) for c in frame.columns
    )
    used = set(positions.values())
    extra_cols = [(i, h.strip()) for i, h in enumerate(raw.headers) if i not in used and h.strip()]
    by_code: dict[str, tuple[int, Village]] = {}
    for row_no, row in enumerate(texts.iter_rows(), start=1):
        code = row[positions["village_code"]]
        if code is None:
            continue
        name = row[positions["name"]] or ""
        extra = tuple((h, row[i] or "") for i, h in extra_cols)
        village = Village(str(code), str(name), extra)
        if code in by_code:
            first, seen = by_code[code]
            if seen.name != village.name:
                raise AuditError(
                    message(
                        "error-villages-duplicate",
                        lang,
                        file=path.name,
                        row=row_no,
                        first=first,
                        code=code,
                        name=seen.name,
                        other=village.name,
                    )
                )
            continue
        by_code[code] = (row_no, village)
    return tuple(v for _, v in sorted(by_code.values(), key=lambda x: x[1].code))
