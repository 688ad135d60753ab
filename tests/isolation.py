"""The isolation check: no fluxion is called isolated while a value it writes reaches another
fluxion by a way other than a message of the emitted program.

It reads the trace's effects itself (not the analysis's variables or findings), so that a
wrong placement cannot vouch for itself: a value written by fluxion F (a variable, or a path
into its object) reaches fluxion G when G uses the same variable (same name, declaration and
owning function; a field of `this` by its path, `this.count`; an undeclared global by its
name). When F is isolated, G must run after F (downstream in the program's
streams) and a message on F's way to G must carry the value (the variable, the object it
writes into, or the path itself). Writes into the request or `res.locals` of an Express handler
whose chain goes on with `next` reach the next handler: they must be in a message of F's
streams too (the merge stream to express_dispatcher, or one down the chain). So must writes
into the request object of a framework jitflux does not hook (Koa's `ctx.state.size`, Fastify's
`request.size`) by a handler whose request goes on to the next one (it calls `next` or `done`,
or is a Fastify hook): the next handler reads them from its own parameter, which the trace does
not record, so the readers named are found in their source (`ctx.state.size` in its text); a
stream to koa_dispatcher or fastify_dispatcher carrying the write reaches them all (it merges
the write into the request object).
`main`'s own uses are left out: they are its start-up, before any request.
"""

from __future__ import annotations

import re
from typing import Any

from jitflux.analysis import MAIN, identify
from jitflux.analysis.fluxions import FRAMEWORKS
from jitflux.analysis.framework_merge import framework_handlers
from jitflux.analysis.sources import Sources
from jitflux.analysis.variables import EXPRESS_NEXT, express_handlers, handler_parameters
from jitflux.trace import Effect, Trace
from tests.esm_bindings import ModuleBindings

Json = dict[str, Any]
DISPATCHERS = tuple(FRAMEWORKS)
Key = tuple[str, Any, str | None]  # (root name, declaration, owner function)


def isolation_leaks(trace: Trace, program: Json) -> list[str]:
    """One line per write of an isolated fluxion that reaches another fluxion unannounced, for
    a trace and its emitted program (`emit --format json`)."""
    fluxions = identify(trace)
    by_name = {f["name"]: f for f in program["fluxions"]}
    out = {name: _out_streams(f) for name, f in by_name.items()}
    users: dict[Key, set[str]] = {}
    modules = ModuleBindings(trace)
    writes: list[tuple[str, Key, Effect]] = []
    for effect in trace.effects:
        root = effect.path.root
        if root is None or effect.kind == "unknown":
            continue
        if effect.declared is None and effect.owner is None and effect.kind == "network":
            continue  # a socket seen by a prototype hook: not a value written
        part = fluxions.part_of(effect.function)
        key = (root, effect.declared, effect.owner)
        if effect.declared is not None:
            # One declaration is one variable, whatever its name where it is used; an ES
            # module's import binding is the variable the module it names exports.
            declared, owner = modules.resolve(effect) or (effect.declared, effect.owner)
            key = ("", declared, owner)
        if root == "this":
            # `this.count`: the instance's field, named by its path (the object is unknown)
            key = (_field(effect.target), None, None)
        if part != MAIN:
            users.setdefault(key, set()).add(part)
        if effect.kind == "write" and part != MAIN:
            writes.append((part, key, effect))
    continuing = _continuing(trace, fluxions, out)
    framework = framework_handlers(trace)
    leaks = []
    for writer, key, effect in writes:
        spec = by_name.get(writer)
        if spec is None or not spec["isolated"]:
            continue
        for reader in sorted(users.get(key, set()) - {writer}):
            if not _carried(writer, reader, effect.target, out):
                leaks.append(f"{writer} writes {effect.target} that {reader} uses, in no message")
        if _handed_to_next(trace, effect, writer, continuing) and not _sent(
            writer, effect.target, out
        ):
            leaks.append(f"{writer} writes {effect.target} for the next handler, in no message")
        handler = framework.get(effect.owner or "")
        if handler is None or effect.path.root != handler.request or not effect.path.into:
            continue
        if _merged(writer, effect.target, out):
            continue
        readers = _source_readers(trace, effect, handler.request, fluxions) - {writer}
        for reader in sorted(readers):
            if not _carried(writer, reader, effect.target, out):
                leaks.append(
                    f"{writer} writes {effect.target} into the request object that {reader} "
                    "reads, in no message"
                )
        if not readers and not _sent(writer, effect.target, out):
            leaks.append(
                f"{writer} writes {effect.target} into the request object for the next "
                "handler, in no message"
            )
    return sorted(set(leaks))


