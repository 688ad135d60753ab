"""`jitflux trace`: run a Node.js app under the tracer and write trace.json."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from jitflux.api import TraceEvent, trace
from jitflux.cli.includes import unmatched_includes
from jitflux.cli.options import add_traffic, requests_of, subcommand
from jitflux.errors import JitfluxError, OutputError, UsageError, exit_status
from jitflux.trace import Trace
from jitflux.words import callee_label, function_label, include_matches_nothing

DESCRIPTION = """\
Run a Node.js app under the inspector with the jitflux shim preloaded, drive traffic to it, and
write what really happened (rupture points, side effects) to a trace file.

The app's port is the first one it listens on (or --port). Requests go to http://127.0.0.1:PORT,
the path sent exactly as written (`//host/x` is a path of the app, never another host).
Without --request, --requests, --drive or --duration, tracing goes on until Ctrl-C (or SIGTERM,
SIGHUP); the trace is written then too. Everything the app writes on stdout and stderr is
relayed, to the last byte.

examples:
  jitflux trace --request 'GET /' --request 'GET /' -- node server.js
  jitflux trace --request 'POST /image/text hello' -o gif.json node server.js
  jitflux trace --requests requests.txt node --max-old-space-size=512 server.js --verbose
  jitflux trace --drive 'autocannon -a 200 "$JITFLUX_URL"' node server.js
  jitflux trace --duration 60 --include gifsockets-middleware node server.js
  jitflux trace --requests requests.txt --report report.html -- node server.js
  jitflux trace -o /dev/stdout --request 'GET /' node server.js | jq .meta

A requests file holds one 'METHOD /path [BODY]' a line; blank lines and '#' comments are skipped.
A body that is a JSON object or array is sent as application/json, any other as text/plain. A
request that gets no answer or a 5xx answer is reported and counted as failed; tracing goes on.

-o is checked before the app starts. A regular file is replaced atomically and keeps its mode; a
symlink is written through to its target; a device or a pipe (/dev/stdout, a FIFO) is written to.
With -o /dev/stdout the trace has stdout to itself: the app's output and the summary go to stderr.

