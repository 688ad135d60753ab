"""Tests of jitflux.emit.flx: the paper's language, as listings 2 and 4 show it."""

from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.emit import render
from jitflux.trace import load
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.fixtures import TraceBuilder, load_fixture
from tests.node_helpers import leftover_nodes

LISTING_2 = """\
flx main & network
>> handler [res]
  // The paper's listing 1: read a file and send it back with a request counter.
  var app = require('express')(),
    fs = require('fs'),
    count = 0;

  function template(n, data) {
    return 'request ' + n + ': ' + data.length + ' bytes\\n';
  }

  app.get('/', >> handler);

  app.listen(process.env.PORT || 8080);

flx handler
-> reply [res]
  function handler(req, res) {
    fs.readFile(__filename, -> reply);
  }

flx reply & network {count, template}
-> null
  function reply(err, data) {
    count += 1;
    res.send(err || template(count, data));
  }
"""


def _skeleton(text: str) -> list[str]:
    """The header and stream lines of a flx text."""
    return [line for line in text.splitlines() if line.startswith(("flx ", ">> ", "-> "))]


# The expected fluxions of each example (listings 2 and 4, figure 5): header and stream lines.
EXPECTED = {
    "paper-counter": _skeleton(LISTING_2),
    "figure5": [
        "flx main & network",
        ">> onReq [res]",
        "flx onReq",
        "-> add [res, b]",
        "flx add & grp_c {a, c}",
        "-> end [res, v]",
        "flx end & network, grp_c {c}",
        "-> null",
    ],
    "paper-gifsockets": [
        "flx main & network",
        ">> saveBody [req, next]",
        ">> writeTextToImages",
        "flx saveBody & network {limit}",
        "-> anonymous_12 [req, next]",
        "flx anonymous_12",
        "-> express_dispatcher [req.body]",
        "flx writeTextToImages & network, unknown",
        "-> null",
        "flx express_dispatcher & network",
        "-> null",
    ],
}


def test_paper_counter_prints_listing_2() -> None:
    """paper-counter gives the paper's listing 2, with the example's own code."""
    assert render(load_fixture("paper-counter"), "flx") == LISTING_2


def test_figure5_scope_stream_share() -> None:
    """figure 5: a in add's context, b in onReq's message to add, c shared under grp_c."""
    assert _skeleton(render(load_fixture("figure5"), "flx")) == EXPECTED["figure5"]


def test_gifsockets_with_express_dispatcher() -> None:
    """Listing 3: the isolated callback streams req.body to express_dispatcher."""
    text = render(load_fixture("paper-gifsockets"), "flx")
    assert _skeleton(text) == EXPECTED["paper-gifsockets"]
    assert "    return >> saveBody;\n" in text
    # The observed next() call became the stream to the dispatcher.
    assert "    req.body = buffer;\n    -> express_dispatcher;\n  }\n" in text
    assert "  // writeTextToImages is external code at " in text
    assert "    req.body = message['req.body'];\n    next();\n" in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_traces_give_the_expected_fluxions(
    name: str, express_version: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example traced for real (node, Express, HTTP) gives the expected fluxions."""
    app = copy_app(EXAMPLES / name, tmp_path)
    out = tmp_path / "trace.json"
    monkeypatch.setenv("NODE_PATH", express_env(express_version)["NODE_PATH"])
    monkeypatch.setenv("PORT", "0")
    command = ["trace", "--quiet", "--requests", str(app / "requests.txt"), "-o", str(out)]
    try:
        assert main([*command, "--", "node", str(app / "server.js")]) == 0
    finally:
        assert leftover_nodes() == []
    assert _skeleton(render(load(out), "flx")) == EXPECTED[name]


def test_every_line_of_the_code_is_indented_under_its_header() -> None:
    """Code lines start with two spaces (or are blank); headers and streams do not."""
    for name in ("paper-counter", "paper-gifsockets", "figure5"):
        for line in render(load_fixture(name), "flx").splitlines():
            assert line == "" or line.startswith(("flx ", ">> ", "-> ", "  "))


def test_a_fluxion_whose_source_is_missing_says_where_it_is() -> None:
    """Without the source text, a fluxion's code is a comment with its location."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    handler = b.function("handler", line=7, column=13)
    b.start("app.get", top, handler)
    text = render(b.trace(), "flx")
    assert (
        "flx handler\n-> null\n  // handler at server.js:7:13: its source was not recorded\n"
        in text
    )
