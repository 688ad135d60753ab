"""Why each finding holds: its reason (one sentence) and the change that would free it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jitflux.analysis import DISPATCHER, Finding
from jitflux.analysis.fluxions import FRAMEWORKS
from jitflux.analysis.graph import Edge
from jitflux.analysis.merge import DELETED, ERROR_ITEM
from jitflux.analysis.placement import own_uses
from jitflux.trace import Location
from jitflux.words.common import SHOWN_NAMES, arrow, function_label, names, pick, place, q

# The type of the stream behind an edge ("start" or "post"), as the pipeline graph says.
EdgeType = Callable[[Edge], str]

_OWN = {"network": "for the network", "mutate": "to write into it", "call": "to call it"}


def reason(finding: Finding, edge_type: EdgeType) -> str:
    """The reason of a finding, one sentence."""
    return _REASONS[finding.rule](finding, edge_type)


def help_text(finding: Finding) -> str | None:
    """The change in the app that would free the fluxions a finding ties; None if untied."""
    if finding.rule == "share":
        return _share_words(finding, 1)
    n = q(finding.label)
    if finding.rule == "network":
        if finding.case == "server":
            return "nothing to change: the entry point of the requests is always in this group"
        if finding.case == "unmerged":
            writer = q(finding.fluxions[0])
            return (
                f"to free {writer}, let the handler that reads {n} compute it itself, or "
                "write it before calling `next` or `done` (jitflux merges those writes back "
                "through a dispatcher; an async Fastify hook calls neither)"
            )
        return (
            f"keep the work that does not need {n} in other fluxions upstream: only the code "
            "that talks to the client needs the network group"
        )
    if finding.rule == "merge" and finding.case == "dispatcher":
        callers = names(_merge_callers(finding))
        if finding.name != DISPATCHER:
            return (
                f"nothing to change: jitflux adds `{finding.name}` so that {callers} can run "
                "isolated; to do without it, let the handler that reads a value written into "
                "the request object compute it itself"
            )
        return (
            f"nothing to change: jitflux adds `{DISPATCHER}` so that {callers} can run "
            "isolated; to do without it, let the next handler read the body itself (a "
            "body-parsing middleware) instead of writing it into `req` from a callback"
        )
    if finding.rule == "unknown":
        if finding.case == "external":
            package = package_of(finding.function.file if finding.function else "")
            if finding.detail == "hooked":
                file = finding.function.file if finding.function else ""
                return (
                    f"none from tracing again: {file} is an Express router file that jitflux "
                    f"hooks and never instruments, even with `--include {package}`; the app's "
                    "handlers it dispatches to are observed where the app defines them"
                )
            file = finding.function.file if finding.function else ""
            if package is None and (not file or file.startswith("node:")):
                return (
                    "none from tracing again: its code is in no file of a package (Node's "
                    "own code, or a function made at run time), which `--include` cannot "
                    "instrument"
                )
            if package is None:
                return (
                    "trace again with `jitflux trace --include PACKAGE`, PACKAGE being the "
                    f"name in the package.json nearest to {file}, so that its effects are "
                    "observed"
                )
            return (
                f"trace again with `jitflux trace --include {package}` so that its "
                "effects are observed"
            )
        return f"replace {n} by ordinary code, so that jitflux can see what it touches"
    return None


def _scope(finding: Finding, edge_type: EdgeType) -> str:
    where = finding.placement
    assert where is not None
    n = q(finding.label)
    if finding.case == "readonly":
        return (
            f"{n} is never changed by a fluxion: each fluxion that reads it "
            f"({names(where.readers, SHOWN_NAMES)}) keeps it in its context"
        )
    writer = q(where.writers[0])
    if where.readers:
        return (
            f"{n} is changed only by {writer} and read downstream by "
            f"{names(where.readers, SHOWN_NAMES)}: it lives in {writer}'s context, and its "
            "value travels down in messages"
        )
    return (
        f"{n} is changed only by {writer} and used by no other fluxion: it lives in "
        f"{writer}'s context"
    )


def _stream(finding: Finding, edge_type: EdgeType) -> str:
    if finding.case == "merge" and finding.variable is None:
        # A change made upstream of the fluxion that calls `next`, relayed down to it.
        return (
            f"{names(finding.message)} {pick(len(finding.message), 'is', 'are')} changed by "
            f"{q(finding.fluxions[0])} for the next Express handler: "
            f"{pick(len(finding.message), 'it travels', 'they travel')} in the messages "
            f"{_edges(finding.edges, edge_type)} to the fluxion that sends them to "
            f"`{DISPATCHER}`"
        )
    where = finding.placement
    assert where is not None and finding.variable is not None
    n = q(finding.label)
    readers, homes = where.readers, where.writers
    carried = f"the messages {_edges(finding.edges, edge_type)}"
    if finding.case == "downstream":
        return (
            f"{n} is changed by {q(homes[0])} and read by {names(readers, SHOWN_NAMES)}, which "
            f"{pick(len(readers), 'runs', 'run')} after it in the same request: its value "
            f"travels in {carried}"
        )
    if finding.case == "handed":
        helper = finding.variable.argument_of
        label = function_label(helper) if helper is not None else "a helper"
        text = (
            f"{n} is a parameter of {q(label)}, to which {names(homes)} "
            f"{pick(len(homes), 'passes', 'pass')} a socket-backed object "
            f"{pick(len(homes), 'it', 'they')} received from upstream"
        )
        if readers:
            text += f", used downstream by {names(readers, SHOWN_NAMES)}"
    elif finding.case == "parameter":
        text = f"{n} is a parameter of {q(homes[0])}"
        if readers:
            text += f", used downstream by {names(readers, SHOWN_NAMES)}"
        own = own_uses(finding.variable, homes[0])
        if own:
            kinds = ", ".join(dict.fromkeys(_OWN[u.kind] for u in own))
            text += f"{' and' if readers else ','} used by {q(homes[0])} itself ({kinds})"
    else:
        text = (
            f"{n} is set by {names(homes, SHOWN_NAMES)} and used downstream by "
            f"{names(readers, SHOWN_NAMES)}"
        )
    return f"{text}: it travels in {carried}"


# Why a variable is shared, and what would free it, by case: {n} is the variable, {a} the
# fluxion that creates or changes it, {b} the other one.
_SHARE = {
    "writers": (
        "{n} is changed by {a} and by {b}: two fluxions that may run in parallel cannot both "
        "change it without a race, so they must share it",
        "keep {n} in a store owned by one fluxion: the others send it their changes in "
        "messages instead of writing {n} themselves",
    ),
    "upstream": (
        "{n} is written by {a} and read by {b}, which runs before {a} in the same request: a "
        "value cannot flow upstream without a race, so both must share it",
        "pass the value downstream instead of reading it upstream: move the read of {n} into "
        "{a} or after it, or keep {n} in a store owned by one fluxion",
    ),
    "unrelated": (
        "{n} is written by {a} and read by {b}, which does not run after {a} in the same "
        "request: {b} needs the latest value, which no message can bring, so both must share "
        "it",
        "keep {n} in a store owned by one fluxion and read it only there or downstream of it",
    ),
    "outside": (
        "{n} is created by {a} for each run, but {b} uses it and does not run after {a} in "
        "the same request: it cannot travel in a message, so they must share it",
        "pass {n} along the chain of callbacks instead of reaching it through a closure from "
        "{b}",
    ),
    "listener": (
        "{n} is created by {a} and changed by {b}, a listener that may run many times for one "
        "run of {a}: its changes must last between runs, so they must share it",
        "declare {n} inside {b} if it is its own state, or send each change downstream in a "
        "message",
    ),
}


def _share_words(finding: Finding, which: int) -> str:
    """The reason (0) or the help (1) of a share finding."""
    where = finding.placement
    assert where is not None and where.writer is not None and where.reader is not None
    template = _SHARE[finding.case][which]
    return template.format(n=q(finding.label), a=q(where.writer), b=q(where.reader))


def _share(finding: Finding, edge_type: EdgeType) -> str:
    return _share_words(finding, 0)


def _network(finding: Finding, edge_type: EdgeType) -> str:
    if finding.case == "server":
        return (
            "`main` receives the requests: it runs the server, which owns the sockets, and "
            "hands each request to the first fluxion of its chain"
        )
    if finding.case == "unmerged":
        writer = q(finding.fluxions[0])
        request = q(finding.variable.name if finding.variable is not None else "request")
        if finding.detail:
            goes_on = f"it calls `{finding.detail}`"
            merged = (
                f"jitflux merges back only what a fluxion writes before it calls "
                f"`{finding.detail}` itself (a Koa write after `await next()` is read by the "
                "middleware before it), and these writes are not"
            )
        else:
            goes_on = "a hook: the request goes on when it returns"
            merged = "jitflux merges back only the writes of a hook that calls `done`"
        return (
            f"{writer} writes {q(finding.label)} into {request}, the request object the "
            f"framework hands to the other handlers ({goes_on}): {merged}, so {writer} shares "
            "the request object with the network group instead of running isolated (the "
            "paper's default, section 4.2.2)"
        )
    return (
        f"{q(finding.fluxions[0])} uses {q(finding.label)}, whose object is backed by the "
        "client's socket: only a fluxion of the network group can reach the socket"
    )


def _merge(finding: Finding, edge_type: EdgeType) -> str:
    if DISPATCHER not in (finding.name, finding.fluxions[-1]):
        return _framework_merge(finding)
    if finding.case == "dispatcher":
        return (
            f"`{DISPATCHER}` merges the changes streamed by {names(_merge_callers(finding))} "
            "back into the Express request and calls `next()`: it needs the request and its "
            "socket, so it runs in main's network group"
        )
    caller = q(finding.fluxions[0])
    changes = [item for item in finding.message if item != ERROR_ITEM]
    error = ERROR_ITEM in finding.message
    called = any(u.kind == "call" and u.fluxion == finding.fluxions[0] for u in finding.evidence)
    calls = "calls `next(err)`" if error else ("calls `next()`" if called else "hands on `next`")
    if changes:
        paths = names(changes)
        locals_ = [c for c in changes if ".locals" in c]
        target = "response" if len(locals_) == len(changes) else "request"
        target = "request and response" if locals_ and target == "request" else target
        carried = paths if not error else names(finding.message)
        written = [c for c in changes if not c.startswith(DELETED)]
        deleted = [c[len(DELETED) :] for c in changes if c.startswith(DELETED)]
        verbs = [f"writes {names(written)}"] if written else []
        verbs += [f"deletes {names(deleted)}"] if deleted else []
        where = "in" if deleted else "into"
        return (
            f"{caller} {' and '.join(verbs)} {where} the Express {target} and {calls}: instead it "
            f"streams {carried} to `{DISPATCHER}`, which merges the change back into the "
            f"{target} and calls {'`next(err)`' if error else '`next()`'} "
            "(paper, section 4.2.2)"
        )
    if error:
        return (
            f"{caller} calls Express's `next(err)`: instead it streams the error to "
            f"`{DISPATCHER}`, which calls `next(err)` with it (paper, section 4.2.2)"
        )
    return (
        f"{caller} {'calls' if called else 'hands on'} Express's "
        f"{'`next()`' if called else '`next` (to be called later)'}: instead it streams to "
        f"`{DISPATCHER}`, which calls `next()` for it (paper, section 4.2.2)"
    )


def _framework_merge(finding: Finding) -> str:
    """The reason of a Koa or Fastify merge: a handler's writes into its request object
    (Koa's ctx, Fastify's request), or the dispatcher itself."""
    called = f"`{finding.detail or 'next'}()`"
    if finding.case == "dispatcher":
        framework = FRAMEWORKS.get(finding.name, "the framework")
        return (
            f"`{finding.name}` merges the changes streamed by "
            f"{names(_merge_callers(finding))} back into {framework}'s request object and "
            f"calls {called}: it needs the request and its socket, so it runs in main's "
            "network group"
        )
    dispatcher = finding.fluxions[-1]
    framework = FRAMEWORKS.get(dispatcher, "the framework")
    request = q(finding.message[0].split(".")[0]) if finding.message else "the request"
    return (
        f"{q(finding.fluxions[0])} writes {names(finding.message)} into {framework}'s "
        f"{request} and calls {called} for the handlers after it: instead it streams "
        f"{names(finding.message)} to `{dispatcher}`, which merges the change back into "
        f"{request} and calls {called} (paper, section 4.2.2)"
    )


def _unknown(finding: Finding, edge_type: EdgeType) -> str:
    name = q(finding.fluxions[0])
    if finding.case == "external":
        fn = finding.function
        where = place(None if fn is None else Location(fn.file, fn.line, fn.column))
        return (
            f"{name} is code from {where} that jitflux did not instrument: what it touches was "
            "not observed, so it cannot be assumed independent"
        )
    detail = f" ({finding.detail})" if finding.detail else ""
    return (
        f"{name} runs {q(finding.label)}, whose effects cannot be known{detail}: it may touch "
        "any variable in reach"
    )


_REASONS: dict[str, Callable[[Finding, EdgeType], str]] = {
    "scope": _scope,
    "stream": _stream,
    "share": _share,
    "network": _network,
    "merge": _merge,
    "unknown": _unknown,
}


def _merge_callers(finding: Finding) -> tuple[str, ...]:
    """The fluxions whose changes the dispatcher merges."""
    return finding.peers


def package_of(file: str) -> str | None:
    """The package a file belongs to, from its node_modules path."""
    parts = file.split("/")
    if "node_modules" not in parts:
        return None
    rest = parts[len(parts) - parts[::-1].index("node_modules") :]
    if not rest:
        return None
    if rest[0].startswith("@") and len(rest) > 1:
        return f"{rest[0]}/{rest[1]}"
    return rest[0]


def _edges(edges: Iterable[Edge], edge_type: EdgeType) -> str:
    return ", ".join(f"`{u} {arrow(edge_type((u, v)))} {v}`" for u, v in dict.fromkeys(edges))
