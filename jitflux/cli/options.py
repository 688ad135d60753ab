"""Options that several subcommands share, so that they read and behave the same."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jitflux.errors import JitfluxError, OutputError
from jitflux.tracing.drive import Request, parse_request, read_requests


def add_traffic(group: Any, drive_help: str) -> None:
    """The traffic options of `trace` and `verify`: --request, --requests and --drive."""
    group.add_argument(
        "--request",
        action="append",
        default=[],
        type=_request,
        metavar="'METHOD /path [BODY]'",
        help="send this request (repeatable, sent in order)",
    )
    group.add_argument(
        "--requests", metavar="FILE", help="send the requests of FILE, one a line, in order"
    )
    group.add_argument("--drive", metavar="'SHELL COMMAND'", help=drive_help)


def requests_of(args: argparse.Namespace) -> list[Request]:
    """The requests of --request, then those of the --requests file."""
    requests = list(args.request)
    if args.requests:
        requests += read_requests(args.requests)
    return requests


def _request(text: str) -> Request:
    try:
        return parse_request(text, "--request")
    except JitfluxError as exc:
        raise argparse.ArgumentTypeError(exc.message.removeprefix("--request: ")) from None


def add_trace_source(parser: argparse.ArgumentParser) -> None:
    """`--from TRACE`, required: the trace file a subcommand reads (into `args.source`)."""
    parser.add_argument(
        "--from",
        dest="source",
        metavar="TRACE",
        required=True,
        help="the trace.json written by `jitflux trace`",
    )


def subcommand(
    subparsers: Any, name: str, summary: str, description: str, usage: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand: `summary` in `jitflux --help`, `description` (ending with its examples)
    kept as written in its own help."""
    return subparsers.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=usage,
    )


def trace_reader(
    subparsers: Any,
    name: str,
    summary: str,
    description: str,
    formats: Sequence[str],
    output: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand that reads a trace (`--from TRACE`) and prints it in one of `formats`
    (the first is the default), to `-o PATH` when `output`; `description` ends with its
    examples, kept as written."""
    parser = subcommand(subparsers, name, summary, description)
    add_trace_source(parser)
    parser.add_argument(
        "--format",
        choices=tuple(formats),
        default=formats[0],
        help=f"output format (default: {formats[0]})",
    )
    if output:
        parser.add_argument(
            "-o", "--output", metavar="PATH", help="write to PATH instead of standard output"
        )
    return parser


def emit_text(text: str, path: str | None) -> None:
    """Print `text`, or write it to `path`; a path that cannot be written is bad usage."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
