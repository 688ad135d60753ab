"""The pipeliner rules (paper, section 3.2 and 4.2.2) as pure functions returning findings.

- *scope*: module-level state changed by one fluxion lives in its context; read-only state
  declared outside (a template function) sits in the context of each fluxion that reads it.
  State initialised with `require()` needs neither: every fluxion can load the module itself.
- *stream*: a value set upstream and used downstream travels in the messages of every stream
  between them; a callback's parameter arrives in the message to it when it is used downstream,
  or by the callback itself for the network, a path write or a call. So does a socket-backed
  object that a callback passes to a helper function (sockets are main's: it received it). A
  variable created inside a chain may be changed anywhere downstream (the paper's exception:
  upstream parts are done).
- *share*: state changed by several fluxions, or read by a fluxion that does not run after the
  one that changes it (upstream or in another chain), ties them all in one group `grp_<name>`
  and sits in each of their contexts. So does a chain variable used outside its chain, or
  changed by a listener (its changes must last between the listener's runs).
- *network*: `main` and every fluxion that uses a socket-backed object (`req`, `res`).
- *unknown*: an effect that cannot be known (eval, with) or a fluxion whose code was not
  instrumented ties its fluxion: it is never assumed independent.
- *merge*: a fluxion that calls Express's `next` streams the changes it (and its chain) wrote
  into the request to `express_dispatcher`, which merges them back and calls `next`; the fluxion
  is then free of the request and of `next`, and the dispatcher joins main's network group.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from jitflux.analysis import graph as pipeline
from jitflux.analysis.findings import NETWORK, SHOWN, UNKNOWN, Finding, Subject
from jitflux.analysis.fluxions import DISPATCHER, MAIN, Fluxions
from jitflux.analysis.graph import Edge
from jitflux.analysis.variables import EXPRESS_NEXT, Use, Variable, root_of

# Why a variable is shared: (case, the fluxion that creates or changes it, the other one).
ShareCase = tuple[str, str, str]


def share_case(variable: Variable, graph: nx.DiGraph) -> ShareCase | None:
    """Why `variable` must be shared between fluxions, or None when it need not be."""
    users = _in_order(variable.users(), graph)
    if variable.persistent:
        writers = _in_order(variable.writers(), graph)
        if len(writers) >= 2:
            return ("writers", writers[0], writers[1])
        if len(writers) == 1:
            writer = writers[0]
            before = pipeline.upstream(graph, writer)
            after = pipeline.downstream(graph, writer)
            for user in users:
                if user == writer:
                    continue
                if user in before:
                    return ("upstream", writer, user)
                if user not in after:
                    return ("unrelated", writer, user)
        return None
    homes = variable.homes or (variable.home,)
    after = {home: pipeline.downstream(graph, home) for home in homes}
    for user in users:
        if user not in homes and not any(user in after[home] for home in homes):
            return ("outside", homes[0], user)
    for writer in _in_order(variable.writers(), graph):
        for home in homes:
            if writer not in homes and writer in after[home]:
                if pipeline.through_start(graph, home, writer):
                    return ("listener", home, writer)
    return None


def scope_rule(variables: Iterable[Variable], graph: nx.DiGraph) -> list[Finding]:
    """Module-level state used by one fluxion, or read-only, goes into contexts."""
    findings = []
    for variable in variables:
        if not variable.persistent or share_case(variable, graph):
            continue
        name = _q(variable.name)
        writers = variable.writers()
        users = _in_order(variable.users(), graph)
        if len(writers) == 1:
            writer = writers[0]
            others = [u for u in users if u != writer]
            reason = f"{name} is changed only by {_q(writer)}"
            reason += (
                f" and read downstream by {_names(others, SHOWN)}: it lives in {_q(writer)}'s"
                " context, and its value travels down in messages"
                if others
                else f" and used by no other fluxion: it lives in {_q(writer)}'s context"
            )
            holders: tuple[str, ...] = (writer,)
            evidence = tuple(variable.uses_by(writer))
        elif not writers and not variable.module:
            reason = (
                f"{name} is never changed by a fluxion: each fluxion that reads it "
                f"({_names(users, SHOWN)}) keeps it in its context"
            )
            holders = tuple(users)
            evidence = tuple(variable.uses)
        else:
            continue
        findings.append(
            Finding(
                rule="scope",
                what=_what(variable.uses),
                name=variable.name,
                fluxions=holders,
                reason=reason,
                context=holders,
                evidence=evidence,
                variable=variable,
            )
        )
    return findings


def stream_rule(variables: Iterable[Variable], graph: nx.DiGraph) -> list[Finding]:
    """Values set upstream and used downstream travel in the messages between them."""
    findings = []
    for variable in variables:
        if share_case(variable, graph):
            continue
        users = _in_order(variable.users(), graph)
        name = _q(variable.name)
        edges: list[Edge] = []
        if variable.persistent:
            writers = variable.writers()
            if len(writers) != 1:
                continue
            source = writers[0]
            readers = [u for u in users if u != source]
            for reader in readers:
                edges += pipeline.edges_between(graph, source, reader)
            if not readers:
                continue
            reason = (
                f"{name} is changed by {_q(source)} and read by {_names(readers, SHOWN)}, "
                "which "
                f"{_run(readers)} after it in the same request: its value travels in the "
                f"messages {_edges(edges, graph)}"
            )
        else:
            source = variable.home
            homes = variable.homes or (source,)
            readers = [u for u in users if u not in homes]
            for home in homes:
                after = pipeline.downstream(graph, home)
                for reader in readers:
                    if reader in after:
                        edges += pipeline.edges_between(graph, home, reader)
            own = [u for u in variable.uses_by(source) if u.kind in ("network", "mutate", "call")]
            arriving = variable.parameter and bool(readers or own)
            # A socket-backed object passed to a helper: the fluxions that pass it did not make
            # it (the sockets are main's), so it reached them in their incoming messages.
            handed = variable.argument_of is not None and any(
                u.kind == "network" for u in variable.uses
            )
            if arriving:
                edges = pipeline.incoming(graph, source) + edges
            elif handed:
                edges = [e for home in homes for e in pipeline.incoming(graph, home)] + edges
            if not edges:
                continue
            if handed:
                reason = (
                    f"{name} is a parameter of `{variable.argument_of}`, to which "
                    f"{_names(homes)} {_pick(homes, 'passes', 'pass')} a socket-backed object "
                    f"{_pick(homes, 'it', 'they')} received from upstream"
                )
                if readers:
                    reason += f", used downstream by {_names(readers, SHOWN)}"
            elif variable.parameter:
                reason = f"{name} is a parameter of {_q(source)}"
                if readers:
                    reason += f", used downstream by {_names(readers, SHOWN)}"
                if own:
                    reason += f"{' and' if readers else ','} used by {_q(source)} itself"
                    reason += f" ({_kinds(own)})"
            else:
                reason = (
                    f"{name} is set by {_names(homes, SHOWN)} and used downstream by "
                    f"{_names(readers, SHOWN)}"
                )
            reason += f": it travels in the messages {_edges(edges, graph)}"
        edges = _unique(edges)
        involved = _in_order({n for edge in edges for n in edge}, graph)
        findings.append(
            Finding(
                rule="stream",
                what=_what(variable.uses),
                name=variable.name,
                fluxions=tuple(involved),
                reason=reason,
                edges=tuple(edges),
                message=(variable.name,),
                evidence=tuple(variable.uses),
                variable=variable,
            )
        )
    return findings


def share_rule(variables: Iterable[Variable], graph: nx.DiGraph) -> list[Finding]:
    """State that fluxions cannot pass along without a race ties them in one group."""
    findings = []
    tags: set[str] = set()
    for variable in variables:
        case = share_case(variable, graph)
        if case is None:
            continue
        kind, first, second = case
        tied = set(variable.users())
        if not variable.persistent:
            tied.update(variable.homes or (variable.home,))
        tied_names = tuple(_in_order(tied, graph))
        tag = _unique_tag(f"grp_{variable.name}", tags)
        tags.add(tag)
        reason, help_text = _share_words(kind, variable.name, first, second)
        findings.append(
            Finding(
                rule="share",
                what=_what(variable.uses),
                name=variable.name,
                fluxions=tied_names,
                reason=reason,
                help=help_text,
                tag=tag,
                context=tied_names,
                evidence=tuple(variable.uses),
                variable=variable,
            )
        )
    return findings


def merge_rule(
    variables: Iterable[Variable], loose: Iterable[Use], graph: nx.DiGraph
) -> list[Finding]:
    """Fluxions that call Express's `next` stream their request changes to express_dispatcher."""
    variables = list(variables)
    loose = list(loose)
    calls = [
        use
        for use in [u for v in variables for u in v.uses] + loose
        if use.kind == "call" and use.effect.callee == EXPRESS_NEXT and use.fluxion != MAIN
    ]
    callers = _in_order({use.fluxion for use in calls}, graph)
    requests = [v for v in variables if v.request]
    findings = []
    merged: list[Use] = []  # the request writes every caller now streams
    for caller in callers:
        chain = {caller} | (pipeline.upstream(graph, caller) - {MAIN})
        writes = [
            use
            for variable in requests
            for use in variable.uses
            if use.kind == "mutate" and use.fluxion in chain
        ]
        paths = tuple(_unique([use.path for use in writes if use.path]))
        own_calls = [use for use in calls if use.fluxion == caller]
        merged += [use for use in writes if use not in merged]
        if paths:
            reason = (
                f"{_q(caller)} writes {_names(paths)} into the Express request and calls "
                f"`next()`: instead it streams {_names(paths)} to `{DISPATCHER}`, which merges "
                "the change back into the request and calls `next()` (paper, section 4.2.2)"
            )
        else:
            reason = (
                f"{_q(caller)} calls Express's `next()`: instead it streams to `{DISPATCHER}`, "
                "which calls `next()` for it (paper, section 4.2.2)"
            )
        findings.append(
            Finding(
                rule="merge",
                what="merge",
                name=", ".join(paths) or "next",
                fluxions=(caller, DISPATCHER),
                reason=reason,
                edges=((caller, DISPATCHER),),
                message=paths,
                evidence=tuple(own_calls + writes),
                discharged=tuple(_write_network_uses(writes, variables, loose)),
            )
        )
    if callers:
        findings.append(
            Finding(
                rule="merge",
                what="merge",
                name=DISPATCHER,
                fluxions=(DISPATCHER,),
                reason=(
                    f"`{DISPATCHER}` merges the changes streamed by {_names(callers)} back into "
                    "the Express request and calls `next()`: it needs the request and its "
                    "socket, so it runs in main's network group"
                ),
                help=(
                    f"nothing to change: jitflux adds `{DISPATCHER}` so that {_names(callers)} "
                    "can run isolated; to do without it, let the next handler read the body "
                    "itself (a body-parsing middleware) instead of writing it into `req` from a "
                    "callback"
                ),
                tag=NETWORK,
                # What it takes over: the writes into the request and the calls of next.
                evidence=tuple(merged + calls),
            )
        )
    return findings


