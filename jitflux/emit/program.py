"""The fluxion program: what the printers print, built from the analysis of a trace.

It follows the paper's language (figure 1): each fluxion has a name, tags (its groups), a
context, output streams (type, destinations, message) and the code of its function. The merge
stream to `express_dispatcher` carries the object paths written into the request (`req.body`):
the dispatcher writes each back into the request of the same chain, then calls `next()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from jitflux.analysis import DISPATCHER, Analysis, Finding, Fluxion
from jitflux.analysis.variables import variable_key
from jitflux.trace import Location
from jitflux.words import reason


@dataclass(frozen=True)
class Stream:
    """One output stream: `>>` (start) or `->` (post) to its destinations, with its message."""

    type: str
    to: tuple[str, ...]
    message: tuple[str, ...] = ()

    @property
    def arrow(self) -> str:
        """The paper's arrow for the stream type."""
        return ">>" if self.type == "start" else "->"


@dataclass(frozen=True)
class FluxionSpec:
    """One fluxion as printed."""

    name: str
    tags: tuple[str, ...]
    context: tuple[str, ...]
    streams: tuple[Stream, ...]
    origin: Location | None
    fluxion: Fluxion
    reasons: tuple[str, ...] = ()  # why each tag holds it (the ties' reasons)

    @property
    def isolated(self) -> bool:
        """Whether no tag ties it to another fluxion."""
        return not self.tags


@dataclass(frozen=True)
class VariableSpec:
    """A variable that crosses a fluxion boundary or lives in a context."""

    name: str
    declared: Location | None
    rule: str  # "scope" | "stream" | "share"
    fluxions: tuple[str, ...]
    via: str | None = None  # "merge" for a request path streamed to express_dispatcher


@dataclass(frozen=True)
class Program:
    """A whole fluxion program, in print order, with the analysis it came from."""

    fluxions: tuple[FluxionSpec, ...]
    variables: tuple[VariableSpec, ...]
    analysis: Analysis = field(compare=False, repr=False)

    def get(self, name: str) -> FluxionSpec:
        """The fluxion called `name`; KeyError when none."""
        return self._by_name[name]

    def incoming(self, name: str) -> list[tuple[str, Stream]]:
        """The streams into `name`, as (source fluxion, stream)."""
        return list(self._incoming.get(name, []))

    @cached_property
    def _by_name(self) -> dict[str, FluxionSpec]:
        found: dict[str, FluxionSpec] = {}
        for spec in self.fluxions:
            found.setdefault(spec.name, spec)  # the first of a name, as a scan would find
        return found

    @cached_property
    def _incoming(self) -> dict[str, list[tuple[str, Stream]]]:
        """The streams into each fluxion, in print order of their sources: built once."""
        into: dict[str, list[tuple[str, Stream]]] = {}
        for spec in self.fluxions:
            for stream in spec.streams:
                for target in dict.fromkeys(stream.to):
                    into.setdefault(target, []).append((spec.name, stream))
        return into


def build_program(analysis: Analysis) -> Program:
    """Lay the findings out as fluxions: tags, contexts and the messages of each stream."""
    fluxions = analysis.fluxions
    graph = analysis.graph
    messages: dict[tuple[str, str], list[Finding]] = {}
    contexts: dict[str, list[Finding]] = {}
    extra_edges: dict[str, list[tuple[str, str]]] = {}
    for finding in analysis.findings:
        for edge in finding.edges:
            messages.setdefault(edge, []).append(finding)
            if not graph.has_edge(*edge):
                extra_edges.setdefault(edge[0], []).append(edge)
        for name in finding.context:
            contexts.setdefault(name, []).append(finding)
    specs = []
    for fluxion in fluxions.ordered:
        name = fluxion.name
        streams = []
        edges = sorted(graph.out_edges(name), key=lambda e: fluxions.order(e[1]))
        for edge in edges + _unique(extra_edges.get(name, [])):
            kind = graph.edges[edge]["type"] if graph.has_edge(*edge) else "post"
            streams.append(Stream(kind, (edge[1],), _items(messages.get(edge, []), analysis)))
        if not streams:
            streams.append(Stream("post", ("null",)))
        ties = analysis.ties(name)
        specs.append(
            FluxionSpec(
                name=name,
                tags=tuple(analysis.tags(name)),
                context=_items(contexts.get(name, []), analysis),
                streams=tuple(streams),
                origin=fluxion.origin,
                fluxion=fluxion,
                reasons=tuple(_unique(reason(f, analysis.stream_type) for f in ties)),
            )
        )
    return Program(tuple(specs), tuple(_variables(analysis)), analysis)


def _items(findings: list[Finding], analysis: Analysis) -> tuple[str, ...]:
    """Names in declaration order (paths after their variable), each once."""
    keyed = []
    for finding in findings:
        if finding.variable is not None:
            key = variable_key(finding.variable, analysis.fluxions)
            keyed.extend((key, item) for item in finding.message or (finding.name,))
        else:
            keyed.extend(((2, item, 0, 0, 0, item), item) for item in finding.message)
    ordered = [item for _, item in sorted(keyed)]
    return tuple(_unique(ordered))


def _variables(analysis: Analysis) -> list[VariableSpec]:
    """One entry per variable held in a context or carried by a message."""
    specs = []
    rank = {"share": 0, "stream": 1, "scope": 2}
    # The findings of each variable (by identity), gathered once rather than per variable.
    of_variable: dict[int, list[Finding]] = {}
    for finding in analysis.findings:
        if finding.variable is not None and finding.rule in rank:
            if finding.context or finding.edges:
                of_variable.setdefault(id(finding.variable), []).append(finding)
    for variable in analysis.variables:
        findings = of_variable.get(id(variable), [])
        if not findings:
            continue
        rule = min((f.rule for f in findings), key=rank.__getitem__)
        names = {n for f in findings for n in f.context}
        names |= {n for f in findings for edge in f.edges for n in edge}
        specs.append(
            VariableSpec(
                name=variable.name,
                declared=variable.declared,
                rule=rule,
                fluxions=tuple(sorted(names, key=analysis.fluxions.order)),
            )
        )
    for finding in analysis.findings:
        if finding.rule != "merge" or not finding.message:
            continue
        for path in finding.message:
            root = next((u for u in finding.evidence if u.path == path and u.effect.declared), None)
            specs.append(
                VariableSpec(
                    name=path,
                    declared=root.effect.declared if root else None,
                    rule="stream",
                    fluxions=(finding.fluxions[0], DISPATCHER),
                    via="merge",
                )
            )
    return specs


def _unique(items) -> list:
    """The items in first-seen order, each once (they are hashable: names, edges)."""
    return list(dict.fromkeys(items))
