"""The `json` printer: the `jitflux.fluxions/1` contract of DESIGN.md.

Keys beyond the contract: each fluxion has `reasons` (why each of its tags holds it, in words)
and `function` (the trace's function id, null for express_dispatcher); a variable streamed by
the merge (`req.body`) has `via: "merge"`.
"""

from __future__ import annotations

import json
from typing import Any

from jitflux.emit.program import Program
from jitflux.trace import Location

FORMAT = "jitflux.fluxions/1"


def to_dict(program: Program) -> dict[str, Any]:
    """The JSON object of a program."""
    fluxions = []
    for spec in program.fluxions:
        fn = spec.fluxion.function
        fluxions.append(
            {
                "name": spec.name,
                "tags": list(spec.tags),
                "context": list(spec.context),
                "streams": [
                    {"type": s.type, "to": list(s.to), "message": list(s.message)}
                    for s in spec.streams
                ],
                "origin": _location(spec.origin),
                "isolated": spec.isolated,
                "reasons": list(spec.reasons),
                "function": fn.id if fn is not None else None,
            }
        )
    variables = []
    for var in program.variables:
        entry: dict[str, Any] = {
            "name": var.name,
            "declared": _location(var.declared),
            "rule": var.rule,
            "fluxions": list(var.fluxions),
        }
        if var.via:
            entry["via"] = var.via
        variables.append(entry)
    return {"format": FORMAT, "fluxions": fluxions, "variables": variables}


def render(program: Program) -> str:
    """The JSON text of a program (two-space indentation, keys in contract order)."""
    return json.dumps(to_dict(program), indent=2, ensure_ascii=False) + "\n"


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}
