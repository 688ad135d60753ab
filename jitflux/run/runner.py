"""`jitflux run` as a library: choose the placement from the trace, print it, serve the app
until it exits or jitflux is interrupted, and always stop it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from jitflux.errors import UsageError
from jitflux.run.app import RunningApp, app_env
from jitflux.run.facts import fluxions_of
from jitflux.run.placement import Decision, choose, placement_document
from jitflux.tracing.command import find_script, parse_command


@dataclass
class RunOptions:
    """What to serve and how. `command` is `node [NODE OPTIONS] SCRIPT [ARGS]`."""

    command: Sequence[str]
    trace: str | os.PathLike[str]
    workers: int = 2
    isolate: Sequence[str] = ()
    min_work: float = 0.2  # ms a call: lighter candidates stay on the main thread
    env: Mapping[str, str] | None = None
    out: Callable[[str], None] = field(default=lambda line: print(line, flush=True))


def check(workers: int, min_work: float) -> None:
    """Bad values of --workers and --min-work are bad usage."""
    if workers < 1:
        raise UsageError(f"--workers {workers}: must be 1 or more")
    if min_work < 0:
        raise UsageError(f"--min-work {min_work:g}: must not be negative")


def plan(options: RunOptions) -> tuple[list[Decision], dict[str, object]]:
    """The decisions and the shim's placement document for these options."""
    check(options.workers, options.min_work)
    command = parse_command(options.command)
    decisions = choose(fluxions_of(options.trace), options.isolate, options.min_work)
    # The trace's files are relative to the traced script's folder.
    root = find_script(command.script).parent
    document = placement_document(decisions, root, options.workers, options.min_work)
    return decisions, document


async def _serve(options: RunOptions) -> int:
    decisions, document = plan(options)
    options.out(f"placement ({options.workers} workers):")
    for decision in decisions:
        options.out(decision.line(options.min_work))
    app = await RunningApp.start(
        parse_command(options.command), placement=document, env=app_env(options.env, False)
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        port_task = asyncio.ensure_future(app.wait_port(timeout=3600))
        exit_task = asyncio.ensure_future(app.process.wait())
        stop_task = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait(
            {port_task, exit_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
        )
        if port_task in done and port_task.exception() is None:
            options.out(f"listening on http://127.0.0.1:{port_task.result()}")
            await asyncio.wait({exit_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        for task in (port_task, stop_task):
            task.cancel()
        if stop.is_set():
            return 130
        code = await exit_task
        return 128 - code if code < 0 else code
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await app.stop()
        app.cleanup()


def serve(options: RunOptions) -> int:
    """Serve the app with its placement until it exits (its status) or Ctrl-C (130)."""
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_serve(options))
    return 130
