"""Compare a dynamic trace with the static compiler's view of the same script.

Functions are matched across the two by (file, line, column), falling back to (file, line,
name) for a named function. Rupture points are matched by (type, caller, callback) through that
matching; a leftover pair with the same callback but another caller or type is still "both",
with the difference listed (the static compiler folds a function it never sees registered, such
as `saveBody`, into its enclosing part). Variables are the declarations that cross a fluxion
boundary: those some part touches without owning them (every read, write, call or network
effect with a declaration), matched by (name, declaration).

`--format json` prints one object:

    {
      "format": "jitflux.compare/1",
      "trace": "trace.json",            # the trace file
      "script": "server.js",            # the script the static compiler read
      "rupture_points": {"both": [RP], "trace_only": [RP], "static_only": [RP]},
      "variables": {"both": [VAR], "trace_only": [VAR], "static_only": [VAR]},
      "skipped": [...]                  # the static trace's meta.skipped: callbacks it skipped
    }
    RP  = {"type": "start" | "post",    # the trace's when it has the point, else the static one
           "caller": FN, "callback": FN,
           "callees": {"trace": ["app.get"], "static": ["app.get"]},   # names from each side
           "count": 3,                   # times the trace saw it (0 when static only)
           "site": {"file", "line", "column"} | null,
           "differences": {"caller": {"trace": FN, "static": FN},     # only keys that differ
                           "type": {"trace": "start", "static": "post"}},
           "skipped": "why the static compiler skipped it" | null}     # trace only: the
                                         # argument it skipped at this site or in this call
    FN  = {"name": "handler",            # "main" for the script's top level, "" if anonymous
           "file": "server.js", "line": 10, "column": 13,
           "trace_id": "f2" | null, "static_id": "f2" | null}
    VAR = {"name": "count", "declared": {"file", "line", "column"} | null,
           "trace": {"fluxions": ["reply"], "kinds": ["read", "write"]} | null,
           "static": {"fluxions": ["reply"], "kinds": ["read", "write"]} | null}
                                         # fluxions by name; anonymous@FILE:LINE when anonymous

Kinds are read, write, mutate (a write through an object path such as `req.body`), call and
network. Every list is in a stable order (source position, then name).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.static import Callee, compile_script
from jitflux.trace import Function, Location, RupturePoint, Trace, load

FORMAT = "jitflux.compare/1"
SECTIONS = ("both", "trace_only", "static_only")
_KINDS = ("read", "write", "mutate", "call", "network")


@dataclass(frozen=True)
class FunctionRef:
    """A function as both sides know it (either id may be None)."""

    name: str
    file: str
    line: int
    column: int
    trace_id: str | None = None
    static_id: str | None = None

    @property
    def label(self) -> str:
        """How the output names it: its name, or `anonymous@server.js:12`."""
        return self.name or f"anonymous@{self.file}:{self.line}"

    @property
    def where(self) -> str:
        """`file:line:column`, or `?` when unknown."""
        return f"{self.file}:{self.line}:{self.column}" if self.file else "?"

    def to_json(self) -> dict[str, Any]:
        """The FN object of the JSON output."""
        return {
            "name": self.name,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "trace_id": self.trace_id,
            "static_id": self.static_id,
        }


@dataclass
class RuptureEntry:
    """One rupture point of the comparison."""

    type: str
    caller: FunctionRef
    callback: FunctionRef
    trace_callees: list[str] = field(default_factory=list)
    static_callees: list[str] = field(default_factory=list)
    count: int = 0
    site: Location | None = None
    differences: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The RP object of the JSON output."""
        differences: dict[str, Any] = {}
        for key, value in self.differences.items():
            differences[key] = {
                side: v.to_json() if isinstance(v, FunctionRef) else v for side, v in value.items()
            }
        return {
            "type": self.type,
            "caller": self.caller.to_json(),
            "callback": self.callback.to_json(),
            "callees": {"trace": self.trace_callees, "static": self.static_callees},
            "count": self.count,
            "site": _location_json(self.site),
            "differences": differences,
            "skipped": self.skipped,
        }


