"""Code written without semicolons means the same instrumented (node_shim/lib/instrument.js keeps
every statement boundary: no inserted token joins a statement to the line before it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import copy_app
from tests.shim.shimrun import SHIM, NodeApp, Response, app_dir, run_node

PATHS = ["/1", "/2", "/1", "/41"]


def plain_env() -> dict[str, str]:
    """The caller's environment without JITFLUX_* variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}


@pytest.mark.parametrize("effects", ["1", "0"], ids=["effects", "ruptures-only"])
def test_statement_kinds_without_semicolons(tmp_path: Path, effects: str) -> None:
    """Expression statements starting with a call, member call, template, array, paren, unary;
    return/throw, loop/if/else/do bodies without braces, labels, switch cases, class bodies,
    generators and async functions, all without `;`: the same output traced and untraced."""
    app = copy_app(app_dir("shim-asi"), tmp_path)
    env = plain_env()
    plain = run_node(["cases.js"], app, env)
    traced = run_node(
        ["--require", str(SHIM), "cases.js"],
        app,
        {**env, "JITFLUX_ROOT": str(app), "JITFLUX_EFFECTS": effects},
    )
    assert (plain.returncode, plain.stderr) == (0, "")
    assert (traced.returncode, traced.stdout, traced.stderr) == (0, plain.stdout, "")
    result = json.loads(plain.stdout)
    # The untraced meaning, case by case: `n++` then `[a, b] = ...` are two statements, the push
    # after a conditional throw runs, the IIFE after `n++` runs.
    assert result["list"].count("x") == 1 and "duplicate x" in result["out"]
    assert "iife" in result["out"] and result["out"][-1] == "n=3 swap=12,1"
    assert "after for in" in result["list"] and "case member" in result["list"]


def answers(app: Path, work: Path, traced: bool, effects: bool = True) -> list[Response]:
    """The shim-asi server's answers to PATHS."""
    with NodeApp(app, work, traced=traced, effects=effects) as node:
        return [node.get(path) for path in PATHS]


@pytest.mark.parametrize("effects", [True, False], ids=["effects", "ruptures-only"])
def test_server_without_semicolons_answers_as_untraced(tmp_path: Path, effects: bool) -> None:
    """A no-semicolon http server (`const n = add(req.url)` then `res.end(...)`, a push after a
    conditional throw) answers the same bytes traced and untraced."""
    app = copy_app(app_dir("shim-asi"), tmp_path)
    plain = answers(app, tmp_path / "plain", traced=False)
    traced = answers(app, tmp_path / "traced", traced=True, effects=effects)
    assert [(r.status, r.text) for r in plain] == [
        (200, "2 1 /1\n"),
        (200, "3 2 /1,/2\n"),
        (409, "2 3 /1,/2\n"),
        (200, "42 4 /1,/2,/41\n"),
    ]
    assert traced == plain


# Express 5's body parser and the packages it uses (body-parser 2, http-errors, depd, ...) are
# written without semicolons.
INCLUDE = (
    "body-parser,router,raw-body,type-is,content-type,on-finished,finalhandler,http-errors,depd,"
    "qs,bytes,media-typer,mime-types,accepts,negotiator,iconv-lite,statuses,unpipe,ee-first"
)
EXPRESS_REQUESTS: list[tuple[str, str, bytes | None]] = [
    ("POST", "/api/json", b'{"name":"ada"}'),
    ("POST", "/api/form", b"a=1&b[c]=2"),
    ("POST", "/api/text", b"hello"),
    ("GET", "/api/fail", None),
    ("GET", "/nope", None),
    ("POST", "/api/json", b"{bad"),
    ("POST", "/api/json", b'{"name":"bob"}'),
]


def express_answers(app: Path, work: Path, traced: bool, effects: bool = True) -> list[Response]:
    """The answers of shim-asi's Express app, its packages instrumented when traced."""
    env = {"JITFLUX_INCLUDE": INCLUDE}
    with NodeApp(
        app, work, 5, traced=traced, effects=effects, env=env, script="express-app.js"
    ) as node:
        answers = [node.request(*request) for request in EXPRESS_REQUESTS]
    if traced:
        # Instrumented, all without semicolons (the router's files get Express's hooks instead).
        files = {name.split("node_modules/")[-1] for name in node.dump()["sources"]}
        assert {"body-parser/lib/read.js", "body-parser/lib/types/json.js", "depd/index.js",
                "http-errors/index.js"} <= files  # fmt: skip
    return answers


@pytest.mark.parametrize("effects", [True, False], ids=["effects", "ruptures-only"])
def test_semicolon_free_packages_under_include(tmp_path: Path, effects: bool) -> None:
    """An Express 5 app whose body parser and its helpers (semicolon-free packages) are
    instrumented with --include answers the same bytes traced and untraced, errors included."""
    app = copy_app(app_dir("shim-asi"), tmp_path)
    plain = express_answers(app, tmp_path / "plain", traced=False)
    traced = express_answers(app, tmp_path / "traced", traced=True, effects=effects)
    assert [r.status for r in plain] == [200, 200, 200, 500, 404, 500, 200]
    assert plain[0].text == '{"got":{"name":"ada"},"seen":["ada"]}'
    assert traced == plain
