"""`jitflux report`: one self-contained HTML page of a trace's fluxions, to open in a browser."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jitflux.cli.options import add_trace_source, subcommand
from jitflux.trace import load

DESCRIPTION = """\
Write one HTML page that shows the fluxions of a trace: the graph (groups as clusters, streams
as edges labelled with their messages, isolated fluxions apart, the express_dispatcher merge),
and on a click the fluxion's flx code, context, ties (with explain's reasons and the source
lines) and how often it ran. The page is one file with every script and style inline (Graphviz
compiled to WebAssembly draws the graph): it opens offline and loads nothing.

examples:
  jitflux report --from trace.json -o report.html
  jitflux trace --requests requests.txt --report report.html -- node server.js

exit status: 0 written; 1 the page's renderer is not installed; 2 bad usage, a bad trace or
an output that cannot be written.
"""


def register(subparsers: Any) -> None:
    """Add the `report` subcommand."""
    parser = subcommand(
        subparsers,
        "report",
        "write one self-contained HTML page that shows the fluxions",
        DESCRIPTION,
    )
    add_trace_source(parser)
    parser.add_argument(
        "-o",
        "--output",
        default="report.html",
        metavar="PATH",
        help="where to write the page (default: report.html)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the trace and write its page."""
    # The report imports the analysis and the page's template: only this subcommand pays.
    from jitflux.report import write_report

    path = write_report(load(args.source), args.output, trace_path=args.source)
    if not args.quiet:
        print(f"report written to {path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0
