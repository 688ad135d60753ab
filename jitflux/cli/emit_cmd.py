"""`jitflux emit`: print a trace as fluxions (the paper's language, JSON or Graphviz)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from jitflux.cli.options import add_trace_source
from jitflux.emit import FORMATS, render
from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.trace import load

EPILOG = """\
The default format, flx, is the paper's language: one `flx NAME & TAGS {CONTEXT}` header per
fluxion, its output streams (`>> dest [message]` for a listener, `-> dest [message]` for a
one-shot continuation, `-> null` for none), then its code. json is the jitflux.fluxions/1
object, dot a Graphviz graph (groups as clusters).

examples:
  jitflux emit --from trace.json
  jitflux emit --from trace.json --format json -o fluxions.json
  jitflux emit --from trace.json --format dot | dot -Tsvg > fluxions.svg
"""


def register(subparsers: Any) -> None:
    """Add the `emit` subcommand."""
    parser = subparsers.add_parser(
        "emit",
        help="print a trace as fluxions (flx, json or dot)",
        description="Apply the pipeliner rules (scope, stream, share) to a trace and print "
        "the application as fluxions.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_trace_source(parser)
    parser.add_argument(
        "--format", choices=FORMATS, default="flx", help="output format (default: flx)"
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="write to PATH instead of standard output"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the trace, render it, print or write it."""
    text = render(load(args.source), args.format)
    if args.output:
        write(Path(args.output), text)
    else:
        print(text, end="")
    return 0


def write(path: Path, text: str) -> None:
    """Write the output file; a path that cannot be written is bad usage (one line)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise JitfluxError(f"{path}: cannot write: {exc.strerror}", EXIT_BAD_INPUT) from None
