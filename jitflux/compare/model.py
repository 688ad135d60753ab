"""The comparison as values: functions known to either side, rupture points, variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jitflux.emit.jsonout import location_json
from jitflux.trace import Location, Skip
from jitflux.words import function_label

FORMAT = "jitflux.compare/1"
SECTIONS = ("both", "trace_only", "static_only")


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
        """How the output names it: its name, or `<anonymous server.js:12>`."""
        return function_label(self)

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
            "site": location_json(self.site),
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
            "declared": location_json(self.declared),
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
    skipped: tuple[Skip, ...]
    warnings: tuple[str, ...] = ()  # the static compiler's (parse failures)

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
            "skipped": [skip.to_dict() for skip in self.skipped],
        }
