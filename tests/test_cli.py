"""The command line's manners: one audit for many outputs, one verdict line, safe files,
--version, help texts, the configuration file, --select/--exclude and the GX export.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import audit.app
import audit.monthly
from audit import __version__
from audit.cli import app
from tests.helpers import VILLAGE_A, woman_id, write_submission
from tests.validate import validate_junit, validate_report

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
runner = CliRunner()


@pytest.fixture
def umask() -> Iterator[int]:
    old = os.umask(0o002)
    try:
        yield 0o002
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny township: one woman registered as married without a marriage date (an error)."""
    folder = tmp_path_factory.mktemp("small") / "submission"
    woman = {
        "person_id": woman_id(date(1990, 5, 1)),
        "name": "王芳",
        "birth_date": date(1990, 5, 1),
        "village_code": VILLAGE_A,
        "marital_status": "married",
        "residence": "resident",
        "children": 0,
        "pregnant": False,
    }
    return write_submission(folder, {"women": [woman]})


def cli(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- one audit, many outputs ----------------------------------------------------------------


def test_the_demo_in_five_formats_is_audited_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    calls: list[Path] = []
    real = audit.app.run_audit

    def counting(submission: Path, **kwargs: Any) -> Any:
        calls.append(submission)
        return real(submission, **kwargs)

    monkeypatch.setattr(audit.app, "run_audit", counting)
    monkeypatch.setattr(audit.monthly, "run_audit", counting)  # bound when it was imported
    out = tmp_path / "out"
    result = cli("run", DEMO, "--format", "html,xlsx,json,junit,markdown", "--output-dir", out)
    assert result.exit_code == 1, result.stderr
    assert len(calls) == 1
    assert result.stdout == ""
    stem = "fourcheck-340811101000-2026-09"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{stem}.{ext}" for ext in ("html", "xlsx", "json", "xml", "md"))
    line = _one_line(result.stderr)
    assert line.startswith("audit：未通过（错误 ")
    for name in names:
        assert str(out / name) in line
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    doc = validate_report((out / f"{stem}.json").read_text(encoding="utf-8"))
    validate_junit((out / f"{stem}.xml").read_bytes())
    counts = doc["summary"]
    assert f"错误 {counts['errors']}，警告 {counts['warnings']}，提示 {counts['info']}" in line
    assert (out / f"{stem}.xlsx").read_bytes()[:2] == b"PK"
    assert (out / f"{stem}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_repeated_output_takes_the_format_from_the_extension(small: Path, tmp_path: Path) -> None:
    report_json, report_xml, report_md = tmp_path / "r.json", tmp_path / "r.xml", tmp_path / "r.md"
    result = cli("run", small, "--lang", "en", "-o", report_json, "-o", report_xml, "-o", report_md)
    assert result.exit_code == 1, result.stderr
    line = _one_line(result.stderr)
    assert line.startswith("audit: FAIL (") and "→" in line
    assert f"{report_json}, {report_xml}, {report_md}" in line
    doc = validate_report(report_json.read_text(encoding="utf-8"))
    assert doc["lang"] == "en"
    validate_junit(report_xml.read_bytes())
    assert report_md.read_text(encoding="utf-8").startswith("# ")
    # the same document as a single-format run to stdout: one audit, rendered the same way
    alone = cli("run", small, "--lang", "en", "-f", "json")
    assert alone.stdout == report_json.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "xlsx"], "--format xlsx writes a file: add --output PATH"),
        (["-f", "json,junit"], "several formats need --output-dir DIR, or one --output FILE each"),
        (["-f", "pdf", "-o", "x.pdf"], "--format: unknown format 'pdf'"),
        (["--output-dir", "out"], "--output-dir: name the formats to write"),
        (
            ["-f", "json", "-o", "a.json", "-o", "b.json"],
            "names 1 format(s) for 2 --output file(s)",
        ),
        (["-o", "a.json", "-o", "b.bin"], "cannot tell the format from the extension"),
        (["-o", "a.json", "-o", "a.json"], "the same file is named twice"),
        (["-f", "json", "-o", "a.json", "--output-dir", "out"], "use one or the other"),
        (["--select", "no-such-check"], "no-such-check is neither a check id nor a category"),
        (["--exclude", "table-missing"], "is a check of the loader"),
    ],
)
def test_bad_output_options_stop_with_one_line(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("run", small, *args)
    assert result.exit_code == 2
    assert message in _one_line(result.stderr)
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_wrong_select_is_named_before_any_file_is_read(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.io.loader

    def no_load(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the submission was read before the names were checked")

    monkeypatch.setattr(audit.io.loader, "load_submission", no_load)
    for option in ("--select", "--exclude"):
        result = cli("run", small, option, "dup-key,no-such-check")
        assert result.exit_code == 2
        line = _one_line(result.stderr)
        assert line.startswith(f"audit: {option}: no-such-check is neither a check id"), line
        assert "trend-outlier" in line  # the ids it could have been


def test_output_through_a_symbolic_link_keeps_the_link(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "shared" / "report.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    result = cli("run", small, "-o", link)
    assert result.exit_code == 1, result.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    validate_report(target.read_text(encoding="utf-8"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced report keeps its mode
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no temp left


def test_an_unwritable_folder_is_exit_2_with_the_reason(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "readonly" / "r.json"
    target.parent.mkdir()
    result = cli("run", small, "-o", target)
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert line == (
        f"audit: {target}: cannot write the output into folder {target.parent} (permission denied)"
    )


def test_a_missing_or_unwritable_folder_stops_before_the_audit(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(audit.app, "run_audit", lambda s, **kw: calls.append(s))
    monkeypatch.setattr(audit.monthly, "run_audit", lambda s, **kw: calls.append(s))
    result = cli("run", small, "-o", tmp_path / "nowhere" / "r.json")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (
        f"audit: --output {tmp_path / 'nowhere' / 'r.json'}: cannot write the output, "
        f"folder {tmp_path / 'nowhere'} does not exist"
    )
    monkeypatch.setattr(os, "access", lambda path, mode: not mode & os.W_OK)
    result = cli("run", small, "-f", "json", "--output-dir", tmp_path)
    assert result.exit_code == 2
    assert _one_line(result.stderr).endswith(f"into folder {tmp_path} (permission denied)")
    assert calls == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_exit_2(small: Path, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = cli("run", small, "-o", folder / "r.json")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2 and "permission denied" in _one_line(result.stderr)


def test_a_folder_named_as_the_output_is_exit_2(small: Path, tmp_path: Path) -> None:
    result = cli("run", small, "-o", tmp_path)
    assert result.exit_code == 2
    assert "it is a folder" in _one_line(result.stderr)


# --- --version, help ------------------------------------------------------------------------


def test_version() -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"fourcheck {__version__}\n"


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["inspect"],
        ["sample"],
        ["suites", "export"],
        ["spotcheck", "plan"],
        ["spotcheck", "score"],
    ],
)
def test_help_has_no_placeholders(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    text = result.stdout
    assert "<bool>" not in text
    if command == ["run"]:  # every option names its value (YYYY-MM, FILE, DIR, ...)
        options = text[text.index("Options:") :]
        assert not re.search(r"<(str|int|path|float|bool|int range|list\[\w+\])>", options)


def test_run_help_describes_every_option_and_the_exit_codes() -> None:
    import typer.main

    command: Any = typer.main.get_command(app)
    run = command.commands["run"]
    for param in run.params:
        assert getattr(param, "help", None), param.name
    text = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "100"}).stdout
    assert "Exit status:" in text
    for code in (
        "0  no finding reaches --fail-on",
        "1  some finding",
        "2  the audit could not run",
    ):
        assert code in text
    assert "fourcheck.toml" in text


# --- configuration file ---------------------------------------------------------------------


def test_config_file_gives_defaults_and_options_win(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fourcheck.toml").write_text(
        'lang = "en"\nfail-on = "never"\nwindow-start = 2026-01-01\n'
        'exclude = ["logic"]\nhistory = "history/fourcheck.db"\n',
        encoding="utf-8",
    )
    result = cli("run", small, "-f", "json")
    assert result.exit_code == 0, result.stderr  # fail-on never from the file
    doc = validate_report(result.stdout)
    assert doc["lang"] == "en" and doc["verdict"]["fail_on"] == "never"
    assert doc["window"]["start"] == "2026-01-01"
    assert "logic" not in {c["category"] for c in doc["checks"]}
    # the command line wins
    strict = cli("run", small, "-f", "json", "--fail-on", "error", "--lang", "zh", "--exclude", "x")
    assert strict.exit_code == 2 and "x is neither a check id nor a category" in strict.stderr
    # --exclude on the command line replaces the file's list: marriage-fields (logic) runs
    strict = cli(
        "run", small, "-f", "json", "--fail-on", "error", "--lang", "zh", "--exclude", "age-range"
    )
    assert strict.exit_code == 1
    assert validate_report(strict.stdout)["lang"] == "zh"

    from audit.io.config import load_config

    config = load_config()
    assert config.history == tmp_path / "history" / "fourcheck.db"


def test_config_errors_name_the_file_and_key(small: Path, tmp_path: Path) -> None:
    bad = tmp_path / "county.toml"
    bad.write_text('fail_on = "sometimes"\n', encoding="utf-8")
    result = cli("run", small, "--config", bad)
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (
        f"audit: {bad}: fail-on: expected one of error, warning, new-error, new-warning, never, "
        "got 'sometimes'"
    )
    bad.write_text('lnag = "en"\n', encoding="utf-8")
    result = cli("run", small, "--config", bad)
    assert result.exit_code == 2 and "unknown key 'lnag'" in _one_line(result.stderr)
    result = cli("run", small, "--config", tmp_path / "none.toml")
    assert result.exit_code == 2 and "no such file" in _one_line(result.stderr)


def test_memory_limit_reaches_duckdb_from_the_option_or_the_file(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.io.duckload as duckload

    real = duckload.connect
    set_limits: list[str] = []

    def spy(memory_limit: int | None = None) -> Any:
        con = real(memory_limit)
        set_limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return con

    monkeypatch.setattr(duckload, "connect", spy)
    result = cli("run", small, "-f", "json", "--no-history", "--memory-limit", "768MB")
    assert result.exit_code == 1, result.stderr
    config = tmp_path / "county.toml"
    config.write_text('memory-limit = "1.5GB"\n', encoding="utf-8")
    result = cli("run", small, "-f", "json", "--no-history", "--config", config)
    assert result.exit_code == 1, result.stderr
    assert set_limits == ["768.0 MiB", "1.5 GiB"]


def test_memory_limit_errors(small: Path, tmp_path: Path) -> None:
    from audit.core.exitcodes import AuditError
    from audit.io.backends import parse_memory

    assert parse_memory("4GB") == parse_memory("4g") == parse_memory("4096MiB") == 4 << 30
    assert parse_memory(" 1.5 GiB ") == 3 << 29
    for bad in ("lots", "4 GBs", "-1GB", "100MB", ""):
        with pytest.raises(AuditError):
            parse_memory(bad)
    result = cli("run", small, "--memory-limit", "lots")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (
        "audit: --memory-limit 'lots': expected a size such as 4GB, 6g or 4096MB"
    )
    result = cli("run", small, "--engine", "spark", "--memory-limit", "4GB")
    assert result.exit_code == 2 and "--memory-limit is for the DuckDB engine" in result.stderr
    config = tmp_path / "county.toml"
    config.write_text('memory-limit = "2 bananas"\n', encoding="utf-8")
    result = cli("run", small, "--config", config)
    assert result.exit_code == 2
    assert _one_line(result.stderr).startswith(f"audit: {config}: memory-limit '2 bananas':")


# --- --select / --exclude -------------------------------------------------------------------


def test_select_and_exclude_by_id_and_category(small: Path) -> None:
    result = cli(
        "run", small, "-f", "json", "--select", "logic,dup-person", "--exclude", "age-range"
    )
    doc = validate_report(result.stdout)
    rules = {c["id"] for c in doc["checks"] if c["suite"] != "load"}
    assert "dup-person" in rules and "marriage-fields" in rules and "age-range" not in rules
    assert {c["category"] for c in doc["checks"] if c["id"] != "dup-person"} <= {"logic"}
    assert result.exit_code == 1  # marriage-fields: married without a marriage date
    assert any(f["check"] == "marriage-fields" for f in doc["findings"])


# --- GX interop -----------------------------------------------------------------------------


def test_exported_suites_load_in_great_expectations_as_they_are(tmp_path: Path) -> None:
    import great_expectations as gx

    out = tmp_path / "gx"
    result = cli("suites", "export", out)
    assert result.exit_code == 0, result.stderr
    shipped = sorted((ROOT / "expectations").glob("*.json"))
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in shipped]
    for source in shipped:
        data = json.loads((out / source.name).read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        original = json.loads(source.read_text(encoding="utf-8"))["expectations"]
        assert len(suite.expectations) == len(original) == len(data["expectations"])
        for expectation, entry in zip(suite.expectations, original, strict=True):
            assert expectation.meta["check"] == entry["meta"]["check"]
            if entry["type"] == "unexpected_rows_expectation":
                query = expectation.unexpected_rows_query
                assert "{batch}" in query and "x_women_person AS" not in entry["meta"]["sql"]


def test_exported_queries_find_what_the_audit_finds(tmp_path: Path) -> None:
    """Every exported query runs on the bare tables (no views, parameters bound) and returns
    as many rows as the audit's rule finds on the demo."""
    from audit.io.loader import load_submission

    out = tmp_path / "gx"
    result = cli("suites", "export", out, "--period", "2026-09", "--township", "340811101000")
    assert result.exit_code == 0, result.stderr
    report = audit.app.run_audit(DEMO, lang="en")
    found = {(c.check, c.table): c.unexpected_count for c in report.checks}
    sub = load_submission(DEMO)
    try:
        tables = {
            r[0] for r in sub.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        views = sub.con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone()
        assert "audit_params" not in tables and views == (0,)
        compared = 0
        for path in sorted(out.glob("*.json")):
            for entry in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
                if entry["type"] != "unexpected_rows_expectation":
                    continue
                meta = entry["meta"]
                query = entry["kwargs"]["unexpected_rows_query"].format(batch=meta["table"])
                rows = sub.con.execute(f"SELECT count(*) FROM ({query})").fetchone()
                assert rows == (found[(meta["check"], meta["table"])],), meta["check"]
                compared += 1
        from audit.io.suites import load_suites

        rows_rules = sum(1 for suite in load_suites() for rule in suite.rules if rule.is_rows)
        assert compared == rows_rules > 30 and sum(found.values()) > 0
    finally:
        sub.con.close()


def test_junit_of_the_cli_is_valid(small: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    assert cli("run", small, "-f", "junit", "-o", path).exit_code == 1
    validate_junit(path.read_bytes())
    names = [c.get("name") for c in ET.parse(path).getroot().iter("testcase")]
    assert len(names) == len(set(names))


def test_a_report_on_stdout_is_written_piece_by_piece(capsys: pytest.CaptureFixture[str]) -> None:
    # audit run -f json to stdout writes JSON's pieces as they come (never one string); text
    # ends with one newline, added only when the last piece has none.
    from audit.guard import StdoutError, write_stdout_pieces

    written: list[str] = []

    def pieces() -> Iterator[str]:
        for piece in ("{", '"a": 1', "}"):
            written.append(capsys.readouterr().out)  # what was out before this piece
            yield piece

    write_stdout_pieces(pieces())
    assert written == ["", "{", '"a": 1'] and capsys.readouterr().out == "}\n"
    write_stdout_pieces(iter(["x\n"]))
    write_stdout_pieces(iter([]))
    assert capsys.readouterr().out == "x\n"

    class Full:
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None: ...

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", Full())
        with pytest.raises(StdoutError):
            write_stdout_pieces(iter(["{"]))
