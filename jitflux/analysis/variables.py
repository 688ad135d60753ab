"""Resolve the trace's effects to the variables they touch, and who touches each.

A variable is identified by its name, its declaration and its owner (the function whose scope
declares it). Its *home* is the fluxion whose part creates it:
- the owner's own fluxion (`handler` for its parameter `res`), or the innermost fluxion whose
  code holds the owner;
- else the fluxions that were seen calling the owner (a helper declared at the top level but
  called by `handler` runs in `handler`'s part; called by two routes, it has two homes, and
  each call makes its own variables);
- else `main`: module-level state (owner a top level, or none: an undeclared global), or state
  of another function that `main`'s part runs.
Module-level state is kept across requests (*persistent*). So is the state of a function that
only listeners use (`limit`, the parameter of `bodyParser`, read by the listener `saveBody`
that main registered once at start-up). The state of a function whose users include a one-shot
continuation (`req` of `saveBody` read by the getRawBody callback, when a static trace folds
`saveBody` into main) is created anew for each call, like any variable whose home is not
`main`.

An effect on an object path (`req.body`, `cache[*]`) touches its root variable (`req`,
`cache`): the path is kept on the use. A path through `this` (`this.count`) is a variable of
its own, named by the path: `this` is whatever object a method runs on. A `network` effect
recorded by a hooked prototype has no declaration: it is tied to a variable of that name the
fluxion uses, or to the parameter of the same name of its fluxion (declared where its parameter
list shows it); failing both it only ties the fluxion to the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from jitflux.analysis.fluxions import MAIN, Fluxions
from jitflux.analysis.owncode import OwnCode
from jitflux.analysis.sources import Sources
from jitflux.trace import Effect, Function, Location, Trace
from jitflux.trace.model import parse_target

# Express registrations whose listener is a route handler or middleware `(req, res, next)`.
_EXPRESS_REGISTRATION = re.compile(r"(^|\.)(get|post|put|delete|patch|all|use|options|head|route)$")
EXPRESS_NEXT = "express.next"

UseKind = Literal["read", "write", "mutate", "call", "network", "unknown"]


@dataclass(frozen=True)
class Use:
    """One effect of a fluxion on a variable: read, write, mutate (a path), call or network."""

    fluxion: str
    effect: Effect
    index: int = -1  # the effect's position in the trace: its id is `e<index>`

    @property
    def kind(self) -> UseKind:
        """`mutate` for a write through an object path, else the effect's kind."""
        if self.effect.kind == "write" and self.effect.path.into:
            return "mutate"
        return self.effect.kind

    @property
    def path(self) -> str | None:
        """The object path written (`req.body`), or None for the variable itself."""
        return self.effect.target if self.effect.path.into else None

    @property
    def effect_id(self) -> str:
        """The effect's id: `e` and its position in the trace's `effects`."""
        return f"e{self.index}"

    @property
    def writes(self) -> bool:
        """Whether it changes the variable or the object it holds."""
        return self.kind in ("write", "mutate")


@dataclass
class Variable:
    """A variable some fluxion touches and does not own, with every such use."""

    name: str
    declared: Location | None
    owner: str | None
    home: str  # the first of `homes`
    persistent: bool
    module: bool = False  # initialised with require(): any fluxion can load it itself
    parameter: bool = False  # a parameter of its home's own function
    # The function (not a fluxion) it is a parameter of, when its homes' parts call that
    # function: its value is an argument they pass.
    argument_of: Function | None = None
    request: bool = False  # the request parameter of an Express handler
    response: bool = False  # the response parameter of an Express handler (`res.locals`)
    uses: list[Use] = field(default_factory=list)
    homes: tuple[str, ...] = ()  # every fluxion whose part creates it

    def users(self) -> list[str]:
        """The fluxions that use it, in first-use order (main's own start-up excluded)."""
        return list(dict.fromkeys(use.fluxion for use in self.uses))

    def writers(self) -> list[str]:
        """The fluxions that change it (assign it or write into its object)."""
        return list(dict.fromkeys(use.fluxion for use in self.uses if use.writes))

    def uses_by(self, fluxion: str) -> list[Use]:
        """The uses made by one fluxion."""
        return [use for use in self.uses if use.fluxion == fluxion]


def root_of(target: str) -> str | None:
    """The variable at the root of a target: `req` for `req.body`, `cache` for `cache[*]`."""
    return parse_target(target).root


def express_handlers(trace: Trace) -> set[str]:
    """Ids of the functions Express calls as `(req, res, next)`: they own an Express `next`, or
    are the listener of an Express registration."""
    found = {
        e.owner
        for e in trace.effects
        if e.kind == "call" and e.callee == EXPRESS_NEXT and e.owner is not None
    }
    for point in trace.rupture_points:
        if point.type == "start" and _EXPRESS_REGISTRATION.search(point.callee):
            found.add(point.callback)
    return found


