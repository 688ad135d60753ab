"""Tests of jitflux.emit.dot: the Graphviz view of a program."""

import re

from jitflux.emit import render
from tests.fixtures import load_fixture


def test_streams_are_labelled_edges_with_distinct_arrowheads() -> None:
    """A start stream has a double arrowhead, a post stream a single one; labels hold messages."""
    text = render(load_fixture("paper-counter"), "dot")
    assert text.startswith("digraph fluxions {\n") and text.endswith("}\n")
    assert '"main" -> "handler" [label=">> [res]", arrowhead=normalnormal];' in text
    assert '"handler" -> "reply" [label="-> [res]", arrowhead=normal];' in text


def test_groups_are_clusters_and_isolated_fluxions_stand_alone() -> None:
    """figure 5: grp_c is a cluster holding add and end; onReq is outside any cluster."""
    text = render(load_fixture("figure5"), "dot")
    clusters = dict(
        re.findall(r'subgraph cluster_\d+ \{\n    label="& ([^"]+)";\n(.*?)\n  \}', text, re.S)
    )
    assert set(clusters) == {"network", "grp_c"}
    assert '"add"' in clusters["grp_c"] and '"end"' in clusters["grp_c"]
    assert '"main"' in clusters["network"]
    assert '  "onReq" [label="onReq", style="rounded,bold"];' in text
    assert '"end" [label="end & network, grp_c {c}"];' in clusters["grp_c"]
