"""Bound handlers and `this` (tests/apps/this-bind), traced for real on Express 4 and 5: a
handler registered as `counter.bump.bind(counter)` is `bump` itself, and `this.count` is the
count of the instance `counter`, written by one route and read by another: shared."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, trace_app

APP = Path(__file__).resolve().parent.parent / "apps" / "this-bind"
REQUESTS = ["GET /bump", "GET /read", "GET /later", "GET /read"]


def test_bound_handler_is_its_target(tmp_path: Path, express_version: int) -> None:
    """bump, read and later are fluxions of their own, at their own lines, with their effects
    observed (no `unknown` tag), started by main with res."""
    run = trace_app(APP, REQUESTS, express_version, tmp_path)
    fluxions = by_name(run.emit())
    for name in ("bump", "read", "later"):
        assert fluxions[name]["origin"] == run.at(rf"function {name}\(", "function"), name
        assert "unknown" not in fluxions[name]["tags"], name
    starts = {tuple(s["to"]): s["message"] for s in fluxions["main"]["streams"]}
    assert starts[("bump",)] == ["res"]
    assert starts[("read",)] == ["res"]
    assert not any(name.startswith("bound") for name in fluxions)


def test_this_is_the_instance(tmp_path: Path, express_version: int) -> None:
    """`this.count`, `this.paths.push(...)` (and `self.count` through `const self = this`) are
    uses of `counter`, the instance made at `var counter = new Counter()`: shared by the routes
    that write and read it; no variable is named after `this`."""
    run = trace_app(APP, REQUESTS, express_version, tmp_path)
    program = run.emit()
    [count] = [v for v in program["variables"] if v["name"] == "counter"]
    assert count["rule"] == "share"
    assert count["declared"] == run.at(r"var counter = new Counter", "counter")
    assert {"bump", "read", "tick"} <= set(count["fluxions"])
    assert not [v["name"] for v in program["variables"] if v["name"].startswith("this")]
    fluxions = by_name(program)
    for name in ("bump", "read", "tick"):
        assert fluxions[name]["isolated"] is False
        assert "counter" in fluxions[name]["context"], name