def collect(
    trace: Trace, fluxions: Fluxions, sources: Sources | None = None
) -> tuple[list[Variable], list[Use]]:
    """The variables the trace's effects touch, in declaration order, and the uses that touch
    no variable (unknown effects, network use with no variable behind it)."""
    if sources is None:
        sources = Sources(trace.sources)
    handlers = express_handlers(trace)
    homes = _homes(trace, fluxions, sources)
    variables: dict[tuple[str, Location | None, str | None], Variable] = {}
    locals_of_main: set[tuple[str, Location | None, str | None]] = set()
    loose: list[Use] = []
    named: dict[tuple[Location, str | None], tuple[str, Location | None, str | None]] = {}
    declarations = _Declarations.of(trace, fluxions)
    for index, effect in enumerate(trace.effects):
        fluxion = fluxions.part_of(effect.function)
        use = Use(fluxion, effect, index)
        root = effect.path.root
        if effect.kind == "unknown" or root is None:
            loose.append(use)
            continue
        key = _resolve(effect, root, fluxion, fluxions, declarations, sources)
        if key is None:
            loose.append(use)
            continue
        if key[1] is not None:
            # One declaration is one variable whatever it is called where it is used (an ES
            # module's `import { limit as max }`): the first name seen names it.
            key = named.setdefault((key[1], key[2]), key)
        variable = variables.get(key)
        if variable is None:
            variable = _new_variable(key, fluxions, sources, handlers, homes)
            variables[key] = variable
            # State of a function only main's part runs: kept across requests when only
            # listeners use it (a factory's parameter). Run by other parts too, it is per call.
            if variable.homes == (MAIN,) and not homes.get(key[2] or "", ((MAIN,), True))[1]:
                locals_of_main.add(key)
        variable.uses.append(use)
    for key in locals_of_main:
        variable = variables[key]
        users = [fluxions.get(u) for u in variable.users() if u != MAIN]
        variable.persistent = all(u.entry == "start" for u in users)
    for variable in variables.values():
        if variable.persistent:
            # main setting up its own state at start-up: not a tie
            variable.uses = [use for use in variable.uses if use.fluxion != MAIN]
    ordered = sorted(
        (v for v in variables.values() if v.uses), key=lambda v: variable_key(v, fluxions)
    )
    return ordered, loose


def variable_key(variable: Variable, fluxions: Fluxions) -> tuple[int, str, int, int, int, str]:
    """Declaration order: by file, line, column; parameters with no location by position."""
    if variable.declared is not None:
        d = variable.declared
        return (0, d.file, d.line, d.column, 0, variable.name)
    fn = fluxions.functions.get(variable.owner or "")
    if fn is not None and variable.name in fn.params:
        return (0, fn.file, fn.line, fn.column, 1 + fn.params.index(variable.name), variable.name)
    return (1, "", 0, 0, 0, variable.name)


@dataclass(frozen=True)
class _Declarations:
    """The effects with a declaration, indexed to find the variable behind a network use.

    For each (root name, owner function) and (root name, fluxion whose part made the effect):
    the position in the trace of the first such effect.
    """

    effects: list[Effect]
    by_owner: dict[tuple[str, str | None], int]
    by_part: dict[tuple[str, str], int]

    @staticmethod
    def of(trace: Trace, fluxions: Fluxions) -> _Declarations:
        """Index the effects of `trace` once."""
        by_owner: dict[tuple[str, str | None], int] = {}
        by_part: dict[tuple[str, str], int] = {}
        for index, effect in enumerate(trace.effects):
            root = effect.path.root
            if root is None or effect.declared is None:
                continue
            by_owner.setdefault((root, effect.owner), index)
            by_part.setdefault((root, fluxions.part_of(effect.function)), index)
        return _Declarations(trace.effects, by_owner, by_part)

    def first(self, root: str, owner: str | None, part: str) -> Effect | None:
        """The first effect on `root` with a declaration, owned by `owner` (when not None) or
        made by the part of fluxion `part`."""
        found = [self.by_part.get((root, part))]
        if owner is not None:
            found.append(self.by_owner.get((root, owner)))
        indexes = [index for index in found if index is not None]
        return self.effects[min(indexes)] if indexes else None


def _resolve(
    effect: Effect,
    root: str,
    fluxion: str,
    fluxions: Fluxions,
    declarations: _Declarations,
    sources: Sources,
) -> tuple[str, Location | None, str | None] | None:
    """The identity of the variable an effect touches; None for a network use with none."""
    if root == "this" and effect.kind != "network":
        # `this` is whatever object a method runs on: the path is the only name it has.
        return (effect.target, None, None)
    if effect.declared is not None or effect.owner is not None or effect.kind != "network":
        return (root, effect.declared, effect.owner)
    # A network use seen by a prototype hook: find the variable by name in the fluxion.
    own = fluxions.get(fluxion).function
    best = declarations.first(root, own.id if own is not None else None, fluxion)
    if best is not None:
        return (root, best.declared, best.owner)
    if own is not None and root in own.params:
        return (root, _parameter_location(own, root, sources), own.id)
    return None


def _parameter_location(fn: Function, name: str, sources: Sources) -> Location | None:
    """Where parameter `name` of `fn` is declared, read from the source; None without it."""
    source = sources.get(fn.file)
    if source is None or fn.range is None:
        return None
    position = source.parameter_position(fn.range[0], name)
    return Location(fn.file, *position) if position else None


