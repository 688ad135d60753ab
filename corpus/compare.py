"""How two runs of a corpus app differ: their answers, byte for byte, and their output."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.client import Answer


def first_difference(untraced: list[Answer], traced: list[Answer]) -> str | None:
    """Where two runs' answers first differ, in words; None when they are the same."""
    for number, (a, b) in enumerate(zip(untraced, traced, strict=False), start=1):
        where = f"request {number} ({a.request})"
        if (a.error, a.status) != (b.error, b.status):
            return f"{where}: {a.status or a.error} untraced, {b.status or b.error} traced"
        ha, hb = a.stable_headers(), b.stable_headers()
        if ha != hb:
            extra = [h for h in hb if h not in ha][:2]
            lost = [h for h in ha if h not in hb][:2]
            return f"{where}: headers differ (untraced only {lost}, traced only {extra})"
        ba, bb = a.body_bytes(), b.body_bytes()
        if ba != bb:
            pairs = enumerate(zip(ba, bb, strict=False))
            at = next((i for i, (x, y) in pairs if x != y), min(len(ba), len(bb)))
            return (
                f"{where}: body differs at byte {at} of {len(ba)}/{len(bb)}: "
                f"{ba[at : at + 40]!r} untraced, {bb[at : at + 40]!r} traced"
            )
    if len(untraced) != len(traced):
        return f"{len(untraced)} answers untraced, {len(traced)} traced"
    return None


def _output_lines(path: Path, stream: str) -> list[bytes]:
    text = path.read_bytes() if path.exists() else b""
    if stream == "stdout":
        return text.splitlines()
    # On stderr, jitflux's own lines are not the app's, and node's warnings name the process id.
    lines = [ln for ln in text.splitlines() if not ln.startswith(b"jitflux:")]
    return [re.sub(rb"^\(node:\d+\)", b"(node:PID)", ln) for ln in lines]


def output_difference(untraced: Path, traced: Path, stream: str = "stdout") -> str | None:
    """Where the app's output on `stream` traced first differs from untraced; None if it does
    not. On stderr, jitflux's lines are left out and node's process ids masked."""
    lines_a, lines_b = _output_lines(untraced, stream), _output_lines(traced, stream)
    if lines_a == lines_b:
        return None
    for number, (x, y) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
        if x != y:
            return f"{stream} line {number}: {x[:60]!r} untraced, {y[:60]!r} traced"
    return f"{stream} has {len(lines_a)} lines untraced, {len(lines_b)} traced"
