"""The merge (paper, section 4.2.2, generalised to what Express middleware does).

A fluxion that calls Express's `next`, or hands it on (`setTimeout(next, ms)`,
`req.on('end', next)`), streams to `express_dispatcher` what it and its chain changed for the
next handler, and the dispatcher merges it back and calls `next` for it:
- writes into the request (`req.body`) and into the response's `locals` (`res.locals.user`);
  a path through a computed key (`req.seen[*]`) carries the object it goes into (`req.seen`);
- deletes (`delete req.query.q`), carried as the item `delete req.query.q` and merged back as
  deletes (the dispatcher serves several senders: a path a message does not hold is left as
  it is);
- the argument of `next(err)`, carried as the item `next(err)`: the dispatcher calls
  `next(err)` with it, so the error handler still gets the error.
The request is the first parameter of a handler, the second of an error handler
`(err, req, res, next)`. Deletes and the argument of `next` are read in the trace's sources
at the places the trace recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jitflux.analysis.findings import NETWORK, Finding
from jitflux.analysis.fluxions import DISPATCHER, MAIN, Fluxions
from jitflux.analysis.graph import Pipeline
from jitflux.analysis.sources import Sources
from jitflux.analysis.variables import (
    EXPRESS_NEXT,
    Use,
    Variable,
    handler_parameters,
)

# The message item that carries the argument of `next(err)`: no variable can have this name.
ERROR_ITEM = "next(err)"
# The message item that says a path was deleted: `delete req.query.q`.
DELETED = "delete "
_DELETE = re.compile(r"(?<![\w$.])delete\s*\(?\s*$")
# Comments and string literals, blanked before looking for `next` in a handler's text.
_CODE_ONLY = re.compile(
    r"//[^\n]*|/\*.*?\*/"  # comments
    r"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`",  # strings
    re.S,
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def carried(path: str) -> str:
    """What a message carries for a write to `path`: the path, or, through a computed key
    (`req.seen[*]`), the object the key goes into (`req.seen`)."""
    return path.split("[*]", 1)[0]


def merge_rule(
    variables: Iterable[Variable],
    loose: Iterable[Use],
    graph: Pipeline,
    fluxions: Fluxions | None = None,
    sources: Sources | None = None,
    handlers: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Fluxions that call or hand on Express's `next` stream their changes to express_dispatcher
    (`handlers`: the ids of the functions Express dispatches to, which may hand `next` on)."""
    variables = list(variables)
    loose = list(loose)
    sources = sources if sources is not None else Sources({})
    calls = [
        use
        for use in [u for v in variables for u in v.uses] + loose
        if use.kind == "call" and use.effect.callee == EXPRESS_NEXT and use.fluxion != MAIN
    ]
    handing = (
        _handing(fluxions, sources, {use.fluxion for use in calls}, handlers)
        if fluxions is not None and handlers
        else set()
    )
    callers = graph.in_order({use.fluxion for use in calls} | handing)
    merged_objects = [v for v in variables if v.request or v.response]
    findings = []
    merged: list[Use] = []  # the writes every caller now streams
    for caller in callers:
        chain = {caller} | (graph.upstream(caller) - {MAIN})
        writes = [
            use
            for variable in merged_objects
            for use in variable.uses
            if use.kind == "mutate" and use.fluxion in chain and _merged(variable, use)
        ]
        own_calls = [use for use in calls if use.fluxion == caller]
        items = message_items(writes, sources)
        if any(_passes_argument(use, sources) for use in own_calls):
            items.append(ERROR_ITEM)
        message = tuple(dict.fromkeys(items))
        merged += [use for use in writes if use not in merged]
        findings += _relayed(caller, writes, sources, graph)
        findings.append(
            merge_finding(
                caller,
                DISPATCHER,
                message,
                evidence=tuple(own_calls + writes),
                discharged=tuple(write_network_uses(writes, variables, loose)),
            )
        )
    if callers:
        findings.append(
            Finding(
                "merge",
                "dispatcher",
                "merge",
                name=DISPATCHER,
                fluxions=(DISPATCHER,),
                tag=NETWORK,
                peers=tuple(callers),
                # What it takes over: the writes into the request and the calls of next.
                evidence=tuple(merged + calls),
            )
        )
    return findings


def message_items(writes: Iterable[Use], sources: Sources) -> list[str]:
    """The message items that carry some writes: a path, an object, a delete."""
    return [
        DELETED + u.path if _is_delete(u, sources) else carried(u.path) for u in writes if u.path
    ]


