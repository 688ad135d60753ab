"""The fluxion program: what the printers print, built from the analysis of a trace.

It follows the paper's language (figure 1): each fluxion has a name, tags (its groups), a
context, output streams (type, destinations, message) and the code of its function. The merge
stream to `express_dispatcher` carries the object paths written into the request (`req.body`):
the dispatcher writes each back into the request of the same chain, then calls `next()`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

from jitflux.analysis import MAIN, NETWORK, Analysis, Finding, Fluxion, Placement
from jitflux.analysis.findings import SHOWN
from jitflux.analysis.merge import DELETED, carried
from jitflux.analysis.pipeliner import apart
from jitflux.analysis.variables import Use, Variable, variable_key
from jitflux.emit.code import CodeWriter
from jitflux.trace import Location
from jitflux.words import help_text, reason


@dataclass(frozen=True)
class Stream:
    """One output stream: `>>` (start) or `->` (post) to its destinations, with its message;
    no destination for a fluxion that sends nothing."""

    type: str
    to: tuple[str, ...]
    message: tuple[str, ...] = ()

    @property
    def arrow(self) -> str:
        """The paper's arrow for the stream type."""
        return ">>" if self.type == "start" else "->"


@dataclass(frozen=True)
class TieSpec:
    """One tie of a fluxion, as facts (`finding`, `rule`, `case`, the variable, the fluxions it
    ties this one to, where, the effects that prove it) next to its words."""

    finding: str
    rule: str
    case: str
    tag: str
    variable: str | None
    with_: tuple[str, ...]
    more: int  # fluxions of the group left out of `with_` (at most SHOWN are listed)
    at: Location | None
    evidence: tuple[Use, ...]
    reason: str
    help: str | None


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
    ties: tuple[TieSpec, ...] = ()
    code: tuple[str, ...] = ()  # its code, dedented (left out when not asked for)

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
    placement: Placement | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Program:
    """A whole fluxion program, in print order: a plain value, printed as it is."""

    fluxions: tuple[FluxionSpec, ...]
    variables: tuple[VariableSpec, ...]

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


def build_program(analysis: Analysis, code: bool = True) -> Program:
    """Lay the findings out as fluxions: tags, contexts, the messages of each stream, and,
    with `code`, the code of each fluxion."""
    writer = CodeWriter(analysis) if code else None
    fluxions = analysis.fluxions
    graph = analysis.graph
    messages: dict[tuple[str, str], list[Finding]] = {}
    contexts: dict[str, list[Finding]] = {}
    extra_edges: dict[str, list[tuple[str, str]]] = {}
    for finding in analysis.findings:
        for edge in finding.edges:
            messages.setdefault(edge, []).append(finding)
            if not graph.has_edge(edge):
                extra_edges.setdefault(edge[0], []).append(edge)
        for name in finding.context:
            contexts.setdefault(name, []).append(finding)
    specs = []
    tier = _Tier(analysis)
    for fluxion in fluxions.ordered:
        name = fluxion.name
        streams = []
        edges = graph.outgoing(name)
        for edge in edges + _unique(extra_edges.get(name, [])):
            kind = analysis.stream_type(edge)
            streams.append(Stream(kind, (edge[1],), _items(messages.get(edge, []), analysis)))
        if not streams:
            streams.append(Stream("post", ()))  # sends nothing: `-> null` in the language
        ties = analysis.ties(name)
        specs.append(
            FluxionSpec(
                name=name,
                tags=tuple(analysis.tags(name)),
                context=_items(contexts.get(name, []), analysis),
                streams=tuple(streams),
                origin=fluxion.origin,
                fluxion=fluxion,
                reasons=tuple(_unique(tier.reason(f) for f in ties)),
                ties=tuple(tier.tie(fluxion, f) for f in ties),
                code=writer.code(fluxion) if writer is not None else (),
            )
        )
    return Program(tuple(specs), tuple(_variables(analysis)))


