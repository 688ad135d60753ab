"""`jitflux static`: the paper's static compiler, the baseline for the dynamic trace."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jitflux.cli.options import subcommand
from jitflux.errors import InstallationError, OutputError
from jitflux.trace import Trace, dump

FORMATS = ("flx", "json", "dot")

DESCRIPTION = """\
Compile a Node.js app from its source alone, as the paper's compiler did: parse it with esprima
(the script and the app's own files it requires), find the rupture points from a list of common
asynchronous callees (Express routes, fs, timers, http/net, crypto, child_process, promises,
event listeners), find each callback in place or by walking back to its last assignment, and
the variables each part uses from the scopes. Prints the fluxions like `jitflux emit`.

A callback that exists only at run time, such as the handlers of
`app.post('/x', bodyParser(limit), routes.fn)`, is skipped (a note on stderr says so).
A file esprima cannot parse (optional chaining, ??, class fields...) is reported in one line
on stderr and skipped; the other files are still compiled.

examples:
  jitflux static server.js
  jitflux static server.js --format json -o fluxions.json
  jitflux static server.js --callees callees.json --dump-trace static.json

A callees file is a JSON list of extra asynchronous callees, as names or patterns (`*` for any
text), or objects saying the rupture type and which argument is the callback:
  ["db.query", "cache.*", {"callee": "bus.subscribe", "type": "start", "callback": "last"}]

exit status: 0 compiled (even when some files could not be parsed); 2 bad usage or no script.
"""


def register(subparsers: Any) -> None:
    """Add the `static` subcommand."""
    parser = subcommand(
        subparsers,
        "static",
        "compile an app from its source alone (the paper's static compiler)",
        DESCRIPTION,
    )
    parser.add_argument("script", metavar="SCRIPT", help="the app's main script")
    parser.add_argument(
        "--format", choices=FORMATS, default="flx", help="output format (default: flx)"
    )
    parser.add_argument("-o", "--output", metavar="PATH", help="write the output here, not stdout")
    parser.add_argument(
        "--callees", metavar="FILE", help="a JSON list of extra asynchronous callees"
    )
    parser.add_argument(
        "--dump-trace", metavar="PATH", help="also write the static trace (trace.json format)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no notes about skipped callbacks"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compile the script, report what was skipped, print the fluxions."""
    # esprima takes a noticeable time to import: only this subcommand pays for it.
    from jitflux.static import compile_script, load_callees

    callees = load_callees(args.callees) if args.callees else []
    trace = compile_script(args.script, callees)
    report(trace, quiet=args.quiet)
    if args.dump_trace:
        _write(args.dump_trace, lambda path: dump(trace, path))
    text = render(trace, args.format)
    if args.output:
        _write(args.output, lambda path: Path(path).write_text(text, encoding="utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def _write(path: str, write: Callable[[str], object]) -> None:
    """Write a file, turning an OS error into one line (exit 2)."""
    try:
        write(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None


def report(trace: Trace, quiet: bool = False) -> None:
    """Print the compiler's warnings (always) and notes on skipped callbacks on stderr."""
    for warning in trace.meta.get("warnings", []):
        print(warning, file=sys.stderr)
    if quiet:
        return
    for skip in trace.meta.get("skipped", []):
        print(
            f"note: {skip['file']}:{skip['line']}:{skip['column']}: {skip['callee']} "
            f"callback skipped: {skip['reason']}",
            file=sys.stderr,
        )


def render(trace: Trace, fmt: str) -> str:
    """The fluxions of the static trace, printed by the emit engine."""
    try:
        from jitflux.emit import render as emit_render
    except ImportError as exc:
        raise InstallationError(
            f"cannot print fluxions: the emit engine is missing ({exc})"
        ) from None
    text = emit_render(trace, fmt)
    return text if text.endswith("\n") else text + "\n"
