"""jitflux's exceptions: one tree, each class a kind of failure, each kind one exit status.

    JitfluxError                 any expected failure: one line on stderr, no traceback
    ├── UsageError               (2) bad options, a bad command, a script that is not there, an
    │   │                            unknown format or fluxion, an unreadable input file
    │   └── OutputError          (2) an output path that cannot be written
    ├── InvalidTrace             (2) a trace file that is truncated, foreign (not a jitflux
    │                                trace), of another format, or against the schema
    ├── AppError                 (1) the traced app failed
    │   ├── NodeNotFound         (1) no node executable to run
    │   ├── AppExited            (1) the app exited before its inspector opened, before it
    │   │                            listened, or while traced
    │   └── NotListening         (1) the app did not listen on a port in time
    ├── DriverError              (1) the driver (`--drive`) exited with a failure status
    ├── InspectorError           (1) the app's inspector: it did not open in time, could not be
    │   │                            attached to, or failed mid-way (the CDP client's errors)
    │   ├── jitflux.cdp.ConnectionClosed
    │   ├── jitflux.cdp.ProtocolError
    │   ├── jitflux.cdp.EvaluationError
    │   └── jitflux.cdp.MessageError
    ├── InstallationError        (1) a part of jitflux itself is missing (the node shim, the
    │                                report's renderer)
    └── Interrupted              (130) a signal ended tracing while a driver ran or before the
                                     app listened (128 + N for signal N)

`EXIT_STATUS` is the one table from classes to the command line's exit statuses; the CLI looks
an error up there (`exit_status`), and `exc.status`, kept for older callers, is read from it.
An error raised after the app ran carries what was recorded in `trace` (already written to the
output, when one was asked for).
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from jitflux.trace import Trace

# Exit statuses of the command line (see DESIGN.md).
EXIT_OK = 0
EXIT_PROGRAM_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT


class JitfluxError(Exception):
    """An expected failure, said in one line (`message`)."""

    status: ClassVar[int] = EXIT_PROGRAM_FAILED  # read from EXIT_STATUS, below

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.trace: Trace | None = None  # what was recorded before the failure, if anything

    def __str__(self) -> str:
        return self.message


class UsageError(JitfluxError):
    """Bad usage or bad input: options, command, script, format, a file that cannot be read."""


class OutputError(UsageError):
    """An output path that cannot be written."""


class InvalidTrace(JitfluxError):
    """A trace file that is not a valid jitflux trace."""


class AppError(JitfluxError):
    """The traced app failed."""


class NodeNotFound(AppError):
    """No node executable to run the app with."""


class AppExited(AppError):
    """The app exited before it could be traced as asked, or crashed while traced."""


class NotListening(AppError):
    """The app did not listen on a port in time."""


class DriverError(JitfluxError):
    """The driver command failed."""


class InspectorError(JitfluxError):
    """The app's inspector could not be reached or failed: the CDP client's errors are these."""


class InstallationError(JitfluxError):
    """A part of jitflux itself is missing."""


class Interrupted(JitfluxError):
    """A signal ended tracing before it could finish as asked; `signum` says which."""

    def __init__(self, message: str, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.signum = signum


# The one table: error class -> exit status of the command line (the nearest class wins).
EXIT_STATUS: dict[type[BaseException], int] = {
    JitfluxError: EXIT_PROGRAM_FAILED,
    UsageError: EXIT_BAD_INPUT,
    InvalidTrace: EXIT_BAD_INPUT,
    AppError: EXIT_PROGRAM_FAILED,
    DriverError: EXIT_PROGRAM_FAILED,
    InspectorError: EXIT_PROGRAM_FAILED,
    InstallationError: EXIT_PROGRAM_FAILED,
    Interrupted: EXIT_INTERRUPTED,
    KeyboardInterrupt: EXIT_INTERRUPTED,
}
for _cls, _status in EXIT_STATUS.items():
    if issubclass(_cls, JitfluxError):
        _cls.status = _status


def exit_status(exc: BaseException) -> int:
    """The exit status of the command line for `exc`, from `EXIT_STATUS`; an interruption by
    signal N gives 128 + N."""
    if isinstance(exc, Interrupted):
        return 128 + exc.signum
    for cls in type(exc).__mro__:
        if cls in EXIT_STATUS:
            return EXIT_STATUS[cls]
    return EXIT_PROGRAM_FAILED

