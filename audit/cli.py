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
from typing import Annotated, Any

import typer

from audit.core.exitcodes import AuditError, ExitCode, FailOn
from audit.guard import (
    DEBUG_FLAG,
    InterruptibleProgress,
    check_interrupted,
    exit_process,
    run_guarded,
    write_stdout_pieces,
)

# Plain help (rich_markup_mode=None): every option with its own metavar and description, no
# type placeholders such as <bool>, and it reads the same in any terminal or pasted into a ticket.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Four-number consistency audit (四数一致) of a township's monthly ledgers.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
spotcheck_app = typer.Typer(
    no_args_is_help=True,
    help="Sampled field spot checks (统计数字质量抽查).",
    rich_markup_mode=None,
)
app.add_typer(spotcheck_app, name="spotcheck")
suites_app = typer.Typer(
    no_args_is_help=True,
    help="The rule suites: take them to your own Great Expectations tooling.",
    rich_markup_mode=None,
)
app.add_typer(suites_app, name="suites")


def _version(value: bool) -> None:
    if value:
        from audit import __version__

        typer.echo(f"fourcheck {__version__}")
        raise typer.Exit()


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


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
        write_stdout_pieces([data])


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


RUN_HELP = """Audit a submission and report every discrepancy.

\b
One audit, any number of reports: --format html,xlsx,json --output-dir DIR
writes each format once, from the same audit; so does one --output per format.
With any file written, one line on stderr gives the verdict, the counts and
where each file went.

\b
Defaults a county sets once go in fourcheck.toml in the working folder (or
--config PATH): lang, fail-on, window-start, suites, limit, select, exclude,
history. Options given here win.

\b
Exit status:
  0  no finding reaches --fail-on
  1  some finding reaches --fail-on (the audit ran; fix the records)
  2  the audit could not run: unreadable submission, bad option or
     configuration, broken suite file, an output that cannot be written,
     an unexpected error (--debug shows its traceback)
  130  stopped by Ctrl-C (nothing is written)
"""


def _engine_options(
    engine: Engine | None,
    master: str | None,
    conf: list[str] | None,
    memory: str | None,
    settings: Any,
) -> Any:
    """The engine and its settings: the command line, then the config file."""
    from audit.io.backends import EngineOptions, parse_conf, parse_memory

    chosen = Engine(engine or settings.engine or Engine.duckdb)
    master = master or settings.spark_master
    pairs = (*settings.spark_conf, *parse_conf(conf or []))  # the command line wins
    if chosen is Engine.duckdb and (master or conf):
        raise AuditError("--spark-master and --spark-conf need --engine spark")
    limit = parse_memory(memory) if memory is not None else settings.memory_limit
    if chosen is Engine.spark and memory is not None:
        raise AuditError(
            "--memory-limit is for the DuckDB engine; on Spark set the driver's and executors' "
            "memory with --spark-conf spark.driver.memory=8g (and spark.executor.memory)"
        )
    return EngineOptions(
        chosen.value,
        master,
        pairs if chosen is Engine.spark else (),
        memory_limit=limit if chosen is Engine.duckdb else None,
    )


