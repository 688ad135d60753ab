"""The merge of section 4.2.2 for frameworks jitflux does not hook (Koa, Fastify, connect 3).

A handler such a framework hands a request object to (Koa's `ctx`, Fastify's `request`), whose
request goes on to another handler after it, passes what it writes into that object to the
handlers after it. A Koa middleware that writes ctx (`ctx.state.size`) and then calls `next`
streams the writes to `koa_dispatcher`, which merges them back into ctx and calls `next` for
it, as express_dispatcher does for Express; a Fastify hook that writes the request and then
calls `done` streams them to `fastify_dispatcher` in the same way. Writes no dispatcher takes
over (an async Fastify hook's `request.size`, which calls nothing; a Koa write after `await
next()`) are not merged yet: the writer keeps its share of the request object, in main's
network group, never called isolated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jitflux.analysis.findings import NETWORK, Finding
from jitflux.analysis.fluxions import FASTIFY_DISPATCHER, KOA_DISPATCHER, MAIN
from jitflux.analysis.merge import carried, merge_finding, message_items, write_network_uses
from jitflux.analysis.sources import Sources
from jitflux.analysis.variables import EXPRESS_NEXT, Use, Variable
from jitflux.trace import Trace

# The dispatcher of each package whose function a handler's `next` is: koa-compose's for Koa's
# middleware, fastify's for a hook's `done`.
_DISPATCHERS = {
    "koa-compose": KOA_DISPATCHER,
    "koa": KOA_DISPATCHER,
    "fastify": FASTIFY_DISPATCHER,
}


@dataclass(frozen=True)
class FrameworkHandler:
    """A handler of a framework jitflux does not hook whose request goes on after it: its
    request parameter (Koa's `ctx`, Fastify's `request`), the `next` parameter it calls (None
    for an async Fastify hook), and the dispatcher that merges its writes back (None: not
    merged yet)."""

    request: str
    next: str | None
    dispatcher: str | None


def framework_handlers(trace: Trace) -> dict[str, FrameworkHandler]:
    """Handlers of a framework jitflux does not hook (Koa, Fastify, connect 3) whose request
    goes on to another handler after them, by function id: start points that call a parameter
    the framework made (Koa's `next`, a hook's `done`), or Fastify hooks (`addHook`: an async
    hook goes on when it resolves). The request is the first parameter. Koa's middleware (their
    `next` is a function of koa-compose) get koa_dispatcher, Fastify's hooks that call `done`
    fastify_dispatcher."""
    functions = trace.functions_by_id()
    called: dict[str, dict[str, str | None]] = {}
    express: set[str] = set()
    for effect in trace.effects:
        if effect.kind != "call" or effect.owner is None:
            continue
        if effect.callee == EXPRESS_NEXT:
            express.add(effect.owner)
        else:
            called.setdefault(effect.owner, {})[effect.target] = effect.callee
    found: dict[str, FrameworkHandler] = {}
    for point in trace.rupture_points:
        fn = functions.get(point.callback)
        if point.type != "start" or fn is None or not fn.params or fn.id in express:
            continue
        calls = called.get(fn.id, {})
        nexts = [p for p in fn.params[1:] if p in calls]
        if not nexts and not point.callee.endswith("addHook"):
            continue
        callee = functions.get(calls[nexts[0]] or "") if nexts else None
        dispatcher = _DISPATCHERS.get(_package(callee.file) or "") if callee else None
        found[fn.id] = FrameworkHandler(fn.params[0], nexts[0] if nexts else None, dispatcher)
    return found


def _package(file: str) -> str | None:
    """The npm package of a file under node_modules (`koa-compose`, `@koa/router`)."""
    parts = file.replace("\\", "/").split("/")
    if "node_modules" not in parts:
        return None
    rest = parts[len(parts) - parts[::-1].index("node_modules") :]
    if not rest:
        return None
    return "/".join(rest[:2]) if rest[0].startswith("@") else rest[0]


def _request_writes(
    variables: Iterable[Variable], handlers: dict[str, FrameworkHandler]
) -> list[tuple[FrameworkHandler, Variable, list[Use]]]:
    """The writes into each framework handler's request object, with the handler."""
    found = []
    for variable in variables:
        handler = handlers.get(variable.owner or "")
        if handler is None or variable.name != handler.request:
            continue
        writes = [u for u in variable.uses if u.kind == "mutate" and u.fluxion != MAIN]
        if writes:
            found.append((handler, variable, writes))
    return found


