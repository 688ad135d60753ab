"""The one adapter between `run`/`verify` and the analysis: the fluxions of a trace as the
`jitflux.fluxions/1` document (what `emit --format json` prints) describes them. When the
analysis changes shape, this module alone follows it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import Any

from jitflux.emit import Stream, render
from jitflux.trace import Function, Location, Timing, Trace, load


@dataclass(frozen=True)
class FluxionFacts:
    """What run needs to know of a fluxion, read from its entry in the document."""

    name: str
    tags: tuple[str, ...]
    context: tuple[str, ...]
    streams: tuple[Stream, ...]
    origin: Location | None
    isolated: bool
    reasons: tuple[str, ...] = field(default=())
    work: Timing | None = None  # the time of its function's parts in the trace, if recorded
    calls: int = 0  # how often the trace saw it called (an async function's resumes left out)
    end: Location | None = None  # where its function ends, when known
    shares: tuple[tuple[str, Location | None], ...] = field(default=())  # share variables, declared


def fluxions_of(trace_path: str | os.PathLike[str]) -> list[FluxionFacts]:
    """The fluxions of the trace at `trace_path` (a JitfluxError when it cannot be loaded)."""
    trace = load(trace_path)
    document = json.loads(render(trace, "json"))
    timings = trace.timings_by_function()
    calls: dict[str, int] = {}
    for point in trace.rupture_points:
        if point.callee != "await":
            calls[point.callback] = calls.get(point.callback, 0) + point.count
    shares: dict[str, list[tuple[str, Location | None]]] = {}
    for variable in document.get("variables", []):
        if variable.get("rule") == "share":
            declared = _origin(variable.get("declared"))
            for name in variable.get("fluxions", []):
                shares.setdefault(name, []).append((variable["name"], declared))
    ends = {fn.id: _end(trace, fn) for fn in trace.functions}
    return [
        replace(
            _fluxion(entry, timings, calls),
            end=ends.get(entry.get("function") or ""),
            shares=tuple(shares.get(entry["name"], ())),
        )
        for entry in document["fluxions"]
    ]


def _origin(value: Any) -> Location | None:
    if not isinstance(value, dict):
        return None
    return Location(value["file"], value["line"], value["column"])


def _end(trace: Trace, fn: Function) -> Location | None:
    """Where function `fn` ends (line 1-based, column 0-based), from its range in its source."""
    text = trace.sources.get(fn.file)
    if fn.range is None or text is None:
        return None
    offset = fn.range[1]
    line_start = text.rfind("\n", 0, offset) + 1
    return Location(fn.file, text.count("\n", 0, offset) + 1, offset - line_start)


def _fluxion(
    entry: dict[str, Any], timings: dict[str, Timing], calls: dict[str, int]
) -> FluxionFacts:
    origin = entry.get("origin")
    function = entry.get("function")
    return FluxionFacts(
        name=entry["name"],
        tags=tuple(entry.get("tags", [])),
        context=tuple(entry.get("context", [])),
        streams=tuple(
            Stream(s["type"], tuple(s.get("to", [])), tuple(s.get("message", [])))
            for s in entry.get("streams", [])
        ),
        origin=Location(origin["file"], origin["line"], origin["column"]) if origin else None,
        isolated=bool(entry.get("isolated")),
        reasons=tuple(entry.get("reasons", [])),
        work=timings.get(function) if isinstance(function, str) else None,
        calls=calls.get(function, 0) if isinstance(function, str) else 0,
    )
