"""Strict loader of the suite files (expectations/*.json, GX's own JSON format).

Design decisions:

- Suites are the rules. Each file is a GX expectation suite
  (``{"name", "meta", "expectations": [...]}``) and each entry one check. GX's
  own ``ExpectationSuite(**d)`` silently drops an entry whose type or severity
  it does not know, so every entry is built here, one by one, and anything
  wrong stops the audit (`AuditError`, exit 2) with the file, the position and
  the check: ``expectations/statistics.json: expectations[3] (check
  'age-range'): sql/checks/age-range.sql does not exist``.
- Two kinds of entry. An ``unexpected_rows_expectation`` is a record-level or
  cross-ledger rule: ``meta.sql`` names its query (``checks/<id>.sql`` under
  ``sql/``), one row per finding. Any other registered GX expectation is a
  built-in rule on the table ``meta.table``; its check id, category, ledgers,
  title and message have defaults, so a user can add one with only
  ``meta.table``.
- The SQL file is plain SQL over canonical table names (sqlglot transpiles it
  to Spark); it never contains GX's ``{batch}`` placeholder. `rows_query`
  turns it into GX's ``unexpected_rows_query``: the SQL's braces are doubled
  (GX formats the query with ``str.format``), and it is wrapped as
  ``WITH fourcheck_batch AS (SELECT * FROM {batch}) SELECT * FROM (<sql>) AS
  unexpected``. A check's scope is the whole submission (a cross-ledger rule
  joins several tables), so the batch — the table the findings belong to — is
  bound but not read; DuckDB drops the unused CTE, and GX, which prints a
  warning on stdout for a query without ``{batch}``, stays quiet.
- ``severity`` and ``mostly`` are GX's own fields. Severity ``critical`` is an
  error, ``warning`` and ``info`` are themselves. GX's
  ``UnexpectedRowsExpectation`` has no ``mostly``, so for rows rules the
  loader keeps it out of the GX object and the engine applies it; built-in
  expectations pass it to GX.
- Relative paths in ``meta.sql`` are looked up in the ``sql/`` folder beside
  the suites folder, then in the shipped ``sql/`` (so a copied suites folder
  that only re-grades severities still finds the shipped checks).
- The shipped suites and SQL are package data (``audit.expectations`` and
  ``audit.sql``, mapped onto the repository's ``expectations/`` and ``sql/``
  folders), found through importlib.resources; ``--suites`` points at any
  other folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from audit.core import contract
from audit.core.exitcodes import AuditError
from audit.core.models import Category, Severity
from audit.io.sqlrun import SQL_DIR, package_dir

# The shipped suites: the repository's expectations/ folder, packaged as audit.expectations.
SUITES_DIR = package_dir("audit.expectations")
PROJECT_DIR = SQL_DIR.parent
ROWS_TYPE = "unexpected_rows_expectation"
LANGS = ("zh", "en")

# GX's FailureSeverity values and what they mean in a finding.
SEVERITIES: dict[str, Severity] = {
    "critical": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
}
SUITE_KEYS = frozenset({"name", "id", "meta", "notes", "expectations"})
ENTRY_KEYS = frozenset(
    {"type", "kwargs", "meta", "severity", "description", "notes", "id", "rendered_content"}
)
# Check ids the loader itself emits; a suite cannot reuse them.
LOADER_CHECKS = frozenset({"table-missing", "column-missing", "cell-invalid", "key-missing"})
CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

# Row columns a rows rule's SQL must return, and those with a meaning of their own.
REQUIRED_COLUMNS = ("record", "village_code")

# Built-in expectations: default categories, and the fields their messages can use.
_DUPLICATE_TYPES = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
_COMPLETENESS_TYPES = frozenset({"expect_column_values_to_not_be_null", "expect_column_to_exist"})
ROW_FIELDS = ("record", "village_code", "table", "column", "value", "title")
TABLE_FIELDS = ("table", "column", "observed_value", "title")

_BUILTIN_MESSAGES: dict[str, dict[str, str]] = {
    "expect_column_values_to_not_be_null": {
        "zh": "{column} 为空",
        "en": "{column} is empty",
    },
    "expect_column_values_to_be_unique": {
        "zh": "{column} “{value}”重复",
        "en": "{column} {value} occurs more than once",
    },
    "expect_compound_columns_to_be_unique": {
        "zh": "{column} “{value}”重复",
        "en": "{column} {value} occurs more than once",
    },
}
_ROW_MESSAGE = {
    "zh": "{column} 的值“{value}”不符合规则：{title}",
    "en": "{column} = {value}: fails the rule: {title}",
}
_TABLE_MESSAGE = {
    "zh": "{table} 不符合规则：{title}（实际：{observed_value}）",
    "en": "{table} fails the rule: {title} (observed: {observed_value})",
}


@dataclass(frozen=True)
class Rule:
    """One suite entry, validated: a check the engine runs through GX."""

    suite: str  # file stem, e.g. "statistics"
    source: str  # "expectations/statistics.json: expectations[3] (check 'age-range')"
    position: int
    type: str  # GX expectation type
    check: str
    category: Category
    severity: Severity  # default severity of its findings (GX severity mapped)
    ledgers: tuple[str, ...]
    table: str
    title: Mapping[str, str]
    message: Mapping[str, str]
    mostly: float | None
    expectation: Any  # the GX Expectation object this entry builds
    entry: Mapping[str, Any]  # the entry as written in the file
    sql: str | None = None  # rows rules: the check's SELECT, as written
    sql_path: Path | None = None
    columns: tuple[str, ...] = ()  # built-in rules: the domain column(s)
    row_level: bool = True  # built-in rules: False for table/aggregate expectations

    @property
    def is_rows(self) -> bool:
        return self.type == ROWS_TYPE

    def text(self, field_name: str, lang: str) -> str:
        values = self.title if field_name == "title" else self.message
        return values.get(lang) or values["zh"]


@dataclass(frozen=True)
class Suite:
    name: str  # file stem
    path: Path
    title: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)


def index_columns(table: str) -> tuple[str, ...]:
    """The columns fetched with each failing row of a built-in rule: key, village, person."""
    t = contract.table(table)
    names = t.column_names
    extra = [c for c in ("village_code", "person_id", "mother_id") if c in names and c not in t.key]
    return (*t.key, *extra)


def display_path(path: Path) -> str:
    """A path as a user reads it: relative to the project (or the working folder) when inside."""
    path = Path(path)
    for base in (PROJECT_DIR, Path.cwd()):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def template_fields(template: str) -> set[str]:
    """Field names a `str.format` template uses ("{a.b}" and "{a[0]}" count as "a")."""
    names: set[str] = set()
    for _, name, spec, _ in Formatter().parse(template):
        if name is None:
            continue
        if name == "" or name.isdigit():
            raise ValueError("positional fields such as {} or {0} are not allowed; name a column")
        names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
        if spec:
            names |= template_fields(spec)
    return names


def rows_query(sql: str) -> str:
    """GX's `unexpected_rows_query` for a check's SQL: braces escaped, `{batch}` bound."""
    body = sql.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    escaped = body.replace("{", "{{").replace("}", "}}")
    # The newline before ")" keeps a trailing "-- comment" in the file from swallowing it.
    return (
        "WITH fourcheck_batch AS (SELECT * FROM {batch})\n"
        f"SELECT * FROM (\n{escaped}\n) AS unexpected"
    )


def sql_dirs(suites_dir: Path) -> tuple[Path, ...]:
    beside = (Path(suites_dir) / ".." / "sql").resolve()
    return (beside,) if beside == SQL_DIR.resolve() else (beside, SQL_DIR)


def load_suites(suites_dir: Path | None = None) -> tuple[Suite, ...]:
    """Every `*.json` in the folder, in name order, each entry validated and built."""
    folder = Path(suites_dir) if suites_dir is not None else SUITES_DIR
    if not folder.is_dir():
        raise AuditError(
            f"{display_path(folder)}: not a folder of suite files (expectations/*.json)"
        )
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise AuditError(f"{display_path(folder)}: no suite files (*.json) in the folder")
    from audit.io import gx_shim

    gx_shim.apply()  # the registry of expectation types is GX's
    suites = tuple(_load_suite(p, sql_dirs(folder)) for p in paths)
    # One check id may cover several tables (dup-key on procedures and on checkups), but it
    # names one kind of problem: every entry of an id has the same category.
    first: dict[str, Rule] = {}
    for suite in suites:
        for rule in suite.rules:
            seen = first.setdefault(rule.check, rule)
            if seen.category is not rule.category:
                raise AuditError(
                    f"{rule.source}: check id {rule.check!r} has category {rule.category.value} "
                    f"here but {seen.category.value} in {seen.source}"
                )
    return suites


def _load_suite(path: Path, sql_folders: Sequence[Path]) -> Suite:
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise AuditError(f"{shown}: cannot be read ({e.strerror or type(e).__name__})") from None
    except UnicodeDecodeError as e:
        raise AuditError(f"{shown}: not UTF-8 text ({e.reason})") from None
    except json.JSONDecodeError as e:
        raise AuditError(
            f"{shown}: not valid JSON (line {e.lineno} column {e.colno}: {e.msg})"
        ) from None
    if not isinstance(data, dict):
        raise AuditError(f'{shown}: expected a suite object {{"name", "expectations": [...]}}')
    unknown = sorted(set(data) - SUITE_KEYS)
    if unknown:
        raise AuditError(
            f"{shown}: unknown key(s) {', '.join(unknown)} (expected {_keys(SUITE_KEYS)})"
        )
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise AuditError(f"{shown}: name: expected the suite's name as text")
    entries = data.get("expectations")
    if not isinstance(entries, list):
        raise AuditError(f"{shown}: expectations: expected a list of expectations")
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise AuditError(f"{shown}: meta: expected an object")
    title = meta["title"] if isinstance(meta.get("title"), str) else str(data["name"])
    rules = tuple(
        _load_entry(path.stem, shown, i, entry, sql_folders) for i, entry in enumerate(entries)
    )
    return Suite(name=path.stem, path=path, title=title, rules=rules)


def _keys(keys: frozenset[str]) -> str:
    return ", ".join(sorted(keys))


class _EntryError(Exception):
    pass


def _load_entry(
    suite: str, shown: str, position: int, entry: Any, sql_folders: Sequence[Path]
) -> Rule:
    where = f"{shown}: expectations[{position}]"
    if not isinstance(entry, dict):
        raise AuditError(f"{where}: expected an expectation object {{type, kwargs, meta, ...}}")
    meta = entry.get("meta")
    check = meta.get("check") if isinstance(meta, dict) else None
    if isinstance(check, str):
        where += f" (check {check!r})"
    try:
        return _build_rule(suite, where, position, entry, sql_folders)
    except _EntryError as e:
        raise AuditError(f"{where}: {e}") from None


def _build_rule(
    suite: str, where: str, position: int, entry: dict[str, Any], sql_folders: Sequence[Path]
) -> Rule:
    from great_expectations.expectations.registry import get_expectation_impl

    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise _EntryError(f"unknown key(s) {', '.join(unknown)} (expected {_keys(ENTRY_KEYS)})")
    etype = entry.get("type")
    if not isinstance(etype, str) or not etype:
        raise _EntryError("type: expected a GX expectation type, e.g. unexpected_rows_expectation")
    try:
        impl = get_expectation_impl(etype)
    except Exception:
        raise _EntryError(f"type: {etype!r} is not a GX expectation type") from None
    kwargs = entry.get("kwargs", {})
    if not isinstance(kwargs, dict):
        raise _EntryError("kwargs: expected an object")
    meta = entry.get("meta")
    if not isinstance(meta, dict):
        raise _EntryError("meta: expected an object with check, category, ledgers, table, ...")
    gx_severity = entry.get("severity", "critical")
    if gx_severity not in SEVERITIES:
        raise _EntryError(
            f"severity: {gx_severity!r} is not one of {', '.join(SEVERITIES)} (critical = error)"
        )
    mostly = kwargs.get("mostly")
    if mostly is not None and (
        isinstance(mostly, bool) or not isinstance(mostly, int | float) or not 0 < mostly <= 1
    ):
        raise _EntryError(f"kwargs.mostly: expected a fraction in (0, 1], got {mostly!r}")

    table = _meta_table(meta)
    if etype == ROWS_TYPE:
        fields = _rows_meta(meta, table, sql_folders)
        if "unexpected_rows_query" in kwargs:
            raise _EntryError(
                "kwargs.unexpected_rows_query: the query lives in the file named by meta.sql"
            )
        extra = sorted(set(kwargs) - {"mostly"})
        if extra:
            raise _EntryError(f"kwargs: unknown argument(s) {', '.join(extra)} (expected mostly)")
        gx_kwargs: dict[str, Any] = {"unexpected_rows_query": rows_query(fields["sql"])}
    else:
        fields = _builtin_meta(etype, kwargs, meta, table, entry.get("description"))
        gx_kwargs = dict(kwargs)
    try:
        expectation = impl(
            **gx_kwargs,
            meta=meta,
            severity=gx_severity,
            **{k: entry[k] for k in ("description", "notes") if k in entry},
        )
    except Exception as e:
        raise _EntryError(_gx_error(e)) from None
    return Rule(
        suite=suite,
        source=where,
        position=position,
        type=etype,
        check=fields["check"],
        category=fields["category"],
        severity=SEVERITIES[gx_severity],
        ledgers=fields["ledgers"],
        table=table,
        title=fields["title"],
        message=fields["message"],
        mostly=float(mostly) if mostly is not None else None,
        expectation=expectation,
        entry=entry,
        sql=fields.get("sql"),
        sql_path=fields.get("sql_path"),
        columns=fields.get("columns", ()),
        row_level=fields.get("row_level", True),
    )


def _gx_error(e: Exception) -> str:
    errors = getattr(e, "errors", None)
    if callable(errors):
        try:
            parts = [
                f"kwargs.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in errors()
            ]
            # pydantic lists each alternative type of a field; the first names the problem.
            return "; ".join(dict.fromkeys(parts[:1] + [p for p in parts if "extra" in p]))
        except (KeyError, TypeError):
            pass
    return str(e).splitlines()[0]


def _meta_table(meta: Mapping[str, Any]) -> str:
    table = meta.get("table")
    if not isinstance(table, str) or not table:
        raise _EntryError(
            "meta.table: expected the table the findings belong to "
            f"({', '.join(contract.TABLE_NAMES)})"
        )
    if table not in contract.TABLES_BY_NAME:
        raise _EntryError(
            f"meta.table: {table!r} is not a table of the submission "
            f"(expected one of {', '.join(contract.TABLE_NAMES)})"
        )
    return table


def _check_id(value: Any) -> str:
    if not isinstance(value, str) or not CHECK_ID.match(value):
        raise _EntryError(
            f"meta.check: expected a check id of lower-case letters, digits and '-', got {value!r}"
        )
    if value in LOADER_CHECKS:
        raise _EntryError(f"meta.check: {value!r} is a check id of the loader")
    return value


def _category(value: Any) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise _EntryError(
            f"meta.category: {value!r} is not one of {', '.join(c.value for c in Category)}"
        ) from None


def _ledgers(value: Any) -> tuple[str, ...]:
    names = [ledger.value for ledger in contract.Ledger]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in names for v in value)
    ):
        raise _EntryError(f"meta.ledgers: expected a non-empty list of {', '.join(names)}")
    return tuple(value)


def _texts(meta: Mapping[str, Any], key: str, default: Mapping[str, str] | None) -> dict[str, str]:
    value = meta.get(key)
    if value is None and default is not None:
        return dict(default)
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS
    ):
        raise _EntryError(f'meta.{key}: expected {{"zh": "...", "en": "..."}}, both non-empty')
    out = {lang: value[lang] for lang in LANGS}
    if key == "message":
        for lang in LANGS:
            try:
                template_fields(out[lang])
            except ValueError as e:
                raise _EntryError(f"meta.message.{lang}: not a valid template ({e})") from None
    return out


def _rows_meta(meta: Mapping[str, Any], table: str, sql_folders: Sequence[Path]) -> dict[str, Any]:
    for key in ("check", "category", "ledgers", "sql", "title", "message"):
        if key not in meta:
            raise _EntryError(f"meta.{key}: missing (a rows rule needs {key})")
    sql_name = meta["sql"]
    if not isinstance(sql_name, str) or not sql_name.endswith(".sql"):
        raise _EntryError(
            f"meta.sql: expected a path under sql/ such as checks/<id>.sql, got {sql_name!r}"
        )
    candidates = (
        [Path(sql_name)] if Path(sql_name).is_absolute() else [d / sql_name for d in sql_folders]
    )
    sql_path = next((p for p in candidates if p.is_file()), None)
    if sql_path is None:
        raise _EntryError(f"{display_path(candidates[0])} does not exist")
    try:
        sql = sql_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise _EntryError(f"{display_path(sql_path)}: cannot be read ({e})") from None
    if not sql.strip():
        raise _EntryError(f"{display_path(sql_path)}: the file is empty (expected one SELECT)")
    if "{batch}" in sql:
        raise _EntryError(
            f"{display_path(sql_path)}: contains {{batch}}; check SQL reads canonical tables "
            "by name (the engine binds GX's batch itself)"
        )
    return {
        "check": _check_id(meta["check"]),
        "category": _category(meta["category"]),
        "ledgers": _ledgers(meta["ledgers"]),
        "title": _texts(meta, "title", None),
        "message": _texts(meta, "message", None),
        "sql": sql,
        "sql_path": sql_path,
    }


def _builtin_columns(etype: str, kwargs: Mapping[str, Any], table: str) -> tuple[str, ...]:
    columns: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if isinstance(kwargs.get(key), str):
            columns.append(kwargs[key])
    if isinstance(kwargs.get("column_list"), list):
        columns.extend(c for c in kwargs["column_list"] if isinstance(c, str))
    known = contract.table(table).column_names
    for c in columns:
        if c not in known:
            raise _EntryError(f"kwargs: {table} has no column {c!r} (columns: {', '.join(known)})")
    return tuple(columns)


def _builtin_meta(
    etype: str,
    kwargs: Mapping[str, Any],
    meta: Mapping[str, Any],
    table: str,
    description: Any,
) -> dict[str, Any]:
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    impl = get_expectation_impl(etype)
    row_level = issubclass(
        impl, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation
    )
    columns = _builtin_columns(etype, kwargs, table)
    check = _check_id(meta["check"]) if "check" in meta else ".".join([table, etype, *columns[:1]])
    if etype in _DUPLICATE_TYPES:
        default_category = Category.DUPLICATE
    elif etype in _COMPLETENESS_TYPES:
        default_category = Category.COMPLETENESS
    else:
        default_category = Category.LOGIC
    category = _category(meta["category"]) if "category" in meta else default_category
    ledgers = (
        _ledgers(meta["ledgers"]) if "ledgers" in meta else (contract.table(table).ledger.value,)
    )
    described = f"{etype}({', '.join(columns)})" if columns else etype
    if isinstance(description, str) and description.strip():
        described = description.strip()
    title = _texts(meta, "title", {"zh": described, "en": described})
    default_message = _BUILTIN_MESSAGES.get(etype) or (
        _ROW_MESSAGE if row_level else _TABLE_MESSAGE
    )
    message = _texts(meta, "message", default_message)
    allowed = set(kwargs) | set(ROW_FIELDS if row_level else TABLE_FIELDS)
    if row_level:
        allowed |= set(index_columns(table)) | set(columns)
    for lang in LANGS:
        missing = sorted(template_fields(message[lang]) - allowed)
        if missing:
            raise _EntryError(
                f"meta.message.{lang}: {{{missing[0]}}} is not a field of this expectation's "
                f"findings (fields: {', '.join(sorted(allowed))})"
            )
    return {
        "check": check,
        "category": category,
        "ledgers": ledgers,
        "title": title,
        "message": message,
        "columns": columns,
        "row_level": row_level,
    }
