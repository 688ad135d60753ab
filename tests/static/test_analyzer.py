"""Tests of the analyzer step: rupture points, callbacks walked back, skips and parts."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

from jitflux.static import compile_script
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.node_helpers import untraced_app
from tests.static.helpers import names, points


def test_paper_counter_rupture_points() -> None:
    """Listing 1: `app.get -> handler` is a start point of main, `fs.readFile -> reply` a post
    point of handler."""
    trace = compile_script(EXAMPLES / "paper-counter" / "server.js")
    assert points(trace) == {
        ("start", "app.get", "main", "handler"),
        ("post", "fs.readFile", "handler", "reply"),
    }
    reply = next(p for p in trace.rupture_points if p.callee == "fs.readFile")
    assert (reply.site.line, reply.site.column) == (11, 26)


def test_paper_gifsockets_finds_getrawbody_and_skips_app_post() -> None:
    """Listing 3: the anonymous getRawBody callback is a post point of main (saveBody is folded
    into it, as in listing 4); the app.post handlers, evaluated at run time, are skipped."""
    trace = compile_script(EXAMPLES / "paper-gifsockets" / "server.js")
    assert points(trace) == {("post", "getRawBody", "main", "anonymous@12")}
    skipped = trace.meta["skipped"]
    assert [(s["callee"], s["argument"], s["line"], s["column"]) for s in skipped] == [
        ("app.post", "bodyParser(1 * 1024 * 1024)", 19, 24),
        ("app.post", "routes.writeTextToImages", 20, 2),
    ]
    assert "is a call" in skipped[0]["reason"]
    assert "package 'gifsockets-middleware'" in skipped[1]["reason"]
    assert all(s["callers"] == ["f0"] for s in skipped)


def test_identifier_callback_walked_back_to_its_assignment(make_app: Callable[..., Path]) -> None:
    """`var cb = function () {}; fs.readFile(f, cb)`: the callback is the assigned function."""
    script = make_app(
        server_js=(
            "var fs = require('fs');\n"
            "var cb = function () {};\n"
            "fs.readFile(__filename, cb);\n"
        )
    )
    trace = compile_script(script)
    # The function is named after the variable it initialises, as the tracer names it.
    assert points(trace) == {("post", "fs.readFile", "main", "cb")}
    [point] = trace.rupture_points
    assert trace.function(point.callback).line == 2
    assert point.site.line == 3


def test_function_declaration_is_hoisted(make_app: Callable[..., Path]) -> None:
    """A function declared after the call that passes it by name is its callback."""
    script = make_app(
        server_js=(
            "var fs = require('fs');\n"
            "fs.readFile(__filename, done);\n"
            "function done(err, data) {}\n"
        )
    )
    assert points(compile_script(script)) == {("post", "fs.readFile", "main", "done")}


def test_last_assignment_before_the_call_wins(make_app: Callable[..., Path]) -> None:
    """Of several assignments, the last one before the call is the callback."""
    script = make_app(
        server_js=(
            "var cb = function first() {};\n"
            "cb = function second() {};\n"
            "setTimeout(cb, 1);\n"
            "cb = function third() {};\n"
        )
    )
    assert points(compile_script(script)) == {("post", "setTimeout", "main", "second")}


def test_assignment_after_the_call_counts_inside_a_function(
    make_app: Callable[..., Path],
) -> None:
    """A name only assigned later in the source is taken at that later value (the use runs
    later, inside a function)."""
    script = make_app(
        server_js=(
            "function start() { setImmediate(later); }\n"
            "var later = function later() {};\n"
            "start();\n"
        )
    )
    assert points(compile_script(script)) == {("post", "setImmediate", "main", "later")}


def test_parameter_callback_is_skipped_with_reason(make_app: Callable[..., Path]) -> None:
    """A callback that is a parameter is known only at run time: skipped, reason given."""
    script = make_app(server_js="function wait(cb) { setTimeout(cb, 5); }\nwait(function () {});\n")
    trace = compile_script(script)
    assert points(trace) == set()
    [skip] = trace.meta["skipped"]
    assert skip["argument"] == "cb"
    assert skip["reason"] == "`cb` is a parameter of `wait`: its value is known only at run time"


def test_callbacks_from_the_apps_own_modules() -> None:
    """Handlers passed by name, reassigned, or taken from another file's exports are found."""
    trace = compile_script(Path(__file__).parent.parent / "apps" / "static-callbacks" / "server.js")
    assert points(trace) == {
        ("start", "api.get", "main", "status"),
        ("start", "api.get", "main", "echoLast"),
        ("start", "app.get", "main", "hello"),
        ("post", "fs.stat", "status", "statDone"),
        ("post", "setImmediate", "hello", "later"),
    }
    assert trace.meta["skipped"] == []


