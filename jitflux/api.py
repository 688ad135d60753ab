"""The library's functions, which `jitflux/__init__.py` exports: trace an app, analyze a trace,
emit it as fluxions and explain them. They print nothing: progress and warnings go to the
`on_event` callback when one is given (the command line passes one that prints)."""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal, TypedDict, Unpack

from jitflux.analysis import Analysis
from jitflux.analysis import analyze as _analyze
from jitflux.emit import render
from jitflux.errors import UsageError
from jitflux.explain import explain as _explain
from jitflux.explain import render_json, render_text
from jitflux.trace import Trace
from jitflux.tracing.drive import Request, parse_request
from jitflux.tracing.groups import kill_leftovers
from jitflux.tracing.session import TraceOptions, TraceResult
from jitflux.tracing.session import trace as _trace


@dataclass(frozen=True)
class TraceEvent:
    """Something worth saying while tracing: `progress` (where the app listens), or a
    `warning` (a request that failed, something the shim could not record)."""

    kind: Literal["progress", "warning"]
    message: str


class TraceArgs(TypedDict, total=False):
    """The keyword arguments of `trace` and `trace_async`."""

    output: str | os.PathLike[str] | None  # default trace.json; None: not written
    requests: Sequence[str | Request]  # 'METHOD /path [BODY]', sent in order
    drive: str | None  # a shell command run with $PORT and $JITFLUX_URL
    duration: float | None  # seconds, then stop
    include: Sequence[str]  # packages under node_modules to instrument too
    effects: bool  # False: rupture points only
    port: int | None  # the app's port (default: the first it listens on)
    settle: float  # seconds to wait for late callbacks after the driver
    stdout: BinaryIO | None  # where the app's own output goes (default: this process's)
    stderr: BinaryIO | None
    on_event: Callable[[TraceEvent], None] | None  # progress and warnings


def _options(command: str | Sequence[str], args: TraceArgs) -> TraceOptions:
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    requests = [
        r if isinstance(r, Request) else parse_request(r, "request")
        for r in args.pop("requests", ())
    ]
    on_event = args.pop("on_event", None)

    def say(kind: Literal["progress", "warning"]) -> Callable[[str], None] | None:
        return None if on_event is None else lambda message: on_event(TraceEvent(kind, message))

    return TraceOptions(
        command=argv, requests=requests, report=say("warning"), notice=say("progress"), **args
    )


def _outcome(result: TraceResult) -> Trace:
    """The trace, or the failure with the trace recorded before it attached."""
    if result.failure is not None:
        result.failure.trace = result.trace
        raise result.failure
    return result.trace


async def trace_async(command: str | Sequence[str], **args: Unpack[TraceArgs]) -> Trace:
    """Run `node [NODE OPTIONS] SCRIPT [ARGS]` traced, send `requests` ('GET /', in order) or
    run `drive`, and return the trace, written to `output` (default: trace.json) unless it is
    None. Every option is described in `TraceArgs`.

    Without requests, drive or duration it traces until SIGINT, SIGTERM or SIGHUP. A failure
    raises its JitfluxError (UsageError before anything starts; AppExited, NotListening,
    DriverError, Interrupted after the app ran, with the trace recorded so far in `exc.trace`,
    written).
    """
    return _outcome(await _trace(_options(command, args)))


def trace(command: str | Sequence[str], **args: Unpack[TraceArgs]) -> Trace:
    """`trace_async` for synchronous callers (it runs its own event loop); no app is left
    running, whatever happens."""
    try:
        return asyncio.run(trace_async(command, **args))
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