# Options `audit run` and `audit county` share, declared once.
PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="YYYY-MM",
        help="Reporting period (default: manifest.json, then the latest period of stat_reports).",
    ),
]
WindowStartOpt = Annotated[
    str | None,
    typer.Option(
        "--window-start",
        metavar="YYYY-MM-DD",
        help="Start of the audit window (default 1 October).",
    ),
]
FormatOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT[,FORMAT...]",
        help="table, json, junit, markdown, xlsx or html; several separated by commas or by"
        " repeating the option. Default: table, or what each --output's extension names.",
    ),
]
OutputOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to FILE (atomically) instead of the terminal. Repeat for"
        " several formats: each takes the next --format, else its extension (.txt .json"
        " .xml .md .xlsx .html). A symbolic link is written through to its target.",
    ),
]
OutputDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-dir",
        metavar="DIR",
        help="Write one file per --format into DIR (created if missing), named"
        " fourcheck-<township>-<period> (a county: fourcheck-county-<county>-<period>)"
        " with .txt, .json, .xml, .md, .xlsx or .html.",
    ),
]
FailOnOpt = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        metavar="error|warning|new-error|new-warning|never",
        help="Lowest severity that fails the audit (exit 1); new-error and new-warning count"
        " only findings new or reopened since the previous audited period. Default: error.",
    ),
]
LangOpt = Annotated[
    Lang | None,
    typer.Option("--lang", metavar="zh|en", help="Language of messages and labels. Default: zh."),
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=0,
        metavar="N",
        help="Records listed per group in reports people read (JSON and JUnit list all)."
        " Default: 10.",
    ),
]
SuitesOpt = Annotated[
    Path | None,
    typer.Option(
        "--suites", metavar="DIR", help="Folder of suite files (default: the shipped suites)."
    ),
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="ID|CATEGORY[,...]",
        help="Run only these rules: check ids or categories (repeat or separate by commas).",
    ),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="ID|CATEGORY[,...]",
        help="Do not run these rules: check ids or categories.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file (default: fourcheck.toml in the working folder, if any).",
    ),
]
HistoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--history",
        metavar="FILE",
        help="History file (default: $XDG_DATA_HOME/fourcheck/history.duckdb).",
        show_default=False,
    ),
]
NoHistoryOpt = Annotated[
    bool, typer.Option("--no-history", help="Record nothing; no status since last month.")
]
HistoryWaitOpt = Annotated[
    float,
    typer.Option(
        "--history-wait",
        metavar="SECONDS",
        help="Seconds to wait for a history file in use by another audit.",
    ),
]
AcceptancesOpt = Annotated[
    Path | None,
    typer.Option(
        "--acceptances",
        metavar="FILE",
        help="Accepted exceptions (default: accepted.csv beside the submission).",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        metavar="N",
        help="County folders: townships audited at once (default: the cores, at most 4;"
        " on Spark one after another, each spread over Spark's cores).",
    ),
]
EngineOpt = Annotated[
    Engine | None,
    typer.Option(
        metavar="duckdb|spark",
        help="Where the checks run. Default: duckdb. spark needs pip install 'fourcheck[spark]'.",
    ),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="Spark master: local[N], spark://..., yarn, or sc://... for Spark Connect"
        " (default: SPARK_REMOTE if set, else local[*]).",
    ),
]
SparkConfOpt = Annotated[
    list[str] | None,
    typer.Option(metavar="KEY=VALUE", help="A Spark setting (repeat for several)."),
]
MemoryLimitOpt = Annotated[
    str | None,
    typer.Option(
        metavar="SIZE",
        help="DuckDB: memory the submission's data may take before it spills to a temporary"
        " folder, e.g. 4GB (default: a sixth of this machine's memory; per township with"
        " --jobs).",
    ),
]


