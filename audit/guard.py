"""The process around a command: Ctrl-C, the standard streams, and errors nobody expected.

Design decisions:

- The exit status tells CI what happened, so a crash must never look like an
  audit that ran (exit 1 = "findings reach the gate"). Whatever escapes a
  command ends here: a user error with its code, Ctrl-C with 130, anything
  else with 2 and one line naming the error; `--debug` adds the traceback.
  The codes themselves are decided in `audit.core.exitcodes`.
- Ctrl-C: the first one sets a flag and raises `Interrupted`, a
  `BaseException`, so that no library's `except Exception` (GX catches every
  metric's error) can swallow it; if a library turns it into an error of its
  own anyway, the flag still makes the run exit 130, and nothing is written
  after it is set (`check_interrupted` before every output). A second Ctrl-C
  ends the process at once.
- Streams: a terminal or pipe that cannot encode Chinese (``LC_ALL=C``,
  ``PYTHONIOENCODING=ascii``) gets ``\\uXXXX`` escapes instead of a crash; a
  stdout that cannot be written (a full disk, a closed pipe) is a one-line
  error, exit 2, and Python's own flush at shutdown is kept from failing again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from audit.core.exitcodes import AuditError, ExitCode, exit_code_for_error

DEBUG_FLAG = "--debug"


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) during a command."""


class StdoutError(AuditError):
    """Standard output cannot be written (a full disk, a closed pipe)."""

    def __init__(self, error: OSError) -> None:
        detail = error.strerror or type(error).__name__
        super().__init__(f"cannot write to standard output: {detail}")


def write_stdout(data: str | bytes) -> None:
    """Write a whole document to stdout; `StdoutError` when the stream refuses it."""
    check_interrupted()
    try:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        sys.stdout.flush()
    except OSError as e:
        raise StdoutError(e) from e


def write_stdout_pieces(pieces: Iterable[str | bytes]) -> None:
    """Write a document given in pieces (JSON's findings as they are rendered) to stdout, each
    as it comes, so a report of millions of findings is never one string in memory; text
    ends with a newline. `StdoutError` when the stream refuses a piece."""
    check_interrupted()
    last: str | bytes = b""
    for piece in pieces:
        write_stdout(piece)
        last = piece
    if isinstance(last, str) and not last.endswith("\n"):
        write_stdout("\n")


_interrupted = False


def interrupted() -> bool:
    return _interrupted


def check_interrupted() -> None:
    """Raise `Interrupted` when Ctrl-C was pressed (called before anything is written)."""
    if _interrupted:
        raise Interrupted()


class InterruptibleProgress:
    """The engine's progress, stopping the run at the next step once Ctrl-C was pressed.

    DuckDB turns a signal that arrives during a query into its own exception, which GX
    records as a metric error and goes on; between two steps nothing can swallow it.
    """

    def __init__(self, inner: Any = None) -> None:
        self._inner = inner

    def stage(self, name: str, total: int | None) -> None:
        check_interrupted()
        if self._inner is not None:
            self._inner.stage(name, total)

    def advance(self, name: str, description: str | None = None) -> None:
        check_interrupted()
        if self._inner is not None:
            self._inner.advance(name, description)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    if _interrupted:  # the second Ctrl-C: stop now, whatever is running
        os._exit(int(ExitCode.INTERRUPTED))
    _interrupted = True
    raise Interrupted()


def install_interrupt_handler() -> Any:
    """Catch Ctrl-C from now on; returns the handler it replaced."""
    global _interrupted
    _interrupted = False
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:  # a shell's `cmd &` ignores it: keep it so
        signal.signal(signal.SIGINT, _on_sigint)
    return previous


def tolerant_streams() -> None:
    """Characters the stream's encoding lacks are escaped instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """After stdout failed, point it at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def exit_process(status: int) -> None:
    """End the process with `status`. After Ctrl-C it ends at once: Python would otherwise
    wait for a worker thread still importing GX (seconds) before exiting."""
    if status == ExitCode.INTERRUPTED:
        for stream in (sys.stderr, sys.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(status)
    sys.exit(status)


def one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def describe(error: BaseException, code: ExitCode) -> str:
    """The one line a user sees for an error that ended the command."""
    if code is ExitCode.INTERRUPTED:
        return "interrupted (Ctrl-C); nothing was written"
    if isinstance(error, AuditError):
        return one_line(error)
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror} ({type(error).__name__})"
    return (
        f"unexpected error, the audit did not complete: {type(error).__name__}: "
        f"{one_line(error)} (run again with {DEBUG_FLAG} to see where)"
    )


def run_guarded(command: Callable[[list[str]], None], argv: list[str]) -> int:
    """Run the command line; return the process exit status, never raise."""
    debug = DEBUG_FLAG in argv
    args = [a for a in argv if a != DEBUG_FLAG]
    previous = install_interrupt_handler()
    tolerant_streams()
    try:
        try:
            command(args)
            status = 0
        except SystemExit as e:  # typer/click end every command this way
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        check_interrupted()
        try:
            sys.stdout.flush()
        except OSError as e:
            raise StdoutError(e) from e
        return status
    except BaseException as e:
        code = exit_code_for_error(e, interrupted=_interrupted)
        if isinstance(e, StdoutError):
            _silence_stdout()  # else the interpreter's own flush at exit fails once more
        try:
            if debug and code is not ExitCode.INTERRUPTED:
                traceback.print_exc(file=sys.stderr)
            print(f"audit: {describe(e, code)}", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass
        return int(code)
    finally:
        if previous is not signal.SIG_IGN and previous is not None:
            signal.signal(signal.SIGINT, previous)
