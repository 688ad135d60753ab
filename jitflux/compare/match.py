"""Matching the two sides: functions by place (or name), rupture points through that
matching, variables by (name, declaration)."""

from __future__ import annotations

from typing import Any

from jitflux.compare.model import SECTIONS, FunctionRef, RuptureEntry, VariableEntry
from jitflux.trace import Function, Location, RupturePoint, Skip, Trace

_KINDS = ("read", "write", "mutate", "call", "network")


class Matcher:
    """Matches functions across the two traces and names them the same way."""

    def __init__(self, dynamic: Trace, static: Trace) -> None:
        self.dynamic = dynamic.functions_by_id()
        self.static = static.functions_by_id()
        self.main_file = static.meta.script or _main_file(static)
        by_place = {(f.file, f.line, f.column): f.id for f in static.functions}
        by_name: dict[tuple[str, int, str], list[str]] = {}
        for f in static.functions:
            if f.name:
                by_name.setdefault((f.file, f.line, f.name), []).append(f.id)
        self.to_static: dict[str, str] = {}
        for f in dynamic.functions:
            found = by_place.get((f.file, f.line, f.column))
            if found is None and f.name and len(by_name.get((f.file, f.line, f.name), [])) == 1:
                found = by_name[(f.file, f.line, f.name)][0]
            if found is not None:
                self.to_static[f.id] = found
        self.to_trace = {s: d for d, s in self.to_static.items()}

    def key_of_trace(self, function_id: str) -> str:
        """A function's key in the common space: its static id when matched."""
        static_id = self.to_static.get(function_id)
        return f"s:{static_id}" if static_id else f"t:{function_id}"

    def ref(self, key: str) -> FunctionRef:
        """The function behind a common key, named from whichever side has it."""
        side, function_id = key.split(":", 1)
        if side == "s":
            fn = self.static[function_id]
            return self._ref(fn, self.to_trace.get(function_id), function_id)
        return self._ref(self.dynamic[function_id], function_id, None)

    def _ref(self, fn: Function, trace_id: str | None, static_id: str | None) -> FunctionRef:
        name = fn.name
        if fn.kind == "toplevel":
            name = "main" if fn.file == self.main_file else f"toplevel {fn.file}"
        return FunctionRef(name, fn.file, fn.line, fn.column, trace_id, static_id)


def _main_file(trace: Trace) -> str:
    for fn in trace.functions:
        if fn.kind == "toplevel":
            return fn.file
    return ""



_RPKey = tuple[str, str, str]  # (type, caller key, callback key)


def rupture_points(
    dynamic: Trace, static: Trace, matcher: Matcher
) -> dict[str, list[RuptureEntry]]:
    trace_side: dict[_RPKey, list[RupturePoint]] = {}
    for rp in dynamic.rupture_points:
        key = (rp.type, matcher.key_of_trace(rp.caller), matcher.key_of_trace(rp.callback))
        trace_side.setdefault(key, []).append(rp)
    static_side: dict[_RPKey, list[RupturePoint]] = {}
    for rp in static.rupture_points:
        static_side.setdefault((rp.type, f"s:{rp.caller}", f"s:{rp.callback}"), []).append(rp)

    out: dict[str, list[RuptureEntry]] = {s: [] for s in SECTIONS}
    for key in [k for k in trace_side if k in static_side]:
        out["both"].append(_entry(matcher, key, trace_side.pop(key), static_side.pop(key)))
    # Same callback, another caller or type: the same point seen differently.
    for t_key in list(trace_side):
        partner = next((s for s in static_side if s[2] == t_key[2]), None)
        if partner is None:
            continue
        entry = _entry(matcher, t_key, trace_side.pop(t_key), static_side.pop(partner))
        if partner[1] != t_key[1]:
            entry.differences["caller"] = {
                "trace": matcher.ref(t_key[1]),
                "static": matcher.ref(partner[1]),
            }
        if partner[0] != t_key[0]:
            entry.differences["type"] = {"trace": t_key[0], "static": partner[0]}
        out["both"].append(entry)
    for key, rps in trace_side.items():
        out["trace_only"].append(_entry(matcher, key, rps, []))
    _link_skips(out["trace_only"], list(static.meta.skipped or ()))
    for key, rps in static_side.items():
        out["static_only"].append(_entry(matcher, key, [], rps))
    for entries in out.values():
        entries.sort(key=_entry_order)
    return out


