"""The fluxion graph of a report as Graphviz DOT, drawn in the page by the embedded renderer.

One node per fluxion, with the SVG id `fx-<index>` (its index in the fluxions document) so
that the page can find it. Groups are clusters: a share group (`grp_*`) first, as it is what
ties state, then the network, then the fluxions whose code was not observed (`unknown`); a
fluxion with several tags is drawn in the first of these and its label lists the others. The
isolated fluxions, which no tag ties, are set apart in a cluster of their own. Streams are
edges labelled with the paper's arrow and their message (`>> [req, next]`, `-> [data]`); the
`express_dispatcher` merge is drawn as a funnel, and the streams into it are dashed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jitflux.analysis.fluxions import FRAMEWORKS

# The dispatchers jitflux adds for the merge: Express's, Koa's and Fastify's.
DISPATCHERS = tuple(FRAMEWORKS)
ISOLATED = "isolated"

# Colours of the clusters and nodes, by kind of group (kept in step with page.css).
_STYLE = {
    "share": ("#fff4e0", "#c77700"),
    "network": ("#e8f0fe", "#1a56c4"),
    "unknown": ("#f3f3f3", "#6b6b6b"),
    ISOLATED: ("#e6f6ea", "#1e7b34"),
}


@dataclass(frozen=True)
class Edge:
    """One drawn stream: from a fluxion to another, with its type and message."""

    source: int
    target: int
    type: str  # "start" | "post"
    message: tuple[str, ...]

    @property
    def label(self) -> str:
        """The paper's arrow and the message: `>> [req, next]`, `->`."""
        arrow = ">>" if self.type == "start" else "->"
        return arrow + (" [" + ", ".join(self.message) + "]" if self.message else "")


def group_kind(tag: str) -> str:
    """The kind of a group: "share", "network", "unknown" or "isolated"."""
    if tag in ("network", "unknown", ISOLATED):
        return tag
    return "share"


def cluster_of(tags: Sequence[str]) -> str:
    """The one cluster a fluxion is drawn in: a share group, else network, else unknown."""
    if not tags:
        return ISOLATED
    order = {"share": 0, "network": 1, "unknown": 2}
    return sorted(tags, key=lambda tag: (order[group_kind(tag)], list(tags).index(tag)))[0]


def edges(fluxions: Sequence[dict[str, Any]]) -> list[Edge]:
    """The streams between fluxions (`-> null` is no edge), each (source, target, type) once."""
    index = {f["name"]: i for i, f in reversed(list(enumerate(fluxions)))}
    found: dict[tuple[int, int, str], Edge] = {}
    for i, fluxion in enumerate(fluxions):
        for stream in fluxion.get("streams", []):
            for target in stream.get("to", []):
                if target not in index:
                    continue  # "null", or a name the document does not hold
                key = (i, index[target], stream["type"])
                found.setdefault(
                    key, Edge(i, index[target], stream["type"], tuple(stream["message"]))
                )
    return list(found.values())


def to_dot(fluxions: Sequence[dict[str, Any]]) -> str:
    """The DOT text of the fluxion graph (see the module docstring)."""
    lines = [
        "digraph fluxions {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.15, ranksep=0.35,'
        ' newrank=true, bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12,'
        ' fillcolor="#ffffff", color="#444444", margin="0.12,0.04", height=0.3];',
        '  edge [fontname="Helvetica", fontsize=10, color="#555555", fontcolor="#333333",'
        " arrowsize=0.7];",
    ]
    clusters: dict[str, list[str]] = {}
    for i, fluxion in enumerate(fluxions):
        clusters.setdefault(cluster_of(fluxion.get("tags", [])), []).append(_node(i, fluxion))
    for number, (tag, nodes) in enumerate(_cluster_order(clusters)):
        fill, line = _STYLE[group_kind(tag)]
        title = "isolated (no tie)" if tag == ISOLATED else "& " + tag
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(
            f'    graph [label={_quote(title)}, id="group-{number}", style="rounded,filled",'
            f' fillcolor="{fill}", color="{line}", fontcolor="{line}"];'
        )
        lines += [f"    {node}" for node in nodes]
        lines.append("  }")
    names = [f["name"] for f in fluxions]
    for number, edge in enumerate(edges(fluxions)):
        attributes = [
            f"label={_quote(edge.label)}",
            f'id="edge-{number}"',
            f'class="from-{edge.source} to-{edge.target}"',
        ]
        if edge.type == "start":
            attributes.append("arrowhead=normalnormal")
        if names[edge.target] in DISPATCHERS:
            attributes += ['style="dashed"', 'color="#c75000"']
        lines.append(f"  n{edge.source} -> n{edge.target} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(index: int, fluxion: dict[str, Any]) -> str:
    name = fluxion["name"]
    tags = list(fluxion.get("tags", []))
    if name in DISPATCHERS:
        # The merge of section 4.2.2: changes of an isolated fluxion flow back into the request.
        label = name + "\n(merge)"
        style = [
            "shape=invtrapezium",
            'style="filled"',
            'fillcolor="#ffe2c6"',
            'color="#c75000"',
            "fixedsize=true",
            "width=1.95",
            "height=0.5",
        ]
    else:
        label = name
        others = [tag for tag in tags if tag != cluster_of(tags)]
        if others:
            label += "\n& " + ", ".join(others)
        if fluxion.get("context"):
            label += "\n{" + ", ".join(fluxion["context"]) + "}"
        style = [] if tags else ['color="#1e7b34"', "penwidth=1.6"]
    attributes = [f"label={_quote(label)}", f'id="fx-{index}"', f"tooltip={_quote(name)}"]
    return f"n{index} [{', '.join(attributes + style)}];"


def _cluster_order(clusters: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The network first, then the share groups, unknown and the isolated fluxions last."""
    order = {"network": 0, "share": 1, "unknown": 2, ISOLATED: 3}
    return sorted(clusters.items(), key=lambda item: order[group_kind(item[0])])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
