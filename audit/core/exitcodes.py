"""Exit codes, decided in one place.

`exit_code_for` is a pure function of the report and the `--fail-on` gate;
the gate never counts an accepted finding (`AuditReport.acceptances`), and the
`new-*` gates count only findings that are new or reopened since the previous
audited period (`AuditReport.history`; without a history every finding is
new, as for a linter run without a baseline). User errors (a submission that
cannot be audited at all) are `AuditError`s that carry their exit code and are
caught once, in the CLI.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from audit.core.lifecycle import Lifecycle, Status
from audit.core.models import AuditReport, Finding, Severity

if TYPE_CHECKING:
    from audit.core.acceptance import AcceptanceOutcome
    from audit.core.county import CountyReport


class ExitCode(IntEnum):
    OK = 0  # no finding reaches the gate
    FINDINGS = 1  # some finding reaches the gate
    UNUSABLE = 2  # the input cannot be audited (not a folder, unreadable file, key column missing)
    # or the audit could not be completed (a check that raised, an unexpected error): never 1,
    # which would tell CI the audit ran and found something
    INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT), as shells report it


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NEW_ERROR = "new-error"  # errors that are new or reopened since the previous period
    NEW_WARNING = "new-warning"  # errors and warnings that are new or reopened
    NEVER = "never"


def exit_code_for(report: AuditReport, fail_on: FailOn | str = FailOn.ERROR) -> ExitCode:
    gate = FailOn(fail_on)
    if any(fails_gate(report, f, gate) for f in report.findings):
        return ExitCode.FINDINGS
    return ExitCode.OK


def exit_code_for_error(error: BaseException, *, interrupted: bool = False) -> ExitCode:
    """The exit code of a run that ended with `error` instead of a report.

    An interrupted run is 130 whatever surfaced (a library may turn Ctrl-C into its own
    exception); a user error carries its code; anything else is 2, never 1.
    """
    if interrupted or isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, AuditError):
        return error.exit_code
    return ExitCode.UNUSABLE


def fails_gate(report: AuditReport, f: Finding, fail_on: FailOn | str) -> bool:
    """Whether this one finding fails the gate (renderers mark the same findings)."""
    return finding_fails(f, fail_on, history=report.history, acceptances=report.acceptances)


def finding_fails(
    f: Finding,
    fail_on: FailOn | str,
    *,
    history: Lifecycle | None,
    acceptances: AcceptanceOutcome | None,
) -> bool:
    """The gate for one finding, given its statuses since last month and the acceptances."""
    gate = FailOn(fail_on)
    if gate is FailOn.NEVER:
        return False
    only_errors = gate in (FailOn.ERROR, FailOn.NEW_ERROR)
    if f.severity is not Severity.ERROR and (only_errors or f.severity is not Severity.WARNING):
        return False
    if acceptances is not None and acceptances.is_accepted(f):
        return False
    only_new = gate in (FailOn.NEW_ERROR, FailOn.NEW_WARNING)
    return not (only_new and history is not None and history.of(f).status is Status.PERSISTING)


def county_exit_code(county: CountyReport) -> ExitCode:
    """The county's gate, by the same rules as one township's (the report carries --fail-on).

    It fails when any township fails its gate (its own findings or the
    cross-township findings sent to it, with their statuses since last month
    and the acceptances, as `fails_gate` counts them), when any township could
    not be audited — whatever the gate, as a single run of that folder would
    not pass — or when a finding sent to the county office itself (its own
    report, an expected township with no folder) reaches the gate.
    """
    if county.unusable:
        return ExitCode.FINDINGS
    return ExitCode.OK if county.passed() else ExitCode.FINDINGS


class AuditError(Exception):
    """An input the audit cannot work with. The message names the file, row or column."""

    exit_code: ExitCode = ExitCode.UNUSABLE

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.UNUSABLE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
