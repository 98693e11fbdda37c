"""Atomic output: write to a temporary file beside the target, then rename.

Design decisions:

- A reader never sees a half-written report, and a failed run leaves the
  previous file (if any) untouched: the bytes go to a temporary file in the
  target's folder, which is flushed and renamed over the target.
- Permissions are those of any new file: a new report gets 0666 minus the
  umask (colleagues on a shared folder can read it when the umask allows), a
  replaced report keeps the mode it had. (The temporary file itself is 0600
  while it is written.)
- `--output` naming a symbolic link writes *through* it: the link stays, and
  the file it points to is replaced atomically (as a shell's `>` would
  write into it). A link to a missing file creates that file.
- Anything the system refuses (a folder that does not exist or cannot be
  written, a folder given as the file, a full disk) is an `AuditError`
  naming the path and the reason: exit 2 with one clear line, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from audit.core.exitcodes import AuditError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(e: OSError) -> str:
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EROFS:
        return "read-only file system"
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    return e.strerror or type(e).__name__


def resolve_target(path: Path) -> Path:
    """The file that will hold the bytes: `path`, or the file a symbolic link points to."""
    path = Path(path)
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def write_atomic(path: Path, data: str | bytes | Iterable[str | bytes]) -> None:
    """Write `data` (text, bytes, or pieces of either written one after the other)."""
    path = Path(path)
    target = resolve_target(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise AuditError(f"{path}: cannot write the output, folder {parent} does not exist")
    if target.is_dir():
        raise AuditError(f"{path}: cannot write the output, it is a folder (name a file)")
    pieces = [data] if isinstance(data, str | bytes) else data
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise AuditError(
            f"{path}: cannot write the output into folder {parent} ({_reason(e)})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in pieces:
                f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            f.flush()
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise AuditError(f"{path}: cannot write the output ({_reason(e)})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(outputs: Sequence[tuple[Path, str | bytes | Iterable[str | bytes]]]) -> None:
    """Write several outputs, each atomically; the first failure stops with its message."""
    for path, data in outputs:
        write_atomic(path, data)