@app.command(help=RUN_HELP)
def run(
    submission: Annotated[
        Path,
        typer.Argument(
            help="Submission folder: one township, one month (or a county folder: one"
            " sub-folder per township, see audit county).",
            metavar="SUBMISSION",
        ),
    ],
    period: PeriodOpt = None,
    window_start: WindowStartOpt = None,
    format: FormatOpt = None,
    output: OutputOpt = None,
    output_dir: OutputDirOpt = None,
    fail_on: FailOnOpt = None,
    lang: LangOpt = None,
    limit: LimitOpt = None,
    suites: SuitesOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    config: ConfigOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
    history_wait: HistoryWaitOpt = 30.0,
    acceptances: AcceptancesOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    memory_limit: MemoryLimitOpt = None,
    jobs: JobsOpt = None,
) -> None:
    from audit.county import is_county_folder

    if is_county_folder(submission):  # one folder per township: the county audit
        _county(
            submission, period, window_start, format, output, output_dir, fail_on, lang,
            limit, suites, select, exclude, config, history, no_history, history_wait,
            acceptances, jobs, engine, spark_master, spark_conf, memory_limit,
        )  # fmt: skip
        return
    try:
        from audit.core.exitcodes import exit_code_for
        from audit.io.config import load_config, pick
        from audit.io.gx_shim import quiet_exit
        from audit.io.history import default_path
        from audit.io.output import write_all
        from audit.monthly import run_monthly
        from audit.outputs import plan_outputs, settle, verdict_line
        from audit.render import progress_display, render_chunks

        settings = load_config(config)
        gate = FailOn(pick(fail_on, settings.fail_on, FailOn.ERROR))
        language = Lang(pick(lang, settings.lang, Lang.zh))
        # Arguments and paths first: a mistyped folder is said before the heavy imports.
        _check_submission(submission, language)
        period = _period_option(period)
        start = _parse_date(pick(window_start, settings.window_start, None), "--window-start")
        listed = int(pick(limit, settings.limit, 10))
        suites_dir = pick(suites, settings.suites, None)
        outputs = plan_outputs(format, output, output_dir, submission, language.value)
        options = _engine_options(engine, spark_master, spark_conf, memory_limit, settings)
        quiet_exit()
        with progress_display(sys.stderr, language.value) as progress:
            report = run_monthly(
                submission,
                history=None if no_history else (history or settings.history or default_path()),
                acceptances=acceptances,
                history_wait=history_wait,
                period=period,
                window_start=start,
                lang=language.value,
                suites_dir=suites_dir,
                progress=InterruptibleProgress(progress),
                select=pick(select, settings.select, ()),
                exclude=pick(exclude, settings.exclude, ()),
                engine=options,
            )
        code = exit_code_for(report, gate)
        if not outputs.files:
            # The terminal: colour decided by the renderer (a terminal, NO_COLOR); JSON in
            # pieces, its findings rendered as they are written.
            write_stdout_pieces(
                render_chunks(report, outputs.stdout_format, fail_on=gate, limit=listed)
            )
        else:
            # Colour only for a terminal: a report saved to a file never holds escape codes.
            files = settle(outputs, report)
            rendered = [  # JSON in pieces, its findings rendered as they are written
                (path, render_chunks(report, fmt, fail_on=gate, limit=listed, color=False))
                for fmt, path in files
            ]
            check_interrupted()  # after Ctrl-C nothing is written
            outputs.prepare()
            write_all(rendered)
            typer.echo(verdict_line(report, gate, [p for _, p in files]), err=True)
    except AuditError as e:
        _fail(str(e), e.exit_code)
        return
    raise typer.Exit(int(code))


def _township_done(entry: object, done: int, total: int) -> None:
    """A county run's progress on a terminal: one line per township audited."""
    label = getattr(entry, "label", "")
    failure = getattr(entry, "failure", None)
    typer.echo(f"audit: [{done}/{total}] {label}" + (f": {failure}" if failure else ""), err=True)


COUNTY_HELP = """Audit every township of a county in one run, then the checks across townships.

\b
COUNTY_DIR holds one submission folder per township and optionally
county.json (county code, name, period, the townships expected), the
county's own stat_reports and accepted.csv. audit run COUNTY_DIR does the
same. Each township is audited as audit run audits its folder and recorded
in the history as that run would be; the options mean what they mean there.

\b
Exit status:
  0  every township passes --fail-on, and so does the county's own part
  1  a township fails or could not be audited, or a finding sent to the
     county office reaches --fail-on
  2  the county folder cannot be audited (no township folders, an invalid
     county.json, a bad option, a broken suite, an output that cannot be
     written)
  130  stopped by Ctrl-C (nothing is written)
"""


@app.command(help=COUNTY_HELP)
def county(
    county_dir: Annotated[
        Path,
        typer.Argument(
            help="County folder: one sub-folder per township, county.json.", metavar="COUNTY_DIR"
        ),
    ],
    period: PeriodOpt = None,
    window_start: WindowStartOpt = None,
    format: FormatOpt = None,
    output: OutputOpt = None,
    output_dir: OutputDirOpt = None,
    fail_on: FailOnOpt = None,
    lang: LangOpt = None,
    limit: LimitOpt = None,
    suites: SuitesOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    config: ConfigOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
    history_wait: HistoryWaitOpt = 30.0,
    acceptances: AcceptancesOpt = None,
    jobs: JobsOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    memory_limit: MemoryLimitOpt = None,
) -> None:
    _county(
        county_dir, period, window_start, format, output, output_dir, fail_on, lang, limit,
        suites, select, exclude, config, history, no_history, history_wait, acceptances, jobs,
        engine, spark_master, spark_conf, memory_limit,
    )  # fmt: skip