@dataclass
class VariableEntry:
    """One variable that crosses a fluxion boundary, as each side saw it."""

    name: str
    declared: Location | None
    trace: dict[str, list[str]] | None = None
    static: dict[str, list[str]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The VAR object of the JSON output."""
        return {
            "name": self.name,
            "declared": _location_json(self.declared),
            "trace": self.trace,
            "static": self.static,
        }


@dataclass
class Comparison:
    """Rupture points and variables found by both sides, by the trace only, by the static
    compiler only."""

    trace_name: str
    script: str
    rupture_points: dict[str, list[RuptureEntry]]
    variables: dict[str, list[VariableEntry]]
    skipped: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)  # the static compiler's (parse failures)

    def to_json(self) -> dict[str, Any]:
        """The JSON output (see the module docstring)."""
        return {
            "format": FORMAT,
            "trace": self.trace_name,
            "script": self.script,
            "rupture_points": {
                s: [e.to_json() for e in self.rupture_points[s]] for s in SECTIONS
            },
            "variables": {s: [v.to_json() for v in self.variables[s]] for s in SECTIONS},
            "skipped": self.skipped,
        }


def compare_files(
    trace_path: str | Path, script: str | Path | None = None, callees: Sequence[Callee] = ()
) -> Comparison:
    """Load a trace, compile its script statically and compare the two."""
    dynamic = load(trace_path)
    path = Path(script) if script is not None else find_script(dynamic, Path(trace_path))
    static = compile_script(path, callees)
    return compare(dynamic, static, trace_name=str(trace_path), script=str(path))


def find_script(trace: Trace, trace_path: Path) -> Path:
    """The traced script: `meta.script_path`, else the command's argument named like
    `meta.script`, else `meta.script` next to the trace file or in the current folder."""
    meta = trace.meta
    if isinstance(meta.get("script_path"), str) and Path(meta["script_path"]).is_file():
        return Path(meta["script_path"])
    name = meta.get("script")
    if isinstance(name, str) and name:
        command = meta.get("command")
        for arg in command[1:] if isinstance(command, list) else []:
            if isinstance(arg, str) and Path(arg).name == Path(name).name and Path(arg).is_file():
                return Path(arg)
        for candidate in (trace_path.parent / name, Path(name)):
            if candidate.is_file():
                return candidate
    raise JitfluxError(
        f"{trace_path}: the trace does not say where its script is; give SCRIPT", EXIT_BAD_INPUT
    )


def compare(
    dynamic: Trace, static: Trace, trace_name: str = "trace.json", script: str = ""
) -> Comparison:
    """Compare a dynamic trace with a static one of the same app."""
    matcher = _Matcher(dynamic, static)
    return Comparison(
        trace_name=trace_name,
        script=script or str(static.meta.get("script", "")),
        rupture_points=_rupture_points(dynamic, static, matcher),
        variables=_variables(dynamic, static, matcher),
        skipped=list(static.meta.get("skipped", [])),
        warnings=list(static.meta.get("warnings", [])),
    )


class _Matcher:
    """Matches functions across the two traces and names them the same way."""

    def __init__(self, dynamic: Trace, static: Trace) -> None:
        self.dynamic = dynamic.functions_by_id()
        self.static = static.functions_by_id()
        self.main_file = str(static.meta.get("script") or _main_file(static))
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


# Rupture points

_RPKey = tuple[str, str, str]  # (type, caller key, callback key)


def _rupture_points(
    dynamic: Trace, static: Trace, matcher: _Matcher
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
    _link_skips(out["trace_only"], list(static.meta.get("skipped", [])))
    for key, rps in static_side.items():
        out["static_only"].append(_entry(matcher, key, [], rps))
    for entries in out.values():
        entries.sort(key=_entry_order)
    return out


def _entry(
    matcher: _Matcher, key: _RPKey, trace_rps: list[RupturePoint], static_rps: list[RupturePoint]
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


def _link_skips(entries: list[RuptureEntry], skips: list[dict[str, Any]]) -> None:
    """Tell each point only the trace found why the static compiler missed it: the argument it
    skipped at the point's site, or one it skipped in the same call (the tracer may place the
    site on the call rather than on the argument): the argument naming the callback, else the
    arguments in order."""
    by_call: dict[tuple[str, int, int], tuple[list[RuptureEntry], list[dict[str, Any]]]] = {}
    for entry in entries:
        site = entry.site
        if site is None:
            continue
        exact = [s for s in skips if (s["file"], s["line"], s["column"]) == _place(site)]
        if exact:
            entry.skipped = exact[0]["reason"]
            continue
        inside = [s for s in skips if s["callee"] in entry.trace_callees and _within(site, s)]
        if inside:
            call = inside[0]["call"]
            group = by_call.setdefault((site.file, call["line"], call["column"]), ([], inside))
            group[0].append(entry)
    for group_entries, call_skips in by_call.values():
        remaining = list(call_skips)
        pending = []
        for entry in group_entries:
            name = entry.callback.name
            named = next((s for s in remaining if name and _names(s["argument"], name)), None)
            if named is None:
                pending.append(entry)
                continue
            entry.skipped = named["reason"]
            remaining.remove(named)
        pending.sort(key=lambda e: _number(e.callback.trace_id))
        if len(pending) == len(remaining):
            for entry, skip in zip(pending, remaining, strict=True):
                entry.skipped = skip["reason"]
        else:
            for entry in pending:
                entry.skipped = "; ".join(s["reason"] for s in remaining)


def _place(location: Location) -> tuple[str, int, int]:
    return (location.file, location.line, location.column)


def _within(site: Location, skip: dict[str, Any]) -> bool:
    """Whether a site lies in the call of a skipped argument."""
    call = skip.get("call")
    if not call or site.file != skip["file"]:
        return False
    start = (call["line"], call["column"])
    end = (call["end_line"], call["end_column"])
    return start <= (site.line, site.column) <= end


def _names(argument: str, name: str) -> bool:
    """Whether an argument's text names a function: `routes.writeTextToImages`, `handler`."""
    return argument == name or argument.endswith("." + name)


