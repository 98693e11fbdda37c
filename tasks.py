#!/usr/bin/env python3
"""Set-up and everyday tasks, with nothing but Python 3.11+ and pip.

    python3 tasks.py demo   # audit the bundled demo township (creates .venv/ if missing)
    python3 tasks.py test   # ruff, mypy and the test suite (creates .venv/ if missing)

FOURCHECK_EXTRAS=spark adds optional extras to the environment (CI sets it, so
the Spark engine's tests run there; without pyspark they are skipped locally).

The virtual environment is (re)installed when pyproject.toml or
constraints.txt change, so a fresh clone and an old checkout behave alike.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".fourcheck-installed"


def _extras() -> str:
    # FOURCHECK_EXTRAS=spark (as CI sets it) also installs optional extras such as pyspark.
    names = [e.strip() for e in os.environ.get("FOURCHECK_EXTRAS", "").split(",") if e.strip()]
    return ",".join(["dev", *sorted(set(names) - {"dev"})])


def _inputs_digest() -> str:
    h = hashlib.sha256(_extras().encode())
    for name in ("pyproject.toml", "constraints.txt"):
        p = ROOT / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def _run(*args: str | Path, check: bool = True) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=check).returncode


def ensure_venv() -> None:
    # tasks.py runs under whatever python3 the machine has, before any venv exists.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"fourcheck needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating {VENV.relative_to(ROOT)}/", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = _inputs_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    pip = [BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    _run(*pip, "--upgrade", "pip")
    constraints = ["-c", "constraints.txt"] if (ROOT / "constraints.txt").exists() else []
    _run(*pip, *constraints, "-e", f".[{_extras()}]")
    STAMP.write_text(digest)


def demo(extra: list[str]) -> int:
    ensure_venv()
    # The demo township has planted problems, so the audit's gate says FAIL (exit 1):
    # that is the tool working. Only exit 2 (the audit could not run) is a failure here.
    code = _run(BIN / "audit", "run", "sample_data/demo", *extra, check=False)
    return 0 if code in (0, 1) else code


def test(extra: list[str]) -> int:
    ensure_venv()
    _run(BIN / "ruff", "check", "audit", "tests", "bench", "tasks.py")
    _run(BIN / "ruff", "format", "--check", "audit", "tests", "bench", "tasks.py")
    _run(BIN / "mypy", "audit")
    # One worker per core; a module's tests stay on one worker so its module-scoped fixtures
    # (generated townships, audited once) are built once. `-n 0` runs everything in-process.
    parallel = [] if any(a.startswith("-n") for a in extra) else ["-n", "auto"]
    return _run(
        BIN / "python", "-m", "pytest", *parallel, "--dist", "loadscope", *extra, check=False
    )


def main() -> int:
    tasks = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        print(__doc__)
        return 2
    try:
        return tasks[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as e:
        return e.returncode or 1


if __name__ == "__main__":
    sys.exit(main())
