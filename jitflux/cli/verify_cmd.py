"""`jitflux verify`: the same traffic against the plain app and against `run`, compared."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jitflux.cli.options import add_trace_source, add_traffic, requests_of, subcommand
from jitflux.cli.run_cmd import add_placement_options, command_of
from jitflux.errors import UsageError
from jitflux.run.verify import VerifyOptions, outcome, render, verify
from jitflux.trace import dump, from_dict, load, to_dict

DESCRIPTION = """\
Send the same traffic to the plain app and to the app under `jitflux run` (every candidate
fluxion moved to the workers, whatever its cost), through a recording proxy on 127.0.0.1, and
compare each response: status, headers (except volatile ones: Date, ETag, Last-Modified,
Connection, Keep-Alive, Transfer-Encoding, Age) and body. For each difference it names the
fluxion whose move caused it (when several moved, each is tried alone). A fluxion whose message
could not be cloned is reported as a tie the trace did not show.

The app should listen on $PORT: verify sets PORT=0 (a free port) unless PORT is set.

examples:
  jitflux verify --from trace.json --requests requests.txt -- node server.js
  jitflux verify --from trace.json --request 'POST /image/text hello' -- node server.js
  jitflux verify --from trace.json --drive 'npm test' -- node server.js
  jitflux verify --from trace.json --requests requests.txt --isolate reply -- node server.js
  jitflux verify --from trace.json --requests requests.txt --record -- node server.js

exit status: 0 every response is the same; 1 some differ (or an app failed to start);
2 bad usage or bad trace.
"""


def register(subparsers: Any) -> None:
    """Add the `verify` subcommand."""
    parser = subcommand(
        subparsers,
        "verify",
        "replay traffic against the plain app and `run`, compare the responses",
        DESCRIPTION,
        usage="%(prog)s --from TRACE (--request LINE... | --requests FILE | --drive CMD) "
        "[OPTIONS] [--] node SCRIPT [ARGS]",
    )
    add_trace_source(parser)
    traffic = parser.add_argument_group("traffic (one of them at least)")
    add_traffic(
        traffic, "run this command with $PORT and $JITFLUX_URL pointing at the recording proxy"
    )
    add_placement_options(parser)
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the outcome into the trace's meta (`verify`), which `jitflux report` shows",
    )
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, metavar="COMMAND", help="node SCRIPT [ARGS]"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify; print the outcome; 0 all the same, 1 differences."""
    requests = requests_of(args)
    if not requests and not args.drive:
        raise UsageError("no traffic: give --request, --requests or --drive")
    command = command_of(args)
    result = verify(
        VerifyOptions(
            command=command,
            trace=args.source,
            requests=requests,
            drive=args.drive,
            workers=args.workers,
            isolate=args.isolate,
        )
    )
    sys.stdout.write(render(result))
    if args.record:
        # Through the trace's JSON form: meta keeps the keys it does not know as recorded.
        data = to_dict(load(args.source))
        data["meta"]["verify"] = outcome(result, command)
        dump(from_dict(data, args.source), args.source)
    return result.status
