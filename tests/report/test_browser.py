"""The report page in a real headless Chromium, driven through jitflux's own CDP client."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.report import write_report
from jitflux.report.page import unpack
from jitflux.trace import load
from tests.report.browser import Page, browser_page, chromium

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium binary (`make setup` installs Debian's chromium when run as root)",
)

# Measures the longest time the page's main thread did not run a 20 ms timer, from before the
# page's own scripts run: how long the page froze at worst.
HEARTBEAT = """
window.__longestFreeze = 0;
(function () {
  var last = performance.now();
  setInterval(function () {
    var now = performance.now();
    window.__longestFreeze = Math.max(window.__longestFreeze, now - last - 20);
    last = now;
  }, 20);
})();
"""


Report = tuple[Path, dict]


def report_of(traced: Callable[[str], Path], name: str, folder: Path) -> Report:
    """Write the report page of a real trace; the page and the facts it shows."""
    trace = traced(name)
    page = write_report(load(trace), folder / f"{name}.html", trace_path=trace)
    return page, unpack(page.read_text(encoding="utf-8"))


# The pages are written before the tests' event loops run (tracing runs its own loop).
@pytest.fixture(scope="module")
def counter(traced: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of paper-counter."""
    return report_of(traced, "paper-counter", tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def gifsockets(traced: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of paper-gifsockets."""
    return report_of(traced, "paper-gifsockets", tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def big(traced: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the generated 501-fluxion app."""
    return report_of(traced, "big", tmp_path_factory.mktemp("pages"))


def loaded_alone(page: Page, path: Path) -> bool:
    """True when the page requested nothing but itself and the worker made from its own
    text (a blob: URL, which is no network request)."""
    own = path.resolve().as_uri()
    return page.requests[:1] == [own] and all(
        url.startswith("blob:null/") for url in page.requests[1:]
    )


async def open_ready(page: Page, path: Path, fragment: str = "") -> dict:
    """Open a report and wait until its graph is drawn; the page's state."""
    await page.open(path, fragment)
    await page.wait_for("document.body.getAttribute('data-ready')")
    return await page.evaluate("window.jitfluxReport")


async def drawn(page: Page) -> tuple[list[str], list[str]]:
    """The names on the drawn nodes (their titles) and the labels of the drawn edges."""
    names = await page.evaluate(
        "Array.from(document.querySelectorAll('#graph g.node > title'), t => t.textContent)"
    )
    labels = await page.evaluate(
        "Array.from(document.querySelectorAll('#graph g.edge'),"
        " e => Array.from(e.querySelectorAll('text'), t => t.textContent).join(' '))"
    )
    return names, labels


async def click_fluxion(page: Page, data: dict, name: str) -> None:
    """Click the node of fluxion `name` and wait for the panel to show it."""
    index = [f["name"] for f in data["fluxions"]].index(name)
    await page.click(f"#fx-{index}")
    await page.wait_for(
        f"!document.getElementById('panel').hidden && "
        f"document.querySelector('#panel h1').textContent === {json.dumps(name)}"
    )


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, from its IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_counter_page_loads_clean_and_draws_the_graph(
    counter: Report, tmp_path: Path
) -> None:
    """paper-counter: no console error, no request but the page itself, three nodes and the
    two labelled streams."""
    path, data = counter
    async with browser_page() as page:
        state = await open_ready(page, path)
        assert (state["ready"], state["error"]) == (True, None)
        names, labels = await drawn(page)
        assert page.errors == []
        assert loaded_alone(page, path)
    assert state["worker"] is True  # laid out in a worker
    assert names == [f["name"] for f in data["fluxions"]] == ["main", "handler", "reply"]
    assert sorted(labels) == ["-> [res]", ">> [res]"]


async def test_page_draws_without_workers(counter: Report) -> None:
    """Where no worker can start, the page lays the graph out itself, as well."""
    path, data = counter
    async with browser_page() as page:
        await page.connection.send(
            "Page.addScriptToEvaluateOnNewDocument", {"source": "window.Worker = undefined;"}
        )
        state = await open_ready(page, path)
        names, labels = await drawn(page)
        assert page.errors == []
        assert page.requests == [path.resolve().as_uri()]
    assert (state["ready"], state["worker"], state["nodes"], state["edges"]) == (True, False, 3, 2)
    assert names == [f["name"] for f in data["fluxions"]]


async def test_clicking_reply_shows_context_and_network_tie(
    counter: Report, tmp_path: Path
) -> None:
    """A click on reply opens its panel: context {count, template}, the network tie on `res`
    with the line of code under a caret, its runs; a screenshot is written."""
    path, data = counter
    async with browser_page() as page:
        await open_ready(page, path)
        await click_fluxion(page, data, "reply")
        facts = await page.evaluate(
            "Object.fromEntries(Array.from(document.querySelectorAll('#panel dl.kv dt'),"
            " dt => [dt.textContent, dt.nextElementSibling.textContent]))"
        )
        ties = await page.evaluate(
            "Array.from(document.querySelectorAll('#panel .tie'),"
            " t => [t.getAttribute('data-rule'), t.innerText])"
        )
        code = await page.evaluate("document.querySelector('#panel pre.code').textContent")
        selected = await page.evaluate("document.querySelector('#graph g.node.selected').id")
        shot = await page.screenshot(tmp_path / "counter-reply.png")
        assert page.errors == []
    assert facts["context"] == "{count, template}"
    assert (facts["ran"], facts["requests"]) == ("3 times", "r1, r2, r3")
    ((rule, text),) = ties
    assert rule == "network"
    assert "`reply` uses `res`, whose object is backed by the client's socket" in text
    lines = data["sources"]["server.js"].splitlines()
    send = next(n for n, line in enumerate(lines, 1) if "res.send(" in line)
    # The line of code without its indentation, the caret under `res` and explain's label.
    snippet = f"{send:4} | res.send(err || template(count, data));\n{' ' * 7}^^^ `reply` uses the"
    assert snippet in text
    assert code.startswith("flx reply & network {count, template}\n-> null\n")
    assert selected == f"fx-{[f['name'] for f in data['fluxions']].index('reply')}"
    assert png_size(shot) == (1400, 900)
    assert (tmp_path / "counter-reply.png").stat().st_size > 10_000


async def test_address_names_the_fluxion_shown(counter: Report) -> None:
    """report.html#reply opens on reply's panel, Escape closes it, and a click on a node
    puts its name in the address."""
    path, data = counter
    async with browser_page() as page:
        await open_ready(page, path, fragment="reply")
        shown = await page.evaluate(
            "!document.getElementById('panel').hidden &&"
            " document.querySelector('#panel h1').textContent"
        )
        await page.press("Escape", 27)
        hidden = await page.evaluate("document.getElementById('panel').hidden")
        await click_fluxion(page, data, "handler")
        address = await page.evaluate("location.hash")
        assert page.errors == []
    assert (shown, hidden, address) == ("reply", True, "#handler")


async def test_gifsockets_page_shows_the_merge_and_the_isolated_fluxion(
    gifsockets: Report, tmp_path: Path
) -> None:
    """paper-gifsockets: five nodes, the merge drawn as a funnel (a polygon, not a rounded
    box), anonymous_12's panel saying it is isolated and streams req.body to the merge, and a
    search for req.body finding both ends of that stream."""
    path, data = gifsockets
    async with browser_page() as page:
        await open_ready(page, path)
        names, labels = await drawn(page)
        merge = [f["name"] for f in data["fluxions"]].index("express_dispatcher")
        shape = await page.evaluate(
            f"(function () {{ var n = document.getElementById('fx-{merge}');"
            " return [n.querySelectorAll('polygon').length,"
            " n.querySelectorAll('path').length]; })()"
        )
        await click_fluxion(page, data, "anonymous_12")
        panel = await page.evaluate("document.getElementById('panel').innerText")
        variables = await page.evaluate(
            "Array.from(document.querySelectorAll('#panel [data-section=variables] tr'),"
            " r => r.innerText)"
        )
        shot = await page.screenshot(tmp_path / "gifsockets.png")
        await page.type("#search", "req.body")
        await page.wait_for("document.querySelectorAll('#graph g.node.match').length || 0")
        found = await page.evaluate(
            "Array.from(document.querySelectorAll('#results li[data-index]'), li => li.innerText)"
        )
        assert page.errors == []
        assert loaded_alone(page, path)
    assert sorted(names) == sorted(f["name"] for f in data["fluxions"])
    assert sorted(labels) == sorted([">>", ">> [req, next]", "-> [req, next]", "-> [req.body]"])
    assert shape == [1, 0]
    assert "isolated" in panel and "-> express_dispatcher [req.body]" in panel
    assert "No tie: this fluxion is isolated" in panel
    assert any(row.startswith("req.body\tstream (merge)\tserver.js:") for row in variables)
    # req.body is in no context: it is found as a message and as a variable of the merge.
    assert found == [
        "anonymous_12 message [req.body]",
        "express_dispatcher variable req.body (stream)",
    ]
    assert png_size(shot) == (1400, 900)


async def test_big_app_loads_searches_and_clicks_without_freezing(
    big: Report, tmp_path: Path
) -> None:
    """A real trace of a generated 501-fluxion app: drawn with every node and edge, no task
    of the page blocks it for seconds, a search finds a share group's members, and a click
    shows the share tie."""
    path, data = big
    async with browser_page() as page:
        await page.connection.send("Page.addScriptToEvaluateOnNewDocument", {"source": HEARTBEAT})
        state = await open_ready(page, path)
        await page.type("#search", "last_3")
        matched = await page.wait_for(
            "document.querySelectorAll('#graph g.node.match').length || 0"
        )
        await click_fluxion(page, data, "reply_7")
        ties = await page.evaluate(
            "Array.from(document.querySelectorAll('#panel .tie'), t => t.getAttribute('data-rule'))"
        )
        longest = await page.evaluate("window.__longestFreeze")
        await page.screenshot(tmp_path / "big.png")
        assert page.errors == []
        assert loaded_alone(page, path)
    assert (state["nodes"], state["edges"]) == (501, 500)
    # store_30..39 write last_3 and reply_30..39 read it: the share group grp_last_3.
    assert matched == 20
    assert sorted(ties) == ["network", "share"]
    # Laid out in a worker, 501 nodes block the page for 0.2 to 0.8 s here (parsing, drawing).
    assert 0 < longest < 5000, f"the page froze for {longest:.0f} ms"
    assert state["layoutMs"] < 5000
