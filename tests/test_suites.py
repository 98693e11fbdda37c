"""The strict suite loader: every bad entry stops the audit with its file and position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from audit.core.exitcodes import AuditError, ExitCode
from audit.core.models import Category, Severity
from audit.io.sqlrun import SQL_DIR
from audit.io.suites import (
    SUITES_DIR,
    display_path,
    load_suites,
    rows_query,
    template_fields,
)

ROWS_SQL = "SELECT person_id AS record, village_code, name FROM women ORDER BY record\n"


def rows_entry(check: str = "my-check", **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": "unexpected_rows_expectation",
        "kwargs": {},
        "severity": "warning",
        "meta": {
            "check": check,
            "category": "logic",
            "ledgers": ["statistics"],
            "table": "women",
            "sql": f"checks/{check}.sql",
            "title": {"zh": "标题", "en": "Title"},
            "message": {"zh": "{name} 有误", "en": "{name} is wrong"},
        },
    }
    meta = changes.pop("meta", None)
    entry.update(changes)
    if meta is not None:
        entry["meta"] = {**entry["meta"], **meta}
    return entry


def write_suites(
    root: Path, entries: list[Any], *, sql: dict[str, str] | None = None, name: str = "mine"
) -> Path:
    """A suites folder with one suite file, and SQL files in the sibling sql/checks/."""
    folder = root / "suites"
    folder.mkdir(parents=True, exist_ok=True)
    checks = root / "sql" / "checks"
    checks.mkdir(parents=True, exist_ok=True)
    for stem, text in (sql if sql is not None else {"my-check": ROWS_SQL}).items():
        (checks / f"{stem}.sql").write_text(text, encoding="utf-8")
    (folder / f"{name}.json").write_text(
        json.dumps({"name": name, "meta": {}, "expectations": entries}), encoding="utf-8"
    )
    return folder


def load_error(folder: Path) -> str:
    with pytest.raises(AuditError) as caught:
        load_suites(folder)
    assert caught.value.exit_code is ExitCode.UNUSABLE
    return str(caught.value)


def where(folder: Path, position: int, check: str | None = "my-check", name: str = "mine") -> str:
    shown = f"{display_path(folder / f'{name}.json')}: expectations[{position}]"
    return shown + (f" (check {check!r})" if check else "")


# --- the shipped suites -------------------------------------------------------------------------


def shipped() -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SUITES_DIR.glob("*.json"))
    }


def test_shipped_suites_load_every_entry() -> None:
    suites = load_suites()
    files = shipped()
    assert [s.name for s in suites] == list(files)
    for suite in suites:
        entries = files[suite.name]["expectations"]
        assert len(suite.rules) == len(entries), suite.name
        for rule, entry in zip(suite.rules, entries, strict=True):
            assert rule.entry == entry
            assert rule.check == entry["meta"]["check"]
            assert rule.table == entry["meta"]["table"]
            if rule.is_rows:
                assert rule.sql_path == SQL_DIR / entry["meta"]["sql"]
                assert "{batch}" not in (rule.sql or "")


def test_shipped_suites_round_trip_through_gx() -> None:
    """GX's own ExpectationSuite keeps every shipped entry (it would drop unknown ones silently)."""
    from audit.io.gx_shim import apply

    gx = apply()
    suites = {s.name: s for s in load_suites()}
    for name, data in shipped().items():
        entries = data["expectations"]
        for rule in suites[name].rules:
            built = rule.expectation.configuration.to_json_dict()
            kwargs = dict(rule.entry.get("kwargs", {}))
            if rule.is_rows:
                kwargs.pop("mostly", None)
                kwargs["unexpected_rows_query"] = rows_query(rule.sql or "")
            assert built["type"] == rule.entry["type"]
            assert built["kwargs"] == kwargs
            assert built["meta"] == rule.entry["meta"]
            assert built["severity"] == rule.entry.get("severity", "critical")
        with_queries = [
            {**e, "kwargs": {**e["kwargs"], "unexpected_rows_query": "SELECT 1 FROM {batch}"}}
            if e["type"] == "unexpected_rows_expectation"
            else e
            for e in entries
        ]
        suite = gx.ExpectationSuite(name=name, expectations=with_queries)
        assert len(suite.expectations) == len(entries), name


def test_technical_suite_uses_builtin_expectations() -> None:
    technical = next(s for s in load_suites() if s.name == "technical")
    by_table = {(r.check, r.table): r for r in technical.rules}
    dup = by_table["dup-key", "procedures"]
    assert not dup.is_rows and dup.category is Category.DUPLICATE
    assert dup.severity is Severity.ERROR and dup.columns == ("procedure_id",)
    assert ("dup-key", "checkups") in by_table
    assert by_table["village-code", "procedures"].type == "expect_column_values_to_match_regex"


