"""The report page as HTML, made in pure Python from real traces: one self-contained file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

from jitflux.report import report_html
from jitflux.report.facts import gather
from jitflux.report.page import render, summary_figures, unpack
from jitflux.trace import Meta, Trace

# The size the page of a 500-fluxion app must stay under.
MAX_BYTES = 3_000_000


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)


def parse(text: str) -> _Elements:
    """The elements of an HTML text."""
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


def page_data(text: str) -> dict:
    """The facts embedded in a page, from its only report-data element."""
    (data,) = [body for attrs, body in parse(text).scripts if attrs.get("id") == "report-data"]
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", data)
    return unpack(text)


def assert_self_contained(text: str) -> None:
    """No element, style or script of the page refers to anything outside it."""
    elements = parse(text)
    for tag, attrs in elements.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed", "base"), tag
        for name in ("src", "href", "action", "srcset", "data"):
            assert name not in attrs, (tag, attrs)
    styles = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert styles and all("@import" not in s and "url(" not in s for s in styles)
    kinds = {attrs.get("type") for attrs, _ in elements.scripts}
    # Scripts run inline; the facts and the renderer (run by a worker) are inline data.
    assert kinds <= {None, "application/octet-stream", "text/plain"}


def test_gifsockets_page_is_self_contained_and_carries_the_renderer(
    loaded: Callable[[str], Trace],
) -> None:
    """The page has every script and style inline, the Graphviz renderer among them."""
    text = report_html(loaded("paper-gifsockets"))
    assert_self_contained(text)
    bodies = [body for _, body in parse(text).scripts]
    assert any("Viz.js 3.31.0" in body and "renderSVGElement" in body for body in bodies)
    assert len(text.encode()) < 2_000_000


def test_big_app_page_stays_under_3_mb(loaded: Callable[[str], Trace]) -> None:
    """The page of a real 501-fluxion trace is one self-contained file under 3 MB."""
    text = report_html(loaded("big"))
    assert_self_contained(text)
    assert len(text.encode()) < MAX_BYTES
    assert len(page_data(text)["fluxions"]) == 501


def test_header_and_summary_of_gifsockets(loaded: Callable[[str], Trace]) -> None:
    """The header says the app, command, traffic and date; the summary counts the fluxions,
    the isolated ones and the groups; the groups table lists them."""
    trace = loaded("paper-gifsockets")
    document = gather(trace)
    text = render(document)
    facts = dict(re.findall(r'data-fact="(\w+)"><dt>\w+</dt><dd>([^<]*)</dd>', text))
    assert facts["app"] == "server.js"
    assert facts["command"] == " ".join(trace.meta["command"])
    assert facts["traffic"].startswith("2 requests sent, 0 failed, 2 received by the app")
    # The tracer dates the trace (meta.date, ISO 8601 in UTC); the page shows it in minutes.
    date = trace.meta["date"]
    assert facts["traced"] == f"{date[:10]} {date[11:16]} UTC"
    figures = dict(re.findall(r'data-figure="(\w+)"><th>[^<]*</th><td>(\d+)</td>', text))
    assert figures == {
        "fluxions": "5",
        "isolated": "1",
        "groups": "2",
        "share_groups": "0",
        "streams": "4",
        "variables": "4",
    }
    assert summary_figures(document)["groups"] == 2
    assert re.findall(r'data-group="([^"]+)"', text) == ["network", "unknown", "isolated"]


def test_embedded_data_is_the_document_with_its_graph(loaded: Callable[[str], Trace]) -> None:
    """The page's JSON is the report document plus its DOT, intact once parsed."""
    document = gather(loaded("paper-counter"))
    data = page_data(render(document))
    assert data["fluxions"] == json.loads(json.dumps(document["fluxions"]))
    assert data["dot"].startswith("digraph fluxions {")
    assert data["edges"] == 2


def test_text_from_the_trace_cannot_break_out_of_the_page(loaded: Callable[[str], Trace]) -> None:
    """A script name with markup is escaped in the header and kept intact in the data."""
    trace = loaded("paper-counter")
    hostile = '</script><img src=x onerror="alert(1)">'
    meta = {**trace.meta.to_dict(), "script": hostile, "command": ["node", hostile]}
    trace.meta = Meta.from_dict(meta)
    text = report_html(trace)
    assert hostile not in text
    assert_self_contained(text)
    assert page_data(text)["app"]["script"] == hostile


def test_verify_outcome_and_warnings_are_shown_when_present(
    loaded: Callable[[str], Trace],
) -> None:
    """A trace whose meta holds verify's outcome or warnings shows them in the header; one
    without does not."""
    trace = loaded("paper-counter")
    text = render(gather(trace))
    assert 'data-fact="verify"' not in text and 'data-fact="warnings"' not in text
    meta = {**trace.meta.to_dict(), "verify": {"status": 0}, "warnings": ["one & two", "three"]}
    trace.meta = Meta.from_dict(meta)
    text = report_html(trace)
    assert re.search(r'data-fact="verify"><dt>verify</dt><dd>same responses<', text)
    assert "<dd>one &amp; two (and 1 more)</dd>" in text