def _county(
    county_dir: Path,
    period: str | None,
    window_start: str | None,
    formats: list[str] | None,
    outputs: list[Path] | None,
    output_dir: Path | None,
    fail_on: FailOn | None,
    lang: Lang | None,
    limit: int | None,
    suites: Path | None,
    select: list[str] | None,
    exclude: list[str] | None,
    config: Path | None,
    history: Path | None,
    no_history: bool,
    history_wait: float,
    acceptances: Path | None,
    jobs: int | None,
    engine: Engine | None,
    spark_master: str | None,
    spark_conf: list[str] | None,
    memory_limit: str | None,
) -> None:
    """`audit county` and `audit run COUNTY_DIR`: one county audit, any number of reports."""
    try:
        from audit.core.exitcodes import ExitCode, county_exit_code
        from audit.county import run_county
        from audit.county_outputs import county_verdict_line, plan_county_outputs, settle_county
        from audit.io.config import load_config, pick
        from audit.io.gx_shim import quiet_exit
        from audit.io.history import default_path
        from audit.io.output import write_all
        from audit.render.county import render_county

        settings = load_config(config)
        gate = FailOn(pick(fail_on, settings.fail_on, FailOn.ERROR))
        language = Lang(pick(lang, settings.lang, Lang.zh))
        _check_submission(county_dir, language)
        period = _period_option(period)
        start = _parse_date(pick(window_start, settings.window_start, None), "--window-start")
        listed = int(pick(limit, settings.limit, 10))
        plan = plan_county_outputs(formats, outputs, output_dir, county_dir, language.value)
        options = _engine_options(engine, spark_master, spark_conf, memory_limit, settings)
        quiet_exit()
        report = run_county(
            county_dir,
            period=period,
            window_start=start,
            lang=language.value,
            suites_dir=pick(suites, settings.suites, None),
            fail_on=gate,
            jobs=jobs,
            on_township=_township_done if sys.stderr.isatty() else None,
            select=pick(select, settings.select, ()),
            exclude=pick(exclude, settings.exclude, ()),
            history=None if no_history else (history or settings.history or default_path()),
            history_wait=history_wait,
            acceptances=acceptances,
            engine=options,
        )
        code = county_exit_code(report)
        if not plan.files:
            _emit(render_county(report, plan.stdout_format, limit=listed), None)
        else:
            files = settle_county(plan, report)
            rendered = [
                (path, render_county(report, fmt, limit=listed, color=False)) for fmt, path in files
            ]
            check_interrupted()  # after Ctrl-C nothing is written
            plan.prepare()
            write_all(rendered)
            failed = code is ExitCode.FINDINGS
            typer.echo(county_verdict_line(report, failed, [p for _, p in files]), err=True)
    except AuditError as e:
        _fail(str(e), e.exit_code)
        return
    raise typer.Exit(int(code))


