"""Middleware that hands Express's `next` on instead of calling it (tests/apps/deferred-next),
traced for real on Express 4 and 5: `setTimeout(next, 1)` and `req.on('end', next)` continue
the chain like `next()`, so the writes to req before them are merged back by
express_dispatcher instead of dropped; reading a header (`req.get`) changes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, streams, trace_app, variable

APP = Path(__file__).resolve().parent.parent / "apps" / "deferred-next"


def test_next_handed_on_is_merged(tmp_path: Path, express_version: int) -> None:
    """pause and drain stream their write to req to express_dispatcher (via the merge); pause,
    which touches no socket, is isolated."""
    run = trace_app(APP, ["GET /", "GET /"], express_version, tmp_path)
    program = run.emit()
    fluxions = by_name(program)
    assert streams(fluxions["pause"]) == [("post", ["express_dispatcher"], ["req.paused"])]
    assert streams(fluxions["drain"]) == [("post", ["express_dispatcher"], ["req.drained"])]
    assert fluxions["pause"]["isolated"] is True
    for path, writer in (("req.paused", "pause"), ("req.drained", "drain")):
        entry = variable(program, path)
        assert (entry["rule"], entry["via"]) == ("stream", "merge")
        assert entry["fluxions"] == [writer, "express_dispatcher"]
