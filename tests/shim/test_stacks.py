"""Transparency: the traced app answers and throws exactly as untraced (node_shim/lib/stacks.js
keeps stack traces as they would be without the inserted code)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, copy_app
from tests.shim.shimrun import SHIM, NodeApp, Response, app_dir, run_node

ERROR_PATHS = ["/ok", "/boom", "/caught/throw?v=1", "/caught/next", "/stack", "/missing", "/boom"]


def answers(
    app: Path, work: Path, express: int, traced: bool, effects: bool = True
) -> list[Response]:
    """The responses of the shim-errors app to ERROR_PATHS, traced or not."""
    with NodeApp(app, work, express, traced=traced, effects=effects) as node:
        return [node.get(path) for path in ERROR_PATHS]


@pytest.mark.parametrize("effects", [True, False], ids=["effects", "ruptures-only"])
def test_errors_answer_as_untraced(tmp_path: Path, express_version: int, effects: bool) -> None:
    """A throwing handler, next(err), a 4-parameter error middleware and Express's own error page
    (with its stack trace) give the same statuses and bytes traced and untraced."""
    app = copy_app(app_dir("shim-errors"), tmp_path)
    plain = answers(app, tmp_path / "plain", express_version, traced=False)
    traced = answers(app, tmp_path / "traced", express_version, traced=True, effects=effects)
    assert [r.status for r in plain] == [201, 500, 400, 500, 200, 404, 500]
    assert traced == plain
    # Express's default error page shows the stack: the frames of server.js are all there.
    assert "at boom (" in plain[1].text and "server.js:12:" in plain[1].text


def test_stack_trace_frames_match_untraced(tmp_path: Path, express_version: int) -> None:
    """`new Error().stack` in a handler lists the same frames and columns as untraced."""
    app = copy_app(app_dir("shim-errors"), tmp_path)
    with NodeApp(app, tmp_path / "plain", express_version, traced=False) as node:
        plain = node.get("/stack").text
    with NodeApp(app, tmp_path / "traced", express_version) as node:
        traced = node.get("/stack").text
    assert traced == plain
    assert "node_shim" not in traced
    assert "at countAll (" in traced and "server.js:8:58)" in traced


def test_stack_trace_in_a_continuation_matches_untraced(tmp_path: Path) -> None:
    """A stack taken in an event-loop callback shows no frame that async_hooks adds."""
    app = copy_app(app_dir("shim-errors"), tmp_path)
    with NodeApp(app, tmp_path / "plain", 5, traced=False) as node:
        plain = node.get("/stack/later").text
    with NodeApp(app, tmp_path / "traced", 5) as node:
        traced = node.get("/stack/later").text
    assert "at Immediate.afterwards [as _onImmediate] (" in plain
    assert traced == plain


def test_counter_answers_as_untraced(tmp_path: Path, express_version: int) -> None:
    """paper-counter gives the same bytes traced and untraced, request after request."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    with NodeApp(app, tmp_path / "plain", express_version, traced=False) as node:
        plain = [node.get("/") for _ in range(3)]
    with NodeApp(app, tmp_path / "traced", express_version) as node:
        traced = [node.get("/") for _ in range(3)]
    assert traced == plain


def test_uncaught_error_stack_matches_untraced(tmp_path: Path) -> None:
    """An uncaught error thrown in a required module prints the same stack frames as untraced."""
    app = tmp_path / "crash"
    app.mkdir()
    (app / "server.js").write_text("var deep = require('./deep');\ndeep(4);\n")
    (app / "deep.js").write_text(
        "function deep(n) { if (n === 0) { var x = null; return x.boom; } return deep(n - 1); }\n"
        "module.exports = function (n) {\n"
        "  try { deep(1) } catch (e) { console.log(e.stack) } deep(n) };\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    plain = run_node(["server.js"], app, env)
    traced = run_node(["--require", str(SHIM), "server.js"], app, {**env, "JITFLUX_ROOT": str(app)})
    assert traced.returncode == plain.returncode == 1
    assert traced.stdout == plain.stdout
    # Node prints the source line of the throw above the stack: the instrumented one, when
    # traced (a known difference); everything from the error message on is the same.
    assert "TypeError: Cannot read properties of null" in plain.stderr
    tail = plain.stderr[plain.stderr.index("TypeError") :]
    assert traced.stderr.endswith(tail)


def test_eval_origin_columns_match_untraced(tmp_path: Path) -> None:
    """Frames of code run by eval (direct, nested, throwing) and new Function name the place of
    the eval call in the original text: the same stack traces as untraced."""
    app = tmp_path / "evals"
    app.mkdir()
    (app / "main.js").write_text(
        "const items = []\n"
        "function run (code) { items.push(1); return eval(code) }\n"
        "function viaFunction () { items.push(2); return new Function("
        "'return new Error(\"fn\").stack')() }\n"
        "console.log(run('new Error(\"direct\").stack'))\n"
        "console.log(run('(0, eval)(\"new Error(\\'indirect\\').stack\")'))\n"
        "console.log(run('eval(\"new Error(\\'nested\\').stack\")'))\n"
        "console.log(viaFunction())\n"
        "try { run('null.x') } catch (e) { console.log(e.stack) }\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    plain = run_node(["main.js"], app, env)
    traced = run_node(["--require", str(SHIM), "main.js"], app, {**env, "JITFLUX_ROOT": str(app)})
    assert (plain.returncode, plain.stderr) == (0, "")
    assert "main.js:2:45), <anonymous>:1:1)" in plain.stdout
    assert "(eval at viaFunction (" in plain.stdout
    assert (traced.returncode, traced.stdout, traced.stderr) == (0, plain.stdout, "")
