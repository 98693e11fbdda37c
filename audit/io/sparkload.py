"""Tables into Spark: Parquet read by Spark itself when it is already canonical.

Design decisions:

- The loader's rules (audit.io.loader) are the one definition of how a cell
  becomes a canonical value and when that is a finding. Spark does not get a
  second copy of them: it reads a Parquet table (a file or a folder of parts)
  itself only when one aggregate pass proves the loader would have nothing
  to repair or report — every contract column already of its type (string,
  integer, date, boolean), code and period values already canonical, no
  blank key, no cell with surrounding white space. Then the only steps left
  are the loader's no-op ones (an empty string is NULL, an ID's trailing x is
  upper case), done in Spark. Otherwise ``read_parquet`` returns None and the
  table goes through the loader like CSV, and the load findings are the
  loader's (this costs the driver the table's memory: large exports should
  come canonical, as systems write them).
- Header mapping is the loader's own (`map_headers`): aliases, duplicate
  headers and a missing key column behave exactly as for any other format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from audit.core import contract
from audit.core.contract import ColumnType
from audit.core.exitcodes import AuditError
from audit.core.messages import message
from audit.core.models import Finding, TableLoad
from audit.io.loader import ID_NUMBER_COLUMNS, column_missing, map_headers
from audit.io.readers import RawTable

_SPARK_OK: dict[ColumnType, frozenset[str]] = {
    ColumnType.TEXT: frozenset({"string"}),
    ColumnType.CODE: frozenset({"string"}),
    ColumnType.PERIOD: frozenset({"string"}),
    ColumnType.INT: frozenset({"tinyint", "smallint", "int", "bigint"}),
    ColumnType.DATE: frozenset({"date"}),
    ColumnType.BOOL: frozenset({"boolean"}),
}
_SPARK_TYPE = {
    ColumnType.TEXT: "STRING",
    ColumnType.CODE: "STRING",
    ColumnType.PERIOD: "STRING",
    ColumnType.INT: "BIGINT",
    ColumnType.DATE: "DATE",
    ColumnType.BOOL: "BOOLEAN",
}
# White space the loader trims (polars strips Unicode White_Space; (?U) makes Java's \s the same).
_EDGE_SPACE = r"'(?U)^\\s|\\s$'"
_PERIOD = r"'^[0-9]{4}-(0[1-9]|1[0-2])$'"


def arrow_of(frame: pl.DataFrame) -> pa.Table:
    """A canonical polars frame as Arrow that every Spark version reads (no view types)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _text(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def read_parquet(
    spark: Any, t: contract.Table, path: Path, *, lang: str
) -> tuple[Any, TableLoad, list[Finding]] | None:
    """The canonical DataFrame of a Parquet table read by Spark, or None to use the loader."""
    if path.is_dir():
        sources = [str(p) for p in sorted(path.glob("*.parquet"))]
    elif path.suffix.lower() == ".parquet":
        sources = [str(path)]
    else:
        return None
    try:
        frame = spark.read.parquet(*sources)
        fields = list(frame.schema.fields)
    except Exception as e:  # Spark's analysis errors share no base class with Py4J's
        detail = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise AuditError(message("error-parquet", lang, file=path.name, detail=detail)) from None
    headers = tuple(f.name for f in fields)
    raw = RawTable(path, "parquet", None, headers, pl.DataFrame())
    positions, extras = map_headers(t, raw, lang=lang)

    values: list[str] = []
    problems: list[str] = []
    for c in t.columns:
        if c.name not in positions:
            values.append(f"CAST(NULL AS {_SPARK_TYPE[c.type]}) AS {_q(c.name)}")
            continue
        field = fields[positions[c.name]]
        if field.dataType.simpleString() not in _SPARK_OK[c.type]:
            return None  # a text date, a float ID, ...: the loader's parsing is needed
        x = _q(field.name)
        if c.name in t.key:
            problems.append(f"{x} IS NULL")
        if _SPARK_TYPE[c.type] != "STRING":
            values.append(f"CAST({x} AS {_SPARK_TYPE[c.type]}) AS {_q(c.name)}")
            continue
        problems.append(f"{x} RLIKE {_EDGE_SPACE}")
        if c.name in t.key:
            problems.append(f"{x} = ''")
        if c.type is ColumnType.CODE:
            assert c.codes is not None
            codes = ", ".join(_text(code) for code in contract.CODE_SETS[c.codes])
            problems.append(f"({x} <> '' AND {x} NOT IN ({codes}))")
        if c.type is ColumnType.PERIOD:
            problems.append(f"({x} <> '' AND NOT {x} RLIKE {_PERIOD})")
        value = f"NULLIF({x}, '')"
        if c.name in ID_NUMBER_COLUMNS:
            value = f"regexp_replace({value}, 'x$', 'X')"
        values.append(f"{value} AS {_q(c.name)}")

    check = " OR ".join(f"({p})" for p in problems) or "FALSE"
    counted = frame.selectExpr(
        "count(*) AS n", f"sum(CASE WHEN {check} THEN 1 ELSE 0 END) AS repair"
    ).collect()[0]
    if int(counted["repair"] or 0):
        return None
    load = TableLoad(
        table=t.name,
        ledger=t.ledger.value,
        path=path.name,
        format="parquet",
        encoding=None,
        rows=int(counted["n"]),
        columns=tuple((c, headers[positions[c]]) for c in t.column_names if c in positions),
        missing_columns=tuple(c for c in t.column_names if c not in positions),
        extra_columns=tuple(extras),
    )
    findings = column_missing(t, path.name, load.missing_columns, lang)
    return frame.selectExpr(*values), load, findings
