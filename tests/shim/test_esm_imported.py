"""ES modules of the app that a package loads with `import()` (node_shim/lib/loader.js's
beforeCompile): a CommonJS Fastify app whose own code never calls `import()`, its routes
`routes/*.mjs` loaded by @fastify/autoload, gets the module hooks, its handlers are fluxions
with their verdicts, and it answers as untraced; a JSDoc `{import('.')}` in a package's comment
starts no hooks thread."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from jitflux.emit import render
from jitflux.trace import Trace
from jitflux.tracing.drive import parse_request
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import EXPRESS_MODULES, ROOT, copy_app
from tests.shim.shimrun import SHIM, NodeApp, Response, app_dir, run_node

# @fastify/autoload and Fastify, from the corpus app that `make setup` installs.
MODULES = ROOT / "corpus" / "fastify-standard" / "node_modules"
APP = app_dir("esm-autoload")
REQUESTS = [
    parse_request(line, "requests.txt")
    for line in (APP / "requests.txt").read_text().splitlines()
    if line.strip()
]


def _app(tmp_path: Path) -> Path:
    """A copy of tests/apps/esm-autoload (its packages found through NODE_PATH), whose own
    files do not hold the text `import(`: the hooks come from the package's."""
    app = copy_app(APP, tmp_path)
    assert not [p for p in app.rglob("*.js") if "import(" in p.read_text()]
    return app


def _answers(app: Path, work: Path, traced: bool) -> tuple[list[Response], NodeApp]:
    """The responses to the app's requests, and the stopped app."""
    env = {"NODE_PATH": str(MODULES)}
    with NodeApp(app, work, traced=traced, env=env) as node:
        responses = [
            # no body: Fastify accepts an empty POST with no content type
            node.request(r.method, r.path, None)
            for r in REQUESTS
        ]
    return responses, node


def test_app_answers_as_untraced(tmp_path: Path) -> None:
    """The app gives the same answers traced and untraced, and its ES modules are recorded
    with no warning."""
    app = _app(tmp_path)
    plain, _ = _answers(app, tmp_path / "plain", traced=False)
    traced, node = _answers(app, tmp_path / "traced", traced=True)
    assert [r.text for r in plain] == [
        '{"added":1}',
        '{"added":2}',
        '{"items":["item1","item2"]}',
        "hello\n",
    ]
    assert [(r.status, r.text) for r in traced] == [(r.status, r.text) for r in plain]
    dump = node.dump()
    assert sorted(dump["sources"]) == ["routes/hello.mjs", "routes/items.mjs", "server.js"]
    assert dump["warnings"] == []


def _trace(app: Path) -> Trace:
    """Trace the app with jitflux, driven by its requests."""
    env = {**os.environ, "NODE_PATH": str(MODULES), "PORT": "0"}
    reports: list[str] = []
    result = trace_sync(
        TraceOptions(
            command=["node", str(app / "server.js")],
            output=None,
            requests=REQUESTS,
            drive=None,
            env=env,
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=reports.append,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error, reports) == (0, None, [])
    return result.trace


def test_handlers_of_imported_modules_are_fluxions(tmp_path: Path) -> None:
    """Each route of the imported modules is a start point of its plugin function, and a
    fluxion of its own: addItem and listItems share `items` (written by one, read by the
    other), hello only answers (network), none is folded into main."""
    trace = _trace(_app(tmp_path))
    names = {f.id: f.name for f in trace.functions}
    starts = {(names[r.callback], r.callee, names[r.caller]) for r in trace.rupture_points
              if r.type == "start"}  # fmt: skip
    assert starts == {
        ("addItem", "fastify.post", "routes"),
        ("listItems", "fastify.get", "routes"),
        ("hello", "fastify.get", "routes"),
    }
    program = json.loads(render(trace, "json"))
    fluxions = {f["name"]: f for f in program["fluxions"]}
    shared = [v for v in program["variables"] if v["name"] == "items"]
    assert [(v["rule"], sorted(v["fluxions"])) for v in shared] == [
        ("share", ["addItem", "listItems"])
    ]
    for name in ("addItem", "listItems", "hello"):
        assert not fluxions[name]["isolated"], name
    assert (fluxions["hello"]["context"], fluxions["addItem"]["context"]) == ([], ["items"])


def _threads(app: Path, work: Path) -> int:
    """How many threads the traced app's node process runs once it has answered a request."""
    with NodeApp(app, work, traced=True) as node:
        assert node.get("/").status == 200
        assert node.proc is not None
        count = len(os.listdir(f"/proc/{node.proc.pid}/task"))
    return count


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_jsdoc_imports_of_packages_start_no_hooks_thread(tmp_path: Path) -> None:
    """A CommonJS Express 5 app gets no module hooks thread though packages it loads hold
    `{import('.')}` in JSDoc comments (side-channel, es-errors): only code or strings count;
    the same app with an `import()` in its code gets the thread."""
    modules = EXPRESS_MODULES[5]
    assert "{import('.')}" in (modules / "side-channel" / "index.js").read_text()
    app = copy_app(app_dir("effects-counter"), tmp_path)
    pure = _threads(app, tmp_path / "pure")
    with (app / "server.js").open("a") as server:
        server.write("if (process.env.NEVER_SET) import('./none.mjs');\n")
    assert _threads(app, tmp_path / "importing") > pure


# Node before 20.6, as far as the shim can tell: a Node whose module has no `register`.
NO_REGISTER = "require('module').register = undefined;\n"


def test_without_module_register_the_trace_says_which_file_imports(tmp_path: Path) -> None:
    """Where the hooks cannot be registered, the app still answers as untraced and the dump
    says in one warning that the ES modules the package's file may import() run
    uninstrumented, naming that file."""
    app = _app(tmp_path)
    preload = tmp_path / "no-register.js"
    preload.write_text(NO_REGISTER)
    env = {"NODE_PATH": str(MODULES)}
    with NodeApp(app, tmp_path / "work", traced=True, env=env, preload=[preload]) as node:
        assert node.request("POST", "/add", None).text == '{"added":1}'
        assert node.get("/hello").text == "hello\n"
    dump = node.dump()
    autoload = os.path.relpath(MODULES / "@fastify" / "autoload" / "index.js", app)
    assert dump["warnings"] == [
        f"es modules: ES modules of the app that {autoload} may import() run uninstrumented"
        " (this Node has no module.register)"
    ]
    assert sorted(dump["sources"]) == ["server.js"]


def test_without_module_register_an_es_module_entry_is_named(tmp_path: Path) -> None:
    """An app whose entry is an ES module, where the hooks cannot be registered, runs as
    untraced, and the dump names the entry as run uninstrumented."""
    script = tmp_path / "app.mjs"
    script.write_text("function hello() { return 'hello'; }\nconsole.log(hello());\n")
    preload = tmp_path / "no-register.js"
    preload.write_text(NO_REGISTER)
    dump_path = tmp_path / "dump.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    env.update({"JITFLUX_ROOT": str(tmp_path), "JITFLUX_DUMP": str(dump_path)})
    args = ["--require", str(preload), "--require", str(SHIM), str(script)]
    traced = run_node(args, tmp_path, env)
    assert (traced.returncode, traced.stdout) == (0, "hello\n")
    dump = json.loads(dump_path.read_text())
    assert dump["warnings"] == [
        "es modules: app.mjs: ES module run uninstrumented (this Node has no module.register)"
    ]
    assert dump["functions"] == []
