"""A callback that main hands to a library and the library calls synchronously while a handler
runs (tests/apps/library-sync-callback: Express calls the view engine of `app.engine` from
`res.render`), traced for real on Express 4 and 5: no rupture point, it runs in the handler's
part, and the counter it keeps is the handler's state."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, trace_app, variables

APP = Path(__file__).resolve().parent.parent / "apps" / "library-sync-callback"


def test_engine_runs_in_the_handler(tmp_path: Path, express_version: int) -> None:
    """renderText is no fluxion and no rupture point; `renders` is scope in `page`."""
    run = trace_app(APP, ["GET /page", "GET /page"], express_version, tmp_path)
    names = {f.id: f.name for f in run.trace.functions}
    assert "renderText" not in {names[p.callback] for p in run.trace.rupture_points}
    program = run.emit()
    assert "renderText" not in by_name(program)
    assert ("renders", "scope", ["page"]) in variables(program)
    assert by_name(program)["page"]["context"] == ["renders"]
