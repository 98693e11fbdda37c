"""Schema validation of the machine outputs: every JUnit and JSON report the tests write.

`junit-10.xsd` (tests/schemas/) is the JUnit schema Jenkins' xUnit plugin and
pytest's own tests use; the JSON report schema is the one the package ships.
conftest.py wraps both renderers so every document rendered in a test is
validated, and tests that run the command in a subprocess call these directly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"


@cache
def _junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


@cache
def _json_validator() -> jsonschema.Draft202012Validator:
    from audit.render.json import schema

    doc = schema()
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(
        doc, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@cache
def _county_validator() -> jsonschema.Draft202012Validator:
    """The county schema, its `$ref`s to report-1.json resolved to the shipped file (no network)."""
    from referencing import Registry, Resource

    from audit.render.county.json import schema as county_schema
    from audit.render.json import schema

    report, county = schema(), county_schema()
    jsonschema.Draft202012Validator.check_schema(county)
    registry = Registry().with_resource(report["$id"], Resource.from_contents(report))
    return jsonschema.Draft202012Validator(
        county, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def validate_county(doc: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Raise AssertionError unless the county JSON document is valid against its schema."""
    data: dict[str, Any] = json.loads(doc) if isinstance(doc, str | bytes) else doc
    errors = sorted(_county_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise AssertionError(f"county JSON is not valid against its schema: {shown}")
    return data


def validate_junit(text: str | bytes) -> None:
    """Raise AssertionError unless the document is valid JUnit (junit-10.xsd)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    doc = etree.fromstring(data)
    schema = _junit_schema()
    if not schema.validate(doc):
        raise AssertionError(f"JUnit output is not valid against junit-10.xsd: {schema.error_log}")


def validate_report(doc: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Raise AssertionError unless the JSON report is valid against the shipped schema."""
    data: dict[str, Any] = json.loads(doc) if isinstance(doc, str | bytes) else doc
    errors = sorted(_json_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise AssertionError(f"JSON report is not valid against its schema: {shown}")
    return data
