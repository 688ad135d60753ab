"""Merging the shim's batches into a trace, and fetching them from a running app."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

import jitflux.tracing.launch
from jitflux.trace import MAX_SAMPLES, Location, from_dict, to_dict
from jitflux.tracing.command import parse_command
from jitflux.tracing.launch import NodeApp
from jitflux.tracing.recorder import Recorder, TraceBuilder, id_key, script_file
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.node_helpers import leftover_nodes


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def _fn(fid: str, name: str = "", line: int = 1) -> dict[str, Any]:
    return {"id": fid, "name": name, "kind": "function", "file": "server.js", "line": line,
            "column": 0, "range": [0, 10], "params": ["req"]}  # fmt: skip


def _rp(kind: str, callee: str, caller: str, callback: str, count: int, *reqs: str) -> dict:
    samples = [{"request": r, "file": "server.js", "line": 1, "column": 0} for r in reqs]
    return {"type": kind, "callee": callee, "caller": caller, "callback": callback,
            "count": count, "samples": samples, "site": {"file": "server.js", "line": 6,
                                                         "column": 2}}  # fmt: skip


def _effect(fid: str, target: str, count: int, declared_line: int | None = 3, **extra: Any) -> dict:
    declared = {"file": "server.js", "line": declared_line, "column": 2} if declared_line else None
    return {"function": fid, "kind": "write", "target": target, "declared": declared,
            "count": count, "samples": [{"request": "r1"}], **extra}  # fmt: skip


def test_counts_add_and_samples_are_capped() -> None:
    """The same rupture point in several batches adds its counts and keeps the first samples."""
    builder = TraceBuilder()
    builder.add_batch({"rupture_points": [_rp("post", "fs.readFile", "f2", "f3", 2, "r1", "r2")]})
    builder.add_batch({"rupture_points": [_rp("post", "fs.readFile", "f2", "f3", 3, "r3", "r4")]})
    (point,) = builder.build({}).rupture_points
    assert point.count == 5
    assert [s.request for s in point.samples] == ["r1", "r2", "r3", "r4"][:MAX_SAMPLES]
    assert point.site == Location("server.js", 6, 2)


def test_another_process_keeps_apart_by_prefix() -> None:
    """A child's record is merged with its function and request ids prefixed, so that the same
    ids of the main process stay distinct; names a child did not define are left alone."""
    builder = TraceBuilder()
    batch = {
        "functions": [_fn("f0"), _fn("f1", "handler")],
        "external": [{"id": "f2", "name": "bodyParser", "slot": 0}],
        "rupture_points": [_rp("start", "app.get", "f0", "f1", 2, "r1")],
        "effects": [_effect("f1", "count", 2, owner="f0", callee="express.next")],
        "requests": 2,
    }
    builder.add_batch(batch)
    builder.add_process(batch, "p42.")
    trace = builder.build({})
    assert [f.id for f in trace.functions] == ["f0", "f1", "f2", "p42.f0", "p42.f1", "p42.f2"]
    assert [(rp.caller, rp.callback, rp.samples[0].request) for rp in trace.rupture_points] == [
        ("f0", "f1", "r1"), ("p42.f0", "p42.f1", "p42.r1")
    ]  # fmt: skip
    assert [(e.function, e.owner, e.callee) for e in trace.effects] == [
        ("f1", "f0", "express.next"), ("p42.f1", "p42.f0", "express.next")
    ]  # fmt: skip
    assert builder.requests == 4


@pytest.mark.parametrize("order", [("post", "start"), ("start", "post")])
def test_start_wins_over_post(order: tuple[str, str]) -> None:
    """A callback seen once as a listener (`start`) stays one rupture point of type start."""
    builder = TraceBuilder()
    for kind in order:
        builder.add_batch({"rupture_points": [_rp(kind, "app.get", "f0", "f2", 1)]})
    (point,) = builder.build({}).rupture_points
    assert (point.type, point.count) == ("start", 2)


def test_points_and_effects_of_no_part_are_left_out_with_a_warning() -> None:
    """What the shim recorded outside any part (caller, callback or function null: an ES
    module's top level) is left out, counted in one warning; the rest is kept."""
    builder = TraceBuilder()
    builder.add_batch(
        {
            "functions": [_fn("f0"), _fn("f2")],
            "rupture_points": [
                {**_rp("start", "mixin", "f0", "f2", 1), "caller": None},
                _rp("start", "app.get", "f0", "f2", 1),
            ],
            "effects": [{**_effect("f2", "count", 1), "function": None}],
        }
    )
    trace = builder.build({"warnings": ["earlier"]})
    assert [p.callee for p in trace.rupture_points] == ["app.get"]
    assert trace.effects == []
    assert trace.meta["warnings"] == [
        "earlier",
        "2 rupture points or effects of code that was not instrumented (such as the top level "
        "of a module the shim could not parse) were left out",
    ]


def test_effects_merge_by_function_kind_target_declaration_and_callee() -> None:
    """Effects merge only when function, kind, target, declaration and callee all match."""
    builder = TraceBuilder()
    builder.add_batch({"effects": [_effect("f3", "count", 1, owner="f0")]})
    builder.add_batch(
        {
            "effects": [
                _effect("f3", "count", 2),
                _effect("f3", "count", 1, declared_line=9),  # another variable named count
                _effect("f3", "next", 1, declared_line=None, callee="express.next"),
            ]
        }
    )
    effects = builder.build({}).effects
    assert [(e.target, e.declared and e.declared.line, e.count, e.owner) for e in effects] == [
        ("count", 3, 3, "f0"),
        ("count", 9, 1, None),
        ("next", None, 1, None),
    ]
    assert effects[2].callee == "express.next"


def test_build_is_sorted_whatever_the_batch_order() -> None:
    """Functions sort by id number (f2 before f10); the trace does not depend on batch order."""
    batches = [
        {"functions": [_fn("f10", "late")], "rupture_points": [_rp("post", "b", "f10", "f2", 1)]},
        {"functions": [_fn("f2", "early")], "rupture_points": [_rp("post", "a", "f2", "f10", 1)]},
        {"effects": [_effect("f10", "x", 1), _effect("f2", "y", 1)]},
    ]
    texts = []
    for ordered in (batches, batches[::-1]):
        builder = TraceBuilder()
        for batch in ordered:
            builder.add_batch(batch)
        texts.append(json.dumps(to_dict(builder.build({"k": 1}))))
    assert texts[0] == texts[1]
    trace = from_dict(json.loads(texts[0]))
    assert [f.id for f in trace.functions] == ["f2", "f10"]
    assert [r.caller for r in trace.rupture_points] == ["f2", "f10"]
    assert [e.function for e in trace.effects] == ["f2", "f10"]
    assert sorted(["f10", "f2", "f1"], key=id_key) == ["f1", "f2", "f10"]


def test_batch_bookkeeping() -> None:
    """Sources, request counts and warnings add up; malformed entries are skipped."""
    builder = TraceBuilder()
    builder.add_batch(
        {
            "functions": [_fn("f0"), "junk"],
            "sources": {"server.js": "code"},
            "listening": [{"port": 8080, "address": "::"}],
            "requests": 2,
            "warnings": ["lib/x.js: not instrumented"],
            "effects": [None],
            "rupture_points": [{**_rp("post", "fs.stat", "f0", "f1", 1), "count": "many"}],
        }
    )
    builder.add_batch({"requests": 1, "external": [{"id": "f9", "name": "ext", "slot": 0}]})
    trace = builder.build({"complete": True})
    assert builder.requests == 3
    assert builder.warnings[0].startswith("ignored a malformed rupture_points entry")
    assert builder.warnings[1:] == ["lib/x.js: not instrumented"]
    assert trace.rupture_points == []
    assert trace.sources == {"server.js": "code"}
    assert [(f.id, f.kind, f.file, f.line) for f in trace.functions] == [
        ("f0", "function", "server.js", 1),
        ("f9", "external", "", 1),
    ]
    from_dict(to_dict(trace))  # raises if the schema is not met


def test_externals_are_returned_for_locating() -> None:
    """A batch's external functions are returned with their slot and can be located later."""
    builder = TraceBuilder()
    assert builder.add_batch({"external": [{"id": "f9", "name": "h", "slot": 4}]}) == [("f9", 4)]
    builder.locate("f9", Location("node_modules/m/index.js", 3, 20))
    (fn,) = builder.build({}).functions
    assert (fn.name, fn.file, fn.line, fn.column) == ("h", "node_modules/m/index.js", 3, 20)


def test_script_file_relative_to_root(tmp_path: Path) -> None:
    """Script urls become paths relative to the script's folder; other urls stay as they are."""
    root = tmp_path / "app"
    assert script_file((root / "node_modules" / "a b.js").as_uri(), root) == "node_modules/a b.js"
    assert script_file(str(root / "lib.js"), root) == "lib.js"
    assert script_file((tmp_path / "x.js").as_uri(), root) == "../x.js"
    assert script_file("node:events", root) == "node:events"


# Against a running app, with a stand-in shim that hands out fixed batches.

STAND_IN_SHIM = r"""
const path = require('path');
const ext = [];
let drains = 0;
globalThis.__jitflux = {
  drain() {
    drains += 1;
    if (drains === 1) {
      const lib = require(path.join(process.env.JITFLUX_ROOT, 'node_modules', 'lib', 'index.js'));
      ext.push(lib.handler, lib.handler.bind(null));
      return JSON.stringify({
        functions: [{ id: 'f0', name: '', kind: 'toplevel', file: 'server.js', line: 1,
                      column: 0 }],
        external: [{ id: 'f1', name: 'handler', slot: 0 }, { id: 'f2', name: 'bound', slot: 1 }],
        rupture_points: [{ type: 'start', callee: 'app.get', caller: 'f0', callback: 'f1',
                           count: 1, samples: [] }],
        requests: 1,
      });
    }
    return JSON.stringify({ rupture_points: [{ type: 'start', callee: 'app.get', caller: 'f0',
                                               callback: 'f1', count: 1 }], requests: 1 });
  },
  external(slot) {
    const hold = process.env.HOLD_EXTERNAL;
    if (hold) {
      // Hold the locating of an external function until the test creates the file `hold`
      // (at most 30 s, so that a broken test cannot hang).
      globalThis.__jitfluxNotify(JSON.stringify({ event: 'locating' }));
      const until = Date.now() + 30000;
      while (!require('fs').existsSync(hold) && Date.now() < until) {}
    }
    return ext[slot];
  },
};
process.on('exit', (code) => globalThis.__jitfluxNotify(JSON.stringify({
  event: 'exit', code,
  batch: { rupture_points: [{ type: 'start', callee: 'app.get', caller: 'f0', callback: 'f1',
                              count: 5 }], external: [{ id: 'f3', name: 'late', slot: 0 }] },
})));
"""


@pytest.fixture
def stand_in_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app folder with a library in node_modules, traced with the stand-in shim."""
    shim = tmp_path / "shim.js"
    shim.write_text(STAND_IN_SHIM)
    monkeypatch.setattr(jitflux.tracing.launch, "SHIM", shim)
    app = tmp_path / "app"
    (app / "node_modules" / "lib").mkdir(parents=True)
    (app / "node_modules" / "lib" / "index.js").write_text(
        "'use strict';\nexports.handler = function handler(req, res) { res.end(); };\n"
    )
    (app / "server.js").write_text("setTimeout(() => {}, 60000);\n")
    return app


async def _start(app_dir: Path) -> tuple[NodeApp, Recorder, list[dict[str, Any]]]:
    """Start the app's server.js with a recorder on its connection; notifications go to a list."""
    notes: list[dict[str, Any]] = []
    app = await NodeApp.start(
        parse_command(["node", str(app_dir / "server.js")]),
        env=dict(os.environ), on_notify=notes.append, stdout=io.BytesIO(), stderr=io.BytesIO(),
    )  # fmt: skip
    assert app.connection is not None and app.script is not None
    return app, Recorder(app.connection, app.script.parent), notes


async def test_drained_batches_are_merged_and_externals_located(stand_in_app: Path) -> None:
    """Drained batches merge; an external function is located, a bound one stays unlocated."""
    app, recorder, _ = await _start(stand_in_app)
    try:
        assert app.connection is not None
        ready = "typeof globalThis.__jitflux === 'object'"
        for _ in range(1000):  # the shim runs just after the app is let go
            if await app.connection.evaluate(ready):
                break
            await asyncio.sleep(0.01)
        assert await recorder.drain()
        assert await recorder.drain()
    finally:
        await app.stop()
    trace = recorder.builder.build({})
    functions = {f.id: f for f in trace.functions}
    handler = functions["f1"]
    source_line = (stand_in_app / "node_modules/lib/index.js").read_text().splitlines()[1]
    assert (handler.kind, handler.file, handler.line, handler.column) == (
        "external", "node_modules/lib/index.js", 2, source_line.index("("),
    )  # fmt: skip
    bound = functions["f2"]
    assert (bound.file, bound.line, bound.column) == ("", 1, 0)
    (point,) = trace.rupture_points
    assert point.count == 2
    assert recorder.builder.requests == 2


async def test_exit_batch_is_taken_when_the_app_exits(stand_in_app: Path) -> None:
    """An exiting app's last batch and exit code are kept, and draining stops."""
    (stand_in_app / "server.js").write_text("setTimeout(() => process.exit(4), 50);\n")
    app, recorder, notes = await _start(stand_in_app)
    try:
        await app.ended.wait()
        (exit_note,) = [n for n in notes if n.get("event") == "exit"]
        recorder.on_exit(exit_note)
        assert not await recorder.drain()
    finally:
        await app.stop()
    assert recorder.exited.is_set() and recorder.exit_code == 4
    trace = recorder.builder.build({})
    assert [(r.callee, r.count) for r in trace.rupture_points] == [("app.get", 5)]
    assert [(f.id, f.file) for f in trace.functions] == [("f3", "")]
    assert app.returncode == 4


async def test_express_version_is_the_loaded_one(tmp_path: Path, express_version: int) -> None:
    """The express version is read from the express the app really loaded."""
    app_dir = copy_app(EXAMPLES / "paper-counter", tmp_path)
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    app = await NodeApp.start(
        parse_command(["node", str(app_dir / "server.js")]),
        env={**express_env(express_version), "PORT": "0"},
        on_notify=lambda m: port.done() or port.set_result(m.get("port")),
        stdout=io.BytesIO(), stderr=io.BytesIO(),
    )  # fmt: skip
    try:
        assert app.connection is not None
        await port
        version = await Recorder(app.connection, app_dir).express_version()
    finally:
        await app.stop()
    assert version is not None and version.split(".")[0] == str(express_version)


async def test_cancelled_drain_loop_still_locates_its_externals(
    stand_in_app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelling the drain loop mid-drain still locates that drain's external functions."""
    release = tmp_path / "release"
    monkeypatch.setenv("HOLD_EXTERNAL", str(release))
    app, recorder, notes = await _start(stand_in_app)
    try:
        drainer = asyncio.create_task(recorder.run(0.01))
        for _ in range(3000):  # until the shim is asked for an external function
            if {"event": "locating"} in notes:
                break
            await asyncio.sleep(0.01)
        drainer.cancel()
        release.touch()
        assert await recorder.drain()
    finally:
        await app.stop()
    handler = recorder.builder.functions["f1"]
    assert (handler.file, handler.line) == ("node_modules/lib/index.js", 2)
