"""The `json` printer: the `jitflux.fluxions/1` contract of DESIGN.md, facts next to words.

Keys beyond the first contract (added in 0.2, same format): each fluxion has `ties` (one per
tie: `finding` id, `rule`, `case`, `tag`, `variable`, `with` the fluxions it ties this one to,
`more` when `with` was cut, `at`, `evidence`, and the `reason` and `help` in words), `reasons`
(the ties' reasons) and `function` (the trace's function id, null for express_dispatcher); each
variable has `placement` ({rule, case, writer, reader, evidence}) and its `reason`; a variable
streamed by the merge (`req.body`) has `via: "merge"`. An evidence item is
{effect: "e<index in trace.json's effects>", fluxion, kind, target, at}. The schema is
jitflux/schemas/fluxions.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jitflux.analysis import Placement, Use
from jitflux.emit.program import Program, TieSpec, use_location
from jitflux.trace import Location
from jitflux.words import NO_STREAM

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
                    {"type": s.type, "to": list(s.to) or [NO_STREAM], "message": list(s.message)}
                    for s in spec.streams
                ],
                "origin": location_json(spec.origin),
                "isolated": spec.isolated,
                "ties": [tie_json(tie) for tie in spec.ties],
                "reasons": list(spec.reasons),
                "function": fn.id if fn is not None else None,
            }
        )
    variables = []
    for var in program.variables:
        entry: dict[str, Any] = {
            "name": var.name,
            "declared": location_json(var.declared),
            "rule": var.rule,
            "fluxions": list(var.fluxions),
            "placement": placement_json(var.placement),
            "reason": var.reason,
        }
        if var.via:
            entry["via"] = var.via
        variables.append(entry)
    return {"format": FORMAT, "fluxions": fluxions, "variables": variables}


def render(program: Program) -> str:
    """The JSON text of a program: keys in contract order, one fluxion or variable a line."""
    return dumps_by_item(to_dict(program))


def dumps_by_item(document: dict[str, Any]) -> str:
    """A JSON object with one top-level key a line and one item of each list a line.

    An item per line keeps a big output readable and diffable item by item, and lets the
    C encoder write each item (an indented dump goes through Python's slow encoder: 5 s
    more on the output of a 10,000-function app).
    """
    lines = ["{"]
    last = len(document) - 1
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < last else ""
        head = f"  {_compact(key)}: "
        if isinstance(value, list) and value:
            lines.append(head + "[")
            lines += [f"    {_compact(item)}," for item in value[:-1]]
            lines += [f"    {_compact(value[-1])}", f"  ]{comma}"]
        else:
            lines.append(head + _compact(value) + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def tie_json(tie: TieSpec) -> dict[str, Any]:
    """A tie's facts, then its words."""
    out: dict[str, Any] = {
        "finding": tie.finding,
        "rule": tie.rule,
        "case": tie.case,
        "tag": tie.tag,
        "variable": tie.variable,
        "with": list(tie.with_),
        "at": location_json(tie.at),
        "evidence": [evidence_json(use) for use in tie.evidence],
        "reason": tie.reason,
        "help": tie.help,
    }
    if tie.more:
        out["more"] = tie.more
    return out


def placement_json(placement: Placement | None, evidence: Sequence[Use] | None = None) -> Any:
    """A placement's facts; `evidence` instead of all of its evidence when given."""
    if placement is None:
        return None
    if evidence is None:
        evidence = placement.evidence
    return {
        "rule": placement.rule,
        "case": placement.case,
        "writer": placement.writer,
        "reader": placement.reader,
        "evidence": [evidence_json(use) for use in evidence],
    }


def evidence_json(use: Use) -> dict[str, Any]:
    """One use as proof: the effect's id in the trace, who, what, on what, where."""
    return {
        "effect": use.effect_id,
        "fluxion": use.fluxion,
        "kind": use.kind,
        "target": use.effect.target,
        "at": location_json(use_location(use)),
    }


def location_json(location: Location | None) -> dict[str, Any] | None:
    """{file, line, column}, or None."""
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}
