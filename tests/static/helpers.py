"""Readable views of a static trace for assertions: names, rupture points, effects."""

from __future__ import annotations

from jitflux.trace import Trace


def names(trace: Trace) -> dict[str, str]:
    """Function ids to readable names: the name, `main` for f0, or `anonymous@LINE`."""
    out = {}
    for fn in trace.functions:
        if fn.kind == "toplevel":
            out[fn.id] = "main" if fn.id == "f0" else f"toplevel:{fn.file}"
        else:
            out[fn.id] = fn.name or f"anonymous@{fn.line}"
    return out


def points(trace: Trace) -> set[tuple[str, str, str, str]]:
    """The rupture points as (type, callee, caller name, callback name)."""
    n = names(trace)
    return {(p.type, p.callee, n[p.caller], n[p.callback]) for p in trace.rupture_points}


def effects(trace: Trace) -> set[tuple[str, str, str]]:
    """The effects as (part name, kind, target)."""
    n = names(trace)
    return {(n[e.function], e.kind, e.target) for e in trace.effects}