def network_rule(
    fluxions: Fluxions,
    variables: Iterable[Variable],
    loose: Iterable[Use],
    merges: Iterable[Finding] = (),
) -> list[Finding]:
    """`main` and every fluxion using a socket-backed object join the network group."""
    discharged = [use for finding in merges for use in finding.discharged]
    variables = list(variables)
    owner_of = {id(u): v for v in variables for u in v.uses}
    uses = [u for v in variables for u in v.uses] + list(loose)
    network = [u for u in uses if u.kind == "network" and u not in discharged]
    network_by_fluxion: dict[str, list[Use]] = {}
    for use in network:
        network_by_fluxion.setdefault(use.fluxion, []).append(use)
    findings = [
        Finding(
            rule="network",
            what="network",
            name="network",
            fluxions=(MAIN,),
            reason=(
                "`main` receives the requests: it runs the server, which owns the sockets, and "
                "hands each request to the first fluxion of its chain"
            ),
            help="nothing to change: the entry point of the requests is always in this group",
            tag=NETWORK,
            evidence=tuple(u for u in network if u.fluxion == MAIN),
        )
    ]
    for fluxion in fluxions.names:
        if fluxion == MAIN:
            continue
        roots: dict[str, list[Use]] = {}
        for use in network_by_fluxion.get(fluxion, []):
            roots.setdefault(root_of(use.effect.target) or use.effect.target, []).append(use)
        for root, evidence in roots.items():
            behind = {id(owner_of[id(u)]): owner_of[id(u)] for u in evidence if id(u) in owner_of}
            findings.append(
                Finding(
                    rule="network",
                    what="network",
                    name=root,
                    fluxions=(fluxion,),
                    reason=(
                        f"{_q(fluxion)} uses {_q(root)}, whose object is backed by the client's "
                        "socket: only a fluxion of the network group can reach the socket"
                    ),
                    help=(
                        f"keep the work that does not need {_q(root)} in other fluxions "
                        f"upstream: only the code that talks to the client needs the network "
                        "group"
                    ),
                    tag=NETWORK,
                    evidence=tuple(evidence),
                    variable=next(iter(behind.values())) if len(behind) == 1 else None,
                )
            )
    return findings