def test_helper_calls_run_in_the_calling_part(make_app: Callable[..., Path]) -> None:
    """A rupture point inside a helper belongs to each part that calls the helper."""
    script = make_app(
        server_js=(
            "var fs = require('fs');\n"
            "function load(send) { fs.readFile(__filename, function loaded() { send(); }); }\n"
            "app.get('/a', function a(req, res) { load(res.end); });\n"
            "app.get('/b', function b(req, res) { load(res.end); });\n"
        )
    )
    assert points(compile_script(script)) == {
        ("start", "app.get", "main", "a"),
        ("start", "app.get", "main", "b"),
        ("post", "fs.readFile", "a", "loaded"),
        ("post", "fs.readFile", "b", "loaded"),
    }


def test_mutual_recursion_runs_in_the_part_that_starts_it(make_app: Callable[..., Path]) -> None:
    """Functions calling each other run in the part that first calls into them, only there."""
    script = make_app(
        server_js=(
            "var fs = require('fs');\n"
            "function ping(n) { if (n) pong(n - 1); }\n"
            "function pong(n) { if (n) ping(n - 1); else fs.readFile('f', function done() {}); }\n"
            "app.get('/', function page(req, res) { ping(3); });\n"
        )
    )
    assert points(compile_script(script)) == {
        ("start", "app.get", "main", "page"),
        ("post", "fs.readFile", "page", "done"),
    }


def test_await_is_a_post_point_of_the_async_function(make_app: Callable[..., Path]) -> None:
    """Code after an `await` continues as a post point whose callback is the async function."""
    script = make_app(
        server_js=(
            "app.get('/', async function page(req, res) {\n"
            "  await Promise.resolve(1);\n"
            "  res.end('ok');\n"
            "});\n"
        )
    )
    assert points(compile_script(script)) == {
        ("start", "app.get", "main", "page"),
        ("post", "await", "page", "page"),
    }


def test_loop_variable_callback_is_skipped(make_app: Callable[..., Path]) -> None:
    """A callback taken from a loop variable changes at run time: skipped, with the line."""
    script = make_app(
        server_js="var hs = [];\nfor (var h of hs) {\n  app.use(h);\n}\n"
    )
    trace = compile_script(script)
    assert [s["reason"] for s in trace.meta["skipped"]] == [
        "`h` is changed at run time (server.js:2)"
    ]


def test_data_arguments_are_neither_callbacks_nor_skipped(make_app: Callable[..., Path]) -> None:
    """A port, a path or options in a callback place are data: no point, nothing skipped."""
    script = make_app(
        server_js=(
            "var port = process.env.PORT || 8080;\n"
            "app.listen(port);\n"
            "app.get('/', { strict: true });\n"
            "setTimeout('code', 1);\n"
        )
    )
    trace = compile_script(script)
    assert points(trace) == set()
    assert trace.meta["skipped"] == []


def test_callers_are_function_ids_of_the_trace(make_app: Callable[..., Path]) -> None:
    """Caller and callback are ids of listed functions; the main top level is f0."""
    trace = compile_script(EXAMPLES / "paper-counter" / "server.js")
    ids = names(trace)
    assert {p.caller for p in trace.rupture_points} <= set(ids)
    assert ids["f0"] == "main"


def test_walked_back_handlers_are_the_ones_that_serve(tmp_path: Path) -> None:
    """The handlers the compiler found by walking back are those the real app runs: the
    reassigned `echo` answers with echoLast's code, `routes.hello` and `status` answer."""
    app = copy_app(Path(__file__).parent.parent / "apps" / "static-callbacks", tmp_path)
    trace = compile_script(app / "server.js")
    by_name = {trace.function(p.callback).name: p for p in trace.rupture_points}
    assert {"echoLast", "hello", "status"} <= set(by_name)
    assert "echo" not in by_name
    with untraced_app(app / "server.js", express_env(5)) as port:
        assert _get(port, "/api/echo?text=hi") == "echo hi\n"
        assert _get(port, "/hello") == "hello 1\n"
        assert json.loads(_get(port, "/api/status")) == {"visits": 1, "file": True}


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode()
