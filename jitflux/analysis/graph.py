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

# The key of the node order kept in a graph's attributes (see `order`).
_ORDER = "jitflux_node_order"


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
    # Every node on such a path runs before `target`: walk from `source` through those nodes
    # only, so that the cost is the size of `target`'s chain, not of the whole graph.
    ends = upstream(graph, target) | {target}
    if source not in ends:
        return []
    starts = {source}
    stack = [source]
    while stack:
        for after in graph.successors(stack.pop()):
            if after in ends and after not in starts:
                starts.add(after)
                stack.append(after)
    found = [(u, v) for v in ends for u in graph.predecessors(v) if u in starts]
    position = order(graph)
    return sorted(found, key=lambda edge: (position[edge[0]], position[edge[1]]))


def through_start(graph: nx.DiGraph, source: str, target: str) -> bool:
    """Whether some path from `source` to `target` takes a start stream (a listener)."""
    return any(
        graph.edges[edge]["type"] == "start" for edge in edges_between(graph, source, target)
    )


def incoming(graph: nx.DiGraph, name: str) -> list[Edge]:
    """The edges into `name`, in a stable order."""
    position = order(graph)
    return sorted(graph.in_edges(name), key=lambda edge: position[edge[0]])


def outgoing(graph: nx.DiGraph, name: str) -> list[Edge]:
    """The edges out of `name`, in a stable order."""
    position = order(graph)
    return sorted(graph.out_edges(name), key=lambda edge: position[edge[1]])


def order(graph: nx.DiGraph) -> dict[str, int]:
    """The position of each node in the graph's node order (the print order of the fluxions).

    Kept in the graph's attributes once built: the rules ask for it once per variable and per
    pair of fluxions, and rebuilding it each time made them quadratic. It is built again when
    nodes were added since.
    """
    position = graph.graph.get(_ORDER)
    if position is None or len(position) != len(graph):
        position = {name: index for index, name in enumerate(graph.nodes)}
        graph.graph[_ORDER] = position
    return position
