"""Promise chains and await (tests/apps/promise-chains), traced for real on Express 4 and 5: in
`p.then(measure).then(pass).then(answer)` each step continues from the step before it, so the
size that measure sets travels down to answer; after `await helper()` the code continues from
the helper's last part."""

from __future__ import annotations

from pathlib import Path

from jitflux.trace import Trace
from tests.e2e.apps import by_name, streams, trace_app, variables

APP = Path(__file__).resolve().parent.parent / "apps" / "promise-chains"


def _ruptures(trace: Trace) -> set[tuple[str, str, str, str]]:
    names = {f.id: f.name for f in trace.functions}
    return {
        (
            r.type,
            r.callee.split("(")[0] if r.callee != "await" else r.callee,
            names[r.caller],
            names[r.callback],
        )
        for r in trace.rupture_points
    }


def test_each_then_continues_from_the_step_before(tmp_path: Path, express_version: int) -> None:
    """measure is a post point of chained, pass of measure, answer of pass; size streams down
    the chain to answer, which reads the value measure wrote."""
    run = trace_app(APP, ["GET /chain", "GET /chain"], express_version, tmp_path)
    ruptures = {r for r in _ruptures(run.trace) if r[1] != "app.get"}
    assert ruptures == {
        ("post", "fs.promises.readFile", "chained", "measure"),
        ("post", "fs.promises.readFile", "measure", "pass"),
        ("post", "fs.promises.readFile", "pass", "answer"),
    }
    program = run.emit()
    fluxions = by_name(program)
    assert streams(fluxions["measure"]) == [("post", ["pass"], ["res", "size"])]
    assert streams(fluxions["pass"]) == [("post", ["answer"], ["res", "size"])]
    assert ("size", "stream", ["chained", "measure", "pass", "answer"]) in variables(program)


def test_await_continues_from_the_helper(tmp_path: Path, express_version: int) -> None:
    """The code after `await helper()` is a post point of helper's last part (after its own
    await), not of the function that called it."""
    run = trace_app(APP, ["GET /await"], express_version, tmp_path)
    awaits = {r for r in _ruptures(run.trace) if r[1] == "await"}
    assert awaits == {
        ("post", "await", "awaiting", "helper"),
        ("post", "await", "helper", "awaiting"),
    }


def test_step_on_a_helpers_promise_continues_from_its_registrar(
    tmp_path: Path, express_version: int
) -> None:
    """`loadSize().then(reply)` in viaHelper: the helper's step `count` follows viaHelper, and
    reply is viaHelper's continuation (the caller of `.then`), not count's: res goes straight
    from viaHelper to reply."""
    run = trace_app(APP, ["GET /helper-then", "GET /helper-then"], express_version, tmp_path)
    steps = {r for r in _ruptures(run.trace) if r[1] != "app.get"}
    assert ("post", "fs.promises.readFile", "viaHelper", "count") in steps
    assert ("post", "loadSize", "count", "reply") in steps  # the step before, recorded
    fluxions = by_name(run.emit())
    assert streams(fluxions["viaHelper"]) == [
        ("post", ["count"], []),
        ("post", ["reply"], ["res"]),
    ]
    assert streams(fluxions["count"]) == [("post", ["null"], [])]