@app.command()
def inspect(
    submission: Annotated[Path, typer.Argument(help="Submission folder.")],
    format: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="table or json.")
    ] = InspectFormat.table,
    lang: Annotated[Lang, typer.Option(help="Language of messages and labels.")] = Lang.zh,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
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
    villages: Annotated[int, typer.Option(min=1, metavar="N", help="Villages.")] = 6,
    women_per_village: Annotated[
        int, typer.Option(min=1, metavar="N", help="Women on each village's register.")
    ] = 250,
    period: Annotated[
        str, typer.Option(metavar="YYYY-MM", help="Reporting period of the submission.")
    ] = "2026-10",
    seed: Annotated[int, typer.Option(metavar="S", help="Random seed (same seed, same data).")] = 1,
    faults: Annotated[
        str, typer.Option(metavar="none|all|N", help="none, all, or a number of faults.")
    ] = "none",
    format: Annotated[
        SampleFormat, typer.Option("--format", "-f", help="File format of the tables.")
    ] = SampleFormat.csv,
    months: Annotated[
        str | None,
        typer.Option(
            metavar="FIRST:LAST",
            help="Consecutive months of one township, one folder each (e.g. 2026-07:2026-09).",
        ),
    ] = None,
    drift: Annotated[
        bool, typer.Option(help="With --months: plant a drift in the last month's report.")
    ] = True,
    townships: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Write a county of N townships (county.json too)."),
    ] = None,
) -> None:
    """Generate a realistic township submission, or a county (optionally with planted faults)."""
    try:
        period = _period_option(period) or period  # said before the generator's imports
        from audit.sample.county import generate_county
        from audit.sample.generator import generate

        if months is not None and townships is not None:
            raise AuditError("--months and --townships: choose one")
        if months is not None:
            from audit.sample.series import generate_series

            typer.echo(
                generate_series(
                    out_dir,
                    months=months,
                    villages=villages,
                    women_per_village=women_per_village,
                    seed=seed,
                    faults=faults,
                    fmt=format.value,
                    drift=drift,
                ),
                err=True,
            )
            return
        if townships is not None:
            summary = generate_county(
                out_dir,
                townships=townships,
                villages=villages,
                women_per_village=women_per_village,
                period=period,
                seed=seed,
                faults=faults,
                fmt=format.value,
            )
            typer.echo(summary, err=True)
            return
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


# --- accepted exceptions (已核实的例外) ------------------------------------------------------


def _acceptances_file(submission: Path | None, file: Path | None) -> Path:
    from audit.io.acceptances import default_path

    if file is not None:
        return file
    if submission is None:
        raise AuditError("name the submission folder or the file with --acceptances")
    return default_path(submission)


@app.command()
def accept(
    submission: Annotated[
        Path, typer.Argument(help="The submission folder the finding was reported for.")
    ],
    check: Annotated[str, typer.Argument(help="Check id of the finding, e.g. early-marriage.")],
    table: Annotated[str, typer.Argument(help="Table of the record, e.g. women.")],
    record: Annotated[str, typer.Argument(help="The record's key as the report shows it.")],
    reason: Annotated[str, typer.Option(help="Why this finding is correct as it stands.")],
    by: Annotated[str, typer.Option(help="Who accepts it (name, office).")],
    expires: Annotated[str, typer.Option(help="Last period it holds, YYYY-MM.")],
    township: Annotated[
        str | None,
        typer.Option(help="Township code (default: the submission's manifest; '' for any)."),
    ] = None,
    acceptances: Annotated[
        Path | None,
        typer.Option(help="Acceptances file (default: accepted.csv beside the submission)."),
    ] = None,
) -> None:
    """Accept a finding as a known exception: still reported, never fails the gate."""
    try:
        from audit.core.acceptance import Acceptance
        from audit.core.period import parse_period
        from audit.io.acceptances import add_acceptance
        from audit.io.loader import read_manifest

        parse_period(expires, "--expires")
        if township is None:
            manifest = read_manifest(submission, lang="en") if submission.is_dir() else {}
            township = manifest.get("township_code", "")
        path = _acceptances_file(submission, acceptances)
        rows = add_acceptance(
            path,
            Acceptance(
                township_code=township,
                check=check,
                table=table,
                record=record,
                reason=reason,
                accepted_by=by,
                accepted_on=date.today(),
                expires=expires,
            ),
        )
        typer.echo(
            f"{path}: {check} {table} {record} accepted until {expires} "
            f"({len(rows)} acceptances in the file)",
            err=True,
        )
    except AuditError as e:
        _fail(str(e), e.exit_code)


