"""The `audit` command line: a thin typer layer.

It parses options, calls the app and the renderers, writes outputs
atomically and maps errors to exit codes. `AuditError` (bad input: exit 2) is
caught here, once; nothing below prints tracebacks to users. Heavy imports
(GX, polars, duckdb) happen inside the commands so `audit --help` is instant.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from audit.core.exitcodes import AuditError, ExitCode, FailOn
from audit.guard import (
    DEBUG_FLAG,
    InterruptibleProgress,
    check_interrupted,
    run_guarded,
    write_stdout,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Four-number consistency audit (四数一致) of a township's monthly ledgers.",
    pretty_exceptions_enable=False,
)
spotcheck_app = typer.Typer(
    no_args_is_help=True, help="Sampled field spot checks (统计数字质量抽查)."
)
app.add_typer(spotcheck_app, name="spotcheck")


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class RunFormat(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"
    markdown = "markdown"
    xlsx = "xlsx"
    html = "html"


class InspectFormat(StrEnum):
    table = "table"
    json = "json"


class SampleFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def _fail(message: str, code: ExitCode = ExitCode.UNUSABLE) -> None:
    typer.echo(f"audit: {message}", err=True)
    raise typer.Exit(int(code))


def _parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AuditError(f"{option}: expected a date YYYY-MM-DD, got {text!r}") from None


def _emit(data: str | bytes, output: Path | None) -> None:
    from audit.io.output import write_atomic

    check_interrupted()  # after Ctrl-C nothing is written
    if output is not None:
        write_atomic(output, data)
    else:
        write_stdout(data if isinstance(data, bytes) or data.endswith("\n") else data + "\n")


def _check_submission(path: Path, lang: Lang) -> None:
    """The submission folder exists: said at once, before the seconds of heavy imports."""
    from audit.core.messages import message

    if not path.exists():
        raise AuditError(message("error-not-found", lang.value, path=path))
    if not path.is_dir():
        raise AuditError(message("error-not-folder", lang.value, path=path))


def _period_option(period: str | None) -> str | None:
    from audit.core.period import normalise_period

    return None if period is None else normalise_period(period, "--period")


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` would land in `folder` (or below it), following links."""
    target = path.resolve().parent
    base = folder.resolve()
    return target == base or base in target.parents


@app.command()
def run(
    submission: Annotated[Path, typer.Argument(help="Submission folder: one township, one month.")],
    period: Annotated[str | None, typer.Option(help="Reporting period YYYY-MM.")] = None,
    window_start: Annotated[
        str | None, typer.Option(help="Start of the audit window (default 1 October).")
    ] = None,
    format: Annotated[RunFormat, typer.Option("--format", "-f")] = RunFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    fail_on: Annotated[FailOn, typer.Option(help="Lowest severity that fails.")] = FailOn.ERROR,
    lang: Annotated[Lang, typer.Option(help="Language of messages and labels.")] = Lang.zh,
    limit: Annotated[int, typer.Option(help="Records listed per group in reports.")] = 10,
    suites: Annotated[
        Path | None, typer.Option(help="Folder of suite files (default: expectations/).")
    ] = None,
) -> None:
    """Audit a submission and report every discrepancy."""
    try:
        # Arguments and paths first: a mistyped folder is said before the heavy imports.
        _check_submission(submission, lang)
        period = _period_option(period)
        start = _parse_date(window_start, "--window-start")
        if format in (RunFormat.xlsx, RunFormat.html) and output is None:
            raise AuditError(f"--format {format.value} writes a file: add --output PATH")
        if output is not None and _inside(output, submission):
            raise AuditError(
                f"--output {output}：审核从不写入提交文件夹 {submission}，请选择该文件夹以外的路径"
                if lang is Lang.zh
                else f"--output {output}: the audit never writes into the submission folder "
                f"{submission}; choose a path outside it"
            )
        from audit.app import run_audit
        from audit.core.exitcodes import exit_code_for
        from audit.io.gx_shim import quiet_exit
        from audit.render import progress_display, render

        quiet_exit()
        with progress_display(sys.stderr, lang.value) as progress:
            report = run_audit(
                submission,
                period=period,
                window_start=start,
                lang=lang.value,
                suites_dir=suites,
                progress=InterruptibleProgress(progress),
            )
        # Colour only for a terminal: a report saved with --output never holds escape codes.
        color = False if output is not None else None
        data = render(report, format.value, fail_on=fail_on, limit=limit, color=color)
        _emit(data, output)
        code = exit_code_for(report, fail_on)
    except AuditError as e:
        _fail(str(e), e.exit_code)
        return
    raise typer.Exit(int(code))