def unknown_rule(fluxions: Fluxions, loose: Iterable[Use]) -> list[Finding]:
    """Effects that could not be known, and code that was not observed, tie their fluxion."""
    findings = []
    unknown: dict[str, list[Use]] = {}
    for use in loose:
        if use.effect.kind == "unknown":
            unknown.setdefault(use.fluxion, []).append(use)
    for fluxion in fluxions.ordered:
        fn = fluxion.function
        if fluxion.external and fn is not None:
            where = f"{fn.file}:{fn.line}:{fn.column}" if fn.file else "an unknown place"
            package = _package_of(fn.file)
            findings.append(
                Finding(
                    rule="unknown",
                    what="unknown",
                    name=fn.name or fluxion.name,
                    fluxions=(fluxion.name,),
                    reason=(
                        f"{_q(fluxion.name)} is code from {where} that jitflux did not "
                        "instrument: what it touches was not observed, so it cannot be assumed "
                        "independent"
                    ),
                    help=(
                        f"trace again with `jitflux trace --include {package or 'PACKAGE'}` so "
                        "that its effects are observed"
                    ),
                    tag=UNKNOWN,
                )
            )
        targets: dict[str, list[Use]] = {}
        for use in unknown.get(fluxion.name, []):
            targets.setdefault(use.effect.target, []).append(use)
        for target, evidence in targets.items():
            why = next((u.effect.reason for u in evidence if u.effect.reason), None)
            findings.append(
                Finding(
                    rule="unknown",
                    what="unknown",
                    name=target,
                    fluxions=(fluxion.name,),
                    reason=(
                        f"{_q(fluxion.name)} runs `{target}`, whose effects cannot be known"
                        + (f" ({why})" if why else "")
                        + ": it may touch any variable in reach"
                    ),
                    help=(
                        f"replace `{target}` by ordinary code, so that jitflux can see what it "
                        "touches"
                    ),
                    tag=UNKNOWN,
                    evidence=tuple(evidence),
                )
            )
    return findings


