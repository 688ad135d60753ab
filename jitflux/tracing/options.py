"""What to trace and how (`TraceOptions`, checked before anything starts), and how it went
(`TraceResult`)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from jitflux.errors import JitfluxError, UsageError, exit_status
from jitflux.trace import Trace, check_output
from jitflux.tracing.drive import DriveResult, Request


@dataclass
class TraceOptions:
    """What to trace and how. `command` is `node [NODE OPTIONS] SCRIPT [ARGS]`."""

    command: Sequence[str]
    output: str | os.PathLike[str] | None = "trace.json"  # None: do not write the trace
    requests: Sequence[Request] = ()
    drive: str | None = None  # a shell command run with PORT and JITFLUX_URL
    port: int | None = None  # the app's port, instead of the first one it listens on
    duration: float | None = None  # stop after that many seconds
    settle: float = 0.3  # quiet time after the driver, for pending callbacks
    include: Sequence[str] = ()  # packages under node_modules to instrument too
    effects: bool = True  # False: rupture points only
    env: Mapping[str, str] | None = None  # the app's and driver's environment (default: ours)
    stdout: BinaryIO | None = None  # where the app's output goes (default: ours)
    stderr: BinaryIO | None = None
    # What to say while tracing (jitflux prints nothing itself): failed requests and shim
    # warnings, and progress; None to keep quiet.
    report: Callable[[str], None] | None = None
    notice: Callable[[str], None] | None = None
    handle_signals: bool = True  # SIGINT/SIGTERM/SIGHUP end the trace (main thread only)
    drain_interval: float = 0.25
    inspector_timeout: float = 10.0
    listen_timeout: float = 30.0  # how long a driver waits for the app to listen
    stop_grace: float = 2.0  # SIGTERM, then SIGKILL after this long


@dataclass
class TraceResult:
    """How the trace went: the trace, where it was written, and the failure, if any."""

    trace: Trace
    output: Path | None
    failure: JitfluxError | None = None
    requests: DriveResult = field(default_factory=DriveResult)
    driver_status: int | None = None
    interrupted: bool = False
    port: int | None = None
    inspector_url: str | None = None

    @property
    def status(self) -> int:
        """The command line's exit status: 0, or the failure's."""
        return 0 if self.failure is None else exit_status(self.failure)

    @property
    def error(self) -> str | None:
        """One line saying why the status is not 0."""
        return None if self.failure is None else self.failure.message


def check_options(options: TraceOptions) -> None:
    """Refuse bad options before anything starts: a UsageError."""
    if options.port is not None and not 0 < options.port < 65536:
        raise UsageError(f"--port {options.port}: not a TCP port")
    duration = options.duration
    if duration is not None and not (math.isfinite(duration) and duration > 0):
        raise UsageError(f"--duration {duration:g}: must be a positive number of seconds")
    if not (math.isfinite(options.settle) and options.settle >= 0):
        raise UsageError(
            f"--settle {options.settle:g}: must be a number of seconds, 0 or more"
        )
    if options.output is not None:
        check_output(options.output)