def _relayed(caller: str, writes: list[Use], sources: Sources, graph: Pipeline) -> list[Finding]:
    """Writes made upstream of the fluxion that calls `next` reach it in the messages of the
    chain, so that it can send them on to express_dispatcher."""
    found = []
    for writer in graph.in_order({u.fluxion for u in writes} - {caller}):
        own = [u for u in writes if u.fluxion == writer]
        items = tuple(dict.fromkeys(message_items(own, sources)))
        edges = tuple(graph.edges_between(writer, caller))
        if not items or not edges:
            continue
        found.append(
            Finding(
                "stream",
                "merge",
                "path",
                name=", ".join(items),
                fluxions=tuple(graph.in_order({n for edge in edges for n in edge})),
                edges=edges,
                message=items,
                evidence=tuple(u for u in writes if u.fluxion == writer),
            )
        )
    return found


def _merged(variable: Variable, use: Use) -> bool:
    """Whether a write is one the next handler expects: any into the request, `locals` of the
    response (the rest of the response is the network's)."""
    if variable.request:
        return True
    path = use.path or ""
    return path == f"{variable.name}.locals" or path.startswith(
        (f"{variable.name}.locals.", f"{variable.name}.locals[")
    )


def _is_delete(use: Use, sources: Sources) -> bool:
    """Whether the recorded write is a `delete` of the path (its source says so)."""
    for sample in use.effect.samples:
        source = sources.get(sample.file or "")
        if source is None or sample.line is None:
            continue
        line = source.line(sample.line) or ""
        before = line[: source.column_index(sample.line, sample.column or 0)]
        if _DELETE.search(before):
            return True
    return False


def _passes_argument(use: Use, sources: Sources) -> bool:
    """Whether a call of `next` passes an argument (`next(err)`, not `next()`)."""
    for sample in use.effect.samples:
        source = sources.get(sample.file or "")
        if source is None or sample.line is None:
            continue
        at = source.position(sample.line, sample.column or 0)
        if at is None:
            continue
        call = re.compile(re.escape(use.effect.target) + r"\s*\(\s*[^)\s]")
        if call.match(source.text, at) is not None:
            return True
    return False


def _handing(
    fluxions: Fluxions, sources: Sources, calling: set[str], handlers: frozenset[str]
) -> set[str]:
    """Express handlers that hand their `next` on rather than call it: their source names
    `next` other than in a call (`setTimeout(next, 1)`), and no call of it was seen."""
    found = set()
    for fluxion in fluxions.ordered:
        fn = fluxion.function
        if fluxion.role != "callback" or fn is None or fn.range is None:
            continue
        if fluxion.name in calling or fn.id not in handlers or len(fn.params) < 3:
            continue
        source = sources.get(fn.file)
        _, _, next_name = handler_parameters(fn)
        if source is None or not next_name:
            continue
        text = _CODE_ONLY.sub(_blank, source.slice(*fn.range))
        body = text.find("{", text.find(")"))
        if body < 0:
            continue
        for match in re.finditer(rf"(?<![\w$.]){re.escape(next_name)}(?![\w$])", text[body:]):
            after = text[body + match.end() :].lstrip()
            if not after.startswith(("(", "=", ".", ":")):
                found.add(fluxion.name)
                break
    return found


def write_network_uses(
    writes: list[Use], variables: list[Variable], loose: list[Use]
) -> list[Use]:
    """Network uses that are the merged writes themselves: same fluxion, object and line."""
    lines: dict[tuple[str, str], set[tuple[str | None, int | None]]] = {}
    for use in writes:
        key = (use.fluxion, use.effect.path.root or "")
        lines.setdefault(key, set()).update((s.file, s.line) for s in use.effect.samples)
    found = []
    for use in [u for v in variables for u in v.uses] + loose:
        key = (use.fluxion, use.effect.path.root or "")
        if use.kind != "network" or key not in lines:
            continue
        samples = {(s.file, s.line) for s in use.effect.samples if s.line is not None}
        if samples and samples <= lines[key]:
            found.append(use)
    return found


def merge_finding(
    writer: str,
    dispatcher: str,
    message: tuple[str, ...],
    evidence: tuple[Use, ...],
    discharged: tuple[Use, ...],
    detail: str | None = None,
) -> Finding:
    """The merge of what `writer` sends in `message` back into the request by `dispatcher`,
    which then calls the next handler (`detail`: the name of its `next`, when not Express's)."""
    return Finding(
        "merge",
        "next",
        "merge",
        name=", ".join(message) or "next",
        fluxions=(writer, dispatcher),
        edges=((writer, dispatcher),),
        message=message,
        evidence=evidence,
        discharged=discharged,
        detail=detail,
    )