def _number(function_id: str | None) -> int:
    return int(function_id[1:]) if function_id and function_id[1:].isdigit() else 0


def _entry_order(entry: RuptureEntry) -> tuple[Any, ...]:
    cb = entry.callback
    return (cb.file, cb.line, cb.column, entry.caller.file, entry.caller.line, entry.type)


# Variables

_VarKey = tuple[str, Location | None]


def _variables(dynamic: Trace, static: Trace, matcher: _Matcher) -> dict[str, list[VariableEntry]]:
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
        root = _root(effect.target)
        # A network use seen by a prototype hook names no declaration: no variable to compare.
        if not root or root == "this" or (effect.declared is None and effect.kind == "network"):
            continue
        kind = "mutate" if effect.kind == "write" and effect.target != root else effect.kind
        fluxions, kinds = found.setdefault((root, effect.declared), (set(), set()))
        fluxions.add(name_of(effect.function))
        kinds.add(kind)
    return {
        key: {"fluxions": sorted(fluxions), "kinds": [k for k in _KINDS if k in kinds]}
        for key, (fluxions, kinds) in found.items()
    }


def _root(target: str) -> str:
    end = len(target)
    for mark in (".", "["):
        index = target.find(mark)
        if index >= 0:
            end = min(end, index)
    return target[:end]


def _variable_order(key: _VarKey) -> tuple[Any, ...]:
    name, declared = key
    if declared is None:
        return (1, "", 0, 0, name)
    return (0, declared.file, declared.line, declared.column, name)


def _location_json(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


# Text

def render_json(comparison: Comparison) -> str:
    """The JSON output, indented, ending with a newline."""
    return json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_text(comparison: Comparison) -> str:
    """Three aligned sections with counts for rupture points, then for variables."""
    lines = [f"jitflux compare: {comparison.trace_name} (trace) vs {comparison.script} (static)"]
    titles = {
        "both": "found by both",
        "trace_only": "found only by the trace",
        "static_only": "found only by the static compiler",
    }
    lines += ["", "Rupture points"]
    for section in SECTIONS:
        entries = comparison.rupture_points[section]
        lines.append(f"  {titles[section]}: {len(entries)}")
        lines += _table([_rupture_row(e, section) for e in entries])
        for entry in entries:
            notes = _rupture_notes(entry)
            if notes:
                lines.append(f"    {entry.callback.label} ({entry.callback.where}): {notes}")
    lines += ["", "Variables that cross a fluxion boundary"]
    for section in SECTIONS:
        variables = comparison.variables[section]
        lines.append(f"  {titles[section]}: {len(variables)}")
        lines += _table([_variable_row(v) for v in variables])
    return "\n".join(lines) + "\n"


def _rupture_row(entry: RuptureEntry, section: str) -> list[str]:
    arrow = ">>" if entry.type == "start" else "->"
    if entry.trace_callees == entry.static_callees or not entry.static_callees:
        callees = ", ".join(entry.trace_callees)
    elif not entry.trace_callees:
        callees = ", ".join(entry.static_callees)
    else:
        callees = f"{', '.join(entry.trace_callees)} | static: {', '.join(entry.static_callees)}"
    count = f"x{entry.count}" if section != "static_only" else ""
    return [
        entry.type,
        entry.caller.label,
        arrow,
        entry.callback.label,
        callees,
        entry.callback.where,
        count,
    ]


def _rupture_notes(entry: RuptureEntry) -> str:
    notes = []
    if "caller" in entry.differences:
        callers = entry.differences["caller"]
        notes.append(
            f"caller is {callers['trace'].label} in the trace, "
            f"{callers['static'].label} for the static compiler"
        )
    if "type" in entry.differences:
        types = entry.differences["type"]
        notes.append(f"type is {types['trace']} in the trace, {types['static']} statically")
    if entry.skipped:
        notes.append(f"skipped by the static compiler: {entry.skipped}")
    return "; ".join(notes)


def _variable_row(variable: VariableEntry) -> list[str]:
    declared = (
        f"{variable.declared.file}:{variable.declared.line}:{variable.declared.column}"
        if variable.declared
        else "(global)"
    )

    def side(name: str, seen: dict[str, list[str]] | None) -> str:
        if not seen:
            return ""
        return f"{name}: {', '.join(seen['fluxions'])} ({', '.join(seen['kinds'])})"

    return [variable.name, declared, side("trace", variable.trace), side("static", variable.static)]


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned columns, indented under their section."""
    if not rows:
        return ["    (none)"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        ("    " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        .rstrip()
        for row in rows
    ]
