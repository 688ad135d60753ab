"""An object a library makes and keeps in its own variable, used by the app through its own
(tests/apps/library-home: the `once` package of Express 5's dependencies, traced for real with
`--include once`): the app's variable is the object's home, so the flag one route sets and
another reads makes that variable shared."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, trace_app, variables

APP = Path(__file__).resolve().parent.parent / "apps" / "library-home"


def test_the_apps_variable_is_shared(tmp_path: Path) -> None:
    """`greet` (server.js) is share between `first`, whose call sets `.called` inside once's
    code, and `called`, which reads it; no variable of once.js is shared in its place."""
    run = trace_app(APP, ["GET /greet", "GET /called"], 5, tmp_path, include=("once",))
    assert any(f.file.endswith("once/once.js") for f in run.trace.functions)
    program = run.emit()
    assert ("greet", "share", ["first", "called"]) in variables(program)
    shared = [v for v in program["variables"] if v["rule"] == "share"]
    assert [v["declared"]["file"] for v in shared] == ["server.js"]
    assert "grp_greet" in by_name(program)["called"]["tags"]
