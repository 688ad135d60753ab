"""Run the analysis of a trace: fluxions, pipeline graph, variables, then every rule."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from jitflux.analysis import placement, ties
from jitflux.analysis.findings import Finding, Placement
from jitflux.analysis.fluxions import Fluxion, Fluxions, identify
from jitflux.analysis.framework_merge import (
    framework_handlers,
    framework_merge_rule,
    unmerged_rule,
)
from jitflux.analysis.graph import Pipeline
from jitflux.analysis.sources import Sources
from jitflux.analysis.variables import Use, Variable, collect, express_handlers
from jitflux.trace import Trace


@dataclass(frozen=True)
class Analysis:
    """Everything the rules concluded about one trace."""

    trace: Trace
    fluxions: Fluxions  # in print order, express_dispatcher last when a merge added it
    graph: Pipeline  # the rupture points only: the merge streams are findings
    variables: tuple[Variable, ...]
    placements: tuple[Placement | None, ...]  # one per variable, None where it needs none
    loose: tuple[Use, ...]  # uses that touch no variable (unknown effects, bare network use)
    findings: tuple[Finding, ...]
    sources: Sources  # the trace's source files, each indexed once

    def stream_type(self, edge: tuple[str, str]) -> str:
        """"start" or "post": the type of the stream behind an edge (a merge's is post)."""
        link = self.graph.link(edge)
        return link.type if link is not None else "post"

    def placement(self, variable: Variable) -> Placement | None:
        """Where `variable` goes and why."""
        return self._placements.get(id(variable))

    @cached_property
    def _placements(self) -> dict[int, Placement | None]:
        return {id(v): p for v, p in zip(self.variables, self.placements, strict=True)}

    def ties(self, fluxion: str) -> list[Finding]:
        """The findings that hold `fluxion` in a group, in rule order."""
        return [f for f in self._about.get(fluxion, []) if f.tag is not None]

    def tags(self, fluxion: str) -> list[str]:
        """The groups of `fluxion`: network first, then shares, then unknown."""
        tags = {f.tag for f in self.ties(fluxion) if f.tag}
        first = self._tag_positions
        end = len(self.findings)
        return sorted(tags, key=lambda t: (t != "network", t == "unknown", first.get(t, end)))

    def isolated(self, fluxion: str) -> bool:
        """Whether no tag ties `fluxion` to another fluxion."""
        return not self.ties(fluxion)

    def about(self, fluxion: str) -> list[Finding]:
        """Every finding that concerns `fluxion`."""
        return list(self._about.get(fluxion, []))

    @cached_property
    def _about(self) -> dict[str, list[Finding]]:
        """The findings of each fluxion, in rule order: built once, not scanned per fluxion."""
        about: dict[str, list[Finding]] = {}
        for finding in self.findings:
            for name in dict.fromkeys(finding.fluxions):
                about.setdefault(name, []).append(finding)
        return about

    @cached_property
    def _tag_positions(self) -> dict[str, int]:
        """The index of the first finding of each tag."""
        first: dict[str, int] = {}
        for index, finding in enumerate(self.findings):
            if finding.tag is not None:
                first.setdefault(finding.tag, index)
        return first


def analyze(trace: Trace) -> Analysis:
    """Apply the pipeliner rules to a loaded trace."""
    fluxions = identify(trace)
    sources = Sources(trace.sources)
    graph = Pipeline.build(trace, fluxions, sources)
    variables, loose = collect(trace, fluxions, sources)
    placements = [placement.placement_of(variable, graph) for variable in variables]
    placed = [
        finding
        for variable, where in zip(variables, placements, strict=True)
        if where is not None
        for finding in placement.findings(variable, where, graph)
    ]
    handlers = framework_handlers(trace)
    merges = ties.merge_rule(
        variables, loose, graph, fluxions, sources, frozenset(express_handlers(trace))
    ) + framework_merge_rule(variables, loose, handlers, sources)
    rank = {"scope": 0, "stream": 1, "share": 2}
    findings = _identified(
        variables,
        [
            *sorted(placed, key=lambda f: rank[f.rule]),
            *ties.network_rule(fluxions, variables, loose, merges),
            *unmerged_rule(variables, handlers, merges),
            *merges,
            *ties.unknown_rule(fluxions, loose),
        ],
    )
    dispatchers = tuple(
        Fluxion(f.name, None, "dispatcher", "post") for f in merges if f.case == "dispatcher"
    )
    if dispatchers:
        fluxions = Fluxions(
            fluxions.ordered + dispatchers,
            fluxions.by_function,
            fluxions.main_function,
            fluxions.functions,
        )
    return Analysis(
        trace, fluxions, graph, tuple(variables), tuple(placements), tuple(loose), findings, sources
    )


def _identified(variables: list[Variable], findings: list[Finding]) -> tuple[Finding, ...]:
    """The findings with their ids (`share1`, `network3`...), share tags made unique
    (`grp_x_2` for a second variable `x`), and the variable of each named `name@file:line`
    where another variable has the same name."""
    seen: dict[str, set[object]] = {}
    for variable in variables:
        seen.setdefault(variable.name, set()).add((variable.declared, variable.owner))
    counts: dict[str, int] = {}
    tags: set[str] = set()
    out = []
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
        tag = finding.tag
        if finding.rule == "share" and tag is not None:
            base, n = tag, 2
            while tag in tags:
                tag, n = f"{base}_{n}", n + 1
            tags.add(tag)
        shown = ""
        variable = finding.variable
        if variable is not None and finding.name == variable.name:
            if len(seen.get(variable.name, ())) > 1:
                shown = apart(variable)
        out.append(
            replace(finding, id=f"{finding.rule}{counts[finding.rule]}", tag=tag, shown=shown)
        )
    return tuple(out)


def apart(variable: Variable) -> str:
    """`cb@server.js:12`: a variable's name with where it is declared (`cb@?` where unknown)."""
    where = variable.declared
    return f"{variable.name}@{where.file}:{where.line}" if where else f"{variable.name}@?"
