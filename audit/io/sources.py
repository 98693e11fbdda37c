"""Where each table of a submission comes from: a file named after it, or a worksheet.

Design decisions:

- The contract's layout stays the first rule: `women.csv`, `women.xlsx`,
  `women.parquet` (and the old Excel `women.xls`), the first sheet of a workbook;
  or a folder `women/` of Parquet parts, as large exports come.
- Offices keep several tables in one workbook (the technical service station:
  procedures and checkups; the statistics office: women, births and the monthly
  report). Every other workbook in the folder, whatever its name, is looked
  into: a worksheet named after a table (`women`) or its Chinese name (花名册,
  育龄妇女花名册, 手术登记 …, `contract.TABLE_ALIASES`) is that table.
- One table, one source: a table found in two places (a file and a sheet, two
  sheets) stops the audit naming both, as two files always did; which one is
  meant cannot be guessed.
- Only names are read here (a workbook's sheet list, not its cells).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.core.messages import message
from audit.io.readers import FORMATS, WORKBOOK_FORMATS

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Source:
    path: Path
    sheet: str | None = None  # a worksheet of a workbook that holds several tables

    @property
    def label(self) -> str:
        """As Excel writes a reference to a sheet: [统计站.xlsx]花名册."""
        return self.path.name if self.sheet is None else f"[{self.path.name}]{self.sheet}"


def _fold(name: str) -> str:
    return "".join(name.split()).lower()


def sheet_table(sheet: str) -> str | None:
    """The table a worksheet name stands for, or None."""
    folded = _fold(sheet)
    for t in contract.TABLES:
        if folded in {_fold(n) for n in (t.name, t.title_zh, *contract.TABLE_ALIASES[t.name])}:
            return t.name
    return None


def _sheet_names(path: Path) -> list[str]:
    """A workbook's sheet names; [] when it cannot be opened (it is no source then)."""
    import fastexcel

    quiet = logging.getLogger("fastexcel")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception:  # a damaged or foreign workbook holds no table we can name
        return []
    finally:
        quiet.setLevel(level)


def find_sources(path: Path, lang: str) -> tuple[dict[str, Source], dict[str, list[str]]]:
    """Table name → its source, and → other files that look like it (wrong format)."""
    if not path.exists():
        raise AuditError(message("error-not-found", lang, path=path))
    if not path.is_dir():
        raise AuditError(message("error-not-folder", lang, path=path))
    found: dict[str, list[Source]] = {}
    others: dict[str, list[str]] = {}
    try:
        entries = sorted(path.iterdir())
    except OSError as e:
        detail = e.strerror or type(e).__name__
        raise AuditError(message("error-unreadable", lang, file=path, detail=detail)) from None
    for entry in entries:
        if entry.is_dir() and _parquet_parts(entry):
            # A folder named after a table (women/ or women.parquet/) holding Parquet parts,
            # as large exports (Spark, Hive) come, is that table's file.
            folder = entry.name.lower().removesuffix(".parquet")
            if folder in contract.TABLES_BY_NAME:
                found.setdefault(folder, []).append(Source(entry))
            continue
        if not entry.is_file() or entry.name.startswith(("~$", ".~lock")):  # Office lock files
            continue
        stem, suffix = entry.stem.lower(), entry.suffix.lower()
        if stem in contract.TABLES_BY_NAME:
            if suffix in FORMATS:
                found.setdefault(stem, []).append(Source(entry))
            else:
                others.setdefault(stem, []).append(entry.name)
        elif suffix in WORKBOOK_FORMATS:
            for sheet in _sheet_names(entry):
                name = sheet_table(sheet)
                if name is not None:
                    found.setdefault(name, []).append(Source(entry, sheet))
    if not found and not (path / MANIFEST).is_file():
        raise AuditError(
            message("error-not-submission", lang, path=path, tables=", ".join(contract.TABLE_NAMES))
        )
    for name, sources in found.items():
        if len(sources) > 1:
            raise AuditError(
                message(
                    "error-two-files",
                    lang,
                    files=", ".join(s.label for s in sources),
                    table=name,
                )
            )
    return {name: sources[0] for name, sources in found.items()}, others


def _parquet_parts(folder: Path) -> list[Path]:
    """The Parquet part files of a folder (Spark and Hive style names alike), in name order."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".parquet")
    except OSError:
        return []
