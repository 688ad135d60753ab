"""The analyzer step (paper, section 3.1): rupture points, their callbacks, and the parts.

A rupture point is a call matching the list of asynchronous callees whose callback argument is
a function of the app: written in place, or a name (or property) walked back to its last value.
A callback evaluated at run time (`app.post('/x', bodyParser(limit), routes.fn)`) is skipped, as
the paper's compiler does, and listed with the reason. An `await` is a `post` rupture point
too (callee "await", the async function continues as its own callback), as the tracer reports.

Parts. Every callback is an application part (a fluxion); so is the main script's top level.
Any other function runs inside the parts whose code calls it: the analyzer follows direct calls
it can resolve (`template(count, data)`, `store.bump()`), and a function it never sees called
(returned, stored, passed to a synchronous callee) is folded into its lexically enclosing part.
So `saveBody` in listing 3, returned by `bodyParser` and registered only at run time, belongs to
the top level, and its `getRawBody` callback is a rupture point of `main`, as in listing 4
(`main >> anonymous [req, next]`). A file loaded by `require` runs in the part that loads it.
The caller of a rupture point is the part the call runs in (several parts: several points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jitflux.static.app import App
from jitflux.static.callees import Callee, find_callee
from jitflux.static.parse import Unit
from jitflux.static.scopes import Binding
from jitflux.static.syntax import Node, member_name, own_nodes, source_text, string_literal
from jitflux.static.values import (
    FunctionValue,
    ModuleValue,
    Resolver,
    RuntimeValue,
    Value,
)
from jitflux.trace.model import Location, RupturePoint, RuptureType

# The emitter methods whose "request" listener gets an HTTP request and response.
_LISTENER_METHODS = ("on", "addListener", "prependListener", "once")


@dataclass
class Site:
    """A call handing a callback of the app to an asynchronous callee."""

    type: RuptureType
    callee: str
    function: str
    callback: str
    location: Location


@dataclass
class SkipSite:
    """A callback argument of an asynchronous callee that exists only at run time, where the
    analyzer found it; the trace records it as a `Skip` with the parts that make the call."""

    type: RuptureType
    callee: str
    function: str
    argument: str
    location: Location
    reason: str
    call: tuple[Location, Location]  # where the whole call starts and ends


@dataclass
class StaticAnalysis:
    """Rupture sites, skipped callbacks, the direct call graph and the parts of an app."""

    app: App
    callees: list[Callee]
    resolver: Resolver = field(init=False)
    sites: list[Site] = field(default_factory=list)
    skips: list[SkipSite] = field(default_factory=list)
    network: set[int] = field(default_factory=set)
    callbacks: frozenset[str] = field(init=False, default=frozenset())
    _callers: dict[str, set[str]] = field(default_factory=dict)
    _call_function: dict[int, str] = field(default_factory=dict)
    _parts: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.app)
        for fn in self.app.functions.functions:
            unit, node = self.app.functions.node_of(fn.id)
            if node is not None:
                self._scan(unit, node, fn.id)
        self.callbacks = frozenset(site.callback for site in self.sites)

    # Parts

    def parts(self, function_id: str) -> frozenset[str]:
        """The parts (callback ids, or the main top level) a function's code runs in: the
        callbacks and main found walking back from it along the calls that run it."""
        if function_id not in self._parts:
            self._parts[function_id] = self._reach(function_id)
        return self._parts[function_id]

    def _reach(self, function_id: str) -> frozenset[str]:
        main = self.app.main_id()
        found: set[str] = set()
        seen = {function_id}
        todo = [function_id]
        while todo:
            current = todo.pop()
            if current == main or current in self.callbacks:
                found.add(current)
            for runner in self._runners(current):
                if runner not in seen:
                    seen.add(runner)
                    todo.append(runner)
        if not found:
            # Only reached from itself (recursion nobody starts): where it is written.
            parent = self.app.functions.parent(function_id)
            return self.parts(parent) if parent else frozenset({main})
        return frozenset(found)

    def _runners(self, function_id: str) -> list[str]:
        """The functions whose code runs this one synchronously: its callers; for a function
        never seen called, the function it is written in; for a required file, its loader."""
        functions = self.app.functions
        if function_id == self.app.main_id():
            return []
        unit, _ = functions.node_of(function_id)
        if function_id == functions.toplevel(unit):
            if unit.required_at is None:
                return []
            loader, call = unit.required_at
            return [functions.toplevel(loader) if call is None else self._call_function[id(call)]]
        callers = sorted(self._callers.get(function_id, set()), key=_number)
        if callers or function_id in self.callbacks:
            return callers
        parent = functions.parent(function_id)
        return [parent] if parent else []

    # Results

    def rupture_points(self) -> list[RupturePoint]:
        """One rupture point per (type, callee, caller part, callback), count 0."""
        points: dict[tuple[str, str, str, str], RupturePoint] = {}
        for site in self.sites:
            for caller in sorted(self.parts(site.function), key=_number):
                key = (site.type, site.callee, caller, site.callback)
                if key not in points:
                    points[key] = RupturePoint(
                        site.type, site.callee, caller, site.callback, 0, site=site.location
                    )
        return sorted(
            points.values(),
            key=lambda p: (_number(p.callback), _number(p.caller), p.callee, p.type),
        )

    def skipped(self) -> list[dict[str, Any]]:
        """The skipped callbacks, for the trace's `meta.skipped`."""
        return [
            {
                "type": skip.type,
                "callee": skip.callee,
                "callers": sorted(self.parts(skip.function), key=_number),
                "argument": skip.argument,
                "file": skip.location.file,
                "line": skip.location.line,
                "column": skip.location.column,
                "reason": skip.reason,
                "call": {
                    "line": skip.call[0].line,
                    "column": skip.call[0].column,
                    "end_line": skip.call[1].line,
                    "end_column": skip.call[1].column,
                },
            }
            for skip in self.skips
        ]

    def is_network(self, variable: Binding | None, depth: int = 0) -> bool:
        """Whether a variable holds an HTTP request or response of a listener (or an alias:
        `const r = req`)."""
        if variable is None or depth > 8:
            return False
        if id(variable) in self.network:
            return True
        for d in variable.defs:
            if d.init is not None and d.path == () and d.init.type == "Identifier":
                unit = self.app.functions.node_of(self.function_of_scope(variable))[0]
                alias = self.app.scopes(unit).variable(d.init)
                if self.is_network(alias, depth + 1):
                    return True
        return False

    def function_of_scope(self, variable: Binding) -> str:
        """The id of the function whose scope declares a variable (its owner)."""
        return self.app.functions.id_of(variable.scope.function)

    # The scan

    def _scan(self, unit: Unit, function: Node, function_id: str) -> None:
        """Find the rupture sites, skips and direct calls in one function's own code."""
        for node in own_nodes(function):
            if node.type in ("CallExpression", "NewExpression"):
                self._call_function[id(node)] = function_id
                self._record_call(unit, node, function_id)
            if node.type == "CallExpression":
                self._match(unit, node, function_id)
            elif node.type == "AwaitExpression" and function.type != "Program":
                self.sites.append(
                    Site("post", "await", function_id, function_id, _location(unit, node))
                )

    def _record_call(self, unit: Unit, call: Node, function_id: str) -> None:
        """Note a direct call of a function of the app (also through `.call` / `.apply`)."""
        callee = call.callee
        if callee.type == "MemberExpression" and member_name(callee) in ("call", "apply"):
            target = self.resolver.value(unit, callee.object, call.range[0])
            if not isinstance(target, FunctionValue):
                target = self.resolver.value(unit, callee, call.range[0])
        else:
            target = self.resolver.value(unit, callee, call.range[0])
        if isinstance(target, FunctionValue):
            target_id = self.app.functions.id_of(target.node)
            self._callers.setdefault(target_id, set()).add(function_id)

    def _match(self, unit: Unit, call: Node, function_id: str) -> None:
        """Record the rupture sites (or skips) of a call matching the callee list."""
        written = source_text(unit.source, call.callee)
        canonical = self.resolver.canonical(unit, call.callee, call.range[0])
        callee = find_callee((written, canonical), self.callees)
        if callee is None:
            return
        args = call.arguments
        if callee.callback == "first":
            candidates = args[:1]
        elif callee.callback == "last":
            candidates = args[-1:]
        else:
            candidates = list(args)
        network = callee.network or self._is_request_listener(call)
        for arg in candidates:
            value = self._callback_value(unit, arg, call.range[0])
            where = _location(unit, arg)
            if isinstance(value, FunctionValue):
                callback = self.app.functions.id_of(value.node)
                self.sites.append(Site(callee.type, written, function_id, callback, where))
                if network:
                    self._mark_network(value)
                continue
            lone = callee.callback == "last" and len(args) == 1
            reason = self._skip_reason(unit, arg, value)
            if reason and not lone:
                text = self.resolver.text(unit, arg)
                end = call.loc.end
                span = (_location(unit, call), Location(unit.file, end.line, end.column))
                skip = SkipSite(callee.type, written, function_id, text, where, reason, span)
                self.skips.append(skip)

    def _callback_value(self, unit: Unit, arg: Node, at: int) -> Value:
        """What an argument holds, looking through `require('./x')` to what x exports."""
        value = self.resolver.value(unit, arg, at)
        if isinstance(value, ModuleValue) and value.unit is not None:
            whole, _ = self.resolver.exports(value.unit)
            if whole is not None:
                return self.resolver.value(value.unit, whole, None)
        return value

    def _skip_reason(self, unit: Unit, arg: Node, value: Value) -> str | None:
        """Why an argument that may be a callback is known only at run time (None: it is
        plainly not a function)."""
        if isinstance(value, RuntimeValue):
            return value.reason
        if isinstance(value, ModuleValue):
            text = self.resolver.text(unit, arg)
            if value.unit is not None:
                return f"`{text}` is {value.unit.file}, which exports no function the compiler sees"
            package = value.name.split(".")[0]
            return f"`{text}` comes from the package '{package}': known only at run time"
        return None

    def _is_request_listener(self, call: Node) -> bool:
        """`server.on('request', listener)`: the listener gets a request and a response."""
        callee = call.callee
        return (
            callee.type == "MemberExpression"
            and member_name(callee) in _LISTENER_METHODS
            and bool(call.arguments)
            and string_literal(call.arguments[0]) == "request"
        )

    def _mark_network(self, callback: FunctionValue) -> None:
        """The request and response parameters of a listener (`(err, req, res, next)` for an
        Express error handler)."""
        params = callback.node.params
        positions = (1, 2) if len(params) >= 4 else (0, 1)
        scopes = self.app.scopes(callback.unit)
        for position in positions:
            if position < len(params) and params[position].type == "Identifier":
                variable = scopes.declared(params[position])
                if variable is not None:
                    self.network.add(id(variable))


def _location(unit: Unit, node: Node) -> Location:
    start = node.loc.start
    return Location(unit.file, start.line, start.column)


def _number(function_id: str) -> int:
    return int(function_id[1:])

