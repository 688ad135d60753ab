"""`jitflux compare`: what the trace found, what the static compiler found, and what both did."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jitflux.cli.options import emit_text, trace_reader

DESCRIPTION = """\
Compile the traced script statically (as `jitflux static` does) and compare it with the trace:
rupture points and variables (declarations that cross a fluxion boundary) found by both, only by
the trace (e.g. the handlers of `app.post(path, bodyParser(limit), routes.fn)`, which exist
only at run time), and only by the static compiler (e.g. code the traffic never reached).

The script is found from the trace (meta.script_path, the traced command, or meta.script next
to the trace file or in the current folder); give SCRIPT when the trace was made elsewhere.

examples:
  jitflux compare --from trace.json
  jitflux compare --from trace.json server.js --format json
  jitflux compare --from trace.json --callees callees.json

exit status: 0 compared; 2 bad usage, a bad trace or no script.
"""


def register(subparsers: Any) -> None:
    """Add the `compare` subcommand."""
    parser = trace_reader(
        subparsers,
        "compare",
        "compare a trace with the static compiler's view of the same script",
        DESCRIPTION,
        ("text", "json"),
    )
    parser.add_argument(
        "script", nargs="?", metavar="SCRIPT", help="the traced script (default: from the trace)"
    )
    parser.add_argument(
        "--callees", metavar="FILE", help="a JSON list of extra asynchronous callees"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare and print."""
    # esprima takes a noticeable time to import: only this subcommand pays for it.
    from jitflux.compare import compare_files, render_json, render_text
    from jitflux.static import load_callees

    callees = load_callees(args.callees) if args.callees else []
    comparison = compare_files(args.source, args.script, callees)
    for warning in comparison.warnings:
        print(warning, file=sys.stderr)
    text = render_json(comparison) if args.format == "json" else render_text(comparison)
    emit_text(text, args.output)
    return 0
