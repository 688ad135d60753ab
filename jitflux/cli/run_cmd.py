"""`jitflux run`: serve a Node.js app with its isolated fluxions executed in a worker pool."""

from __future__ import annotations

import argparse
from typing import Any

from jitflux.cli.options import add_trace_source, subcommand
from jitflux.errors import UsageError
from jitflux.run.runner import RunOptions, serve

DESCRIPTION = """\
Start a Node.js app with the jitflux shim preloaded in run mode (no inspector, nothing
recorded) and a placement derived from the trace: every isolated leaf fluxion (what it sends
goes to main's groups or to the express_dispatcher merge) executes in a pool of worker threads
(Piscina), each call fed with a structured clone of its message; what it sends downstream comes
back as messages applied on the main thread. Everything in a network or share group stays on
the main thread, except a share group whose variables each call of one fluxion creates (its
listeners and continuations nested in it): it moves in that fluxion's task. A candidate moves
when its work a call, as the trace timed it, pays the round trip of about 40 microseconds
(--min-work). The placement is printed first, one line per fluxion, with why; the shim then
says on stderr when a fluxion moves or stays (a message that cannot be cloned).

examples:
  jitflux run --from trace.json -- node server.js
  jitflux run --from trace.json --workers 2 -- node server.js
  jitflux run --from trace.json --isolate anonymous_12 --min-work 0 -- node server.js
  PORT=8080 jitflux run --from trace.json -- node --max-old-space-size=512 server.js

exit status: the app's own when it exits; 130 when stopped by Ctrl-C; 2 bad usage or bad trace.
"""


def add_placement_options(parser: argparse.ArgumentParser) -> None:
    """--workers and --isolate, shared by run and verify."""
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="worker threads (default: 2)"
    )
    parser.add_argument(
        "--isolate",
        action="append",
        default=[],
        metavar="NAME",
        help="move this fluxion whatever the trace says (repeatable)",
    )


def command_of(args: argparse.Namespace) -> list[str]:
    """The app's command, without a leading `--`; a JitfluxError when there is none."""
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise UsageError("no command to run: give `node SCRIPT [ARGS]`")
    return command


def register(subparsers: Any) -> None:
    """Add the `run` subcommand."""
    parser = subcommand(
        subparsers,
        "run",
        "serve the app with its isolated fluxions in worker threads",
        DESCRIPTION,
        usage="%(prog)s --from TRACE [OPTIONS] [--] node [NODE OPTIONS] SCRIPT [ARGS]",
    )
    add_trace_source(parser)
    add_placement_options(parser)
    parser.add_argument(
        "--min-work",
        type=float,
        default=0.2,
        metavar="MS",
        help="move a candidate only when its work takes this long a call: its time in the "
        "trace (a trace without it: the median of 5 calls after 3 warm-up calls, timed in the "
        "workers); default: 0.2; 0 moves every candidate",
    )
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, metavar="COMMAND", help="node SCRIPT [ARGS]"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve the app; its exit status."""
    options = RunOptions(
        command=command_of(args),
        trace=args.source,
        workers=args.workers,
        isolate=args.isolate,
        min_work=args.min_work,
    )
    return serve(options)
