"""The DOT of the report's graph, made from the fluxions of real traces."""

from __future__ import annotations

import re
from collections.abc import Callable

from jitflux.report.facts import gather
from jitflux.report.graph import cluster_of, edges, to_dot
from jitflux.trace import Trace


def clusters(dot: str) -> dict[str, list[str]]:
    """Each cluster's label and the labels of its nodes' fluxions (by tooltip)."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in dot.splitlines():
        if match := re.search(r'graph \[label="([^"]*)"', line):
            current = found.setdefault(match.group(1), [])
        elif match := re.search(r'tooltip="([^"]*)"', line):
            current.append(match.group(1))
    return found


def node_line(dot: str, name: str) -> str:
    """The DOT line of the node of fluxion `name`."""
    (line,) = [line for line in dot.splitlines() if f'tooltip="{name}"' in line]
    return line


def edge_labels(dot: str, fluxions: list[dict]) -> set[tuple[str, str, str]]:
    """The drawn edges as (source name, target name, label)."""
    names = [f["name"] for f in fluxions]
    found = set()
    for source, target, label in re.findall(r'n(\d+) -> n(\d+) \[label="([^"]*)"', dot):
        found.add((names[int(source)], names[int(target)], label))
    return found


def test_gifsockets_groups_are_clusters_and_the_isolated_fluxion_is_apart(
    loaded: Callable[[str], Trace],
) -> None:
    """gifsockets: the network cluster holds main, saveBody, the external handler and the merge;
    anonymous_12, isolated, is alone in the isolated cluster."""
    fluxions = gather(loaded("paper-gifsockets"))["fluxions"]
    found = clusters(to_dot(fluxions))
    assert found == {
        "& network": ["main", "saveBody", "writeTextToImages", "express_dispatcher"],
        "isolated (no tie)": ["anonymous_12"],
    }
    # Its second tag is in the label of the node, since a node is drawn in one cluster only.
    assert r'label="writeTextToImages\n& unknown"' in node_line(
        to_dot(fluxions), "writeTextToImages"
    )


def test_gifsockets_streams_are_labelled_edges_and_the_merge_is_a_funnel(
    loaded: Callable[[str], Trace],
) -> None:
    """Edges carry the paper's arrow and message; the stream into the merge is dashed and the
    merge node is an inverted trapezium."""
    fluxions = gather(loaded("paper-gifsockets"))["fluxions"]
    dot = to_dot(fluxions)
    assert edge_labels(dot, fluxions) == {
        ("main", "saveBody", ">> [req, next]"),
        ("main", "writeTextToImages", ">>"),
        ("saveBody", "anonymous_12", "-> [req, next]"),
        ("anonymous_12", "express_dispatcher", "-> [req.body]"),
    }
    assert "shape=invtrapezium" in node_line(dot, "express_dispatcher")
    (into_merge,) = [line for line in dot.splitlines() if '"-> [req.body]"' in line]
    assert 'style="dashed"' in into_merge
    (start,) = [line for line in dot.splitlines() if '">> [req, next]"' in line]
    assert "arrowhead=normalnormal" in start


def test_counter_nodes_have_ids_and_contexts(loaded: Callable[[str], Trace]) -> None:
    """Each fluxion is one node with the SVG id fx-<index>; reply's label shows its context."""
    fluxions = gather(loaded("paper-counter"))["fluxions"]
    dot = to_dot(fluxions)
    for index, fluxion in enumerate(fluxions):
        assert f'id="fx-{index}"' in node_line(dot, fluxion["name"])
    assert r'label="reply\n{count, template}"' in node_line(dot, "reply")
    assert len(re.findall(r"^\s+n\d+ \[", dot, flags=re.M)) == len(fluxions)


def test_big_app_share_groups_come_first(loaded: Callable[[str], Trace]) -> None:
    """In the generated app a reply in a share group and the network is drawn in the share
    group; every fluxion is drawn once and `-> null` streams are no edges."""
    fluxions = gather(loaded("big"))["fluxions"]
    found = clusters(to_dot(fluxions))
    assert "reply_7" in found["& grp_last_0"]
    assert sum(len(names) for names in found.values()) == len(fluxions) == 501
    assert len(found["isolated (no tie)"]) == sum(1 for f in fluxions if f["isolated"])
    drawn = edges(fluxions)
    assert all(fluxions[e.target]["name"] != "null" for e in drawn)
    assert len(drawn) == 500


def test_cluster_of_prefers_share_then_network_then_unknown() -> None:
    """A fluxion with several tags is drawn in its share group, else network, else unknown."""
    assert cluster_of(["network", "grp_total"]) == "grp_total"
    assert cluster_of(["unknown", "network"]) == "network"
    assert cluster_of(["unknown"]) == "unknown"
    assert cluster_of([]) == "isolated"
