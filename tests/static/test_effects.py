"""Tests of the effects each part has on memory it does not own, found from the scopes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jitflux.static import compile_script
from jitflux.trace import Location
from tests.conftest import EXAMPLES
from tests.static.helpers import effects


def test_paper_counter_effects() -> None:
    """reply reads and writes `count` (declared at the top level), reads and calls
    `template`, and uses the network through `res`; handler writes nothing it does not own."""
    trace = compile_script(EXAMPLES / "paper-counter" / "server.js")
    assert effects(trace) == {
        ("handler", "read", "fs"),
        ("reply", "read", "count"),
        ("reply", "write", "count"),
        ("reply", "read", "template"),
        ("reply", "call", "template"),
        ("reply", "read", "res"),
        ("reply", "network", "res"),
    }
    write = next(e for e in trace.effects if e.kind == "write")
    assert (write.declared, write.owner, write.count) == (Location("server.js", 4, 2), "f0", 0)
    call = next(e for e in trace.effects if e.kind == "call")
    assert call.callee == "f1"  # template, resolved statically
    network = next(e for e in trace.effects if e.kind == "network")
    assert network.owner == "f2"  # res is handler's parameter


def test_figure5_effects() -> None:
    """Figure 5: add reads and writes `a`, reads `b` and `c`; end writes `c`; onReq owns `b`."""
    trace = compile_script(EXAMPLES / "figure5" / "server.js")
    found = effects(trace)
    assert {("add", "read", "a"), ("add", "write", "a"), ("add", "read", "b")} <= found
    assert {("add", "read", "c"), ("end", "write", "c")} <= found
    assert not any(part == "onReq" for part, _, _ in found)


def test_paper_gifsockets_effects() -> None:
    """The getRawBody callback writes `req.body` and calls `next`, whose callee is unknown."""
    trace = compile_script(EXAMPLES / "paper-gifsockets" / "server.js")
    assert effects(trace) == {
        ("anonymous@12", "read", "req"),
        ("anonymous@12", "write", "req.body"),
        ("anonymous@12", "read", "next"),
        ("anonymous@12", "call", "next"),
    }
    call = next(e for e in trace.effects if e.kind == "call")
    assert (call.callee, call.owner, call.declared) == (None, "f2", Location("server.js", 8, 37))


def test_object_writes(make_app: Callable[..., Path]) -> None:
    """Writes into shared objects are paths (`cache[*]`, `log[*]`, `this.n`); objects made in
    the part itself (a literal, a class constructor's `this`) are not recorded, an alias of a
    parameter is."""
    script = make_app(
        server_js=(
            "var cache = {}, log = [];\n"
            "app.get('/', function handler(req, res) {\n"
            "  var own = {};\n"
            "  own.x = 1;\n"
            "  var r = req;\n"
            "  r.seen = true;\n"
            "  cache[req.url] = 1;\n"
            "  log.push(req.url);\n"
            "  delete cache.old;\n"
            "});\n"
            "function Counter() { this.n = 0; }\n"
            "class Made { constructor() { this.fresh = 1; } }\n"
            "setInterval(function tick() { new Counter(); new Made(); }, 10);\n"
        )
    )
    found = effects(compile_script(script))
    assert {
        ("handler", "write", "cache[*]"),
        ("handler", "write", "cache.old"),
        ("handler", "write", "log[*]"),
        ("handler", "write", "r.seen"),
        ("tick", "write", "this.n"),
    } <= found
    assert not any(target.startswith(("own", "this.fresh")) for _, _, target in found)


def test_helper_effects_belong_to_the_calling_part(make_app: Callable[..., Path]) -> None:
    """A write made by a helper (here in another file) is the effect of the part calling it."""
    script = make_app(
        server_js=(
            "var store = require('./store');\n"
            "app.get('/', function visit(req, res) { store.bump(); res.end(); });\n"
        ),
        store_js="var visits = 0;\nexports.bump = function bump() { visits += 1; };\n",
    )
    trace = compile_script(script)
    write = next(e for e in trace.effects if e.kind == "write")
    assert (trace.function(write.function).name, write.target) == ("visit", "visits")
    assert write.declared == Location("store.js", 1, 4)
    assert trace.function(write.owner).kind == "toplevel"


def test_network_through_request_and_response(make_app: Callable[..., Path]) -> None:
    """Method calls and property writes on a route handler's req/res (or an alias) are network
    use; reading plain data from them is not."""
    script = make_app(
        server_js=(
            "app.use(function (err, req, res, next) { res.status(500); });\n"
            "app.get('/', function page(req, res) {\n"
            "  var q = req.query;\n"
            "  var out = res;\n"
            "  out.statusCode = 201;\n"
            "});\n"
            "require('http').createServer(function serve(rq, rs) { rs.end(); });\n"
        )
    )
    found = {e for e in effects(compile_script(script)) if e[1] == "network"}
    assert found == {
        ("anonymous@1", "network", "res"),
        ("page", "network", "out"),
        ("serve", "network", "rs"),
    }


def test_unknown_and_global_effects(make_app: Callable[..., Path]) -> None:
    """`eval` and `with` are unknown effects with a reason; an undeclared global written has no
    declaration; module.exports writes are not effects."""
    script = make_app(
        server_js=(
            "setTimeout(function later() {\n"
            "  eval('1');\n"
            "  with (Math) { max(1, 2); }\n"
            "  hits = 1;\n"
            "  module.exports.x = 1;\n"
            "}, 1);\n"
        )
    )
    trace = compile_script(script)
    assert effects(trace) == {
        ("later", "unknown", "eval"),
        ("later", "unknown", "with"),
        ("later", "write", "hits"),
    }
    assert all(e.reason for e in trace.effects if e.kind == "unknown")
    assert next(e for e in trace.effects if e.kind == "write").declared is None


def test_variables_of_the_part_itself_are_owned(make_app: Callable[..., Path]) -> None:
    """Variables declared in the part's function, or in functions folded into it, are not
    effects; the top level owns its module variables."""
    script = make_app(
        server_js=(
            "var total = 0;\n"
            "function add(n) { total += n; }\n"
            "add(1);\n"
            "app.get('/', function sum(req, res) {\n"
            "  var local = 0;\n"
            "  [1, 2].forEach(function (x) { local += x; });\n"
            "  res.end(String(local));\n"
            "});\n"
        )
    )
    found = effects(compile_script(script))
    assert found == {("sum", "network", "res")}
