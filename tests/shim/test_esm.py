"""ES modules (node_shim/lib/esm.js, lib/esm-hooks.js, lib/instrument-esm.js): the app's own ES
modules are instrumented through Node's module hooks as its CommonJS files are, mixed with
CommonJS both ways, and the app answers as untraced."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from tests.conftest import EXPRESS_MODULES, copy_app
from tests.shim.shimrun import SHIM, Dump, NodeApp, Response, app_dir, run_node

REQUESTS = [
    ("POST", "/bump"),
    ("POST", "/bump"),
    ("GET", "/total"),
    ("GET", "/legacy"),
    ("GET", "/from-cjs"),
    ("GET", "/stack"),
    ("POST", "/r/seen"),
    ("GET", "/r/seen"),
]


def _masked(stderr: str) -> str:
    """Node's stderr with its `(node:PID)` prefixes masked."""
    return re.sub(r"\(node:\d+\)", "(node:PID)", stderr)


def _esm_app(tmp_path: Path) -> Path:
    """A copy of tests/apps/esm-mixed that finds Express 5 (ES modules ignore NODE_PATH)."""
    app = copy_app(app_dir("esm-mixed"), tmp_path)
    (app / "node_modules").symlink_to(EXPRESS_MODULES[5])
    return app


def _answers(app: Path, work: Path, traced: bool) -> tuple[list[Response], str, NodeApp]:
    """The responses to REQUESTS, the app's stdout, and the stopped app."""
    with NodeApp(app, work, traced=traced, probe=False) as node:
        responses = [node.request(method, path, b"" if method == "POST" else None)
                     for method, path in REQUESTS]  # fmt: skip
    return responses, node.stdout, node


def test_esm_app_answers_as_untraced(tmp_path: Path) -> None:
    """An Express 5 app of ES modules mixed with CommonJS gives the same bytes traced and
    untraced, an error's stack (frames of a module, columns of its instrumented line) included."""
    app = _esm_app(tmp_path)
    plain, plain_out, _ = _answers(app, tmp_path / "plain", traced=False)
    traced, traced_out, node = _answers(app, tmp_path / "traced", traced=True)
    assert [r.text for r in plain[:5]] == [
        '{"total":1}', '{"total":2}', '{"total":2}', "hello esm true", "late from lib/late.mjs"
    ]
    assert f"at stack ({(app / 'server.js').as_uri()}:33:12)" in plain[5].text
    assert traced == plain
    assert traced_out == plain_out
    assert "warning" not in node.stderr


def test_esm_modules_are_instrumented_with_their_rupture_points(tmp_path: Path) -> None:
    """Every own file is instrumented whatever its module system (ES modules, a .cjs file they
    import and require, an .mjs file that file imports); routes registered by an ES module's top
    level are start points of that top level; effects are recorded in ES modules."""
    app = _esm_app(tmp_path)
    _, _, node = _answers(app, tmp_path / "traced", traced=True)
    dump = Dump(node.dump())
    assert sorted(dump.data["sources"]) == [
        "lib/counter.js", "lib/late.mjs", "lib/legacy.cjs", "lib/routes.js", "server.js"
    ]
    assert dump.data["warnings"] == []
    main = dump.toplevel("server.js")
    for name, callee in (("bumpRoute", "app.post"), ("showTotal", "app.get"), ("stack", "app.get")):
        point = dump.rupture(name)
        assert (point["type"], point["callee"], point["caller"]) == ("start", callee, main)
    routes = dump.toplevel("lib/routes.js")
    for name, callee in (("listSeen", "router.get"), ("addSeen", "router.post")):
        point = dump.rupture(name)
        assert (point["type"], point["callee"], point["caller"]) == ("start", callee, routes)
    assert dump.function("describe")["file"] == "lib/late.mjs"
    assert dump.function("greet")["file"] == "lib/legacy.cjs"
    writes = {(dump.name(e["function"]), e["target"]) for e in dump.data["effects"]
              if e["kind"] == "write"}  # fmt: skip
    # a module variable of lib/counter.js, written by the part that called its helper
    assert ("bumpRoute", "count") in writes


def test_es_module_the_shim_cannot_parse_runs_untouched(tmp_path: Path) -> None:
    """An ES module whose syntax the shim's parser refuses (`import ... assert {...}`, which
    Node 20 still runs) is loaded as it is, with one warning, and the rest is instrumented."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"type": "module"}\n')
    (app / "data.json").write_text('{"name": "data"}\n')
    (app / "old.js").write_text(
        "import data from './data.json' assert { type: 'json' };\n"
        "export function name() { return data.name; }\n"
    )
    (app / "main.js").write_text(
        "import { name } from './old.js';\n"
        "function show(value) { console.log('name', value); }\n"
        "show(name());\n"
    )
    dump_path = tmp_path / "dump.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    plain = run_node(["main.js"], app, env)
    env.update({"JITFLUX_ROOT": str(app), "JITFLUX_DUMP": str(dump_path)})
    traced = run_node(["--require", str(SHIM), "main.js"], app, env)
    assert (plain.returncode, plain.stdout) == (0, "name data\n")
    assert (traced.returncode, traced.stdout) == (plain.returncode, plain.stdout)
    # V8's deprecation warning, as untraced (the pid apart).
    assert "'assert' is deprecated" in plain.stderr
    assert _masked(traced.stderr) == _masked(plain.stderr)
    dump = Dump(json.loads(dump_path.read_text()))
    assert dump.data["warnings"] == ["old.js: not instrumented: Unexpected token (1:31)"]
    assert sorted(dump.data["sources"]) == ["main.js"]
    assert dump.function("show")["file"] == "main.js"


# An ES module app that forks itself: the child sends what it sees of its options and its pid.
FORKING_APP = """
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
if (process.argv[2] === 'child') {
  function hello() { return [process.env.NODE_OPTIONS || null, process.execArgv, process.pid]; }
  process.send(hello());
} else {
  const child = fork(fileURLToPath(import.meta.url), ['child']);
  child.on('message', (m) => {
    console.log(JSON.stringify(m));
    child.disconnect();
  });
}
"""


def test_es_module_child_is_traced_with_its_own_options(tmp_path: Path) -> None:
    """A forked child of an ES module app gets the module hooks as the app does: it sees
    NODE_OPTIONS and process.execArgv as untraced, its card names its own command (not the hooks
    thread's), and its ES module's functions are in its record."""
    script = tmp_path / "app.mjs"
    script.write_text(FORKING_APP)
    folder = tmp_path / "children"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    env["NODE_OPTIONS"] = "--no-deprecation"
    untraced = run_node([str(script)], tmp_path, env)
    traced_env = {**env, "JITFLUX_CHILDREN": str(folder), "JITFLUX_ROOT": str(tmp_path)}
    traced = run_node(["--require", str(SHIM), str(script)], tmp_path, traced_env)
    seen, seen_untraced = json.loads(traced.stdout), json.loads(untraced.stdout)
    assert seen[:2] == seen_untraced[:2] == ["--no-deprecation", []]
    (card,) = folder.glob("*.json.pid")
    assert json.loads(card.read_text()) == {
        "pid": seen[2], "command": [shutil.which("node") or "node", str(script), "child"]
    }
    dump = json.loads(card.with_suffix("").read_text())
    assert ("hello", "app.mjs") in {(f["name"], f["file"]) for f in dump["functions"]}