def _share_words(kind: str, name: str, first: str, second: str) -> tuple[str, str]:
    """The reason and the help of a share finding, by case."""
    n, a, b = _q(name), _q(first), _q(second)
    if kind == "writers":
        return (
            f"{n} is changed by {a} and by {b}: two fluxions that may run in parallel cannot "
            "both change it without a race, so they must share it",
            f"keep {n} in a store owned by one fluxion: the others send it their changes in "
            f"messages instead of writing {n} themselves",
        )
    if kind == "upstream":
        return (
            f"{n} is written by {a} and read by {b}, which runs before {a} in the same request: "
            "a value cannot flow upstream without a race, so both must share it",
            f"pass the value downstream instead of reading it upstream: move the read of {n} "
            f"into {a} or after it, or keep {n} in a store owned by one fluxion",
        )
    if kind == "unrelated":
        return (
            f"{n} is written by {a} and read by {b}, which does not run after {a} in the same "
            f"request: {b} needs the latest value, which no message can bring, so both must "
            "share it",
            f"keep {n} in a store owned by one fluxion and read it only there or downstream of it",
        )
    if kind == "outside":
        return (
            f"{n} is created by {a} for each run, but {b} uses it and does not run after {a} "
            "in the same request: it cannot travel in a message, so they must share it",
            f"pass {n} along the chain of callbacks instead of reaching it through a closure "
            f"from {b}",
        )
    return (
        f"{n} is created by {a} and changed by {b}, a listener that may run many times for "
        f"one run of {a}: its changes must last between runs, so they must share it",
        f"declare {n} inside {b} if it is its own state, or send each change downstream in "
        "a message",
    )