def _homes(
    trace: Trace, fluxions: Fluxions, sources: Sources
) -> dict[str, tuple[tuple[str, ...], bool]]:
    """For each function id: the fluxions whose parts run it, and whether its variables are
    module-level (kept across requests whoever uses them)."""
    callers: dict[str, set[str]] = {}
    for effect in trace.effects:
        if effect.kind == "call" and effect.callee in fluxions.functions:
            part = fluxions.part_of(effect.function)
            if part != MAIN:
                callers.setdefault(effect.callee, set()).add(part)
    # A function a library calls inside a part (a view engine Express runs from res.render)
    # is seen by no call of the app: an effect of its own code on its own variables shows it.
    code: dict[str, OwnCode | None] = {}
    for effect in trace.effects:
        owner = effect.owner
        if owner is None or owner in fluxions.by_function:
            continue
        part = fluxions.part_of(effect.function)
        if part == MAIN or part in callers.get(owner, ()):
            continue
        if owner not in code:
            code[owner] = OwnCode.of(fluxions.functions.get(owner), fluxions, sources)
        own = code[owner]
        if own is not None and own.holds(effect):
            callers.setdefault(owner, set()).add(part)
    # A part that registers a callback nested in a helper ran the helper (whoever called it,
    # main included, directly or through a local variable): each such call makes its own
    # variables. Only for helpers some non-main part runs: a factory main alone calls keeps
    # its state for the listeners it returns.
    for helper, parts in _registrars(trace, fluxions).items():
        if parts - {MAIN}:
            callers.setdefault(helper, set()).update(parts)
    homes = {}
    for fn in fluxions.functions.values():
        home = fluxions.part_of(fn.id)
        if home == MAIN and fn.kind != "toplevel" and fn.id in callers:
            homes[fn.id] = (tuple(sorted(callers[fn.id], key=fluxions.order)), False)
        else:
            homes[fn.id] = ((home,), home == MAIN and fn.kind == "toplevel")
    return homes


def _registrars(trace: Trace, fluxions: Fluxions) -> dict[str, set[str]]:
    """For each function that is no fluxion's own and holds the callback of a rupture point
    with no fluxion's function in between: the parts that registered such a callback (they
    were running it; a callback in a fluxion nested in the helper says nothing of the helper)."""
    by_file: dict[str, list[Function]] = {}
    for fn in fluxions.functions.values():
        if fn.range is not None and fn.kind != "toplevel":
            by_file.setdefault(fn.file, []).append(fn)
    found: dict[str, set[str]] = {}
    for point in trace.rupture_points:
        callback = fluxions.functions.get(point.callback)
        if callback is None or callback.range is None:
            continue
        start, end = callback.range
        holders = [
            fn
            for fn in by_file.get(callback.file, [])
            if fn.range is not None
            and fn.range[0] <= start
            and end <= fn.range[1]
            and fn.id != callback.id
        ]
        holders.sort(key=lambda fn: fn.range[1] - fn.range[0] if fn.range else 0)
        for fn in holders:  # innermost first, up to the first fluxion's function
            if fn.id in fluxions.by_function:
                break
            found.setdefault(fn.id, set()).add(fluxions.part_of(point.caller))
    return found


def _new_variable(
    key: tuple[str, Location | None, str | None],
    fluxions: Fluxions,
    sources: Sources,
    handlers: set[str],
    homes: dict[str, tuple[tuple[str, ...], bool]],
) -> Variable:
    name, declared, owner = key
    where, persistent = homes.get(owner or "", ((MAIN,), True))
    home = where[0]
    own = fluxions.functions.get(owner or "")
    parameter = (
        home != MAIN
        and own is not None
        and fluxions.by_function.get(own.id) == home
        and name in own.params
    )
    argument_of = None
    if where != (MAIN,) and own is not None and own.id not in fluxions.by_function:
        if name in own.params:
            argument_of = own
    module = False
    source = sources.get(declared.file) if home == MAIN and declared is not None else None
    if source is not None and declared is not None:
        module = source.initialised_with_require(
            name, declared.line, declared.column
        )
    role = handler_role(own, name) if own is not None and own.id in handlers else None
    return Variable(
        name=name,
        declared=declared,
        owner=owner,
        home=home,
        homes=where,
        persistent=persistent,
        module=module,
        parameter=parameter,
        argument_of=argument_of,
        request=role == "request",
        response=role == "response",
    )


def handler_parameters(fn: Function) -> tuple[str | None, str | None, str | None]:
    """The request, response and `next` parameters of an Express handler: `(req, res, next)`,
    or `(err, req, res, next)` for an error handler (Express tells them by their length)."""
    params = list(fn.params)
    if len(params) >= 4:
        params = params[1:]
    params += [None, None, None]  # type: ignore[list-item]
    return params[0], params[1], params[2]


def handler_role(fn: Function, name: str) -> str | None:
    """"request" or "response" when `name` is that parameter of Express handler `fn`."""
    request, response, _ = handler_parameters(fn)
    if name == request:
        return "request"
    if name == response:
        return "response"
    return None
