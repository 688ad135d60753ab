"""The analysis: fluxions, the pipeline graph (networkx) and the pipeliner rules over a trace."""

from jitflux.analysis.findings import (
    NETWORK,
    UNKNOWN,
    Case,
    Finding,
    Placement,
    PlacementRule,
    Rule,
    Subject,
)
from jitflux.analysis.fluxions import DISPATCHER, MAIN, Fluxion, Fluxions, identify
from jitflux.analysis.graph import Edge, Link, Pipeline
from jitflux.analysis.pipeliner import Analysis, analyze
from jitflux.analysis.placement import placement_of
from jitflux.analysis.sources import SourceFile
from jitflux.analysis.ties import merge_rule, network_rule, unknown_rule
from jitflux.analysis.variables import EXPRESS_NEXT, Use, Variable, collect

__all__ = [
    "DISPATCHER",
    "EXPRESS_NEXT",
    "MAIN",
    "NETWORK",
    "UNKNOWN",
    "Analysis",
    "Edge",
    "Link",
    "Pipeline",
    "Case",
    "Finding",
    "Fluxion",
    "Fluxions",
    "Placement",
    "PlacementRule",
    "Rule",
    "SourceFile",
    "Subject",
    "Use",
    "Variable",
    "analyze",
    "collect",
    "identify",
    "merge_rule",
    "network_rule",
    "placement_of",
    "unknown_rule",
]
