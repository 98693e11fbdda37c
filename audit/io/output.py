"""Atomic output: write to a temporary file beside the target, then rename.

A reader never sees a half-written report, and a failed run leaves the
previous file (if any) untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from audit.core.exitcodes import AuditError


def write_atomic(path: Path, data: str | bytes) -> None:
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AuditError(f"{path}: cannot write the output, folder {parent} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise AuditError(f"{path}: cannot write the output ({e.strerror})") from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
