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
                                         # functions by label: <anonymous FILE:LINE> when
                                         # anonymous

Kinds are read, write, mutate (a write through an object path such as `req.body`), call and
network. Every list is in a stable order (source position, then name).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jitflux.compare.match import Matcher, rupture_points, variables
from jitflux.compare.model import (
    FORMAT,
    SECTIONS,
    Comparison,
    FunctionRef,
    RuptureEntry,
    VariableEntry,
)
from jitflux.compare.text import render_json, render_text
from jitflux.errors import UsageError
from jitflux.static import Callee, compile_script
from jitflux.trace import Trace, load


def compare_files(
    trace_path: str | Path, script: str | Path | None = None, callees: Sequence[Callee] = ()
) -> Comparison:
    """Load a trace, compile its script statically and compare the two."""
    dynamic = load(trace_path)
    path = Path(script) if script is not None else script_of_trace(dynamic, Path(trace_path))
    static = compile_script(path, callees)
    return compare(dynamic, static, trace_name=str(trace_path), script=str(path))


def script_of_trace(trace: Trace, trace_path: Path) -> Path:
    """The traced script: `meta.script_path`, else the command's argument named like
    `meta.script`, else `meta.script` next to the trace file or in the current folder."""
    meta = trace.meta
    if meta.script_path and Path(meta.script_path).is_file():
        return Path(meta.script_path)
    name = meta.script
    if name:
        for arg in (meta.command or ())[1:]:
            if Path(arg).name == Path(name).name and Path(arg).is_file():
                return Path(arg)
        for candidate in (trace_path.parent / name, Path(name)):
            if candidate.is_file():
                return candidate
    raise UsageError(
        f"{trace_path}: the trace does not say where its script is; give SCRIPT")


def compare(
    dynamic: Trace, static: Trace, trace_name: str = "trace.json", script: str = ""
) -> Comparison:
    """Compare a dynamic trace with a static one of the same app."""
    matcher = Matcher(dynamic, static)
    return Comparison(
        trace_name=trace_name,
        script=script or static.meta.script or "",
        rupture_points=rupture_points(dynamic, static, matcher),
        variables=variables(dynamic, static, matcher),
        skipped=static.meta.skipped or (),
        warnings=static.meta.warnings or (),
    )


__all__ = [
    "FORMAT",
    "SECTIONS",
    "Comparison",
    "FunctionRef",
    "RuptureEntry",
    "VariableEntry",
    "compare",
    "compare_files",
    "script_of_trace",
    "render_json",
    "render_text",
]
