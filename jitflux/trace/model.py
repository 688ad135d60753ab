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

    `site` is where the callback was handed over, when known.
    """

    type: RuptureType
    callee: str
    caller: str
    callback: str
    count: int
    samples: list[Sample] = field(default_factory=list)
    site: Location | None = None


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


@dataclass
class Trace:
    """A whole trace.json: the meta data of the run, the code it saw and what it observed."""

    functions: list[Function] = field(default_factory=list)
    rupture_points: list[RupturePoint] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = FORMAT

    def function(self, function_id: str) -> Function:
        """The function with this id; KeyError when there is none."""
        for fn in self.functions:
            if fn.id == function_id:
                return fn
        raise KeyError(function_id)

    def functions_by_id(self) -> dict[str, Function]:
        """Every function, by id."""
        return {fn.id: fn for fn in self.functions}