def _write_network_uses(
    writes: list[Use], variables: list[Variable], loose: list[Use]
) -> list[Use]:
    """Network uses that are the merged writes themselves: same fluxion, object and line."""
    lines: dict[tuple[str, str], set[tuple[str | None, int | None]]] = {}
    for use in writes:
        key = (use.fluxion, root_of(use.effect.target) or "")
        lines.setdefault(key, set()).update((s.file, s.line) for s in use.effect.samples)
    found = []
    for use in [u for v in variables for u in v.uses] + loose:
        key = (use.fluxion, root_of(use.effect.target) or "")
        if use.kind != "network" or key not in lines:
            continue
        samples = {(s.file, s.line) for s in use.effect.samples if s.line is not None}
        if samples and samples <= lines[key]:
            found.append(use)
    return found


def _package_of(file: str) -> str | None:
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


def _what(uses: Iterable[Use]) -> Subject:
    kinds = {use.kind for use in uses}
    if "mutate" in kinds:
        return "path"
    if kinds == {"call"} or kinds == {"call", "read"}:
        return "closure"
    return "variable"


def _kinds(uses: Iterable[Use]) -> str:
    words = {"network": "for the network", "mutate": "to write into it", "call": "to call it"}
    return ", ".join(_unique([words[u.kind] for u in uses]))


def _in_order(names: Iterable[str], graph: nx.DiGraph) -> list[str]:
    order = pipeline.order(graph)
    return sorted(set(names), key=lambda name: (order.get(name, len(order)), name))


def _unique(items: Iterable) -> list:
    """The items in first-seen order, each once (they are hashable: names, edges, paths)."""
    return list(dict.fromkeys(items))


def _unique_tag(tag: str, used: set[str]) -> str:
    if tag not in used:
        return tag
    n = 2
    while f"{tag}_{n}" in used:
        n += 1
    return f"{tag}_{n}"


def _q(name: str) -> str:
    return f"`{name}`"


def _names(names: Iterable[str], shown: int | None = None) -> str:
    """`a`, `b` and `c`; with `shown`, at most that many then "and N more"."""
    quoted = [_q(n) for n in names]
    if shown is not None and len(quoted) > shown:
        return ", ".join(quoted[:shown]) + f" and {len(quoted) - shown:,} more"
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _run(names: list[str]) -> str:
    return "runs" if len(names) == 1 else "run"


def _pick(names: tuple[str, ...], one: str, several: str) -> str:
    return one if len(names) == 1 else several


def _edges(edges: Iterable[Edge], graph: nx.DiGraph) -> str:
    texts = []
    for source, target in _unique(edges):
        arrow = ">>" if graph.edges[source, target]["type"] == "start" else "->"
        texts.append(f"`{source} {arrow} {target}`")
    return ", ".join(texts)
