"""Run the analysis of a trace: fluxions, pipeline graph, variables, then every rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from jitflux.analysis import rules
from jitflux.analysis.findings import Finding
from jitflux.analysis.fluxions import DISPATCHER, Fluxion, Fluxions, identify
from jitflux.analysis.graph import build
from jitflux.analysis.variables import Use, Variable, collect
from jitflux.trace import Trace


@dataclass(frozen=True)
class Analysis:
    """Everything the rules concluded about one trace."""

    trace: Trace
    fluxions: Fluxions  # in print order, express_dispatcher last when a merge added it
    graph: nx.DiGraph  # the rupture points only: the merge streams are findings
    variables: tuple[Variable, ...]
    loose: tuple[Use, ...]  # uses that touch no variable (unknown effects, bare network use)
    findings: tuple[Finding, ...]

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
    graph = build(trace, fluxions)
    variables, loose = collect(trace, fluxions)
    merges = rules.merge_rule(variables, loose, graph)
    findings = [
        *rules.scope_rule(variables, graph),
        *rules.stream_rule(variables, graph),
        *rules.share_rule(variables, graph),
        *rules.network_rule(fluxions, variables, loose, merges),
        *merges,
        *rules.unknown_rule(fluxions, loose),
    ]
    if merges:
        fluxions = Fluxions(
            fluxions.ordered + (Fluxion(DISPATCHER, None, "dispatcher", "post"),),
            fluxions.by_function,
            fluxions.main_function,
            fluxions.functions,
        )
    return Analysis(trace, fluxions, graph, tuple(variables), tuple(loose), tuple(findings))
