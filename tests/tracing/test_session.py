"""`trace()` end to end: real node, real Express, requests on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from jitflux.api import emit
from jitflux.cli.trace_cmd import trace_summary
from jitflux.trace import Trace, load
from jitflux.tracing.drive import Request, read_requests
from jitflux.tracing.session import TraceResult, trace
from tests.conftest import EXAMPLES, EXPRESS_MODULES, copy_app, express_env
from tests.node_helpers import free_port, leftover_nodes, port_refuses
from tests.tracing.sessions import quiet_options as _options


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def _inspector_port(result: TraceResult) -> int:
    assert result.inspector_url is not None
    return int(result.inspector_url.split(":")[2].split("/")[0])


# The rupture points of each paper example, as (type, callee, caller, callback) with functions
# by name ("main" for the top level, "" for an anonymous one): listings 1 and 3, figure 5.
PAPER_RUPTURE_POINTS = {
    "paper-counter": {
        ("start", "app.get", "main", "handler"),
        ("post", "fs.readFile", "handler", "reply"),
    },
    "paper-gifsockets": {
        ("start", "app.post", "main", "saveBody"),
        ("start", "app.post", "main", "writeTextToImages"),
        ("post", "getRawBody", "saveBody", ""),
    },
    "figure5": {
        ("start", "app.get", "main", "onReq"),
        ("post", "setImmediate", "onReq", "add"),
        ("post", "setTimeout", "add", "end"),
    },
}


def _named_points(written: Trace) -> dict[tuple[str, str, str, str], int]:
    """Rupture points with function names instead of ids, and their counts."""

    def name(function_id: str) -> str:
        fn = written.function(function_id)
        return "main" if fn.kind == "toplevel" else fn.name

    return {
        (rp.type, rp.callee, name(rp.caller), name(rp.callback)): rp.count
        for rp in written.rupture_points
    }


@pytest.mark.parametrize("example", sorted(PAPER_RUPTURE_POINTS))
async def test_paper_examples_end_to_end(
    tmp_path: Path, express_version: int, example: str
) -> None:
    """Each paper example traces with status 0, the paper's rupture points, inspector closed."""
    app = copy_app(EXAMPLES / example, tmp_path)
    requests = read_requests(app / "requests.txt")
    result = await trace(_options(app / "server.js", express_env(express_version),
                                  requests=requests))  # fmt: skip
    assert (result.status, result.error) == (0, None)
    assert (result.requests.sent, result.requests.failed) == (len(requests), 0)
    assert result.output == app / "trace.json"
    written = load(result.output)
    meta = written.meta
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    assert meta["node_version"] == node_version.strip()
    assert meta["express_version"].split(".")[0] == str(express_version)
    assert meta["command"] == ["node", str(app / "server.js")]
    assert meta["script"] == "server.js"
    assert meta["port"] == result.port
    assert (meta["requests_sent"], meta["requests_failed"]) == (len(requests), 0)
    assert (meta["complete"], meta["exit_status"], meta["driver_status"]) == (True, None, None)
    assert port_refuses(_inspector_port(result))
    assert port_refuses(result.port)
    assert _named_points(written) == dict.fromkeys(PAPER_RUPTURE_POINTS[example], len(requests))
    assert written.sources["server.js"] == (app / "server.js").read_text()


async def test_external_function_is_located(tmp_path: Path, express_version: int) -> None:
    """The gifsockets handler from node_modules is located: 1-based line, its `(` column."""
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    requests = read_requests(app / "requests.txt")
    result = await trace(_options(app / "server.js", express_env(express_version),
                                  requests=requests))  # fmt: skip
    (handler,) = [f for f in result.trace.functions if f.name == "writeTextToImages"]
    source = (EXAMPLES / "vendor" / "gifsockets-middleware" / "index.js").read_text()
    number, line = next(
        (n, text) for n, text in enumerate(source.splitlines(), 1) if "writeTextToImages" in text
    )
    assert handler.kind == "external"
    assert handler.file.endswith("gifsockets-middleware/index.js")
    assert (handler.line, handler.column) == (number, line.index("("))


