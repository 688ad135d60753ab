"""How the shim learns from Node and how it ends (node_shim/lib/node-hooks.js): requests,
listening servers, the `__jitfluxNotify` binding, exit, SIGINT and SIGTERM, and JITFLUX_DUMP."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.conftest import copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir

# Stands in for the binding jitflux adds with Runtime.addBinding: one JSON message per line.
FAKE_BINDING = """
const fs = require('fs');
globalThis.__jitfluxNotify = (message) =>
  fs.appendFileSync(process.env.NOTIFY_FILE, message + '\\n');
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_writes_dump_then_ends_as_node_would(tmp_path: Path, sig: signal.Signals) -> None:
    """On SIGINT or SIGTERM the shim writes the dump, then the process dies of that signal."""
    with NodeApp(copy_app(app_dir("shim-exit"), tmp_path), tmp_path / "run") as node:
        assert node.get("/").text == "ok\n"
        assert node.get("/").text == "ok\n"
        status = node.stop(sig)
    assert status == -sig
    dump = Dump(node.dump())
    assert dump.data["requests"] == 2
    serve = dump.rupture("serve")
    assert (serve["type"], serve["callee"], serve["caller"], serve["count"]) == (
        "start",
        "http.createServer",
        dump.toplevel(),
        2,
    )
    assert [s["request"] for s in serve["samples"]] == ["r1", "r2"]


def test_app_signal_handler_keeps_control(tmp_path: Path) -> None:
    """When the app handles SIGINT itself, it decides how to end; the dump is still written."""
    app = copy_app(app_dir("shim-exit"), tmp_path)
    with NodeApp(app, tmp_path / "run", env={"APP_SIGINT": "1"}) as node:
        assert node.get("/").status == 200
        status = node.stop(signal.SIGINT)
    assert status == 3
    assert node.stdout == "exit 3\n"
    dump = Dump(node.dump())
    interrupt = dump.rupture("onInterrupt")
    assert (interrupt["type"], interrupt["callee"]) == ("start", "process.on")


def test_uncaught_exception_still_writes_dump(tmp_path: Path) -> None:
    """An uncaught exception ends the app with status 1 and its error; the dump is written after
    the app's own 'exit' listener ran, so that listener is recorded too."""
    with NodeApp(copy_app(app_dir("shim-exit"), tmp_path), tmp_path / "run") as node:
        assert node.get("/crash").text == "ok\n"
        status = node.wait()
    assert status == 1
    assert "Error: crash on purpose" in node.stderr
    assert node.stdout == "exit 1\n"
    dump = Dump(node.dump())
    crash = dump.rupture("crash")
    assert (crash["type"], crash["callee"], crash["caller"]) == (
        "post",
        "setTimeout",
        dump.id_of("serve"),
    )
    on_exit = dump.rupture("onExit")
    assert (on_exit["type"], on_exit["callee"], on_exit["caller"], on_exit["count"]) == (
        "start",
        "process.on",
        dump.toplevel(),
        1,
    )


@pytest.mark.parametrize("ending", ["sigterm", "crash"])
def test_notifications_through_the_binding(tmp_path: Path, ending: str) -> None:
    """With `__jitfluxNotify` defined, the shim reports `listening` and, at exit (by a signal or
    after an uncaught exception), the last batch."""
    preload = tmp_path / "binding.js"
    preload.write_text(FAKE_BINDING)
    notes = tmp_path / "notes.jsonl"
    app = copy_app(app_dir("shim-exit"), tmp_path)
    with NodeApp(app, tmp_path / "run", env={"NOTIFY_FILE": str(notes)}, preload=[preload]) as node:
        if ending == "sigterm":
            assert node.get("/").status == 200
            node.stop(signal.SIGTERM)
        else:
            assert node.get("/crash").status == 200
            assert node.wait() == 1
    messages = [json.loads(line) for line in notes.read_text().splitlines()]
    assert [m["event"] for m in messages] == ["listening", "exit"]
    assert messages[0]["port"] == node.port
    assert isinstance(messages[0]["address"], str)
    end = messages[1]
    if ending == "sigterm":
        assert (end["code"], end["signal"]) == (128 + signal.SIGTERM, "SIGTERM")
    else:
        assert end["code"] == 1 and "signal" not in end
    batch = end["batch"]
    assert batch["requests"] == 1
    assert [f["name"] for f in batch["functions"]] == [
        "",
        "onExit",
        "onInterrupt",
        "serve",
        "crash",
    ]
    assert batch["listening"] == [{"port": node.port, "address": messages[0]["address"]}]
    assert Dump(node.dump()).data["listening"] == batch["listening"]
