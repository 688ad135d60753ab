"""The report page: one self-contained HTML file made from a template and the report document.

Pure Python: the header, the summary table and the list of groups are written here; the graph
(DOT from `graph.to_dot`) and the facts of every fluxion go into the page as packed JSON
(`pack`), and the
page's own script draws the graph with the embedded Graphviz (WebAssembly) and fills the side
panel on click. Every script and style is inline: the page loads nothing.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zlib
from functools import cache
from importlib import resources
from typing import Any

from jitflux.errors import InstallationError
from jitflux.report.graph import ISOLATED, cluster_of, edges, group_kind, to_dot

Json = dict[str, Any]

# The renderer, installed from npm by `make setup` (jitflux/report/assets/package.json).
RENDERER = "assets/node_modules/@viz-js/viz/dist/viz-global.js"


def render(document: Json) -> str:
    """The HTML text of the report page of a report document (see facts.gather)."""
    template = _text("templates/page.html")
    fluxions = document["fluxions"]
    data = {**document, "dot": to_dot(fluxions), "edges": len(edges(fluxions))}
    parts = {
        "TITLE": html.escape(f"jitflux report: {_app_name(document)}"),
        "STYLE": _text("templates/page.css"),
        "HEADER": header(document),
        "SUMMARY": summary_table(document),
        "GROUPS": groups_table(document),
        "DATA": pack(data),
        "RENDERER": renderer(),
        "PANEL": _text("templates/panel.js"),
        "SCRIPT": _text("templates/page.js"),
    }
    # One pass, so that text in the data that looks like a placeholder stays as it is.
    return re.sub(r"@@([A-Z]+)@@", lambda found: parts[found.group(1)], template)


def summary_figures(document: Json) -> Json:
    """The figures of the summary table: fluxions, isolated, groups, variables, streams."""
    fluxions = document["fluxions"]
    tags = {tag for f in fluxions for tag in f["tags"]}
    return {
        "fluxions": len(fluxions),
        "isolated": sum(1 for f in fluxions if f["isolated"]),
        "groups": len(tags),
        "share_groups": sum(1 for tag in tags if group_kind(tag) == "share"),
        "variables": len(document.get("variables", [])),
        "streams": len(edges(fluxions)),
    }


def groups(document: Json) -> list[tuple[str, str, int, int]]:
    """Each group (and the isolated fluxions) as (tag, kind, members, drawn in its cluster)."""
    members: dict[str, int] = {}
    drawn: dict[str, int] = {}
    for fluxion in document["fluxions"]:
        for tag in fluxion["tags"] or [ISOLATED]:
            members[tag] = members.get(tag, 0) + 1
        cluster = cluster_of(fluxion["tags"])
        drawn[cluster] = drawn.get(cluster, 0) + 1
    order = {"network": 0, "share": 1, "unknown": 2, ISOLATED: 3}
    rows = [(tag, group_kind(tag), count, drawn.get(tag, 0)) for tag, count in members.items()]
    return sorted(rows, key=lambda row: (order[row[1]], row[0]))


def header(document: Json) -> str:
    """The page header: the app, the command, the traffic, the date, verify's outcome."""
    app, traffic, date = document["app"], document["traffic"], document["date"]
    items = [("app", _app_name(document))]
    if app.get("command"):
        items.append(("command", " ".join(app["command"])))
    sent, failed = traffic.get("requests_sent"), traffic.get("requests_failed")
    if sent is not None:
        words = f"{sent} requests sent, {failed or 0} failed"
        if traffic.get("requests_received") is not None:
            words += f", {traffic['requests_received']} received by the app"
        if traffic.get("duration") is not None:
            words += f" in {traffic['duration']} s"
        if traffic.get("complete") is False:
            words += " (incomplete trace)"
        items.append(("traffic", words))
    if date.get("value"):
        items.append(
            ("traced", date["value"] + (" (file time)" if date["source"] == "file" else ""))
        )
    versions = [
        f"{k} {app[k + '_version']}"
        for k in ("node", "express", "jitflux")
        if app.get(k + "_version")
    ]
    if versions:
        items.append(("versions", ", ".join(versions)))
    warnings = document.get("warnings") or []
    if warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        items.append(("warnings", str(warnings[0]) + more))
    if document.get("verify") is not None:
        items.append(("verify", _verify(document["verify"])))
    rows = "".join(
        f'<div class="fact" data-fact="{key}"><dt>{key}</dt>'
        f"<dd>{html.escape(str(value))}</dd></div>"
        for key, value in items
    )
    return f'<dl class="facts">{rows}</dl>'


def summary_table(document: Json) -> str:
    """The summary table as HTML."""
    figures = summary_figures(document)
    labels = [
        ("fluxions", "fluxions"),
        ("isolated", "isolated"),
        ("groups", "groups"),
        ("share_groups", "share groups"),
        ("streams", "streams"),
        ("variables", "variables"),
    ]
    cells = "".join(
        f'<tr data-figure="{key}"><th>{label}</th><td>{figures[key]}</td></tr>'
        for key, label in labels
    )
    return f'<table class="summary">{cells}</table>'


def groups_table(document: Json) -> str:
    """The groups as HTML rows: a click on one selects its members in the graph."""
    rows = "".join(
        f'<tr data-group="{html.escape(tag)}" class="kind-{kind}"><td>'
        f"{html.escape('& ' + tag if tag != ISOLATED else 'isolated')}</td>"
        f"<td>{kind}</td><td>{count}</td></tr>"
        for tag, kind, count, _ in groups(document)
    )
    return (
        '<table class="groups"><thead><tr><th>group</th><th>kind</th><th>fluxions</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


@cache
def renderer() -> str:
    """The embedded Graphviz renderer's script; a clear error when `make setup` has not run."""
    try:
        text = _text(RENDERER)
    except (FileNotFoundError, OSError):
        raise InstallationError(
            "the report's graph renderer is not installed (run `make setup`, which installs "
            "jitflux/report/assets with npm)"
        ) from None
    # It sits in a script element as text (a worker runs it): nothing in it may close that.
    if "</script" in text.lower():
        raise InstallationError(f"{RENDERER} cannot be embedded: it holds </script")
    return text


def _verify(outcome: Any) -> str:
    """`jitflux verify`'s outcome in words: exit status 0 means the same responses."""
    if isinstance(outcome, dict):
        status = outcome.get("status")
        if isinstance(outcome.get("ok"), bool):
            status = 0 if outcome["ok"] else 1
        words = "same responses" if status == 0 else f"differences found (status {status})"
        if outcome.get("differences"):
            words += f": {len(outcome['differences'])} differences"
        return words
    return str(outcome)


def _app_name(document: Json) -> str:
    return str(document["app"].get("script") or "unknown app")


def pack(data: Json) -> str:
    """The facts as the page holds them: JSON, deflated (zlib), in base64. The page inflates
    them with the browser's own DecompressionStream; they are a tenth of the JSON's size, and
    base64 cannot close the script element that holds them."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack(page: str) -> Json:
    """The facts held by a report page (what `pack` put in it)."""
    found = re.search(r'<script id="report-data"[^>]*>([A-Za-z0-9+/=]*)</script>', page)
    if found is None:
        raise ValueError("no report data in this page")
    return json.loads(zlib.decompress(base64.b64decode(found.group(1))).decode("utf-8"))


def _text(name: str) -> str:
    return resources.files("jitflux.report").joinpath(name).read_text(encoding="utf-8")
