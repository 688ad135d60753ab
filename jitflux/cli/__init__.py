"""The `jitflux` command line: a thin layer over the library, one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError, exit_status
from jitflux.version import __version__

# Each module defines `register(subparsers)`, which adds its subparser with `func` set.
COMMANDS = ("trace", "emit", "explain", "static", "compare", "report", "run", "verify")

DESCRIPTION = """\
Watch a Node.js web application run and re-emit it as fluxions: independent parts with their
own context, talking by message streams, that could run in parallel.

examples:
  jitflux trace --request 'GET /' -o trace.json -- node server.js
  jitflux emit --from trace.json
  jitflux explain --from trace.json reply
  jitflux static server.js
  jitflux compare --from trace.json
  jitflux report --from trace.json -o report.html
  jitflux run --from trace.json --workers 2 -- node server.js
  jitflux verify --from trace.json --requests requests.txt -- node server.js
"""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit with status 2 and one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line."""
    parser = _Parser(
        prog="jitflux",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jitflux {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"jitflux.cli.{name}_cmd")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        # Ctrl-C may come while the subcommands are imported (aiohttp takes a while).
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_BAD_INPUT
        return int(args.func(args) or 0)
    except JitfluxError as exc:
        print(f"jitflux: {exc.message}", file=sys.stderr)
        return exit_status(exc)
    except KeyboardInterrupt as exc:
        print("jitflux: interrupted", file=sys.stderr)
        return exit_status(exc)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
