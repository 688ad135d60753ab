"""One-shot listeners (node_shim/lib/runtime.js): `stream.on('end'|'close'|'finish', f)` and
`once(...)` run once per registration, so they are post points of the registering part; a
'data' listener stays a start point. Real apps, real Express 4 and 5."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir

SIZE = len((app_dir("shim-one-shot") / "server.js").read_bytes())


def _trace(tmp_path: Path, express_version: int) -> Dump:
    app = copy_app(app_dir("shim-one-shot"), tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        bodies = [
            node.post("/body", b"twelve bytes").text,
            node.get("/file").text,
            node.get("/finish").text,
            node.get("/finish").text,
            node.get("/once").text,
        ]
    assert bodies == ["body 12\n", f"file {SIZE}\n", "finished 0\n", "finished 1\n", "once 1\n"]
    return Dump(node.dump())


def test_one_shot_listeners_are_post_points(tmp_path: Path, express_version: int) -> None:
    """'end', 'close', 'finish' and once() listeners are post points of the route that
    registered them; 'data' listeners are start points."""
    dump = _trace(tmp_path, express_version)
    expected = {
        "onData": ("start", "req.on", "bodyRoute"),
        "onEnd": ("post", "req.on", "bodyRoute"),
        "onChunk": ("start", "stream.on", "fileRoute"),
        "onClose": ("post", "stream.on", "fileRoute"),
        "onFinish": ("post", "res.on", "finishRoute"),
        "onTickOnce": ("post", "ticker.once", "onceRoute"),
    }
    for name, (kind, callee, caller) in expected.items():
        points = {
            (r["type"], r["callee"], dump.name(r["caller"]))
            for r in dump.ruptures(dump.id_of(name))
        }
        assert points == {(kind, callee, caller)}, name
