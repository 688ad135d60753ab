"""The fluxions of a trace: `main`, one per rupture-point callback, and their unique names.

`main` is the main script's top level. Every callback of a rupture point is an application part,
hence a fluxion. Any other function runs synchronously inside a part: `Fluxions.part_of` says
which one, by lexical nesting (the innermost fluxion whose source range holds it), `main` when no
fluxion holds it (a helper declared at the top level, another module's top level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Literal

from jitflux.errors import InvalidTrace
from jitflux.trace import Function, Location, Trace

MAIN = "main"
DISPATCHER = "express_dispatcher"
# Koa's: merges what a middleware wrote into ctx for the next one, then calls Koa's next;
# Fastify's: what a hook wrote into the request, then calls the hook's done.
KOA_DISPATCHER = "koa_dispatcher"
FASTIFY_DISPATCHER = "fastify_dispatcher"
# The framework each dispatcher jitflux adds is for, as the words name it.
FRAMEWORKS = {DISPATCHER: "Express", KOA_DISPATCHER: "Koa", FASTIFY_DISPATCHER: "Fastify"}
# Names a fluxion of the app cannot take: they mean something in the paper's language
# (`-> null` sends nothing).
RESERVED = frozenset({MAIN, "null", *FRAMEWORKS})

Role = Literal["main", "callback", "dispatcher"]


@dataclass(frozen=True)
class Fluxion:
    """A fluxion: its unique name and the function whose code it runs (None if jitflux adds it)."""

    name: str
    function: Function | None
    role: Role
    # "start" or "post": how the callback is reached (start wins); None for main and added ones.
    entry: str | None = None

    @property
    def external(self) -> bool:
        """Whether its function was not instrumented: its code and effects were not observed."""
        return self.function is not None and self.function.kind == "external"

    @property
    def origin(self) -> Location | None:
        """Where its function starts; None for a fluxion jitflux adds."""
        fn = self.function
        if fn is None:
            return None
        return Location(fn.file, fn.line, fn.column)


@dataclass(frozen=True)
class Fluxions:
    """The fluxions of a trace, in print order (main first, then by source position)."""

    ordered: tuple[Fluxion, ...]
    by_function: dict[str, str]  # callback function id -> fluxion name
    main_function: Function | None
    functions: dict[str, Function]

    @cached_property
    def names(self) -> list[str]:
        """The fluxion names in order."""
        return [f.name for f in self.ordered]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.names)}

    @cached_property
    def _by_name(self) -> dict[str, Fluxion]:
        return {fluxion.name: fluxion for fluxion in self.ordered}

    def get(self, name: str) -> Fluxion:
        """The fluxion called `name`; KeyError when none."""
        return self._by_name[name]

    def part_of(self, function_id: str) -> str:
        """The fluxion whose part runs the code of function `function_id`."""
        if function_id in self.by_function:
            return self.by_function[function_id]
        fn = self.functions.get(function_id)
        if fn is None:
            raise InvalidTrace(
                f"invalid trace: function {function_id!r} is referenced but not listed"
            )
        # Kept per function: every effect of a helper asks again, and each answer scans
        # every fluxion.
        parts = self._parts_of_helpers
        if function_id not in parts:
            holder = self._innermost_holder(fn)
            parts[function_id] = holder if holder is not None else MAIN
        return parts[function_id]

    @cached_property
    def _parts_of_helpers(self) -> dict[str, str]:
        """The answers of `part_of` for functions that are no fluxion's, filled as asked."""
        return {}

    def _innermost_holder(self, fn: Function) -> str | None:
        if fn.range is None:
            return None
        best: tuple[int, str] | None = None
        for fluxion in self.ordered:
            outer = fluxion.function
            if fluxion.role != "callback" or outer is None or outer.range is None:
                continue
            if outer.file != fn.file or outer.id == fn.id:
                continue
            if outer.range[0] <= fn.range[0] and fn.range[1] <= outer.range[1]:
                size = outer.range[1] - outer.range[0]
                if best is None or size < best[0]:
                    best = (size, fluxion.name)
        return best[1] if best else None

    def order(self, name: str) -> int:
        """The print position of fluxion `name` (added fluxions come last)."""
        return self._positions.get(name, len(self.ordered))


def find_main(trace: Trace) -> Function | None:
    """The main script's top-level function: the one of `meta.script` if named, else the first."""
    toplevels = [fn for fn in trace.functions if fn.kind == "toplevel"]
    script = trace.meta.script
    if script:
        name = PurePosixPath(script.replace("\\", "/")).name
        for fn in toplevels:
            if fn.file == name:
                return fn
    return toplevels[0] if toplevels else None


def identify(trace: Trace) -> Fluxions:
    """Find the fluxions of a trace and give each a unique, stable name."""
    functions = trace.functions_by_id()
    main_fn = find_main(trace)
    entries: dict[str, str] = {}
    for point in trace.rupture_points:
        for function_id in (point.caller, point.callback):
            if function_id not in functions:
                raise InvalidTrace(
                    f"invalid trace: rupture point {point.callee!r} refers to function "
                    f"{function_id!r}, which is not listed"
                )
        if main_fn is not None and point.callback == main_fn.id:
            continue
        if functions[point.callback].kind == "toplevel":
            continue  # a module's top level runs inside main's part, never as a callback
        if entries.get(point.callback) != "start":
            entries[point.callback] = point.type
    main_file = main_fn.file if main_fn else None
    callbacks = sorted(
        (functions[fid] for fid in entries), key=lambda fn: _position_key(fn, main_file)
    )
    used = set(RESERVED)
    ordered = [Fluxion(MAIN, main_fn, "main")]
    by_function: dict[str, str] = {}
    if main_fn is not None:
        by_function[main_fn.id] = MAIN
    for fn in callbacks:
        name = _unique(_base_name(fn), used)
        used.add(name)
        ordered.append(Fluxion(name, fn, "callback", entries[fn.id]))
        by_function[fn.id] = name
    return Fluxions(tuple(ordered), by_function, main_fn, functions)


def _position_key(fn: Function, main_file: str | None) -> tuple[int, str, int, int, int, str]:
    # The main script first, then the other files by name, then functions with no file.
    rank = 0 if fn.file == main_file else (1 if fn.file else 2)
    number = int(fn.id[1:]) if re.fullmatch(r"f\d+", fn.id) else 0
    return (rank, fn.file, fn.line, fn.column, number, fn.id)


def _base_name(fn: Function) -> str:
    """The name as written, made an identifier; `anonymous_<line>` for an anonymous function."""
    if not fn.name.strip():
        return f"anonymous_{fn.line}"
    name = re.sub(r"[^\w$]", "_", fn.name.strip())
    return f"_{name}" if name[0].isdigit() else name


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        return name
    n = 2
    while f"{name}_{n}" in used:
        n += 1
    return f"{name}_{n}"
