"""Where each fluxion runs under `jitflux run`: the main thread, or the worker pool.

A fluxion is a candidate to move when the trace found it isolated and what it sends goes to
`main`'s groups (continuations the main thread runs), to the `express_dispatcher` merge, or to
isolated continuations of its own (which then run in the same worker task). It moves when its
work is worth a round trip to a worker (about 40 microseconds): the trace's time per part says
how long a call takes (its own part and those of the continuations that run in its task); a
trace without it leaves the shim to time the candidate in the workers on its first calls.
`--isolate NAME` forces a move whatever the trace says (verify then checks the claim). The shim
still keeps on the main thread a fluxion whose message cannot be cloned, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jitflux.analysis.fluxions import DISPATCHER, MAIN
from jitflux.errors import UsageError
from jitflux.run.facts import FluxionFacts
from jitflux.trace import Location, Timing


@dataclass(frozen=True)
class Decision:
    """The placement of one fluxion and why."""

    name: str
    move: bool  # a candidate for the worker pool
    reason: str
    forced: bool = False
    origin: Location | None = None
    continuations: tuple[Location, ...] = field(default=())  # downstream functions kept on main
    inner: tuple[tuple[str, Location], ...] = field(default=())  # downstream run in the worker
    listeners: tuple[str, ...] = field(default=())  # those of `inner` registered as listeners
    inside: str | None = None  # the moved fluxion whose task runs this one
    probe: bool = False  # its work is unknown: the shim times it in the workers first

    def line(self, min_work: float) -> str:
        """One line for `run`'s placement table."""
        if self.inside:
            return f"  {self.name}: workers, inside {self.inside}'s task ({self.reason})"
        if not self.move:
            return f"  {self.name}: main thread ({self.reason})"
        if not self.probe:
            return f"  {self.name}: workers ({self.reason})"
        return (
            f"  {self.name}: workers while its work takes {min_work:g} ms a call or more "
            f"(timed there: median of 5 calls after 3 warm-up calls) ({self.reason})"
        )


def choose(
    fluxions: Sequence[FluxionFacts], isolate: Sequence[str] = (), min_work: float = 0.0
) -> list[Decision]:
    """The placement of every fluxion: candidates whose work takes `min_work` ms a call or more
    move (all of them with 0); a JitfluxError (status 2) for an unknown `--isolate`."""
    by_name = {f.name: f for f in fluxions}
    for name in isolate:
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise UsageError(f"--isolate {name}: no such fluxion (known: {known})")
        if name in (MAIN, DISPATCHER):
            raise UsageError(f"--isolate {name}: {name} stays on the main thread")
    main = by_name.get(MAIN)
    main_tags = set(main.tags) if main else set()
    decisions = [
        _worth(_decide(f, by_name, main_tags, f.name in isolate), by_name, min_work)
        for f in fluxions
    ]
    # A fluxion that runs inside another's task is not moved on its own.
    outer = {name: d.name for d in decisions if d.move for name, _ in d.inner}
    return [
        Decision(d.name, False, "its caller's continuation", inside=outer[d.name])
        if d.name in outer
        else d
        for d in decisions
    ]


def _downstream(
    f: FluxionFacts,
    by_name: dict[str, FluxionFacts],
    main_tags: set[str],
    forced: bool,
    seen: set[str],
    group: frozenset[str] = frozenset(),
) -> tuple[list[Location], list[tuple[str, Location]], list[str]] | str:
    """Where what `f` sends goes: the continuations kept on the main thread, the fluxions that
    run in the worker with it (its own isolated continuations and theirs, or the members of
    `group`, a share group that lives in its task) and which of those are listeners; or the
    reason it cannot move."""
    assert f.origin is not None
    continuations: list[Location] = []
    inner: list[tuple[str, Location]] = []
    listeners: list[str] = []
    for stream in f.streams:
        if stream.type == "start" and not forced and not set(stream.to) <= group:
            return f"isolated, but {f.name} registers listeners outside its task (not moved yet)"
        for target in stream.to:
            if target in ("null", DISPATCHER):
                continue
            downstream = by_name.get(target)
            if downstream is None or downstream.origin is None:
                return f"its downstream {target} has no known source"
            if downstream.origin.file != f.origin.file:
                return f"its downstream {target} is in another file (not supported yet)"
            if set(downstream.tags) & main_tags:
                continuations.append(downstream.origin)
                continue
            if not (downstream.isolated or forced or target in group):
                tags = " ".join(f"&{t}" for t in downstream.tags)
                return f"it sends to {target}, which is tied ({tags})"
            if target in seen:
                continue
            seen.add(target)
            below = _downstream(downstream, by_name, main_tags, forced, seen, group)
            if isinstance(below, str):
                return below
            inner.append((target, downstream.origin))
            if stream.type == "start":
                listeners.append(target)
            continuations += below[0]
            inner += below[1]
            listeners += below[2]
    return continuations, inner, listeners


def _within(inner: Location | None, f: FluxionFacts) -> bool:
    """Whether `inner` lies in the source of `f`'s function, after its start."""
    if inner is None or f.origin is None or f.end is None or inner.file != f.origin.file:
        return False
    start, end = (f.origin.line, f.origin.column), (f.end.line, f.end.column)
    return start < (inner.line, inner.column) < end