def _entry(
    matcher: Matcher, key: _RPKey, trace_rps: list[RupturePoint], static_rps: list[RupturePoint]
) -> RuptureEntry:
    site = next((rp.site for rp in [*trace_rps, *static_rps] if rp.site is not None), None)
    return RuptureEntry(
        type=key[0],
        caller=matcher.ref(key[1]),
        callback=matcher.ref(key[2]),
        trace_callees=sorted({rp.callee for rp in trace_rps}),
        static_callees=sorted({rp.callee for rp in static_rps}),
        count=sum(rp.count for rp in trace_rps),
        site=site,
    )


def _link_skips(entries: list[RuptureEntry], skips: list[Skip]) -> None:
    """Tell each point only the trace found why the static compiler missed it: the argument it
    skipped at the point's site, or one it skipped in the same call (the tracer may place the
    site on the call rather than on the argument): the argument naming the callback, else the
    arguments in order."""
    by_call: dict[tuple[str, int, int], tuple[list[RuptureEntry], list[Skip]]] = {}
    for entry in entries:
        site = entry.site
        if site is None:
            continue
        exact = [s for s in skips if s.location == site]
        if exact:
            entry.skipped = exact[0].reason
            continue
        inside = [s for s in skips if s.callee in entry.trace_callees and _within(site, s)]
        if inside and inside[0].call is not None:
            call = inside[0].call[0]
            group = by_call.setdefault((site.file, call.line, call.column), ([], inside))
            group[0].append(entry)
    for group_entries, call_skips in by_call.values():
        remaining = list(call_skips)
        pending = []
        for entry in group_entries:
            name = entry.callback.name
            named = next((s for s in remaining if name and _names(s.argument, name)), None)
            if named is None:
                pending.append(entry)
                continue
            entry.skipped = named.reason
            remaining.remove(named)
        pending.sort(key=lambda e: _number(e.callback.trace_id))
        if len(pending) == len(remaining):
            for entry, skip in zip(pending, remaining, strict=True):
                entry.skipped = skip.reason
        else:
            for entry in pending:
                entry.skipped = "; ".join(s.reason for s in remaining)


def _within(site: Location, skip: Skip) -> bool:
    """Whether a site lies in the call of a skipped argument."""
    if skip.call is None or site.file != skip.location.file:
        return False
    start, end = skip.call
    return (start.line, start.column) <= (site.line, site.column) <= (end.line, end.column)


def _names(argument: str, name: str) -> bool:
    """Whether an argument's text names a function: `routes.writeTextToImages`, `handler`."""
    return argument == name or argument.endswith("." + name)


def _number(function_id: str | None) -> int:
    return int(function_id[1:]) if function_id and function_id[1:].isdigit() else 0


def _entry_order(entry: RuptureEntry) -> tuple[Any, ...]:
    cb = entry.callback
    return (cb.file, cb.line, cb.column, entry.caller.file, entry.caller.line, entry.type)



_VarKey = tuple[str, Location | None]


def variables(dynamic: Trace, static: Trace, matcher: Matcher) -> dict[str, list[VariableEntry]]:
    trace_side = _crossing(dynamic, lambda fid: matcher.ref(matcher.key_of_trace(fid)).label)
    static_side = _crossing(static, lambda fid: matcher.ref(f"s:{fid}").label)
    out: dict[str, list[VariableEntry]] = {s: [] for s in SECTIONS}
    for key in sorted(set(trace_side) | set(static_side), key=_variable_order):
        entry = VariableEntry(key[0], key[1], trace_side.get(key), static_side.get(key))
        if entry.trace and entry.static:
            section = "both"
        else:
            section = "trace_only" if entry.trace else "static_only"
        out[section].append(entry)
    return out


def _crossing(trace: Trace, name_of: Any) -> dict[_VarKey, dict[str, list[str]]]:
    """The variables a trace shows crossing a fluxion boundary, with who touches them how."""
    found: dict[_VarKey, tuple[set[str], set[str]]] = {}
    for effect in trace.effects:
        if effect.kind == "unknown":
            continue
        root = effect.path.root
        # A network use seen by a prototype hook names no declaration: no variable to compare.
        if not root or root == "this" or (effect.declared is None and effect.kind == "network"):
            continue
        kind = "mutate" if effect.kind == "write" and effect.path.into else effect.kind
        fluxions, kinds = found.setdefault((root, effect.declared), (set(), set()))
        fluxions.add(name_of(effect.function))
        kinds.add(kind)
    return {
        key: {"fluxions": sorted(fluxions), "kinds": [k for k in _KINDS if k in kinds]}
        for key, (fluxions, kinds) in found.items()
    }


def _variable_order(key: _VarKey) -> tuple[Any, ...]:
    name, declared = key
    if declared is None:
        return (1, "", 0, 0, name)
    return (0, declared.file, declared.line, declared.column, name)
