"""The package installs anywhere: the wheel carries its suites, SQL and schema.

The wheel is built from a copy of the sources (so the build leaves nothing in
the checkout), installed with `pip install --no-deps` into a fresh virtual
environment in a temporary folder outside the repository, and the demo
township (also copied out) is audited there by the installed `audit` command,
run from that folder. The fresh environment gets its third-party dependencies
from this interpreter's site-packages through a `.pth` line (no download, no
second copy); that folder holds third-party packages only, never fourcheck's
code, suites or SQL, which the test proves by where they are found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from setuptools import find_packages

from audit import __version__
from tests.validate import validate_junit, validate_report

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sample_data" / "demo"
SOURCES = ("audit", "expectations", "sql", "pyproject.toml", "README.md")


def test_every_audit_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    mapped = set(config["setuptools"]["package-dir"])
    assert mapped == {"audit.expectations", "audit.sql"}
    # The rules' folders and every sub-folder of them (data only: no __init__.py needed).
    rules = {
        ".".join(("audit", *d.relative_to(ROOT).parts))
        for top in ("expectations", "sql")
        for d in (ROOT / top, *(ROOT / top).rglob("*"))
        if d.is_dir() and d.name != "__pycache__"
    }
    assert {
        p for p in listed if p.split(".")[:2] in (["audit", "expectations"], ["audit", "sql"])
    } == rules
    assert listed - rules == set(find_packages(str(ROOT), include=["audit", "audit.*"]))
    data = config["setuptools"]["package-data"]
    assert all(name in data for name in rules)  # each folder's rule files ship


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with the built wheel installed; returns its folder."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = work / "dist"
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", dist, src, cwd=work,
    )  # fmt: skip
    wheels = sorted(dist.glob("fourcheck-*.whl"))
    assert [w.name for w in wheels] == [f"fourcheck-{__version__}-py3-none-any.whl"]

    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work
        ).strip()
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "fourcheck_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n", "utf-8")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheels[0], cwd=work,
    )  # fmt: skip
    shutil.rmtree(src)  # nothing left to import from but the installed wheel
    return env_dir


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["NO_COLOR"] = "1"
    return env


def test_the_installed_package_finds_its_rules_in_the_wheel(installed: Path) -> None:
    probe = """
import json, sys
import audit
from audit.io import sqlrun, suites
from audit.render.json import schema
print(json.dumps({
    "audit": audit.__file__,
    "suites": str(suites.SUITES_DIR),
    "sql": str(sqlrun.SQL_DIR),
    "suite_files": sorted(p.name for p in suites.SUITES_DIR.glob("*.json")),
    "checks": len(list((sqlrun.SQL_DIR / "checks").glob("*.sql"))),
    "views": len(list((sqlrun.SQL_DIR / "views").glob("*.sql"))),
    "report_views": len(list((sqlrun.SQL_DIR / "report" / "views").glob("*.sql"))),
    "schema": schema()["title"],
    "path": sys.path,
}))
"""
    out = json.loads(
        _run(installed / "bin" / "python", "-c", probe, cwd=installed.parent, env=_env())
    )
    site = installed.resolve()
    for key in ("audit", "suites", "sql"):
        assert Path(out[key]).resolve().is_relative_to(site), (key, out[key])
    assert out["suite_files"] == sorted(p.name for p in (ROOT / "expectations").glob("*.json"))
    assert out["checks"] == len(list((ROOT / "sql" / "checks").glob("*.sql")))
    assert out["views"] == len(list((ROOT / "sql" / "views").glob("*.sql")))
    assert out["report_views"] == len(list((ROOT / "sql" / "report" / "views").glob("*.sql")))
    assert out["schema"] == "fourcheck audit report"
    # No path that could serve the checkout's code or rules: only the venv and its dependencies.
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    for entry in out["path"]:
        p = Path(entry or installed.parent).resolve()
        if str(p) in deps or not p.is_relative_to(ROOT):
            continue
        pytest.fail(f"a folder of the checkout is importable: {entry}")
    for folder in deps:
        assert not (Path(folder) / "audit").exists() and not (Path(folder) / "sql").exists()


def test_the_installed_command_audits_the_demo(installed: Path) -> None:
    work = installed.parent
    demo = work / "demo"
    shutil.copytree(DEMO, demo)
    audit = installed / "bin" / "audit"
    assert _run(audit, "--version", cwd=work, env=_env()).strip() == f"fourcheck {__version__}"
    out = work / "out"
    proc = subprocess.run(
        [
            str(audit),
            "run",
            "demo",
            "--lang",
            "en",
            "--format",
            "json,junit",
            "--output-dir",
            "out",
        ],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr  # the demo has planted problems: the gate fails
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit: FAIL"), proc.stderr
    reports = sorted(p.name for p in out.iterdir())
    assert reports == ["fourcheck-340811101000-2026-09.json", "fourcheck-340811101000-2026-09.xml"]
    doc = validate_report((out / reports[0]).read_text(encoding="utf-8"))
    validate_junit((out / reports[1]).read_bytes())
    assert doc["verdict"] == {"passed": False, "fail_on": "error", "exit_code": 1}
    # every planted fault of the demo is found by the installed package
    truth = json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))
    found = {(f["check"], f["table"], f["record"]) for f in doc["findings"]}
    missing = [t for t in truth if (t["check"], t["table"], t["record"]) not in found]
    assert not missing
    assert {c["status"] for c in doc["checks"]} <= {"passed", "failed"}
    assert len(doc["checks"]) > 40
