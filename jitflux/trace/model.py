"""The trace model: what a run of the app showed, aggregated per function, rupture point, effect."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

FORMAT = "jitflux.trace/1"

RuptureType = Literal["start", "post"]
EffectKind = Literal["read", "write", "call", "network", "unknown"]
# "external": not instrumented, known by its location only.
FunctionKind = Literal["toplevel", "function", "arrow", "method", "external"]

# At most this many sample events are kept per rupture point and per effect.
MAX_SAMPLES = 3


@dataclass(frozen=True)
class Location:
    """A place in a source file: path from the script's folder, 1-based line, 0-based column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Sample:
    """One observed event kept as evidence: the request it served and where it happened."""

    request: str | None
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class Function:
    """A function that ran or was registered as a callback; the top level of a file is one too.

    `range` is [start, end) in character offsets of the original source; `kind` is "toplevel",
    "function", "arrow", "method" or "external" (not instrumented: known by its location only).
    """

    id: str
    name: str
    file: str
    line: int
    column: int
    kind: FunctionKind = "function"
    range: tuple[int, int] | None = None
    params: list[str] = field(default_factory=list)


@dataclass
class RupturePoint:
    """A callback that really reached an asynchronous callee: one per (caller, callee, callback).

    `site` is where the callback was handed over, when known. `registrar` is the part that
    handed it over, when `caller` is another: the step before it in a promise chain.
    """

    type: RuptureType
    callee: str
    caller: str
    callback: str
    count: int
    samples: list[Sample] = field(default_factory=list)
    site: Location | None = None
    registrar: str | None = None


_ROOT = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(frozen=True)
class TargetPath:
    """An effect's target as a path: its root variable (`req` of `req.body`, `cache` of
    `cache[*]`; None when the target names none) and whether it goes into the object."""

    text: str
    root: str | None

    @property
    def into(self) -> bool:
        """Whether the target is a path into the root's object, not the variable itself."""
        return self.root is not None and self.text != self.root


@lru_cache(maxsize=65536)
def parse_target(text: str) -> TargetPath:
    """The path of a target text (the one parser of targets)."""
    match = _ROOT.match(text)
    return TargetPath(text, match.group(0) if match else None)


@dataclass
class Effect:
    """What a function part did to memory it does not own, aggregated per (function, kind,
    target, declaration).

    `owner` is the id of the function whose scope declares the variable (None for a global or
    where unknown); `callee` is, for a `call`, the identity of the function called: a function id,
    or a name such as "express.next"; `reason` explains an `unknown` effect (eval, with).
    """

    function: str
    kind: EffectKind
    target: str
    declared: Location | None
    count: int
    samples: list[Sample] = field(default_factory=list)
    owner: str | None = None
    callee: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        # Parsed once, here (at load or when the recorder builds it), not by each reader.
        self.path: TargetPath = parse_target(self.target)


@dataclass(frozen=True)
class Skip:
    """A callback the static compiler skipped (known only at run time), and why.

    `location` is the skipped argument; `call` the (start, end) of the call it is an argument
    of, when known; `callers` the ids of the parts that make the call.
    """

    type: RuptureType
    callee: str
    callers: tuple[str, ...]
    argument: str
    location: Location
    reason: str
    call: tuple[Location, Location] | None = None

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Skip:
        """A skip from its JSON object."""
        location = Location(data["file"], data["line"], data["column"])
        call = data.get("call")
        span = None
        if call:
            span = (
                Location(location.file, call["line"], call["column"]),
                Location(location.file, call["end_line"], call["end_column"]),
            )
        return Skip(
            data["type"],
            data["callee"],
            tuple(data.get("callers") or ()),
            data["argument"],
            location,
            data["reason"],
            span,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a skip."""
        out: dict[str, Any] = {
            "type": self.type,
            "callee": self.callee,
            "callers": list(self.callers),
            "argument": self.argument,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "reason": self.reason,
        }
        if self.call is not None:
            start, end = self.call
            out["call"] = {
                "line": start.line,
                "column": start.column,
                "end_line": end.line,
                "end_column": end.column,
            }
        return out


# The meta keys that have a type of their own; the others are kept as recorded.
_TYPED_META = ("script", "script_path", "command", "source", "warnings", "skipped")


@dataclass
class Meta:
    """How the trace was made. What jitflux reads back is typed: the main script's name and
    path, the traced command, `source` ("static" for the static compiler), warnings and the
    callbacks the static compiler skipped. The rest (the run's counters, versions, status) is
    kept in `extra` as recorded, and read like a mapping of the JSON keys (`meta["complete"]`).
    """

    script: str | None = None
    script_path: str | None = None
    command: tuple[str, ...] | None = None
    source: str | None = None
    warnings: tuple[str, ...] | None = None
    skipped: tuple[Skip, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Meta:
        """The meta of a trace.json's `meta` object."""
        command = data.get("command")
        warnings = data.get("warnings")
        skipped = data.get("skipped")
        return Meta(
            script=data.get("script"),
            script_path=data.get("script_path"),
            command=tuple(command) if isinstance(command, list) else None,
            source=data.get("source"),
            warnings=tuple(warnings) if isinstance(warnings, list) else None,
            skipped=(
                tuple(Skip.from_dict(s) for s in skipped) if isinstance(skipped, list) else None
            ),
            extra={k: v for k, v in data.items() if k not in _TYPED_META},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the typed keys that are set, then the others as recorded."""
        out: dict[str, Any] = {}
        for key in ("source", "script", "script_path", "command", "warnings"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        if self.skipped is not None:
            out["skipped"] = [skip.to_dict() for skip in self.skipped]
        out.update(self.extra)
        return out

    def get(self, key: str, default: Any = None) -> Any:
        """The JSON value of `key`, or `default`."""
        return self.to_dict().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


@dataclass
class Trace:
    """A whole trace.json: the meta data of the run, the code it saw and what it observed."""

    functions: list[Function] = field(default_factory=list)
    rupture_points: list[RupturePoint] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    meta: Meta = field(default_factory=Meta)
    format: str = FORMAT

    def __post_init__(self) -> None:
        if isinstance(self.meta, dict):
            # The recorder and tests build the meta as the JSON object it becomes.
            self.meta = Meta.from_dict(self.meta)

    def function(self, function_id: str) -> Function:
        """The function with this id; KeyError when there is none."""
        for fn in self.functions:
            if fn.id == function_id:
                return fn
        raise KeyError(function_id)

    def functions_by_id(self) -> dict[str, Function]:
        """Every function, by id."""
        return {fn.id: fn for fn in self.functions}
