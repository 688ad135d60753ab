"""What a recorded `verify` outcome (the trace's `meta.verify`, written by `verify --record`)
says of each fluxion, in words other commands print. Imports nothing heavy: explain reads it."""

from __future__ import annotations

from typing import Any


def refutations(recorded: Any) -> dict[str, list[str]]:
    """For each fluxion whose move changed an answer, one sentence per difference."""
    out: dict[str, list[str]] = {}
    if not isinstance(recorded, dict):
        return out
    for difference in recorded.get("differences") or []:
        if not isinstance(difference, dict):
            continue
        what = difference.get("what", "response")
        sentence = (
            f"refuted by verify: moved to a worker, it changed the {what} of "
            f"`{difference.get('request', '?')}` (plain: {difference.get('plain', '?')}; "
            f"run: {difference.get('run', '?')})"
        )
        for name in difference.get("fluxions") or []:
            out.setdefault(str(name), []).append(sentence)
    return out
