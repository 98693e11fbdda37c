"""County renderers: one `CountyReport` in, one document out (table, JSON, Markdown, JUnit...).

Each format module exposes `render(county, *, limit, **options)`; they read
the county report only and reuse the single-township renderers' pieces (the
JSON document of one township, labels) so a township's part of a county
report reads exactly like its own report.
"""

from __future__ import annotations

import importlib
from typing import Any

from audit.core.county import CountyReport
from audit.core.exitcodes import AuditError

FORMATS = ("table", "json", "junit", "markdown", "xlsx", "html")


def render_county(
    county: CountyReport, fmt: str, *, limit: int = 10, color: bool | None = None
) -> str | bytes:
    if fmt not in FORMATS:
        raise AuditError(f"--format: unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    module = importlib.import_module(f"audit.render.county.{fmt}")
    options: dict[str, Any] = {"color": color} if fmt == "table" else {}
    out: str | bytes = module.render(county, limit=limit, **options)
    return out