# --- rows_query and templates -------------------------------------------------------------------


def test_rows_query_binds_the_batch_and_escapes_braces() -> None:
    sql = "SELECT x AS record FROM t WHERE regexp_matches(x, '^[0-9]{17}')\n  ;  \n"
    query = rows_query(sql)
    assert query.format(batch="women") == (
        "WITH fourcheck_batch AS (SELECT * FROM women)\n"
        "SELECT * FROM (\nSELECT x AS record FROM t WHERE regexp_matches(x, '^[0-9]{17}')\n"
        ") AS unexpected"
    )
    # A trailing line comment cannot swallow the closing parenthesis.
    assert rows_query("SELECT 1 -- note").endswith("SELECT 1 -- note\n) AS unexpected")


def test_template_fields() -> None:
    assert template_fields("{a} {b.c} {d[0]:>{width}} {{literal}}") == {"a", "b", "d", "width"}
    with pytest.raises(ValueError, match="positional"):
        template_fields("{} is wrong")


# --- errors, each with file and position ----------------------------------------------------


def test_a_good_custom_suite_loads(tmp_path: Path) -> None:
    builtin = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "children", "min_value": 0, "max_value": 9, "mostly": 0.98},
        "meta": {"table": "women"},
    }
    folder = write_suites(tmp_path, [rows_entry(kwargs={"mostly": 0.5}), builtin])
    (suite,) = load_suites(folder)
    rows, between = suite.rules
    assert rows.mostly == 0.5 and rows.severity is Severity.WARNING
    assert rows.sql == ROWS_SQL and rows.sql_path == tmp_path / "sql" / "checks" / "my-check.sql"
    assert between.check == "women.expect_column_values_to_be_between.children"
    assert between.category is Category.LOGIC and between.severity is Severity.ERROR
    assert between.ledgers == ("statistics",) and between.mostly == 0.98
    assert between.expectation.mostly == 0.98  # GX applies it to built-in expectations


def test_unknown_expectation_type(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry(), rows_entry("other", type="expect_magic")])
    assert load_error(folder) == (
        f"{where(folder, 1, 'other')}: type: 'expect_magic' is not a GX expectation type"
    )


def test_bad_severity(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry(severity="error")])
    assert load_error(folder) == (
        f"{where(folder, 0)}: severity: 'error' is not one of critical, warning, info "
        "(critical = error)"
    )


def test_missing_sql_file(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry("age-range-x")], sql={})
    assert load_error(folder) == (
        f"{where(folder, 0, 'age-range-x')}: "
        f"{display_path(tmp_path / 'sql' / 'checks' / 'age-range-x.sql')} does not exist"
    )


def test_sql_falls_back_to_the_project_sql_folder(tmp_path: Path) -> None:
    entry = rows_entry(
        "id-format-copy", meta={"sql": "checks/id-format.sql", "message": {"zh": "x", "en": "x"}}
    )
    (suite,) = load_suites(write_suites(tmp_path, [entry], sql={}))
    assert suite.rules[0].sql_path == SQL_DIR / "checks" / "id-format.sql"


def test_sql_with_batch_placeholder(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry()], sql={"my-check": "SELECT * FROM {batch}"})
    assert load_error(folder).startswith(f"{where(folder, 0)}: ")
    assert "contains {batch}" in load_error(folder)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"category": "typo"}, "meta.category: 'typo' is not one of under_report, "),
        ({"ledgers": []}, "meta.ledgers: expected a non-empty list of statistics, supply, "),
        ({"ledgers": ["stats"]}, "meta.ledgers: expected a non-empty list of statistics, supply, "),
        ({"table": "woman"}, "meta.table: 'woman' is not a table of the submission"),
        ({"title": {"zh": "标题"}}, 'meta.title: expected {"zh": "...", "en": "..."}, both'),
        ({"message": "text"}, 'meta.message: expected {"zh": "...", "en": "..."}, both'),
        ({"message": {"zh": "{} 错", "en": "x"}}, "meta.message.zh: not a valid template"),
        ({"sql": 7}, "meta.sql: expected a path under sql/ such as checks/<id>.sql, got 7"),
    ],
)
def test_bad_meta(tmp_path: Path, meta: dict[str, Any], expected: str) -> None:
    folder = write_suites(tmp_path, [rows_entry(meta=meta)])
    assert load_error(folder).startswith(f"{where(folder, 0)}: {expected}")


def test_missing_meta_field_of_a_rows_rule(tmp_path: Path) -> None:
    entry = rows_entry()
    del entry["meta"]["category"]
    folder = write_suites(tmp_path, [entry])
    assert load_error(folder) == (
        f"{where(folder, 0)}: meta.category: missing (a rows rule needs category)"
    )