@app.command()
def accepted(
    submission: Annotated[
        Path | None, typer.Argument(help="A submission folder (its accepted.csv is listed).")
    ] = None,
    acceptances: Annotated[Path | None, typer.Option(help="Acceptances file to list.")] = None,
    format: Annotated[InspectFormat, typer.Option("--format", "-f")] = InspectFormat.table,
) -> None:
    """List the accepted exceptions and which of them have expired."""
    try:
        import json

        from audit.io.acceptances import read_acceptances

        path = _acceptances_file(submission, acceptances)
        if not path.is_file():
            raise AuditError(f"{path}: no acceptances file (add one with `audit accept`)")
        rows = read_acceptances(path)
        today = date.today().strftime("%Y-%m")
        if format is InspectFormat.json:
            _emit(
                json.dumps(
                    [{**a.to_dict(), "expired": a.expired(today)} for a in rows],
                    ensure_ascii=False,
                    indent=2,
                ),
                None,
            )
            return
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"{path} ({len(rows)})", title_justify="left")
        for col in ("township", "check", "table", "record", "reason", "by", "on", "until"):
            t.add_column(col, no_wrap=col not in ("reason", "by"))
        for a in rows:
            until = a.expires + (" (expired)" if a.expired(today) else "")
            t.add_row(
                a.township_code or "*",
                a.check,
                a.table,
                a.record,
                a.reason,
                a.accepted_by,
                a.accepted_on.isoformat(),
                until,
            )
        Console(width=140).print(t)
    except AuditError as e:
        _fail(str(e), e.exit_code)


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    html = "html"


@app.command("history")
def history_command(
    township: Annotated[
        str | None,
        typer.Argument(help="Township code: its villages month by month (default: list runs)."),
    ] = None,
    history: HistoryOpt = None,
    format: Annotated[HistoryFormat, typer.Option("--format", "-f")] = HistoryFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of labels.")] = Lang.zh,
    history_wait: HistoryWaitOpt = 30.0,
) -> None:
    """List the recorded audits, or show one township's villages month by month."""
    try:
        from audit.io import history as store
        from audit.render.history import render_runs, render_trend

        path = history or store.default_path()
        if format in (HistoryFormat.xlsx, HistoryFormat.html) and output is None:
            raise AuditError(f"--format {format.value} writes a file: add --output PATH")
        if township is None:
            if format in (HistoryFormat.xlsx, HistoryFormat.html):
                raise AuditError(f"--format {format.value} needs a TOWNSHIP")
            runs = store.list_runs(path, wait=history_wait)
            _emit(render_runs(runs, format.value, lang.value), output)
            return
        months = store.township_trend(path, township, wait=history_wait)
        _emit(render_trend(township, months, format.value, lang.value), output)
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
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option(DEBUG_FLAG, help="Show the traceback of an unexpected error.")
    ] = False,
) -> None:
    """Four-number consistency audit (四数一致) of a township's monthly ledgers."""
    # --debug is read by main() wherever it stands on the command line; declared here for --help.
    del version, debug


@suites_app.command("export")
def suites_export(
    out_dir: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write the suite files into.")
    ],
    suites: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Suites to export (default: the shipped suites)."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM",
            help="Bind the audit parameters (period, window) into every query; without it the"
            " queries read a one-row table audit_params (docs/gx-export.md).",
        ),
    ] = None,
    window_start: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="Start of the audit window (with --period)."),
    ] = None,
    township: Annotated[
        str | None,
        typer.Option(metavar="CODE", help="12-digit township code (with --period)."),
    ] = None,
) -> None:
    """Write the suites as Great Expectations loads them: each rule's query inlined.

    Every rows rule gets its SQL, with the shared views it reads, as
    kwargs.unexpected_rows_query ({batch} bound to the rule's table), so
    gx.ExpectationSuite(**json) loads every expectation. The exported files
    are for GX; audit run keeps reading the suites with meta.sql.
    """
    try:
        from audit.io.gx_export import export_suites

        written = export_suites(
            out_dir,
            suites_dir=suites,
            period=period,
            window_start=_parse_date(window_start, "--window-start"),
            township_code=township,
        )
        for path in written:
            typer.echo(str(path), err=True)
    except AuditError as e:
        _fail(str(e), e.exit_code)


def main() -> None:
    exit_process(run_guarded(lambda args: app(args=args, prog_name="audit"), sys.argv[1:]))


if __name__ == "__main__":
    main()
