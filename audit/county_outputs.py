"""One county audit, many outputs: the county's reports planned and named like a township's.

Design decisions:

- The options mean what they mean for `audit run` (`audit.outputs`):
  `--format a,b,c --output-dir DIR`, or one `--output FILE` per format, each
  written atomically after the one audit; planned before the audit, so a
  wrong format or path stops in a second (exit 2), not after every township.
- Only the formats the county renders: `comment` (a pull-request comment of
  one township) has no county form.
- Under `--output-dir` the files are `fourcheck-county-<county>-<period>.<ext>`.
- With any file written, stdout stays empty and stderr gets one line: the
  county's verdict, its townships' counts and where each file went.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from audit.core.county import CountyReport
from audit.core.exitcodes import AuditError
from audit.outputs import EXTENSIONS, Outputs, plan_outputs

COUNTY_FORMATS = ("table", "json", "junit", "markdown", "xlsx", "html")

_LINE = {
    "zh": "audit：{word}（{audited} 个乡镇已审核，{passed} 个通过，{failed} 个不通过，"
    "{unusable} 个无法审核；跨乡镇问题 {cross} 条）→ {files}",
    "en": "audit: {word} ({audited} townships audited, {passed} pass, {failed} fail, "
    "{unusable} could not be audited; {cross} findings across townships) → {files}",
}
_WORDS = {"zh": ("通过", "未通过"), "en": ("PASS", "FAIL")}


def plan_county_outputs(
    format_values: Sequence[str] | None,
    output: Sequence[Path] | None,
    output_dir: Path | None,
    county_dir: Path,
    lang: str,
) -> Outputs:
    plan = plan_outputs(format_values, output, output_dir, county_dir, lang)
    for fmt in [plan.stdout_format, *(f for f, _ in plan.files)]:
        if fmt not in COUNTY_FORMATS:
            raise AuditError(
                f"--format {fmt}: not a county report (expected one of {', '.join(COUNTY_FORMATS)})"
            )
    return plan


def file_name(county: CountyReport, fmt: str) -> str:
    return f"fourcheck-county-{county.county_code or 'county'}-{county.period}.{EXTENSIONS[fmt]}"


def settle_county(outputs: Outputs, county: CountyReport) -> list[tuple[str, Path]]:
    """The (format, file) pairs of the run, file names under --output-dir now known."""
    if not outputs.pending_dir:
        return list(outputs.files)
    return [(fmt, folder / file_name(county, fmt)) for fmt, folder in outputs.files]


def county_verdict_line(county: CountyReport, failed: bool, files: Sequence[Path]) -> str:
    language = "en" if county.lang == "en" else "zh"
    s = county.summary()
    return _LINE[language].format(
        word=_WORDS[language][failed],
        audited=s["audited"],
        passed=s["passed"],
        failed=s["failed"] - s["unusable"],
        unusable=s["unusable"],
        cross=s["county_findings"],
        files=("、" if language == "zh" else ", ").join(str(p) for p in files),
    )
