"""One audit, many outputs: which report goes where, and the one line that says so.

Design decisions:

- Every output of a run is planned from the options *before* the audit runs,
  so a wrong format or an impossible path stops in a second (exit 2), not
  after a county-sized audit.
- `--format` takes one or more formats (comma-separated or repeated).
  `--output-dir DIR` writes each into DIR as
  `fourcheck-<township>-<period>.<ext>` (the township comes from the audit,
  so names are settled after it). `--output FILE` may be repeated: each takes
  the next `--format`, or, when no format is given, the one its extension
  names. One `--output` and no `--format` with an unknown extension keeps the
  old behaviour: the terminal report, as text.
- The audit runs once; each format is rendered once from the one
  `AuditReport`, and each file written atomically (`audit.io.output`).
- With any file written, stdout stays empty and stderr gets ONE line: the
  verdict, the counts, skipped rules and where each file went — so a person
  can tell "the audit found errors" (exit 1) from "the command failed" (exit 2).
- The audit never writes into the submission folder. A folder that does not
  exist or cannot be written is refused before the audit runs (and again,
  with the system's reason, when the file is written).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from audit.core.exitcodes import AuditError, FailOn
from audit.core.models import AuditReport
from audit.io.selection import split_names

FORMATS = ("table", "json", "junit", "markdown", "comment", "xlsx", "html")
EXTENSIONS = {
    "table": "txt",
    "json": "json",
    "junit": "xml",
    "markdown": "md",
    "comment": "comment.md",  # --output-dir: report.comment.md beside report.md
    "xlsx": "xlsx",
    "html": "html",
}
BY_SUFFIX = {f".{ext}": fmt for fmt, ext in EXTENSIONS.items()} | {".htm": "html"}
FILE_ONLY = ("xlsx", "html")

_LINE = {
    "zh": "audit：{word}（{counts}{skipped}）→ {files}",
    "en": "audit: {word} ({counts}{skipped}) → {files}",
}
_SKIPPED = {"zh": "；跳过 {n} 条规则", "en": "; {n} rules skipped"}
_WORDS = {"zh": ("通过", "未通过"), "en": ("PASS", "FAIL")}
_COUNTS = {"zh": "错误 {e}，警告 {w}，提示 {i}", "en": "{e} errors, {w} warnings, {i} info"}


@dataclass
class Outputs:
    """Where a run's reports go: the terminal (one format) or files."""

    stdout_format: str = "table"
    files: list[tuple[str, Path]] = field(default_factory=list)  # (format, path)
    output_dir: Path | None = None
    pending_dir: bool = False  # file names wait for the township and period

    def prepare(self) -> None:
        """Create --output-dir when missing (the only folder the audit creates)."""
        if self.output_dir is not None and not self.output_dir.is_dir():
            try:
                self.output_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise AuditError(
                    f"--output-dir {self.output_dir}: cannot create the folder "
                    f"({e.strerror or type(e).__name__})"
                ) from None


