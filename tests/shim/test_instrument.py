"""Source instrumentation (node_shim/lib/instrument.js): the function table, modern syntax, code
that means what it meant (hoisting, ASI, arrow bodies, classes, labels, finally, eval, generators,
await in every position), and files that cannot be instrumented."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import EXPRESS_MODULES, copy_app, express_env
from tests.shim.shimrun import SHIM, Dump, NodeApp, app_dir, run_node

MODERN_PATHS = ["/class", "/optional", "/async", "/stream", "/arrow", "/strict", "/class"]


@pytest.fixture(scope="module", params=sorted(EXPRESS_MODULES), ids=["express4", "express5"])
def modern(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Dump, list[str], int]:
    """The shim-modern app traced once per Express version: folder, dump, bodies, version."""
    tmp = tmp_path_factory.mktemp("modern")
    app = copy_app(app_dir("shim-modern"), tmp)
    with NodeApp(app, tmp / "run", request.param) as node:
        bodies = [node.get(path).text for path in MODERN_PATHS]
        bodies.append(node.post("/echo", b"streamed body").text)
    return app, Dump(node.dump()), bodies, request.param


def test_modern_syntax_answers_as_untraced(
    modern: tuple[Path, Dump, list[str], int], tmp_path: Path
) -> None:
    """Class fields, #private, ?., ??, ||=, async arrows, generators, for await: as untraced."""
    app, _, traced, express = modern
    with NodeApp(app, tmp_path / "plain", express, traced=False) as node:
        plain = [node.get(path).text for path in MODERN_PATHS]
        plain.append(node.post("/echo", b"streamed body").text)
    assert traced == plain
    assert traced[-1] == "echo streamed body\n"
    assert traced[0] == "2 2 hits\n" and traced[6] == "4 4 hits\n"
    assert traced[2] == "1 no! 012\n"


def test_directive_prologue_stays_first(modern: tuple[Path, Dump, list[str], int]) -> None:
    """A file with a hashbang and 'use strict' is still strict code once instrumented."""
    assert modern[2][5] == "true\n"


def test_function_table(modern: tuple[Path, Dump, list[str], int]) -> None:
    """Every function gets an id in source order, a name, a kind, a location, a range, params."""
    app, dump, _, _ = modern
    source = (app / "server.js").read_text()
    table = dump.data["functions"]
    assert [f["id"] for f in table] == [f"f{n}" for n in range(len(table))]
    assert table[0] == {
        "id": "f0",
        "name": "",
        "kind": "toplevel",
        "file": "server.js",
        "line": 1,
        "column": 0,
        "range": [0, len(source)],
        "params": [],
    }
    rows = [(f["name"], f["kind"], f["line"], f["params"]) for f in table[1:]]
    assert rows[:9] == [
        ("bump", "arrow", 11, ["by"]),
        ("constructor", "method", 16, ["name"]),
        ("value", "method", 21, []),
        ("steps", "method", 29, ["n"]),
        ("wait", "arrow", 38, ["ms"]),
        ("", "arrow", 38, ["resolve"]),
        ("", "arrow", 38, []),
        ("ticks", "function", 39, ["n"]),
        ("", "arrow", 43, ["req", "res"]),
    ]
    starts = [f["range"][0] for f in table[1:]]
    assert starts == sorted(starts)
    for f in table[1:]:
        start, end = f["range"]
        lines = source[:start].split("\n")
        assert (len(lines), len(lines[-1])) == (f["line"], f["column"])
        assert source[end - 1] in "})`;" or source[start:end].startswith(("(", "function", "async"))
    assert dump.data["sources"] == {"server.js": source}


def test_modern_functions_are_traced(modern: tuple[Path, Dump, list[str], int]) -> None:
    """Arrow handlers start on `app.get`, async arrows continue after await, `.then` is post."""
    _, dump, _, _ = modern
    top = dump.toplevel()
    by_line: dict[int, str] = {}  # the first anonymous arrow of each line
    for f in dump.data["functions"]:
        if f["kind"] == "arrow" and f["name"] == "":
            by_line.setdefault(f["line"], f["id"])
    class_route, async_route, arrow_route = by_line[43], by_line[53], by_line[72]
    assert [
        (r["type"], r["callee"], r["caller"], r["count"]) for r in dump.ruptures(class_route)
    ] == [("start", "app.get", top, 2)]
    points = {(r["type"], r["callee"], r["caller"]): r["count"] for r in dump.ruptures(async_route)}
    # Two awaits resume the handler: the first continues from the timer callback that resolved
    # wait(1)'s promise, the second (a rejection caught in the function) from the handler.
    resolver = [f["id"] for f in dump.data["functions"] if f["line"] == 38 and f["params"] == []]
    assert points == {
        ("start", "app.get", top): 1,
        ("post", "await", resolver[0]): 1,
        ("post", "await", async_route): 1,
    }
    # wait(1).then(cb): cb continues from the timer callback that resolved wait's promise.
    then = [f for f in dump.data["functions"] if f["line"] == 72 and f["params"] == ["ms"]][0]
    assert [(r["type"], r["callee"], r["caller"]) for r in dump.ruptures(then["id"])] == [
        ("post", "wait(1).then", resolver[0])
    ]
    assert arrow_route != resolver[0]


