"""The paper's own app (section 4.2): the real gifsockets-server 0.38.1 on Express 3.4 with its
gifsockets-middleware, traced for real. Expectations written from the paper: the handlers are
start points of app.use/app.get/app.post/app.all, the getRawBody callback is a post point of
saveBody, its change of req.body and its call of next() are the express_dispatcher merge, and
the one gifsocket the image routes draw on is shared by them."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from jitflux.emit import render
from jitflux.trace import Trace
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import ROOT
from tests.e2e.apps import streams

APP = ROOT / "corpus" / "gifsockets-server"
MIDDLEWARE = "../node_modules/gifsockets-middleware/lib/middlewares"
# The traffic of the app's README: GET /image.gif held open while POST /image/json draws a frame
# into it, GET /, GET /nope, and POST /image/text (500: its PhantomJS pixel server cannot run here;
# the text route runs first). The driver checks every answer.
DRIVER = ROOT / "tests" / "apps" / "drivers" / "gifsockets.py"

Json = dict[str, Any]


@pytest.fixture(scope="module")
def trace() -> Iterator[Trace]:
    """One real trace of `node bin/gifsockets-server -p 0`, with the middleware package
    instrumented (--include gifsockets-middleware)."""
    reports: list[str] = []
    result = trace_sync(
        TraceOptions(
            command=["node", str(APP / "bin" / "gifsockets-server"), "-p", "0"],
            output=None,
            drive=f"{sys.executable} {DRIVER}",
            include=["gifsockets-middleware"],
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=reports.append,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error) == (0, None)
    assert [r for r in reports if "warning" in r] == []
    yield result.trace


def _line(file: str, pattern: str) -> int:
    # A trace's files are relative to the traced script's folder, bin/.
    lines = (APP / "bin" / file).read_text(encoding="utf-8").splitlines()
    found = [n for n, text in enumerate(lines, 1) if pattern in text]
    assert len(found) == 1, (pattern, found)
    return found[0]


def _function(trace: Trace, file: str, pattern: str) -> str:
    """The id of the function whose text starts on the only line of `file` holding `pattern`."""
    line = _line(file, pattern)
    found = [
        f.id for f in trace.functions if (f.file, f.line) == (file, line) and f.kind != "toplevel"
    ]
    assert len(found) == 1, (file, line, found)
    return found[0]


def _ruptures(trace: Trace, callback: str) -> set[tuple[str, str, str]]:
    return {(r.type, r.callee, r.caller) for r in trace.rupture_points if r.callback == callback}


def _program(trace: Trace) -> Json:
    return json.loads(render(trace, "json"))


def _fluxion(program: Json, file: str, pattern: str) -> Json:
    """The fluxion whose function starts on the only line of `file` holding `pattern`."""
    line = _line(file, pattern)
    found = [
        f
        for f in program["fluxions"]
        if f["origin"] and (f["origin"]["file"], f["origin"]["line"]) == (file, line)
    ]
    assert len(found) == 1, (file, line, [f["name"] for f in program["fluxions"]])
    return found[0]


def _main(trace: Trace) -> str:
    return next(f.id for f in trace.functions if f.file == "gifsockets-server")


def test_handlers_are_start_points_of_their_registration(trace: Trace) -> None:
    """Every handler that served a request is a start point of main, named by the Express 3
    call that registered it (app.use, app.get, app.post, app.all)."""
    main = _main(trace)
    expected = {
        ("../server/app.js", "function saveConnections"): "app.use",
        ("../server/routes/index.js", "exports.index = function"): "app.get",
        (f"{MIDDLEWARE}/open-image.js", "function openImage ("): "app.get",
        ("../server/utils/body-parser.js", "function saveBody"): "app.post",
        (f"{MIDDLEWARE}/write-json-to-images.js", "function writeJsonToImages ("): "app.post",
        (f"{MIDDLEWARE}/write-text-to-images.js", "function writTextToImages ("): "app.post",
        ("../server/routes/index.js", "exports[404] = function"): "app.all",
    }
    for (file, pattern), callee in expected.items():
        handler = _function(trace, file, pattern)
        assert _ruptures(trace, handler) == {("start", callee, main)}, pattern


def test_get_raw_body_callback_is_a_post_point_of_save_body(trace: Trace) -> None:
    """The callback handed to getRawBody continues saveBody: a post point whose caller is
    saveBody, once per request with a body."""
    body_parser = "../server/utils/body-parser.js"
    save_body = _function(trace, body_parser, "function saveBody")
    callback = _function(trace, body_parser, "function (err, buffer)")
    [rupture] = [r for r in trace.rupture_points if r.callback == callback]
    assert (rupture.type, rupture.callee, rupture.caller, rupture.count) == (
        "post",
        "getRawBody",
        save_body,
        2,
    )


def test_express_dispatcher_merges_req_body(trace: Trace) -> None:
    """Section 4.2.2: the getRawBody callback writes req.body and calls Express's next; it is
    isolated and streams req.body to express_dispatcher, which merges it back in main's
    network group."""
    program = _program(trace)
    callback = _fluxion(program, "../server/utils/body-parser.js", "function (err, buffer)")
    assert callback["isolated"] is True
    assert streams(callback) == [("post", ["express_dispatcher"], ["req.body"])]
    dispatcher = next(f for f in program["fluxions"] if f["name"] == "express_dispatcher")
    assert "network" in dispatcher["tags"]
    [body] = [v for v in program["variables"] if v["name"] == "req.body"]
    assert (body["rule"], body["via"]) == ("stream", "merge")
    assert body["fluxions"] == [callback["name"], "express_dispatcher"]


def test_the_image_routes_share_the_gifsocket(trace: Trace) -> None:
    """The open image and the JSON route both draw on the one gifsocket the middleware made
    (each factory keeps it as its own parameter): one shared object, in one group, in both
    contexts, so neither is isolated."""
    program = _program(trace)
    open_image = _fluxion(program, f"{MIDDLEWARE}/open-image.js", "function openImage (")
    json_route = _fluxion(
        program, f"{MIDDLEWARE}/write-json-to-images.js", "function writeJsonToImages ("
    )
    [shared] = [v for v in program["variables"] if v["rule"] == "share"]
    assert shared["name"] == "gifsocket"
    assert shared["fluxions"] == [open_image["name"], json_route["name"]]
    for route in (open_image, json_route):
        assert route["isolated"] is False
        # Two variables named gifsocket in one context are printed apart (`gifsocket@file:line`).
        assert any(c.split("@")[0] == "gifsocket" for c in route["context"])
        assert "grp_gifsocket" in route["tags"]