@app.command()
def inspect(
    submission: Annotated[Path, typer.Argument(help="Submission folder.")],
    format: Annotated[InspectFormat, typer.Option("--format", "-f")] = InspectFormat.table,
    lang: Annotated[Lang, typer.Option()] = Lang.zh,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Show what was read: files, formats, encodings, rows, column mapping, load findings."""
    try:
        import os

        _check_submission(submission, lang)
        from audit.io.loader import load_submission
        from audit.io.villages import read_villages
        from audit.render.inspect import render_inspect

        sub = load_submission(submission, lang=lang.value)
        try:
            villages = read_villages(submission, lang=lang.value)
            color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            text = render_inspect(
                sub, format.value, lang=lang.value, color=color, villages=villages
            )
            _emit(text, output)
        finally:
            sub.con.close()
    except AuditError as e:
        _fail(str(e), e.exit_code)


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the township into.")],
    villages: Annotated[int, typer.Option(min=1)] = 6,
    women_per_village: Annotated[int, typer.Option(min=1)] = 250,
    period: Annotated[str, typer.Option()] = "2026-10",
    seed: Annotated[int, typer.Option()] = 1,
    faults: Annotated[str, typer.Option(help="none, all, or a number of faults.")] = "none",
    format: Annotated[SampleFormat, typer.Option("--format", "-f")] = SampleFormat.csv,
) -> None:
    """Generate a realistic township submission (optionally with planted faults)."""
    try:
        from audit.sample.generator import generate

        summary = generate(
            out_dir,
            villages=villages,
            women_per_village=women_per_village,
            period=period,
            seed=seed,
            faults=faults,
            fmt=format.value,
        )
        typer.echo(summary, err=True)
    except AuditError as e:
        _fail(str(e), e.exit_code)


# --- spot checks (统计数字质量抽查) ------------------------------------------------------------


class Allocation(StrEnum):
    proportional = "proportional"
    neyman = "neyman"


class SpotcheckFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


@spotcheck_app.command("plan")
def spotcheck_plan(
    submission: Annotated[Path, typer.Argument(help="Submission folder: one township, one month.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Worksheet to write (.xlsx).")],
    households: Annotated[
        int | None, typer.Option(min=1, help="Sample size in central households.")
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(help="Half-width of the interval, e.g. 0.05 (default when no --households)."),
    ] = None,
    confidence: Annotated[float, typer.Option(help="Confidence level for --precision.")] = 0.95,
    expected_rate: Annotated[
        float, typer.Option(help="Expected error rate of women's records, for --precision.")
    ] = 0.10,
    design_effect: Annotated[
        float, typer.Option(help="Design effect of sampling households (clusters).")
    ] = 1.0,
    villages: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODES",
            help="Restrict to these villages (codes or last 3 digits, comma-separated).",
        ),
    ] = None,
    allocation: Annotated[Allocation, typer.Option()] = Allocation.proportional,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (chosen and shown if not given).")
    ] = None,
    period: Annotated[str | None, typer.Option(help="Reporting period YYYY-MM.")] = None,
    window_start: Annotated[
        str | None, typer.Option(help="Start of the window for births (default 1 October).")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of messages.")] = Lang.zh,
) -> None:
    """Draw a sample of central households and write the field worksheet."""
    try:
        from audit.spotcheck.messages import message

        _check_submission(submission, lang)
        # Not into the submission folder, nor any folder below it: it is never written.
        if _inside(output, submission):
            raise AuditError(message("output-in-submission", lang.value, path=output))
        period = _period_option(period)
        start = _parse_date(window_start, "--window-start")

        from audit.io.output import write_atomic
        from audit.spotcheck.plan import PlanRequest, make_plan, write_worksheet

        plan = make_plan(
            submission,
            PlanRequest(
                period=period,
                window_start=start,
                households=households,
                precision=precision,
                confidence=confidence,
                expected_rate=expected_rate,
                design_effect=design_effect,
                villages=list(villages or []),
                allocation=allocation.value,
                seed=seed,
                lang=lang.value,
            ),
        )
        worksheet = write_worksheet(plan)
        check_interrupted()
        write_atomic(output, worksheet)
        for note in plan.notes:
            typer.echo(note, err=True)
        typer.echo(
            message(
                "planned",
                lang.value,
                path=output,
                villages=len(plan.villages),
                households=len(plan.households),
                frame=sum(v.households_frame for v in plan.villages),
                women=len(plan.women),
                births=len(plan.births),
                seed=plan.seed,
            ),
            err=True,
        )
    except AuditError as e:
        _fail(str(e), e.exit_code)


@spotcheck_app.command("score")
def spotcheck_score(
    worksheet: Annotated[Path, typer.Argument(help="The completed worksheet (.xlsx).")],
    format: Annotated[SpotcheckFormat, typer.Option("--format", "-f")] = SpotcheckFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    lqas_upper: Annotated[
        float, typer.Option(help="Error rate at which a village must fail.")
    ] = 0.10,
    lqas_lower: Annotated[
        float, typer.Option(help="Error rate at which a village should pass.")
    ] = 0.02,
    lqas_alpha: Annotated[
        float, typer.Option(help="Producer's risk: failing a village at --lqas-lower.")
    ] = 0.05,
    lqas_beta: Annotated[
        float, typer.Option(help="Consumer's risk: passing a village at --lqas-upper.")
    ] = 0.10,
    confidence: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    lang: Annotated[Lang, typer.Option(help="Language of messages and labels.")] = Lang.zh,
) -> None:
    """Score a completed worksheet: under-reporting, error rates, verification factors, LQAS."""
    try:
        import os

        from audit.core.spotcheck import LqasSettings
        from audit.render.spotcheck import render
        from audit.spotcheck.score import score_worksheet

        if format is SpotcheckFormat.xlsx and output is None:
            raise AuditError("--format xlsx writes a file: add --output PATH")
        result = score_worksheet(
            worksheet,
            lqas=LqasSettings(lqas_upper, lqas_lower, lqas_alpha, lqas_beta),
            confidence=confidence,
            lang=lang.value,
        )
        color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        _emit(render(result, format.value, lang=lang.value, color=color), output)
    except AuditError as e:
        _fail(str(e), e.exit_code)


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option(DEBUG_FLAG, help="Show the traceback of an unexpected error.")
    ] = False,
) -> None:
    # --debug is read by main() wherever it stands on the command line; declared here for --help.
    del debug


def main() -> None:
    sys.exit(run_guarded(lambda args: app(args=args, prog_name="audit"), sys.argv[1:]))


if __name__ == "__main__":
    main()