def _formats(values: Sequence[str] | None) -> list[str]:
    formats = list(split_names(values))
    for fmt in formats:
        if fmt not in FORMATS:
            raise AuditError(
                f"--format: unknown format {fmt!r} (expected one of {', '.join(FORMATS)})"
            )
    return formats


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` would land in `folder` (or below it), following links."""
    target = path.resolve().parent
    base = folder.resolve()
    return target == base or base in target.parents


def _not_in_submission(path: Path, submission: Path, lang: str, option: str) -> None:
    if _inside(path, submission) or (
        option == "--output-dir" and path.resolve() == submission.resolve()
    ):
        raise AuditError(
            f"{option} {path}：审核从不写入提交文件夹 {submission}，请选择该文件夹以外的路径"
            if lang == "zh"
            else f"{option} {path}: the audit never writes into the submission folder "
            f"{submission}; choose a path outside it"
        )


def _writable_folder(path: Path, option: str) -> None:
    """The folder a file goes into exists and can be written (checked again when writing)."""
    from audit.io.output import resolve_target

    folder = resolve_target(path).parent
    if not folder.is_dir():
        raise AuditError(
            f"{option} {path}: cannot write the output, folder {folder} does not exist"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AuditError(
            f"{option} {path}: cannot write the output into folder {folder} (permission denied)"
        )


def plan_outputs(
    format_values: Sequence[str] | None,
    output: Sequence[Path] | None,
    output_dir: Path | None,
    submission: Path,
    lang: str,
) -> Outputs:
    formats = _formats(format_values)
    paths = list(output or [])
    if output_dir is not None and paths:
        raise AuditError("--output and --output-dir: use one or the other")
    if output_dir is not None:
        if not formats:
            raise AuditError(
                "--output-dir: name the formats to write, e.g. --format html,xlsx,json"
            )
        if output_dir.exists() and not output_dir.is_dir():
            raise AuditError(f"--output-dir {output_dir}: not a folder")
        _not_in_submission(output_dir / "x", submission, lang, "--output-dir")
        if output_dir.is_dir():
            _writable_folder(output_dir / "x", "--output-dir")
        return Outputs(
            files=[(fmt, output_dir) for fmt in formats], output_dir=output_dir, pending_dir=True
        )
    if not paths:
        if len(formats) > 1:
            raise AuditError(
                "--format: several formats need --output-dir DIR, or one --output FILE each"
            )
        fmt = formats[0] if formats else "table"
        if fmt in FILE_ONLY:
            raise AuditError(f"--format {fmt} writes a file: add --output PATH")
        return Outputs(stdout_format=fmt)
    if formats and len(formats) != len(paths):
        raise AuditError(
            f"--format names {len(formats)} format(s) for {len(paths)} --output file(s); "
            "give one format per file, or none to take each file's extension"
        )
    files: list[tuple[str, Path]] = []
    for i, path in enumerate(paths):
        if formats:
            fmt = formats[i]
        elif path.suffix.lower() in BY_SUFFIX:
            fmt = BY_SUFFIX[path.suffix.lower()]
        elif len(paths) == 1:
            fmt = "table"
        else:
            raise AuditError(
                f"--output {path}: cannot tell the format from the extension; "
                f"use {', '.join(sorted(BY_SUFFIX))} or give --format"
            )
        _not_in_submission(path, submission, lang, "--output")
        _writable_folder(path, "--output")
        files.append((fmt, path))
    resolved = [p.resolve() for _, p in files]
    if len(set(resolved)) != len(resolved):
        raise AuditError("--output: the same file is named twice")
    return Outputs(files=files)


def file_name(report: AuditReport, fmt: str) -> str:
    return f"fourcheck-{report.township_code or 'township'}-{report.period}.{EXTENSIONS[fmt]}"


def settle(outputs: Outputs, report: AuditReport) -> list[tuple[str, Path]]:
    """The (format, file) pairs of the run, file names under --output-dir now known."""
    if not outputs.pending_dir:
        return list(outputs.files)
    return [(fmt, folder / file_name(report, fmt)) for fmt, folder in outputs.files]


def verdict_line(report: AuditReport, gate: FailOn, files: Sequence[Path]) -> str:
    """The one line on stderr after reports went to files."""
    from audit.core.exitcodes import ExitCode, exit_code_for
    from audit.core.models import Severity

    language = "en" if report.lang == "en" else "zh"
    failed = exit_code_for(report, gate) is ExitCode.FINDINGS
    skipped = sum(1 for c in report.checks if not c.evaluated)
    counts = _COUNTS[language].format(
        e=report.count(Severity.ERROR),
        w=report.count(Severity.WARNING),
        i=report.count(Severity.INFO),
    )
    return _LINE[language].format(
        word=_WORDS[language][failed],
        counts=counts,
        skipped=_SKIPPED[language].format(n=skipped) if skipped else "",
        files=("、" if language == "zh" else ", ").join(str(p) for p in files),
    )
