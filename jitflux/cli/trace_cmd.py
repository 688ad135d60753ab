"""`jitflux trace` (not written yet)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `trace` subcommand."""
    parser = subparsers.add_parser("trace", help="(not written yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Not written yet."""
    raise NotImplementedError
