"""The pipeline graph: fluxions as nodes, rupture points as edges (paper, section 3.1).

An edge `u -> v` says that the part of `u` handed callback `v` to an asynchronous callee. Its
`Link` has a type, "start" (a listener, run again and again) or "post" (a one-shot
continuation); when several rupture points join the same two fluxions, "start" wins and all are
kept in `points`. "Downstream of u" means reachable from `u` along these edges (later in one
request's chain), "upstream" the reverse. networkx does the reachability inside.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from jitflux.analysis.chains import continued_from, source_function
from jitflux.analysis.fluxions import Fluxions
from jitflux.analysis.sources import Sources
from jitflux.trace import RupturePoint, Trace
from jitflux.trace.model import RuptureType

Edge = tuple[str, str]


@dataclass(frozen=True)
class Link:
    """What joins two fluxions: the stream's type and the rupture points behind it."""

    type: RuptureType
    points: tuple[RupturePoint, ...]


class Pipeline:
    """The fluxions in print order and the typed links between them."""

    def __init__(self, names: Iterable[str]) -> None:
        self._graph = nx.DiGraph()
        self._graph.add_nodes_from(names)
        self._position = {name: index for index, name in enumerate(self._graph.nodes)}
        # Reachability, asked again and again for the same fluxions once the graph is built.
        self._after: dict[str, frozenset[str]] = {}
        self._before: dict[str, frozenset[str]] = {}

    @staticmethod
    def build(trace: Trace, fluxions: Fluxions, sources: Sources | None = None) -> Pipeline:
        """The pipeline of a trace, with every fluxion as a node (a promise chain's step from
        the step before it or from its registrar: see chains.py)."""
        pipeline = Pipeline(fluxions.names)
        registrars = continued_from(trace, sources or Sources(trace.sources))
        main = fluxions.main_function
        for index, point in enumerate(trace.rupture_points):
            if point.callback not in fluxions.by_function or (main and point.callback == main.id):
                continue  # the main top level given as a callback (after a top-level await)
            source = fluxions.part_of(source_function(point, index, registrars))
            pipeline._add(source, fluxions.by_function[point.callback], point)
        return pipeline

    def _add(self, source: str, target: str, point: RupturePoint) -> None:
        edge = (source, target)
        link = self.link(edge)
        if link is None:
            self._graph.add_edge(source, target, link=Link(point.type, (point,)))
        else:
            kind = "start" if point.type == "start" else link.type
            self._graph.edges[edge]["link"] = Link(kind, (*link.points, point))

    @property
    def edges(self) -> list[Edge]:
        """Every edge, in a stable order."""
        return sorted(self._graph.edges, key=self._edge_key)

    def link(self, edge: Edge) -> Link | None:
        """The link of an edge; None when there is no such edge."""
        if not self._graph.has_edge(*edge):
            return None
        return self._graph.edges[edge]["link"]

    def has_edge(self, edge: Edge) -> bool:
        """Whether a rupture point joins the two fluxions."""
        return self._graph.has_edge(*edge)

    def position(self, name: str) -> int:
        """The print position of fluxion `name` (unknown names last)."""
        return self._position.get(name, len(self._position))

    def successors(self, name: str) -> list[str]:
        """The fluxions `name` hands callbacks to, in print order (none for an added one)."""
        if name not in self._graph:
            return []
        return sorted(self._graph.successors(name), key=self.position)

    def predecessors(self, name: str) -> list[str]:
        """The fluxions that hand `name` over, in print order (none for an added one)."""
        if name not in self._graph:
            return []
        return sorted(self._graph.predecessors(name), key=self.position)

    def incoming(self, name: str) -> list[Edge]:
        """The edges into `name`, in a stable order."""
        return [(source, name) for source in self.predecessors(name)]

    def outgoing(self, name: str) -> list[Edge]:
        """The edges out of `name`, in a stable order."""
        return [(name, target) for target in self.successors(name)]

    def downstream(self, name: str) -> frozenset[str]:
        """The fluxions that run after `name` in its chain (a cycle makes `name` its own)."""
        found = self._after.get(name)
        if found is None:
            found = self._after[name] = _reach(self._graph.succ, name)
        return found

    def upstream(self, name: str) -> frozenset[str]:
        """The fluxions that run before `name` in its chain."""
        found = self._before.get(name)
        if found is None:
            found = self._before[name] = _reach(self._graph.pred, name)
        return found

    def edges_between(self, source: str, target: str) -> list[Edge]:
        """Every edge on some path from `source` to `target`, in a stable order."""
        # Every node on such a path runs before `target`: walk from `source` through those
        # nodes only, so that the cost is the size of `target`'s chain, not of the whole graph.
        ends = self.upstream(target) | {target}
        if source not in ends:
            return []
        starts = {source}
        stack = [source]
        while stack:
            for after in self._graph.successors(stack.pop()):
                if after in ends and after not in starts:
                    starts.add(after)
                    stack.append(after)
        found = [(u, v) for v in ends for u in self._graph.predecessors(v) if u in starts]
        return sorted(found, key=self._edge_key)

    def through_start(self, source: str, target: str) -> bool:
        """Whether some path from `source` to `target` takes a start stream (a listener)."""
        return any(
            self._graph.edges[edge]["link"].type == "start"
            for edge in self.edges_between(source, target)
        )

    def in_order(self, names: Iterable[str]) -> list[str]:
        """Fluxion names in print order, each once."""
        return sorted(set(names), key=lambda name: (self.position(name), name))

    def _edge_key(self, edge: Edge) -> tuple[int, int]:
        return (self.position(edge[0]), self.position(edge[1]))


def _reach(neighbours: Any, name: str) -> frozenset[str]:
    """The nodes reachable from `name` along `neighbours` (itself only through a cycle)."""
    found: set[str] = set()
    stack = [name]
    while stack:
        for after in neighbours[stack.pop()]:
            if after not in found:
                found.add(after)
                stack.append(after)
    return frozenset(found)
