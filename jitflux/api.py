"""The library's functions, which `jitflux/__init__.py` exports: trace an app, analyze a trace,
emit it as fluxions and explain them. They print nothing: progress and warnings go to the
`on_event` callback when one is given (the command line passes one that prints)."""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal

from jitflux.analysis import Analysis
from jitflux.analysis import analyze as _analyze
from jitflux.emit import render
from jitflux.errors import UsageError
from jitflux.explain import explain as _explain
from jitflux.explain import render_json, render_text
from jitflux.trace import Trace
from jitflux.tracing.drive import Request, parse_request
from jitflux.tracing.launch import kill_leftovers
from jitflux.tracing.session import TraceOptions, TraceResult
from jitflux.tracing.session import trace as _trace


@dataclass(frozen=True)
class TraceEvent:
    """Something worth saying while tracing: `progress` (where the app listens), or a
    `warning` (a request that failed, something the shim could not record)."""

    kind: Literal["progress", "warning"]
    message: str


def _options(
    command: str | Sequence[str],
    output: str | os.PathLike[str] | None,
    requests: Sequence[str | Request],
    on_event: Callable[[TraceEvent], None] | None,
    **rest: object,
) -> TraceOptions:
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    parsed = [r if isinstance(r, Request) else parse_request(r, "request") for r in requests]

    def say(kind: Literal["progress", "warning"]) -> Callable[[str], None] | None:
        return None if on_event is None else lambda message: on_event(TraceEvent(kind, message))

    return TraceOptions(
        command=argv,
        output=output,
        requests=parsed,
        report=say("warning"),
        notice=say("progress"),
        **rest,  # type: ignore[arg-type]
    )


def _outcome(result: TraceResult) -> Trace:
    """The trace, or the failure with the trace recorded before it attached."""
    if result.failure is not None:
        result.failure.trace = result.trace
        raise result.failure
    return result.trace


async def trace_async(
    command: str | Sequence[str],
    *,
    output: str | os.PathLike[str] | None = "trace.json",
    requests: Sequence[str | Request] = (),
    drive: str | None = None,
    duration: float | None = None,
    include: Sequence[str] = (),
    effects: bool = True,
    port: int | None = None,
    settle: float = 0.3,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
    on_event: Callable[[TraceEvent], None] | None = None,
) -> Trace:
    """Run `node [NODE OPTIONS] SCRIPT [ARGS]` traced, send `requests` ('GET /', in order) or
    run `drive` (a shell command with $PORT and $JITFLUX_URL), and return the trace, written
    to `output` too unless it is None.

    Without requests, drive or duration it traces until SIGINT, SIGTERM or SIGHUP. The app's
    own output goes to `stdout` and `stderr` (default: this process's). A failure raises its
    JitfluxError (UsageError before anything starts; AppExited, NotListening, DriverError,
    Interrupted after the app ran, with the trace recorded so far in `exc.trace`, written).
    """
    options = _options(
        command, output, requests, on_event, drive=drive, duration=duration,
        include=include, effects=effects, port=port, settle=settle, stdout=stdout,
        stderr=stderr,
    )  # fmt: skip
    return _outcome(await _trace(options))


def trace(
    command: str | Sequence[str],
    *,
    output: str | os.PathLike[str] | None = "trace.json",
    requests: Sequence[str | Request] = (),
    drive: str | None = None,
    duration: float | None = None,
    include: Sequence[str] = (),
    effects: bool = True,
    port: int | None = None,
    settle: float = 0.3,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
    on_event: Callable[[TraceEvent], None] | None = None,
) -> Trace:
    """`trace_async` for synchronous callers (it runs its own event loop); no app is left
    running, whatever happens."""
    try:
        return asyncio.run(
            trace_async(
                command, output=output, requests=requests, drive=drive, duration=duration,
                include=include, effects=effects, port=port, settle=settle, stdout=stdout,
                stderr=stderr, on_event=on_event,
            )  # fmt: skip
        )
    finally:
        kill_leftovers()


def analyze(trace: Trace) -> Analysis:
    """The facts of a trace: its fluxions, the pipeline graph, one placement per variable and
    the ties that keep fluxions together; `emit` and `explain` take it as well as a trace."""
    return _analyze(trace)


def emit(trace: Trace | Analysis, format: Literal["flx", "json", "dot"] = "flx") -> str:
    """The app as fluxions: the paper's language (`flx`), the `jitflux.fluxions/1` JSON
    document (`json`) or a Graphviz graph (`dot`)."""
    return render(trace, format)


def explain(
    trace: Trace | Analysis,
    fluxion: str | None = None,
    format: Literal["text", "json"] = "text",
) -> str:
    """Why each fluxion (or `fluxion` only) is not isolated, as text or as the
    `jitflux.explain/1` JSON document; UsageError for a fluxion that does not exist."""
    if format not in ("text", "json"):
        raise UsageError(f"unknown format {format!r} (choose one of text, json)")
    reports = _explain(trace, fluxion)
    if format == "json":
        return render_json(reports)
    return render_text(reports, summary=fluxion is None)