Node child processes (fork, cluster workers) are traced into the same trace, their function ids
prefixed with p<pid>.; other programs and worker threads run untraced. None gets an inspector.
The summary and the trace's meta.processes list them all. ES modules are instrumented as
CommonJS files are (through Node's module hooks); an ES module entry that could not be is named
in a warning.

exit status: 0 traced; 1 the app or the driver failed, or the app exited before listening or
never listened (the trace is still written once the app ran); 2 bad usage (a missing script, an
output that cannot be written, a bad option: nothing is started); 128+N interrupted by signal N
while a driver ran or before the app listened (130 for Ctrl-C).
"""


def register(subparsers: Any) -> None:
    """Add the `trace` subcommand."""
    parser = subcommand(
        subparsers,
        "trace",
        "run a Node.js app, drive traffic, write trace.json",
        DESCRIPTION,
        usage="%(prog)s [OPTIONS] [--] node [NODE OPTIONS] SCRIPT [ARGS]",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="trace.json",
        metavar="PATH",
        help="where to write the trace (default: trace.json); checked before the app starts",
    )
    traffic = parser.add_argument_group("traffic")
    add_traffic(traffic, "run this command with $PORT and $JITFLUX_URL set; trace until it exits")
    traffic.add_argument(
        "--port", type=int, help="the app's port (default: the first it listens on)"
    )
    traffic.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="stop tracing after this long (a positive number)",
    )
    traffic.add_argument(
        "--settle",
        type=float,
        default=0.3,
        metavar="SECONDS",
        help="after the driver, wait this long for pending callbacks (default: 0.3)",
    )
    record = parser.add_argument_group("recording")
    record.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PACKAGE",
        help="instrument this package under node_modules too (repeatable)",
    )
    record.add_argument(
        "--no-effects",
        dest="effects",
        action="store_false",
        help="record rupture points only, not side effects",
    )
    parser.add_argument(
        "--report", metavar="PATH", help="also write the trace's HTML page (as `jitflux report`)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print no summary and no progress"
    )
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="COMMAND",
        help="node [NODE OPTIONS] SCRIPT [ARGS]",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Trace the app, print the summary, return the exit status."""
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    requests = requests_of(args)
    if not command:
        raise UsageError("no command to trace: give `node SCRIPT [ARGS]`")

    def say(event: TraceEvent) -> None:
        if event.kind != "progress" or not args.quiet:
            print(f"jitflux: {event.message}", file=sys.stderr, flush=True)

    # When the trace goes to jitflux's own stdout (`-o /dev/stdout`), it has stdout to itself:
    # the app's output and the summary go to stderr.
    to_stdout = _is_stdout(args.output)
    for name in unmatched_includes(command, args.include):
        print(f"jitflux: {include_matches_nothing(name)}", file=sys.stderr)
    failure: JitfluxError | None = None
    try:
        recorded = trace(
            command, output=args.output, requests=requests, drive=args.drive, port=args.port,
            duration=args.duration, settle=args.settle, include=args.include,
            effects=args.effects, stdout=sys.stderr.buffer if to_stdout else None, on_event=say,
        )  # fmt: skip
    except JitfluxError as exc:
        if exc.trace is None:
            raise  # nothing ran
        recorded, failure = exc.trace, exc
    written = None if isinstance(failure, OutputError) else Path(args.output)
    if not args.quiet:
        out = sys.stderr if to_stdout else sys.stdout
        out.write(trace_summary(recorded, written))
        out.flush()
    status = 0 if failure is None else exit_status(failure)
    if failure is not None:
        print(f"jitflux: {failure.message}", file=sys.stderr)
    if args.report and written is not None:
        return _write_report(recorded, written, args.report, status, args.quiet)
    return status


def _write_report(trace: Trace, written: Path, output: str, status: int, quiet: bool) -> int:
    """After `--report`: write the page of the trace just made; the exit status (the trace's,
    or the report's own error status when the trace went well)."""
    from jitflux.report import write_report

    try:
        path = write_report(trace, output, trace_path=written)
    except JitfluxError as exc:
        print(f"jitflux: {exc.message}", file=sys.stderr)
        return status or exit_status(exc)
    if not quiet:
        print(f"report written to {path}")
    return status


def _is_stdout(path: str) -> bool:
    """True when `path` is the file, pipe or terminal that jitflux's stdout writes to."""
    try:
        target, stdout = os.stat(path), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (target.st_dev, target.st_ino) == (stdout.st_dev, stdout.st_ino)


def _name(trace: Trace, function_id: str) -> str:
    try:
        fn = trace.function(function_id)
    except KeyError:
        return function_id
    if fn.name:
        return fn.name
    if fn.kind == "toplevel":
        return f"<top level {fn.file}>"
    return function_label(fn)


def _processes(meta: dict[str, Any]) -> list[str]:
    """What was traced and what ran untraced: child processes, worker threads, ES modules."""
    processes = [p for p in meta.get("processes") or [] if isinstance(p, dict)]
    traced = [f"{p.get('pid')}{' (main)' if p.get('main') else ''}" for p in processes
              if p.get("traced")]  # fmt: skip
    lines = [f"traced: process{'es' if len(traced) > 1 else ''} {', '.join(traced)}"]
    lines = lines if traced else []
    untraced = []
    children = [str(p.get("pid")) for p in processes if not p.get("traced") and "thread" not in p]
    threads = [str(p.get("thread")) for p in processes if not p.get("traced") and "thread" in p]
    if children:
        untraced.append(f"child process{'es' if len(children) > 1 else ''} {', '.join(children)}")
    if threads:
        untraced.append(f"worker thread{'s' if len(threads) > 1 else ''} {', '.join(threads)}")
    untraced += [
        f"ES module {w.split(' ', 1)[0]}"
        for w in meta.get("warnings") or []
        if isinstance(w, str) and " is an ES module whose code was not instrumented" in w
    ]
    if untraced:
        lines.append("not traced: " + "; ".join(untraced))
    return lines


def trace_summary(trace: Trace, written: Path | None) -> str:
    """The text printed after tracing: requests, rupture points, where the trace went
    (`written`: None when it was not written)."""
    meta = trace.meta
    lines = [
        f"requests: {meta.get('requests_sent', 0)} sent, {meta.get('requests_failed', 0)} "
        f"failed, {meta.get('requests_received', 0)} received by the app"
    ]
    rows = [
        (
            rp.type,
            callee_label(rp.callee),
            _name(trace, rp.caller),
            _name(trace, rp.callback),
            str(rp.count),
        )
        for rp in trace.rupture_points
    ]
    if rows:
        lines.append(f"rupture points: {len(rows)}")
        header = ("type", "callee", "caller", "callback", "count")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=False)]
            lines.append("  " + "  ".join([*cells, row[4].rjust(widths[4])]))
    else:
        lines.append("rupture points: none seen")
    lines.extend(_processes(meta))
    if written is not None:
        complete = "" if meta.get("complete", True) else " (incomplete)"
        lines.append(f"trace written to {written}{complete}")
    return "\n".join(lines) + "\n"