def framework_merge_rule(
    variables: Iterable[Variable],
    loose: Iterable[Use],
    handlers: dict[str, FrameworkHandler],
    sources: Sources,
) -> list[Finding]:
    """Koa's and Fastify's merge (paper, section 4.2.2): a middleware that writes ctx
    (`ctx.state`) and calls `next`, or a hook that writes the request and calls `done`, streams
    its writes to koa_dispatcher or fastify_dispatcher, which merges them back and calls `next`
    or `done` for it."""
    variables = list(variables)
    loose = list(loose)
    findings: list[Finding] = []
    callers: dict[str, list[str]] = {}
    called: dict[str, str] = {}  # the name of `next` each dispatcher calls, as its code says
    taken: list[Use] = []
    for handler, variable, writes in _request_writes(variables, handlers):
        if handler.dispatcher is None or handler.next is None:
            continue
        next_calls = [
            u
            for v in variables
            if v.owner == variable.owner and v.name == handler.next
            for u in v.uses
            if u.kind == "call"
        ]
        for fluxion in dict.fromkeys(u.fluxion for u in writes):
            own = [u for u in writes if u.fluxion == fluxion]
            calls = [u for u in next_calls if u.fluxion == fluxion]
            # What it writes after `await next()` reaches no middleware after it.
            own = [u for u in own if any(_before(u, call) for call in calls)]
            if not own:
                continue
            message = tuple(dict.fromkeys(message_items(own, sources)))
            findings.append(
                merge_finding(
                    fluxion,
                    handler.dispatcher,
                    message,
                    evidence=tuple(calls + own),
                    discharged=tuple(write_network_uses(own, variables, loose)),
                    detail=handler.next,
                )
            )
            callers.setdefault(handler.dispatcher, []).append(fluxion)
            called.setdefault(handler.dispatcher, handler.next)
            taken += own + calls
    for dispatcher, senders in callers.items():
        findings.append(
            Finding(
                "merge",
                "dispatcher",
                "merge",
                name=dispatcher,
                fluxions=(dispatcher,),
                tag=NETWORK,
                peers=tuple(dict.fromkeys(senders)),
                evidence=tuple(u for u in taken if u.fluxion in senders),
                detail=called[dispatcher],
            )
        )
    return findings


def unmerged_rule(
    variables: Iterable[Variable],
    handlers: dict[str, FrameworkHandler],
    merges: Iterable[Finding] = (),
) -> list[Finding]:
    """Writes into the request object of a framework handler whose request goes on (Fastify's
    `request.size`; see framework_handlers) that no merge takes over: the writer keeps its
    share of the request object, in main's network group (the paper's default, section
    4.2.2, where no dispatcher takes the writes over)."""
    merged = {id(u) for finding in merges for u in finding.evidence}
    findings = []
    for handler, variable, writes in _request_writes(variables, handlers):
        writes = [u for u in writes if id(u) not in merged]
        for fluxion in dict.fromkeys(u.fluxion for u in writes):
            own = tuple(u for u in writes if u.fluxion == fluxion)
            items = tuple(dict.fromkeys(carried(u.path) for u in own if u.path))
            findings.append(
                Finding(
                    "network",
                    "unmerged",
                    "path",
                    name=", ".join(items) or variable.name,
                    fluxions=(fluxion,),
                    tag=NETWORK,
                    evidence=own,
                    variable=variable,
                    detail=handler.next,
                )
            )
    return findings


def _before(write: Use, call: Use) -> bool:
    """Whether a sample of `write` comes before a sample of `call` in the same file."""
    return any(
        w.file == c.file and (w.line or 0, w.column or 0) < (c.line or 0, c.column or 0)
        for w in write.effect.samples
        for c in call.effect.samples
    )
