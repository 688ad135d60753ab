"""`jitflux emit`: print a trace as fluxions (the paper's language, JSON or Graphviz)."""

from __future__ import annotations

import argparse
from typing import Any

from jitflux.api import emit
from jitflux.cli.options import emit_text, trace_reader
from jitflux.emit import FORMATS
from jitflux.trace import load

DESCRIPTION = """\
Apply the pipeliner rules (scope, stream, share) to a trace and print the application as
fluxions.

The default format, flx, is the paper's language: one `flx NAME & TAGS {CONTEXT}` header per
fluxion, its output streams (`>> dest [message]` for a listener, `-> dest [message]` for a
one-shot continuation, `-> null` for none), then its code. json is the jitflux.fluxions/1
object (one fluxion or variable a line), dot a Graphviz graph (groups as clusters).

examples:
  jitflux emit --from trace.json
  jitflux emit --from trace.json --format json -o fluxions.json
  jitflux emit --from trace.json --format dot | dot -Tsvg > fluxions.svg
"""


def register(subparsers: Any) -> None:
    """Add the `emit` subcommand."""
    parser = trace_reader(
        subparsers, "emit", "print a trace as fluxions (flx, json or dot)", DESCRIPTION, FORMATS
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the trace, render it, print or write it."""
    emit_text(emit(load(args.source), args.format), args.output)
    return 0