class _Tier:
    """Makes the ties of each fluxion, with what a finding's members share gathered once for
    the finding (its words, its evidence by fluxion): a group of n costs n, not n squared."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        names = analysis.fluxions.names
        self.network = tuple(n for n in names if NETWORK in analysis.tags(n))
        self.words: dict[str, tuple[str, str | None]] = {}
        self.evidence: dict[str, dict[str, list[Use]]] = {}

    def reason(self, finding: Finding) -> str:
        """The finding's reason, made once."""
        return self._words(finding)[0]

    def _words(self, finding: Finding) -> tuple[str, str | None]:
        said = self.words.get(finding.id)
        if said is None:
            said = (reason(finding, self.analysis.stream_type), help_text(finding))
            self.words[finding.id] = said
        return said

    def tie(self, fluxion: Fluxion, finding: Finding) -> TieSpec:
        """A tie from `fluxion`'s side: the others of its group (main for a network tie, which
        owns the sockets), where it shows in the fluxion, and its own uses that prove it."""
        name = fluxion.name
        if finding.tag == NETWORK:
            members: tuple[str, ...] = self.network if name == MAIN else (MAIN,)
        else:
            members = finding.fluxions  # distinct, in print order
        others = tuple(itertools.islice((n for n in members if n != name), SHOWN))
        total = len(members) - (name in members)
        by_fluxion = self.evidence.get(finding.id)
        if by_fluxion is None:
            by_fluxion = self.evidence[finding.id] = {}
            for use in finding.evidence:
                by_fluxion.setdefault(use.fluxion, []).append(use)
        own = tuple(by_fluxion.get(name, ()))
        at = next((loc for loc in map(use_location, own) if loc is not None), None)
        if at is None and finding.variable is not None:
            at = finding.variable.declared
        if at is None:
            at = fluxion.origin
        said, help_ = self._words(finding)
        return TieSpec(
            finding=finding.id,
            rule=finding.rule,
            case=finding.case,
            tag=finding.tag or "",
            variable=None if finding.case in ("server", "external") else finding.name,
            with_=others,
            more=max(0, total - len(others)),
            at=at,
            evidence=own,
            reason=said,
            help=help_,
        )


def use_location(use: Use) -> Location | None:
    """Where a use was observed: its first sample with a place."""
    for sample in use.effect.samples:
        if sample.line is not None and sample.file is not None:
            return Location(sample.file, sample.line, sample.column or 0)
    return None


def _items(findings: list[Finding], analysis: Analysis) -> tuple[str, ...]:
    """Names in declaration order (paths after their variable), each once; two variables of
    one name in the same context or message are each named `name@file:line`."""
    keyed = []
    declared: dict[str, set[object]] = {}
    for finding in findings:
        if finding.variable is not None:
            declared.setdefault(finding.variable.name, set()).add(
                (finding.variable.declared, finding.variable.owner)
            )
    for finding in findings:
        if finding.variable is not None:
            key = variable_key(finding.variable, analysis.fluxions)
            items = finding.message or (finding.name,)
            if len(declared[finding.variable.name]) > 1:
                items = tuple(_apart(item, finding.variable) for item in items)
            keyed.extend((key, item) for item in items)
        else:
            keyed.extend(((2, item, 0, 0, 0, item), item) for item in finding.message)
    ordered = [item for _, item in sorted(keyed)]
    return tuple(_unique(ordered))


def _apart(item: str, variable: Variable) -> str:
    """`cb@server.js:12` for the variable's own name; a path (`cb.x`) as it is."""
    return apart(variable) if item == variable.name else item


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
        where = analysis.placement(variable)
        placed = next((f for f in findings if f.rule == rule), findings[0])
        specs.append(
            VariableSpec(
                name=variable.name,
                declared=variable.declared,
                rule=rule,
                fluxions=tuple(sorted(names, key=analysis.fluxions.order)),
                placement=where,
                reason=reason(placed, analysis.stream_type),
            )
        )
    for finding in analysis.findings:
        if finding.rule != "merge" or not finding.message:
            continue
        for path in finding.message:
            writes = tuple(u for u in finding.evidence if u.path and _carries(path, u.path))
            if not writes:
                continue  # the argument of next(err): no variable
            root = next((u for u in writes if u.effect.declared), None)
            caller, dispatcher = finding.fluxions[0], finding.fluxions[-1]
            specs.append(
                VariableSpec(
                    name=path,
                    declared=root.effect.declared if root else None,
                    rule="stream",
                    fluxions=(caller, dispatcher),
                    via="merge",
                    placement=Placement(
                        "stream", "merge", caller, dispatcher, (caller,), (dispatcher,), writes
                    ),
                    reason=reason(finding, analysis.stream_type),
                )
            )
    return specs


def _carries(item: str, path: str) -> bool:
    """Whether a merge's message item carries the write to `path` (the path, the object a
    computed key goes into, or the path deleted)."""
    return item in (path, carried(path), DELETED + path)


def _unique(items) -> list:
    """The items in first-seen order, each once (they are hashable: names, edges)."""
    return list(dict.fromkeys(items))
