"""The `dot` printer: the program as a Graphviz digraph.

Fluxions are nodes (an isolated one is drawn with a bold outline), streams are edges labelled
with their messages: a start stream (`>>`) has a double arrowhead, a post stream (`->`) a single
one. Each tag is a cluster. Graphviz draws a node in one cluster only: a node with several tags
goes into its first share group (`grp_*`, the tie that holds state), else its first tag, and its
label lists all its tags and its context.
"""

from __future__ import annotations

from jitflux.emit.flx import fluxion_header
from jitflux.emit.program import Program


def render(program: Program) -> str:
    """The DOT text of a program."""
    lines = [
        "digraph fluxions {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    clusters: dict[str, list[str]] = {}
    loose: list[str] = []
    for spec in program.fluxions:
        style = ', style="rounded,bold"' if spec.isolated else ""
        node = f"{_id(spec.name)} [label={_quote(fluxion_header(spec)[4:])}{style}];"
        if spec.tags:
            clusters.setdefault(_cluster_of(spec.tags), []).append(node)
        else:
            loose.append(node)
    for index, (tag, nodes) in enumerate(clusters.items()):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote('& ' + tag)};")
        lines.append('    style="dashed";')
        lines += [f"    {node}" for node in nodes]
        lines.append("  }")
    lines += [f"  {node}" for node in loose]
    for spec in program.fluxions:
        for stream in spec.streams:
            for target in stream.to:
                label = " [" + ", ".join(stream.message) + "]" if stream.message else ""
                head = "normalnormal" if stream.type == "start" else "normal"
                lines.append(
                    f"  {_id(spec.name)} -> {_id(target)} "
                    f"[label={_quote(stream.arrow + label)}, arrowhead={head}];"
                )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cluster_of(tags: tuple[str, ...]) -> str:
    """The one cluster a node is drawn in: a share group first, as it is what ties state."""
    return sorted(tags, key=lambda tag: (not tag.startswith("grp_"), tags.index(tag)))[0]


def _id(name: str) -> str:
    return _quote(name)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
