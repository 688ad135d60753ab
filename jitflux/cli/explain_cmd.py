"""`jitflux explain`: why a fluxion cannot be isolated, and what would free it."""

from __future__ import annotations

import argparse
from typing import Any

from jitflux.api import explain
from jitflux.cli.options import emit_text, trace_reader
from jitflux.trace import load

DESCRIPTION = """\
Tell why each fluxion (or FLUXION) cannot be isolated: what ties it to which fluxions, the
rule, the proof, and what change would free it.

With no FLUXION: a summary table (fluxion, isolated or not, group, number of ties, first
reason), then the details of every fluxion. Each tie shows the rule that fired (share,
network, merge, unknown), the source locations that prove it, how often it was observed, and
a help line with the change that would free the fluxion. --format json gives the same with
the facts as keys (jitflux.explain/1).

examples:
  jitflux explain --from trace.json
  jitflux explain --from trace.json reply
  jitflux explain --from trace.json add --format json
"""


def register(subparsers: Any) -> None:
    """Add the `explain` subcommand."""
    parser = trace_reader(
        subparsers,
        "explain",
        "tell why a fluxion is not isolated",
        DESCRIPTION,
        ("text", "json"),
        output=False,
    )
    parser.add_argument("fluxion", nargs="?", metavar="FLUXION", help="one fluxion to explain")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the trace and print the explanation."""
    emit_text(explain(load(args.source), args.fluxion, args.format), None)
    return 0
