"""Express registration and dispatch (node_shim/lib/express.js) on Express 4 and 5."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLES, copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir


def test_gifsockets_handlers_are_start_points_of_app_post(
    tmp_path: Path, express_version: int
) -> None:
    """paper-gifsockets: saveBody and writeTextToImages (from node_modules) start on `app.post`."""
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        for word in (b"a", b"b", b"c"):
            assert node.post("/image/text", word).text == f"frame: {word.decode()}\n"
    dump = Dump(node.dump())
    for name in ("saveBody", "writeTextToImages"):
        point = dump.rupture(name)
        assert (point["type"], point["callee"], point["caller"], point["count"]) == (
            "start",
            "app.post",
            dump.toplevel(),
            3,
        ), name
    # The handler from node_modules is not instrumented: known by its object, through a slot.
    external = dump.external[dump.id_of("writeTextToImages")]
    assert isinstance(external["slot"], int)
    assert dump.id_of("writeTextToImages") not in dump.functions
    # The handlers are not literals: their site is the registration call, `app.post(` on line 19.
    for name in ("saveBody", "writeTextToImages"):
        assert dump.rupture(name)["site"] == {"file": "server.js", "line": 19, "column": 4}


def test_router_registrations_name_their_callee(tmp_path: Path, express_version: int) -> None:
    """Routes of a Router, of app.route() and of app.all are start points named after the call."""
    with NodeApp(
        copy_app(app_dir("shim-router"), tmp_path), tmp_path / "run", express_version
    ) as node:
        assert node.get("/api/item").text == "item\n"
        assert node.get("/chain").text == "chain\n"
        assert node.post("/any", b"").text == "POST\n"
        assert node.request("PUT", "/any").text == "PUT\n"
    dump = Dump(node.dump())
    found = {
        dump.name(r["callback"]): (r["type"], r["callee"], r["caller"], r["count"])
        for r in dump.data["rupture_points"]
    }
    top = dump.toplevel()
    assert found == {
        "routed": ("start", "router.get", top, 1),
        "chained": ("start", "router.get", top, 1),
        "anyMethod": ("start", "app.all", top, 2),
        # The mounted router is a middleware from node_modules.
        "router": ("start", "app.use", top, 1),
    }


def test_error_middleware_is_a_start_point_that_runs_on_errors(
    tmp_path: Path, express_version: int
) -> None:
    """A four-parameter error middleware is a start point of `app.use`, counted once per error."""
    with NodeApp(
        copy_app(app_dir("shim-errors"), tmp_path), tmp_path / "run", express_version
    ) as node:
        assert node.get("/ok").status == 201
        assert node.get("/caught/throw?v=2").status == 400
        assert node.get("/caught/next").status == 500
        assert node.get("/boom").status == 500
    dump = Dump(node.dump())
    top = dump.toplevel()
    caught = dump.rupture("caught")
    assert (caught["type"], caught["callee"], caught["caller"], caught["count"]) == (
        "start",
        "app.use",
        top,
        2,
    )
    count_all = dump.rupture("countAll")
    assert (count_all["callee"], count_all["count"]) == ("app.use", 4)
    # A handler that throws still ran as a part; the error travelled on through next.
    assert dump.rupture("boom")["count"] == 1
    later = dump.rupture("later")
    assert (later["type"], later["callee"], later["caller"]) == (
        "post",
        "setTimeout",
        dump.id_of("caughtNext"),
    )


def test_express_own_middleware_is_not_a_part(tmp_path: Path, express_version: int) -> None:
    """Middleware Express adds for itself (Express 4's query, expressInit) is not recorded."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        assert node.get("/").status == 200
    dump = Dump(node.dump())
    assert {dump.name(r["callback"]) for r in dump.data["rupture_points"]} == {"handler", "reply"}
