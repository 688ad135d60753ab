"""Options that several subcommands share, so that they read and behave the same."""

from __future__ import annotations

import argparse


def add_trace_source(parser: argparse.ArgumentParser) -> None:
    """`--from TRACE`, required: the trace file a subcommand reads (into `args.source`)."""
    parser.add_argument(
        "--from",
        dest="source",
        metavar="TRACE",
        required=True,
        help="the trace.json written by `jitflux trace`",
    )