def test_syntax_error_is_reported_as_untraced(tmp_path: Path, express_version: int) -> None:
    """A required module with a syntax error fails the same way traced (left as it is, warned)."""
    app = copy_app(app_dir("shim-syntax-error"), tmp_path)
    env = {k: v for k, v in express_env(express_version).items() if not k.startswith("JITFLUX_")}
    plain = run_node(["server.js"], app, env)
    dump = tmp_path / "dump.json"
    traced = run_node(
        ["--require", str(SHIM), "server.js"],
        app,
        {**env, "JITFLUX_ROOT": str(app), "JITFLUX_DUMP": str(dump)},
    )
    assert plain.returncode == traced.returncode == 1
    assert "SyntaxError: missing ) after argument list" in plain.stderr
    assert traced.stderr == plain.stderr
    warnings = json.loads(dump.read_text())["warnings"]
    assert [w for w in warnings if w.startswith("broken.js: not instrumented: ")] != []


def test_file_without_code_is_left_runnable(tmp_path: Path) -> None:
    """Files made only of comments, directives or a hashbang line still load and run."""
    app = tmp_path / "bare"
    app.mkdir()
    (app / "empty.js").write_text("")
    (app / "comment.js").write_text("// nothing here")
    (app / "directive.js").write_text("'use strict'")
    (app / "hashbang.js").write_text("#!/usr/bin/env node")
    (app / "server.js").write_text(
        "['empty', 'comment', 'directive', 'hashbang'].forEach((m) => require('./' + m));\n"
        "console.log('loaded') // the last line is a comment"
    )
    env = {**os.environ, "JITFLUX_ROOT": str(app)}
    result = run_node(["--require", str(SHIM), "server.js"], app, env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "loaded\n", "")


def test_for_await_loop_continues_the_function(modern: tuple[Path, Dump, list[str], int]) -> None:
    """`for await (const chunk of req)`: the code after each implicit await is an await post."""
    _, dump, _, _ = modern
    echo = dump.id_of("echo")
    points = {(r["type"], r["callee"], r["caller"]): r for r in dump.ruptures(echo)}
    assert set(points) == {("start", "app.post", dump.toplevel()), ("post", "await", echo)}
    # One await per chunk and one when the stream ends; the site is the loop.
    assert points[("post", "await", echo)]["count"] >= 2
    assert points[("post", "await", echo)]["site"]["line"] == dump.function("echo")["line"] + 2


@pytest.fixture(scope="module")
def syntax(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str], Dump]:
    """The shim-syntax app's answers untraced and traced, and the traced dump."""
    tmp = tmp_path_factory.mktemp("syntax")
    app = copy_app(app_dir("shim-syntax"), tmp)
    paths = ["/sync", "/async", "/async"]
    with NodeApp(app, tmp / "plain", traced=False) as node:
        plain = [node.get(path).text for path in paths]
    with NodeApp(app, tmp / "traced") as node:
        traced = [node.get(path).text for path in paths]
    return plain, traced, Dump(node.dump())


def test_synchronous_constructs_mean_the_same(
    syntax: tuple[list[str], list[str], Dump],
) -> None:
    """Each synchronous case gives the same result traced and untraced."""
    plain, traced, _ = syntax
    assert json.loads(traced[0]) == json.loads(plain[0])
    cases = json.loads(traced[0])
    assert cases["clash"] == "number" and cases["duplicate functions"] == 2
    assert cases["function named like a parameter"] == "function"
    assert cases["function shape"] == [3, "three", 1, 1, "arrow", "function", "inner"]
    assert not any(str(v).startswith("threw") for v in cases.values())


def test_await_in_every_position_means_the_same(
    syntax: tuple[list[str], list[str], Dump],
) -> None:
    """await in assignments, arguments, templates, conditions, loops, catch and finally, and
    `for await`, give the same results traced and untraced, request after request."""
    plain, traced, _ = syntax
    assert traced[1:] == plain[1:]
    out = json.loads(traced[1])
    assert out["caught"] == "rejected" and out["rethrown"] == "inner" and out["stream"] == "s1,s2"


def test_every_await_continues_its_function(syntax: tuple[list[str], list[str], Dump]) -> None:
    """Every continuation of asyncCases is an await post point: of the request handler for the
    first one, of asyncCases itself, or, after `await` of an async function it called (lines
    170-184), of that function's last part; only generators and clashing bodies go unhooked."""
    _, _, dump = syntax
    cases = dump.id_of("asyncCases")
    handler = next(  # the createServer callback, anonymous
        r["callback"] for r in dump.data["rupture_points"] if r["callee"] == "http.createServer"
    )
    got = {(r["type"], r["callee"], r["caller"]): r["count"] for r in dump.ruptures(cases)}
    assert {("post", "await", handler), ("post", "await", cases)} <= set(got)
    assert {(kind, callee) for kind, callee, _ in got} == {("post", "await")}
    assert got[("post", "await", handler)] == 2
    lines = {f["id"]: f["line"] for f in dump.data["functions"]}
    helpers = {caller for _, _, caller in got} - {handler, cases}
    assert helpers and {lines[h] for h in helpers} <= set(range(170, 185))
    assert dump.data["warnings"] == [
        "server.js: 5 function(s) without entry hooks (generators, or declarations that clash "
        "in a block)"
    ]