async def test_app_output_reaches_the_user(tmp_path: Path) -> None:
    """What the app prints goes to the given stdout and stderr, without inspector banners."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    server = app / "server.js"
    server.write_text("console.log('starting');\nconsole.error('careful');\n" + server.read_text())
    options = _options(server, express_env(5), requests=[Request("GET", "/")])
    await trace(options)
    assert options.stdout.getvalue() == b"starting\n"  # type: ignore[union-attr]
    assert options.stderr.getvalue() == b"careful\n"  # type: ignore[union-attr]


async def test_duration_without_driver(tmp_path: Path) -> None:
    """With --duration and no driver, tracing stops by itself and the trace is complete."""
    app = copy_app(EXAMPLES / "figure5", tmp_path)
    result = await trace(_options(app / "server.js", express_env(5), duration=2))
    assert (result.status, result.interrupted) == (0, False)
    assert load(app / "trace.json").meta["complete"] is True


async def test_settle_lets_callbacks_after_the_answer_run(tmp_path: Path) -> None:
    """Callbacks still pending when the last answer arrives run before the app is stopped."""
    script = tmp_path / "server.js"
    script.write_text(
        "require('http').createServer((q, s) => {\n"
        "  s.end('x');\n"
        "  setImmediate(() => setImmediate(() => console.log('after the answer')));\n"
        "}).listen(0);\n"
    )
    options = _options(script, dict(os.environ), requests=[Request("GET", "/")], settle=0.5)
    result = await trace(options)
    assert result.status == 0
    assert options.stdout.getvalue() == b"after the answer\n"  # type: ignore[union-attr]


async def test_app_exiting_by_itself_ends_the_trace(tmp_path: Path) -> None:
    """An app that exits 0 by itself ends tracing with status 0 and its exit status recorded."""
    script = tmp_path / "server.js"
    script.write_text(
        "const server = require('http').createServer((q, s) => s.end('x')).listen(0);\n"
        "server.on('listening', () => setTimeout(() => server.close(), 100));\n"
    )
    result = await trace(_options(script, dict(os.environ)))
    assert result.status == 0
    meta = load(tmp_path / "trace.json").meta
    assert (meta["complete"], meta["exit_status"]) == (True, 0)


async def test_port_option_picks_the_apps_port(tmp_path: Path) -> None:
    """--port sends the requests to that port instead of the first one the app listens on."""
    script = tmp_path / "server.js"
    script.write_text(
        "const http = require('http');\n"
        "const admin = http.createServer((q, s) => { s.statusCode = 500; s.end(); }).listen(0);\n"
        "admin.on('listening', () => {\n"
        "  http.createServer((q, s) => s.end('ok')).listen(Number(process.env.MAIN_PORT));\n"
        "});\n"
    )
    main_port = free_port()
    env = {**os.environ, "MAIN_PORT": str(main_port)}
    first = await trace(_options(script, env, requests=[Request("GET", "/")]))
    assert (first.requests.failed, first.port) != (0, main_port)
    chosen = await trace(_options(script, env, requests=[Request("GET", "/")], port=main_port))
    assert (chosen.status, chosen.requests.failed, chosen.port) == (0, 0, main_port)


# 150,000 lines of 140 bytes on stderr (21 MB) and 20,000 on stdout, written just before the
# answer: Node still holds most of it when the last answer arrives.
LOUD_APP = """
const pad = 'x'.repeat(120);
require('http').createServer((req, res) => {
  for (let i = 0; i < 150000; i++) console.error('err %s %s', String(i).padStart(6, '0'), pad);
  for (let i = 0; i < 20000; i++) console.log('out %s %s', String(i).padStart(6, '0'), pad);
  res.end('ok');
}).listen(0);
"""


async def test_every_byte_of_output_is_relayed(tmp_path: Path) -> None:
    """All of a very large output (21 MB of stderr, 2.6 MB of stdout) reaches the user, byte for
    byte, although the app is stopped right after its answer."""
    script = tmp_path / "server.js"
    script.write_text(LOUD_APP)
    options = _options(script, dict(os.environ), requests=[Request("GET", "/")], settle=0)
    result = await trace(options)
    assert (result.status, result.requests.failed) == (0, 0)
    pad = "x" * 120
    err = "".join(f"err {i:06d} {pad}\n" for i in range(150000)).encode()
    out = "".join(f"out {i:06d} {pad}\n" for i in range(20000)).encode()
    assert len(err) == 150000 * 132
    assert options.stderr.getvalue() == err  # type: ignore[union-attr]
    assert options.stdout.getvalue() == out  # type: ignore[union-attr]


ESM_APP = """
import http from 'node:http';
function handle(req, res) { res.end('esm'); }
http.createServer(handle).listen(0);
"""


@pytest.mark.parametrize("layout", ["mjs", "type-module"])
async def test_es_module_entry_is_instrumented(tmp_path: Path, layout: str) -> None:
    """An ES module entry (`.mjs`, or `"type": "module"` in the nearest package.json) is
    instrumented: its request listener is a start point of its top level, with no warning."""
    if layout == "mjs":
        script = tmp_path / "server.mjs"
    else:
        (tmp_path / "package.json").write_text('{"type": "module"}\n')
        script = tmp_path / "app" / "server.js"
        script.parent.mkdir()
    script.write_text(ESM_APP)
    options = _options(script, dict(os.environ), requests=[Request("GET", "/")])
    result = await trace(options)
    assert (result.status, result.requests.failed) == (0, 0)
    written = load(script.parent / "trace.json")
    assert written.meta.get("warnings") in (None, [])
    assert _named_points(written) == {("start", "http.createServer", "main", "handle"): 1}
    assert "ES module" not in trace_summary(result.trace, result.output)


ESM_EXPRESS_APP = """\
import express from 'express';
const app = express();
let likes = 0;
app.post('/like', function like(req, res) { likes += 1; res.send(`likes ${likes}`); });
app.get('/likes', function showLikes(req, res) { res.send(`likes ${likes}`); });
let views = 0;
app.get('/views', function countViews(req, res) { views += 1; res.send(`views ${views}`); });
app.listen(process.env.PORT || 0);
"""


@pytest.mark.parametrize("include", [[], ["express"]], ids=["plain", "include"])
async def test_es_module_express_app_gets_its_verdicts(tmp_path: Path, include: list[str]) -> None:
    """An Express 5 app written as an ES module: its routes are fluxions started by main;
    `likes`, written by one route and read by another, is share between them; `views`, written
    and read by one route only, is scope in it."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"type": "module"}\n')
    (app / "node_modules").symlink_to(EXPRESS_MODULES[5])
    script = app / "server.js"
    script.write_text(ESM_EXPRESS_APP)
    requests = [Request("POST", "/like"), Request("POST", "/like"), Request("GET", "/likes"),
                Request("GET", "/views")]  # fmt: skip
    options = _options(script, dict(os.environ), requests=requests, include=include)
    result = await trace(options)
    assert (result.status, result.requests.failed) == (0, 0)
    written = load(app / "trace.json")  # valid: load checks every id a point refers to
    assert written.meta.get("warnings") in (None, [])
    points = _named_points(written)
    assert points[("start", "app.post", "main", "like")] == 2
    assert points[("start", "app.get", "main", "showLikes")] == 1
    fluxions = json.loads(emit(written, "json"))
    placed = {v["name"]: (v["rule"], sorted(v["fluxions"])) for v in fluxions["variables"]}
    assert placed["likes"] == ("share", ["like", "showLikes"])
    assert placed["views"] == ("scope", ["countViews"])


async def test_es_module_entry_the_shim_cannot_parse_still_answers(tmp_path: Path) -> None:
    """An ES module entry whose syntax the shim's parser refuses runs as it is: the trace says
    why in one warning, and that its functions are not in it."""
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "data.json").write_text('{"body": "esm"}\n')
    script = tmp_path / "server.js"
    script.write_text(
        "import data from './data.json' assert { type: 'json' };\n"
        + ESM_APP.replace("'esm'", "data.body")
    )
    options = _options(script, dict(os.environ), requests=[Request("GET", "/")])
    result = await trace(options)
    assert (result.status, result.requests.failed) == (0, 0)
    assert load(tmp_path / "trace.json").meta["warnings"] == [
        "server.js: not instrumented: Unexpected token (1:31)",
        "server.js is an ES module whose code was not instrumented, so its functions are not in "
        "the trace",
    ]
    assert "not traced: ES module server.js" in trace_summary(result.trace, result.output)