def _source_readers(trace: Trace, effect: Effect, root: str, fluxions: Any) -> set[str]:
    """The other handlers the framework starts whose source reads the written path through
    their own first parameter (`ctx.state.size` written as `ctx.state.size` or read by a
    handler whose parameter is `context`, as `context.state.size`)."""
    sources = Sources(trace.sources)
    functions = trace.functions_by_id()
    rest = effect.target[len(root) :]
    found = []
    for point in trace.rupture_points:
        fn = functions.get(point.callback)
        if point.type != "start" or fn is None or fn.id == effect.owner or not fn.params:
            continue
        source = sources.get(fn.file)
        if source is None or fn.range is None:
            continue
        used = re.compile(rf"(?<![\w$.]){re.escape(fn.params[0] + rest)}(?![\w$])")
        if used.search(source.slice(*fn.range)):
            found.append(fluxions.part_of(fn.id))
    return set(found)


def _field(target: str) -> str:
    """`this.count` of `this.count[*]` or `this.count.total`."""
    return "this." + re.split(r"[.[]", target[len("this.") :], maxsplit=1)[0]


def _out_streams(fluxion: Json) -> list[tuple[str, list[str]]]:
    return [(to, s["message"]) for s in fluxion["streams"] for to in s["to"]]


def _carries(items: list[str], target: str) -> bool:
    """Whether a message's items carry a write to `target` (`req.body`, `count`)."""
    for item in items:
        if item.startswith("delete "):
            item = item[len("delete ") :]
        if target == item or target.startswith((item + ".", item + "[")):
            return True
    return False


def _carried(
    writer: str, reader: str, target: str, out: dict[str, list[tuple[str, list[str]]]]
) -> bool:
    """Whether some path of streams from `writer` to `reader` carries `target` from the start."""
    seen = set()
    todo = [to for to, items in out.get(writer, []) if _carries(items, target)]
    while todo:
        name = todo.pop()
        if name == reader:
            return True
        if name in seen:
            continue
        seen.add(name)
        todo += [to for to, items in out.get(name, []) if _carries(items, target)]
    return False


def _merged(writer: str, target: str, out: dict[str, list[tuple[str, list[str]]]]) -> bool:
    """Whether the writer streams `target` to a dispatcher, which merges it back into the
    request object every handler after it gets."""
    return any(
        to in DISPATCHERS and _carries(items, target) for to, items in out.get(writer, [])
    )


def _sent(writer: str, target: str, out: dict[str, list[tuple[str, list[str]]]]) -> bool:
    return any(_carries(items, target) for _, items in out.get(writer, []))


def _continuing(
    trace: Trace, fluxions: Any, out: dict[str, list[tuple[str, list[str]]]]
) -> set[str]:
    """The fluxions from which the chain goes on to Express's next handler: one of them, or a
    fluxion downstream of it, calls `next`."""
    calling = {
        fluxions.part_of(e.function)
        for e in trace.effects
        if e.kind == "call" and e.callee == EXPRESS_NEXT
    }
    calling |= {
        name
        for name, streams in out.items()
        if any(to == "express_dispatcher" for to, _ in streams)
    }
    found = set()
    for name in out:
        seen, todo = set(), [name]
        while todo:
            at = todo.pop()
            if at in calling:
                found.add(name)
                break
            if at in seen:
                continue
            seen.add(at)
            todo += [to for to, _ in out.get(at, [])]
    return found


def _handed_to_next(trace: Trace, effect: Effect, writer: str, continuing: set[str]) -> bool:
    """Whether a write goes into the request or `res.locals` of an Express handler whose chain
    goes on to the next handler."""
    root, owner = effect.path.root, effect.owner
    if writer not in continuing or owner is None or not effect.path.into:
        return False
    if owner not in express_handlers(trace):
        return False
    fn = trace.functions_by_id().get(owner)
    if fn is None:
        return False
    request, response, _ = handler_parameters(fn)
    locals_ = f"{response}.locals"
    return root == request or (
        root == response and effect.target.startswith((locals_ + ".", locals_ + "["))
    )
