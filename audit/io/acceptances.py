"""The acceptances file: accepted exceptions as plain CSV, one row per acceptance.

Design decisions:

- CSV (UTF-8, header row, the columns of `audit.core.acceptance.FIELDS`):
  it opens in a spreadsheet, diffs line by line under version control, and a
  county can keep it next to its submissions. Default: `accepted.csv` in the
  folder that holds the submission folders (so every month's audit of every
  township sees the same file); `--acceptances PATH` chooses another.
- Read strictly: a row the audit cannot use stops it (exit 2) naming the
  file, the line and the column and what was expected — an acceptance must
  never be silently ignored, or the gate would fail for a reason nobody sees.
- Written by `audit accept` atomically (temporary file + rename), rows in a
  stable order; hand edits, comments aside, survive a rewrite.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from audit.core.acceptance import FIELDS, Acceptance
from audit.core.contract import TABLE_NAMES
from audit.core.exitcodes import AuditError
from audit.core.period import parse_period
from audit.io.output import write_atomic

DEFAULT_NAME = "accepted.csv"


def default_path(submission: Path) -> Path:
    return Path(submission).resolve().parent / DEFAULT_NAME


def read_acceptances(path: Path) -> list[Acceptance]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise AuditError(f"{path}: cannot read the acceptances file ({e.strerror})") from None
    except UnicodeDecodeError:
        raise AuditError(f"{path}: the acceptances file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip() for h in header]
    missing = [f for f in FIELDS if f not in names]
    if missing:
        raise AuditError(
            f"{path}: line 1: the header lacks column {missing[0]!r} (expected {', '.join(FIELDS)})"
        )
    out: list[Acceptance] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            raise AuditError(f"{path}: line {line}: {len(row)} cells, the header has {len(names)}")
        cells = {n: (row[i].strip() if i < len(row) else "") for i, n in enumerate(names)}
        out.append(_acceptance(path, line, cells))
    return out


def _acceptance(path: Path, line: int, c: dict[str, str]) -> Acceptance:
    where = f"{path}: line {line}"
    for required in ("check", "table", "reason", "accepted_by", "accepted_on", "expires"):
        if not c[required]:
            raise AuditError(f"{where}: column {required!r} is empty")
    if c["table"] not in TABLE_NAMES:
        raise AuditError(
            f"{where}: table: expected one of {', '.join(TABLE_NAMES)}, got {c['table']!r}"
        )
    township = c["township_code"]
    if township and not (len(township) == 12 and township.isdigit()):
        raise AuditError(f"{where}: township_code: expected 12 digits or empty, got {township!r}")
    try:
        accepted_on = date.fromisoformat(c["accepted_on"])
    except ValueError:
        raise AuditError(
            f"{where}: accepted_on: expected a date YYYY-MM-DD, got {c['accepted_on']!r}"
        ) from None
    try:
        parse_period(c["expires"], f"{where}: expires")
    except AuditError as e:
        raise AuditError(str(e)) from None
    return Acceptance(
        township_code=township,
        check=c["check"],
        table=c["table"],
        record=c["record"],
        reason=c["reason"],
        accepted_by=c["accepted_by"],
        accepted_on=accepted_on,
        expires=c["expires"],
        row=line,
    )


def to_csv(acceptances: Sequence[Acceptance]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FIELDS)
    for a in acceptances:
        d = a.to_dict()
        w.writerow([d[f] for f in FIELDS])
    return buf.getvalue()


def add_acceptance(path: Path, new: Acceptance) -> list[Acceptance]:
    """Add (or replace: same township and identity) one acceptance; write the file atomically."""
    path = Path(path)
    rows = read_acceptances(path) if path.exists() else []
    kept = [
        a for a in rows if not (a.identity == new.identity and a.township_code == new.township_code)
    ]
    kept.append(new)
    kept.sort(key=lambda a: (a.township_code, a.check, a.table, a.record))
    write_atomic(path, to_csv(kept))
    return kept
