"""Parts and rupture points (node_shim/lib/runtime.js), seen on real apps under real Express."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, EXPRESS_MODULES, copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir

RUPTURE_PATHS = ["/sync", "/timeout", "/immediate", "/tick", "/then", "/await", "/later"]


def test_counter_handler_is_a_start_point_of_app_get(tmp_path: Path, express_version: int) -> None:
    """paper-counter: handler is a start point of `app.get` from the top level, once per request."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        bodies = [node.get("/").text for _ in range(3)]
    dump = Dump(node.dump())
    assert bodies == [
        f"request {n}: {len((app / 'server.js').read_text())} bytes\n" for n in (1, 2, 3)
    ]
    point = dump.rupture("handler")
    assert (point["type"], point["callee"], point["caller"], point["count"]) == (
        "start",
        "app.get",
        dump.toplevel(),
        3,
    )
    assert dump.toplevel() == "f0"
    assert point["site"] == {"file": "server.js", "line": 10, "column": 13}


def test_counter_reply_is_a_post_point_of_fs_readfile(tmp_path: Path, express_version: int) -> None:
    """paper-counter: reply is a post point of `fs.readFile` called by handler, once per request."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        for _ in range(4):
            assert node.get("/").status == 200
    dump = Dump(node.dump())
    point = dump.rupture("reply")
    assert (point["type"], point["callee"], point["caller"], point["count"]) == (
        "post",
        "fs.readFile",
        dump.id_of("handler"),
        4,
    )
    assert [s["request"] for s in point["samples"]] == ["r1", "r2", "r3"]
    assert dump.data["requests"] == 4
    # Only these two: template runs synchronously inside reply.
    assert {r["callback"] for r in dump.data["rupture_points"]} == {
        dump.id_of("handler"),
        dump.id_of("reply"),
    }


@pytest.fixture(scope="module", params=sorted(EXPRESS_MODULES), ids=["express4", "express5"])
def ruptures(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Dump:
    """The shim-ruptures app, traced once per Express version with one request per route."""
    tmp = tmp_path_factory.mktemp("ruptures")
    with NodeApp(copy_app(app_dir("shim-ruptures"), tmp), tmp / "run", request.param) as node:
        bodies = [node.get(path).text for path in RUPTURE_PATHS]
        bodies.append(node.post("/body", b"twelve bytes").text)
    assert bodies == [
        "sync 2,4 1\n",
        "timeout\n",
        "immediate\n",
        "tick\n",
        "then 2\n",
        "await 3\n",
        "later 11 3\n",
        "body 12\n",
    ]
    return Dump(node.dump())


def test_synchronous_callbacks_are_not_rupture_points(ruptures: Dump) -> None:
    """A `[].map` callback and a listener run by a synchronous emit are not rupture points."""
    assert ruptures.ruptures(ruptures.id_of("double")) == []
    # onTick ran twice: synchronously in /sync (not counted) and from a timer in /later.
    assert ruptures.rupture("onTick")["count"] == 1


@pytest.mark.parametrize(
    ("callback", "callee", "caller"),
    [
        ("afterTimeout", "setTimeout", "timeoutRoute"),
        ("afterImmediate", "setImmediate", "immediateRoute"),
        ("afterTick", "process.nextTick", "tickRoute"),
        ("afterThen", "Promise.resolve(2).then", "thenRoute"),
        ("reportTicks", "setTimeout", "laterRoute"),
    ],
)
def test_one_shot_continuations_are_post_points(
    ruptures: Dump, callback: str, callee: str, caller: str
) -> None:
    """Timers, setImmediate, nextTick and a promise `.then` callback are post points."""
    point = ruptures.rupture(callback)
    assert (point["type"], point["callee"], point["caller"], point["count"]) == (
        "post",
        callee,
        ruptures.id_of(caller),
        1,
    )
    assert point["site"]["line"] == ruptures.function(callback)["line"]


def test_code_after_await_is_a_post_point(ruptures: Dump) -> None:
    """The code after an `await` continues the async function as a post point named "await"."""
    route = ruptures.id_of("awaitRoute")
    points = {(r["type"], r["callee"], r["caller"]): r for r in ruptures.ruptures(route)}
    assert set(points) == {("start", "app.get", ruptures.toplevel()), ("post", "await", route)}
    assert points[("post", "await", route)]["site"]["line"] == 55


def test_interval_and_emitter_listener_are_start_points(ruptures: Dump) -> None:
    """setInterval callbacks and `emitter.on` listeners fired by the event loop are start points."""
    beat = ruptures.rupture("onBeat")
    assert (beat["type"], beat["callee"], beat["caller"]) == (
        "start",
        "setInterval",
        ruptures.toplevel(),
    )
    assert beat["count"] == 3
    tick = ruptures.rupture("onTick")
    assert (tick["type"], tick["callee"], tick["caller"]) == (
        "start",
        "ticks.on",
        ruptures.toplevel(),
    )


def test_request_stream_listeners(ruptures: Dump) -> None:
    """A `req.on('data')` listener is a start point of the handler; `req.on('end')` runs once
    per registration: a post point."""
    route = ruptures.id_of("bodyRoute")
    for name, kind in (("onData", "start"), ("onEnd", "post")):
        point = ruptures.rupture(name)
        assert (point["type"], point["callee"], point["caller"], point["count"]) == (
            kind,
            "req.on",
            route,
            1,
        ), name


def test_route_handlers_are_start_points_of_their_registration(ruptures: Dump) -> None:
    """Each route handler is a start point of `app.get`, registered by the top level."""
    for name in ("syncRoute", "timeoutRoute", "thenRoute", "awaitRoute", "laterRoute"):
        starts = [r for r in ruptures.ruptures(ruptures.id_of(name)) if r["type"] == "start"]
        assert [(r["callee"], r["caller"], r["count"]) for r in starts] == [
            ("app.get", ruptures.toplevel(), 1)
        ], name


def test_gifsockets_saves_body_in_a_post_point_of_getrawbody(
    tmp_path: Path, express_version: int
) -> None:
    """paper-gifsockets: the anonymous getRawBody callback is a post point called by saveBody."""
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        assert node.post("/image/text", b"hello").text == "frame: hello\n"
        assert node.post("/image/text", b"fluxions").text == "frame: fluxions\n"
    dump = Dump(node.dump())
    anonymous = [f for f in dump.data["functions"] if f["name"] == "" and f["kind"] == "function"]
    assert len(anonymous) == 1
    point = dump.ruptures(anonymous[0]["id"])
    assert [(r["type"], r["callee"], r["caller"], r["count"]) for r in point] == [
        ("post", "getRawBody", dump.id_of("saveBody"), 2)
    ]
    assert [s["request"] for s in point[0]["samples"]] == ["r1", "r2"]
