"""The analysis: fluxions, the pipeline graph (networkx) and the pipeliner rules over a trace."""

from jitflux.analysis.findings import NETWORK, UNKNOWN, Finding, Rule, Subject
from jitflux.analysis.fluxions import DISPATCHER, MAIN, Fluxion, Fluxions, identify
from jitflux.analysis.graph import build as build_graph
from jitflux.analysis.pipeliner import Analysis, analyze
from jitflux.analysis.rules import (
    merge_rule,
    network_rule,
    scope_rule,
    share_case,
    share_rule,
    stream_rule,
    unknown_rule,
)
from jitflux.analysis.sources import SourceFile
from jitflux.analysis.variables import EXPRESS_NEXT, Use, Variable, collect

__all__ = [
    "DISPATCHER",
    "EXPRESS_NEXT",
    "MAIN",
    "NETWORK",
    "UNKNOWN",
    "Analysis",
    "Finding",
    "Fluxion",
    "Fluxions",
    "Rule",
    "SourceFile",
    "Subject",
    "Use",
    "Variable",
    "analyze",
    "build_graph",
    "collect",
    "identify",
    "merge_rule",
    "network_rule",
    "scope_rule",
    "share_case",
    "share_rule",
    "stream_rule",
    "unknown_rule",
]