def _own_group(
    f: FluxionFacts, by_name: dict[str, FluxionFacts], main_tags: set[str]
) -> frozenset[str]:
    """The members of `f`'s share group when the group lives in `f`'s task: every variable it
    shares is created by each call of `f` (declared inside it) and every other member is a
    function nested in `f` (its listeners and continuations); empty otherwise."""
    tags = set(f.tags)
    if f.isolated or not tags or tags & main_tags or not f.shares:
        return frozenset()
    members = {g.name for g in by_name.values() if set(g.tags) & tags} - {f.name}
    for name in members:
        g = by_name[name]
        if not set(g.tags) <= tags or not _within(g.origin, f):
            return frozenset()
        if not all(_within(declared, f) for _, declared in g.shares):
            return frozenset()
    if not all(_within(declared, f) for _, declared in f.shares):
        return frozenset()
    return frozenset(members)


def _decide(
    f: FluxionFacts, by_name: dict[str, FluxionFacts], main_tags: set[str], forced: bool
) -> Decision:
    if f.name == MAIN:
        return Decision(f.name, False, "the program's top level: it owns the server")
    if f.name == DISPATCHER:
        return Decision(f.name, False, "merges the streamed changes into the request, calls next")
    if f.origin is None:
        return Decision(f.name, False, "its source location is unknown")
    group = _own_group(f, by_name, main_tags)
    if not f.isolated and not forced and not group:
        tags = " ".join(f"&{t}" for t in f.tags)
        why = f.reasons[0] if f.reasons else "tied to other fluxions"
        return Decision(f.name, False, f"not isolated {tags}: {why}".replace("  ", " "))
    found = _downstream(f, by_name, main_tags, forced, {f.name}, group)
    if isinstance(found, str):
        return Decision(f.name, False, found)
    continuations, inner, listeners = found
    if group and not forced:
        tags = " ".join(f"&{t}" for t in f.tags)
        shared = ", ".join(sorted({name for name, _ in f.shares}))
        reason = (
            f"its group {tags} lives in its task: {shared} created by each call, shared with "
            f"{', '.join(sorted(group))} nested in it"
        )
    elif forced:
        reason = "forced by --isolate" + ("" if f.isolated else "; the trace found it NOT isolated")
    else:
        downstream = sorted({t for s in f.streams for t in s.to if t not in ("null", f.name)})
        reason = ("isolated leaf" if not inner else "isolated") + (
            f", sends to {', '.join(downstream)}" if downstream else ""
        )
    return Decision(
        f.name, True, reason, forced, f.origin, tuple(continuations), tuple(inner), tuple(listeners)
    )


def per_call(timing: Timing, calls: int = 0) -> float:
    """The work of one call: the mean time of its parts without the longest (the first call
    of a function also compiles it, and loads what it requires), times the parts a call has
    (an async function has one more after each `await`, a listener in the task runs as often as
    it fires; `calls` 0: one part a call)."""
    if timing.count <= 1:
        part = timing.total_ms
    else:
        part = max(0.0, timing.total_ms - timing.max_ms) / (timing.count - 1)
    return part * (timing.count / calls if calls > 0 else 1)


def _worth(d: Decision, by_name: dict[str, FluxionFacts], min_work: float) -> Decision:
    """The candidate `d` if its work pays a round trip, else the decision to keep it on the main
    thread; a candidate whose work the trace did not time is probed in the workers."""
    if not d.move or d.forced or min_work <= 0:
        return d
    f = by_name[d.name]
    if f.work is None or f.work.count == 0:
        return replace(d, probe=True)
    # The continuations that run in its task add their work to each call.
    inner = [by_name[name] for name, _ in d.inner]
    ms = per_call(f.work, f.calls) + sum(per_call(g.work, f.calls) for g in inner if g.work)
    calls = f.calls or f.work.count
    over = f"{calls} call{'s' if calls != 1 else ''}" + (
        ", the longest part left out" if f.work.count > 1 else ""
    )
    measured = f"{ms:.3f} ms of work a call in the trace ({over})"
    if ms >= min_work:
        return replace(d, reason=f"{d.reason}; {measured}")
    return replace(
        d,
        move=False,
        reason=f"{d.reason}, but its work is too light to pay a round trip: {measured}, "
        f"under --min-work {min_work:g} ms",
    )


def placement_document(
    decisions: Sequence[Decision], root: Path, workers: int, min_work: float
) -> dict[str, Any]:
    """What the shim reads (JITFLUX_PLACEMENT): the fluxions to move, their files (relative to
    the app's root in the trace) made absolute."""
    moved = []
    for d in decisions:
        if not d.move or d.origin is None:
            continue
        moved.append(
            {
                "name": d.name,
                "file": str((root / d.origin.file).resolve()),
                "line": d.origin.line,
                "column": d.origin.column,
                "forced": d.forced,
                "probe": d.probe,
                "why": d.reason,
                "continuations": [{"line": c.line, "column": c.column} for c in d.continuations],
                "inner": [
                    {"name": n, "line": o.line, "column": o.column, "listener": n in d.listeners}
                    for n, o in d.inner
                ],
            }
        )
    return {"workers": workers, "min_work_ms": min_work, "probe_calls": 5, "fluxions": moved}


def write_placement(path: Path, document: dict[str, Any]) -> None:
    """Write the placement file for the shim."""
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
