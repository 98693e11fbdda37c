"""Renderers: one `AuditReport` in, one document out; and the progress display of a run.

`render()` dispatches by format name to `audit.render.<format>`, imported
lazily so a JSON run never pays for rich or xlsxwriter. Each format module
exposes `render(report, *, fail_on, limit, **options) -> str | bytes` and reads
the report only; none recomputes a figure. A format may also expose
`chunks(report, *, fail_on)`, the same text in pieces (`render_chunks`): JSON
does, so a report of millions of findings is written, to a file or to stdout,
without ever being one string in memory (XLSX, whose workbook lists every
finding, keeps only the row being written). Options a format does not know
(e.g. `color`, which only the terminal table uses) are not passed to it.

`progress_display()` draws the engine's progress (load, checks, figures) with
rich on stderr, and only when stderr is a terminal: a pipe, a log file or a
CI job gets nothing, and the bar is removed when the run ends so the report
starts on a clean screen.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import IO, Any

from audit.core.exitcodes import AuditError, FailOn
from audit.core.models import AuditReport

FORMATS = ("table", "json", "junit", "markdown", "comment", "xlsx", "html")
TERMINAL_FORMATS = ("table", "markdown", "comment")

_STAGES = {
    "zh": {"load": "读取提交文件", "checks": "审核", "overview": "汇总指标"},
    "en": {"load": "Loading the submission", "checks": "Checks", "overview": "Figures"},
}


def _module(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise AuditError(f"--format: unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return importlib.import_module(f"audit.render.{fmt}")


def render(
    report: AuditReport,
    fmt: str,
    *,
    fail_on: FailOn | str = FailOn.ERROR,
    limit: int = 10,
    color: bool | None = None,
) -> str | bytes:
    """`color`: terminal colours for `table` (None: decide from stdout and NO_COLOR)."""
    options: dict[str, Any] = {"color": color} if fmt == "table" else {}
    if fmt in TERMINAL_FORMATS:  # read on a terminal: no control character from a cell
        from audit.render.safe import terminal_safe

        report = terminal_safe(report)
    out: str | bytes = _module(fmt).render(report, fail_on=FailOn(fail_on), limit=limit, **options)
    return out


def render_chunks(
    report: AuditReport,
    fmt: str,
    *,
    fail_on: FailOn | str = FailOn.ERROR,
    limit: int = 10,
    color: bool | None = None,
) -> Iterable[str | bytes]:
    """`render` as pieces to write one after the other: a format that can stream (JSON, whose
    findings are written one at a time) is never one string in memory; the others are one piece.
    """
    module = _module(fmt)
    if fmt not in TERMINAL_FORMATS and hasattr(module, "chunks"):
        streamed: Iterable[str | bytes] = module.chunks(report, fail_on=FailOn(fail_on))
        return streamed
    return [render(report, fmt, fail_on=fail_on, limit=limit, color=color)]


class RichProgress:
    """The engine's `Progress` drawn as rich progress bars, one per stage."""

    def __init__(self, progress: Any, lang: str) -> None:
        self._progress = progress
        self._labels = _STAGES.get(lang, _STAGES["zh"])
        self._tasks: dict[str, tuple[Any, int]] = {}  # stage -> (rich task id, total)

    def stage(self, name: str, total: int | None) -> None:
        for task, size in self._tasks.values():  # a new stage: the earlier ones are done
            self._progress.update(task, total=size, completed=size)
        size = total if total is not None else 1
        # total=None draws a pulsing bar for a stage whose length is unknown (loading).
        task = self._progress.add_task(self._labels.get(name, name), total=total)
        self._tasks[name] = (task, size)

    def advance(self, name: str, description: str | None = None) -> None:
        if name not in self._tasks:
            return
        task, size = self._tasks[name]
        label = self._labels.get(name, name)
        shown = f"{label} · {description}" if description else label
        self._progress.update(task, total=size, advance=1, description=shown)


@contextmanager
def progress_display(stream: IO[str], lang: str = "zh") -> Iterator[RichProgress | None]:
    """A rich progress display on `stream` when it is a terminal; None otherwise."""
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(file=stream)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield RichProgress(progress, lang)