def test_bad_check_id(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry(meta={"check": "Age Range"})], sql={})
    message = load_error(folder)
    assert message.startswith(f"{where(folder, 0, 'Age Range')}: ")
    # the SQL file is looked up first, under the name meta.sql gives
    folder = write_suites(
        tmp_path, [rows_entry(meta={"check": "Age Range", "sql": "checks/my-check.sql"})]
    )
    assert load_error(folder) == (
        f"{where(folder, 0, 'Age Range')}: meta.check: expected a check id of lower-case "
        "letters, digits and '-', got 'Age Range'"
    )


def test_loader_check_ids_are_reserved(tmp_path: Path) -> None:
    entry = rows_entry(meta={"check": "table-missing", "sql": "checks/my-check.sql"})
    folder = write_suites(tmp_path, [entry])
    assert load_error(folder) == (
        f"{where(folder, 0, 'table-missing')}: meta.check: 'table-missing' is a check id "
        "of the loader"
    )


def test_one_check_id_one_category(tmp_path: Path) -> None:
    second = rows_entry(meta={"category": "duplicate"})
    folder = write_suites(tmp_path, [rows_entry(), second])
    assert load_error(folder) == (
        f"{where(folder, 1)}: check id 'my-check' has category duplicate here but logic in "
        f"{where(folder, 0)}"
    )


def test_rows_rule_kwargs(tmp_path: Path) -> None:
    folder = write_suites(tmp_path, [rows_entry(kwargs={"unexpected_rows_query": "SELECT 1"})])
    assert load_error(folder) == (
        f"{where(folder, 0)}: kwargs.unexpected_rows_query: the query lives in the file named "
        "by meta.sql"
    )
    folder = write_suites(tmp_path, [rows_entry(kwargs={"mostly": 1.5})])
    assert load_error(folder) == (
        f"{where(folder, 0)}: kwargs.mostly: expected a fraction in (0, 1], got 1.5"
    )


def test_builtin_errors(tmp_path: Path) -> None:
    def builtin(**kwargs: Any) -> dict[str, Any]:
        return {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": kwargs,
            "meta": {"table": "procedures"},
        }

    folder = write_suites(tmp_path, [builtin(column="procedure_day")], sql={})
    assert load_error(folder) == (
        f"{where(folder, 0, None)}: kwargs: procedures has no column 'procedure_day' "
        "(columns: procedure_id, person_id, procedure, procedure_date, postpartum, facility, "
        "village_code)"
    )
    folder = write_suites(tmp_path, [builtin()], sql={})
    assert load_error(folder) == f"{where(folder, 0, None)}: kwargs.column: field required"
    entry = builtin(column="procedure_date")
    entry["meta"]["message"] = {"zh": "{name} 缺日期", "en": "{name}: no date"}
    folder = write_suites(tmp_path, [entry], sql={})
    assert load_error(folder) == (
        f"{where(folder, 0, None)}: meta.message.zh: {{name}} is not a field of this "
        "expectation's findings (fields: column, person_id, procedure_date, procedure_id, "
        "record, table, title, value, village_code)"
    )
    folder = write_suites(tmp_path, [{**builtin(column="procedure_date"), "meta": {}}], sql={})
    assert load_error(folder).startswith(
        f"{where(folder, 0, None)}: meta.table: expected the table the findings belong to"
    )


def test_file_level_errors(tmp_path: Path) -> None:
    folder = tmp_path / "suites"
    folder.mkdir()
    (folder / "bad.json").write_text('{"name": "bad", "expectations": [', encoding="utf-8")
    assert load_error(folder).startswith(f"{display_path(folder / 'bad.json')}: not valid JSON")
    (folder / "bad.json").write_text('{"name": "bad", "expectation": []}', encoding="utf-8")
    assert load_error(folder) == (
        f"{display_path(folder / 'bad.json')}: unknown key(s) expectation "
        "(expected expectations, id, meta, name, notes)"
    )
    (folder / "bad.json").write_text('{"name": "bad", "expectations": [["x"]]}', encoding="utf-8")
    assert load_error(folder) == (
        f"{display_path(folder / 'bad.json')}: expectations[0]: expected an expectation object "
        "{type, kwargs, meta, ...}"
    )
    (folder / "bad.json").write_text(
        json.dumps({"name": "bad", "expectations": [{**rows_entry(), "sevrity": "info"}]}),
        encoding="utf-8",
    )
    assert load_error(folder).startswith(
        f"{display_path(folder / 'bad.json')}: expectations[0] (check 'my-check'): "
        "unknown key(s) sevrity"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_error(empty) == f"{display_path(empty)}: no suite files (*.json) in the folder"
