"""The pipeliner's three rules (paper, section 3.2): one placement per variable, then findings.

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
  and sits in each of their contexts. So does a chain variable used outside its chain,
  changed by a listener (its changes must last between the listener's runs), or changed by one
  fluxion and used by another that runs neither before nor after it (two continuations handed
  over by the same part: no message goes from one to the other).

`placement_of` decides once per variable; `findings` lays each placement out as findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from jitflux.analysis.findings import Finding, Placement, ShareCase, Subject
from jitflux.analysis.graph import Edge, Pipeline
from jitflux.analysis.variables import Use, Variable


def placement_of(variable: Variable, graph: Pipeline) -> Placement | None:
    """Where `variable` goes and why; None when it needs no context and no message."""
    shared = _share_case(variable, graph)
    if shared is not None:
        case, writer, reader = shared
        tied = set(variable.users())
        if not variable.persistent:
            tied.update(_homes(variable))
        return Placement(
            "share",
            case,
            writer,
            reader,
            writers=tuple(in_order(variable.writers(), graph)),
            readers=tuple(in_order(tied, graph)),
            evidence=tuple(variable.uses),
        )
    users = in_order(variable.users(), graph)
    if variable.persistent:
        writers = variable.writers()
        if len(writers) == 1:
            writer = writers[0]
            readers = tuple(u for u in users if u != writer)
            rule = "stream" if readers else "scope"
            case = "downstream" if readers else "owned"
            first = readers[0] if readers else None
            return Placement(rule, case, writer, first, (writer,), readers, tuple(variable.uses))
        if not writers and not variable.module:
            return Placement(
                "scope", "readonly", None, users[0], (), tuple(users), tuple(variable.uses)
            )
        return None
    homes = _homes(variable)
    readers = tuple(u for u in users if u not in homes)
    if not _chain_edges(variable, graph, homes, readers):
        return None
    if _handed(variable):
        case = "handed"
    elif variable.parameter:
        case = "parameter"
    else:
        case = "chain"
    first = readers[0] if readers else None
    return Placement("stream", case, homes[0], first, homes, readers, tuple(variable.uses))


def findings(variable: Variable, placement: Placement, graph: Pipeline) -> list[Finding]:
    """The findings of a placed variable: contexts, the streams that carry it, its group."""
    what = _what(variable.uses)
    common = {"what": what, "name": variable.name, "variable": variable, "placement": placement}
    if placement.rule == "share":
        names = placement.readers
        return [
            Finding(
                "share",
                placement.case,
                fluxions=names,
                tag=f"grp_{variable.name}",
                context=names,
                evidence=placement.evidence,
                **common,  # type: ignore[arg-type]
            )
        ]
    found = []
    if placement.case in ("owned", "downstream"):
        writer = placement.writers[0]
        found.append(
            Finding(
                "scope",
                "owned",
                fluxions=(writer,),
                context=(writer,),
                evidence=tuple(variable.uses_by(writer)),
                **common,  # type: ignore[arg-type]
            )
        )
    elif placement.case == "readonly":
        found.append(
            Finding(
                "scope",
                "readonly",
                fluxions=placement.readers,
                context=placement.readers,
                evidence=placement.evidence,
                **common,  # type: ignore[arg-type]
            )
        )
    if placement.rule == "stream":
        if placement.case == "downstream":
            source = placement.writers[0]
            edges = [e for r in placement.readers for e in graph.edges_between(source, r)]
        else:
            edges = _chain_edges(variable, graph, placement.writers, placement.readers)
        edges = list(dict.fromkeys(edges))
        found.append(
            Finding(
                "stream",
                placement.case,
                fluxions=tuple(in_order({n for edge in edges for n in edge}, graph)),
                edges=tuple(edges),
                message=(variable.name,),
                evidence=placement.evidence,
                **common,  # type: ignore[arg-type]
            )
        )
    return found


def in_order(names: Iterable[str], graph: Pipeline) -> list[str]:
    """The fluxion names in print order, each once."""
    return graph.in_order(names)


def _homes(variable: Variable) -> tuple[str, ...]:
    return variable.homes or (variable.home,)


def _handed(variable: Variable) -> bool:
    """A socket-backed object passed to a helper: the fluxions that pass it did not make it
    (the sockets are main's), so it reached them in their incoming messages."""
    return variable.argument_of is not None and any(u.kind == "network" for u in variable.uses)


def own_uses(variable: Variable, fluxion: str) -> list[Use]:
    """The uses by `fluxion` that need the value itself: the network, a path write, a call."""
    return [u for u in variable.uses_by(fluxion) if u.kind in ("network", "mutate", "call")]


def _chain_edges(
    variable: Variable, graph: Pipeline, homes: tuple[str, ...], readers: tuple[str, ...]
) -> list[Edge]:
    """The streams that carry a variable created in a chain: from its homes to its readers
    downstream, and into the home for a parameter it arrives with."""
    edges: list[Edge] = []
    for home in homes:
        after = graph.downstream(home)
        for reader in readers:
            if reader in after:
                edges += _own_edges(graph, home, reader, homes)
    if variable.parameter and (readers or own_uses(variable, homes[0])):
        edges = graph.incoming(homes[0]) + edges
    elif _handed(variable):
        edges = [e for home in homes for e in graph.incoming(home)] + edges
    return edges


def _own_edges(graph: Pipeline, home: str, target: str, homes: tuple[str, ...]) -> list[Edge]:
    """The edges on the paths from `home` to `target` that pass through no other home: each
    home's call makes its own variable, which reaches `target` only along its own paths."""
    edges = graph.edges_between(home, target)
    if len(homes) == 1:
        return edges
    others = set(homes) - {home}
    reached, stack = {home}, [home]
    while stack:
        at = stack.pop()
        for u, v in edges:
            if u == at and v not in others and v not in reached:
                reached.add(v)
                stack.append(v)
    return [(u, v) for u, v in edges if u in reached and v in reached]


def _share_case(variable: Variable, graph: Pipeline) -> tuple[ShareCase, str, str] | None:
    """Why `variable` must be shared, the fluxion that creates or changes it and the other one;
    None when it need not be."""
    users = in_order(variable.users(), graph)
    if variable.persistent:
        writers = in_order(variable.writers(), graph)
        if len(writers) >= 2:
            return ("writers", writers[0], writers[1])
        if len(writers) == 1:
            writer = writers[0]
            before = graph.upstream(writer)
            after = graph.downstream(writer)
            for user in users:
                if user == writer:
                    continue
                if user in before:
                    return ("upstream", writer, user)
                if user not in after:
                    return ("unrelated", writer, user)
        return None
    homes = _homes(variable)
    after = {home: graph.downstream(home) for home in homes}
    for user in users:
        if user not in homes and not any(user in after[home] for home in homes):
            return ("outside", homes[0], user)
    for writer in in_order(variable.writers(), graph):
        for home in homes:
            if writer not in homes and writer in after[home]:
                edges = _own_edges(graph, home, writer, homes)
                if any(graph.link(edge).type == "start" for edge in edges):  # type: ignore[union-attr]
                    return ("listener", home, writer)
    return _sibling_case(variable, graph, homes, users)


def _sibling_case(
    variable: Variable, graph: Pipeline, homes: tuple[str, ...], users: list[str]
) -> tuple[ShareCase, str, str] | None:
    """A chain's variable changed by one fluxion and used by another that runs neither before
    nor after it (both handed over in the chain, neither by the other): no message goes from
    one to the other, so the paper's exception for a post chain does not apply."""
    for writer in in_order(variable.writers(), graph):
        if writer in homes:
            continue
        ordered = graph.upstream(writer) | graph.downstream(writer)
        for user in users:
            if user == writer or user in homes or user in ordered:
                continue
            return ("writers" if user in variable.writers() else "unrelated", writer, user)
    return None


def _what(uses: Iterable[Use]) -> Subject:
    kinds = {use.kind for use in uses}
    if "mutate" in kinds:
        return "path"
    if kinds == {"call"} or kinds == {"call", "read"}:
        return "closure"
    return "variable"
