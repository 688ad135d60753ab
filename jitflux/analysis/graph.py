"""The pipeline graph: fluxions as nodes, rupture points as edges (paper, section 3.1).

An edge `u -> v` says that the part of `u` handed callback `v` to an asynchronous callee. Its
`type` is "start" (a listener, run again and again) or "post" (a one-shot continuation); when
several rupture points join the same two fluxions, "start" wins and all are kept in `points`.
"Downstream of u" means reachable from `u` along these edges (later in one request's chain),
"upstream" the reverse.
"""

from __future__ import annotations

import networkx as nx

from jitflux.analysis.fluxions import Fluxions
from jitflux.trace import RupturePoint, Trace

Edge = tuple[str, str]


def build(trace: Trace, fluxions: Fluxions) -> nx.DiGraph:
    """The pipeline graph of a trace, with every fluxion as a node."""
    graph = nx.DiGraph()
    for fluxion in fluxions.ordered:
        graph.add_node(fluxion.name)
    for point in trace.rupture_points:
        if point.callback not in fluxions.by_function:
            continue  # the main top level given as a callback: not a stream
        source = fluxions.part_of(point.caller)
        target = fluxions.by_function[point.callback]
        if graph.has_edge(source, target):
            data = graph.edges[source, target]
            data["points"].append(point)
            if point.type == "start":
                data["type"] = "start"
        else:
            graph.add_edge(source, target, type=point.type, points=[point])
    return graph


def points(graph: nx.DiGraph, edge: Edge) -> list[RupturePoint]:
    """The rupture points behind an edge."""
    return list(graph.edges[edge]["points"])


def downstream(graph: nx.DiGraph, name: str) -> set[str]:
    """The fluxions that run after `name` in its chain (a cycle makes `name` its own)."""
    found = set(nx.descendants(graph, name))
    if any(graph.has_edge(other, name) for other in found | {name}):
        found.add(name)
    return found


def upstream(graph: nx.DiGraph, name: str) -> set[str]:
    """The fluxions that run before `name` in its chain."""
    found = set(nx.ancestors(graph, name))
    if any(graph.has_edge(name, other) for other in found | {name}):
        found.add(name)
    return found


def edges_between(graph: nx.DiGraph, source: str, target: str) -> list[Edge]:
    """Every edge on some path from `source` to `target`, in a stable order."""
    starts = downstream(graph, source) | {source}
    ends = upstream(graph, target) | {target}
    found = [(u, v) for u, v in graph.edges if u in starts and v in ends]
    order = {name: index for index, name in enumerate(graph.nodes)}
    return sorted(found, key=lambda edge: (order[edge[0]], order[edge[1]]))


def through_start(graph: nx.DiGraph, source: str, target: str) -> bool:
    """Whether some path from `source` to `target` takes a start stream (a listener)."""
    return any(
        graph.edges[edge]["type"] == "start" for edge in edges_between(graph, source, target)
    )


def incoming(graph: nx.DiGraph, name: str) -> list[Edge]:
    """The edges into `name`, in a stable order."""
    order = {node: index for index, node in enumerate(graph.nodes)}
    return sorted(graph.in_edges(name), key=lambda edge: order[edge[0]])


def outgoing(graph: nx.DiGraph, name: str) -> list[Edge]:
    """The edges out of `name`, in a stable order."""
    order = {node: index for index, node in enumerate(graph.nodes)}
    return sorted(graph.out_edges(name), key=lambda edge: order[edge[1]])
