"""`jitflux explain` (not written yet)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `explain` subcommand."""
    parser = subparsers.add_parser("explain", help="(not written yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Not written yet."""
    raise NotImplementedError
