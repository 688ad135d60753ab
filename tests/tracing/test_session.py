"""`trace()` end to end: real node, real Express, requests on 127.0.0.1."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jitflux.api import emit
from jitflux.cli.trace_cmd import summary
from jitflux.errors import JitfluxError
from jitflux.trace import Trace, load
from jitflux.tracing.drive import Request, read_requests
from jitflux.tracing.session import TraceOptions, TraceResult, trace
from tests.conftest import EXAMPLES, EXPRESS_MODULES, copy_app, express_env
from tests.node_helpers import free_port, leftover_nodes, port_refuses


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def _options(script: Path, env: dict[str, str], **kwargs: Any) -> TraceOptions:
    """Options to trace `node SCRIPT` quietly, the app's output kept in memory."""
    kwargs.setdefault("output", script.parent / "trace.json")
    reports: list[str] = []
    return TraceOptions(
        command=["node", str(script)],
        env={**env, "PORT": "0"},
        stdout=io.BytesIO(),
        stderr=io.BytesIO(),
        report=reports.append,
        notice=None,
        **kwargs,
    )


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


# Failures


async def test_missing_node(tmp_path: Path) -> None:
    """With no node on the PATH: one line, status 1."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    with pytest.raises(JitfluxError, match="^node not found") as caught:
        await trace(_options(app / "server.js", {"PATH": str(tmp_path)}))
    assert caught.value.status == 1


async def test_missing_script(tmp_path: Path) -> None:
    """A script that does not exist: one line naming it, status 2 (bad usage)."""
    with pytest.raises(JitfluxError, match="^script not found: .*nothere.js") as caught:
        await trace(_options(tmp_path / "nothere.js", dict(os.environ)))
    assert caught.value.status == 2


async def test_app_throwing_at_start(tmp_path: Path) -> None:
    """An app that throws before listening: status 1, its error line, and the trace written
    with what ran and the exit status."""
    script = tmp_path / "server.js"
    script.write_text(
        "function connect() { throw new Error('no database configured'); }\nconnect();\n"
    )
    result = await trace(_options(script, dict(os.environ), requests=[Request("GET", "/")]))
    assert result.status == 1
    assert result.error == (
        "the app exited (status 1) before listening: Error: no database configured"
    )
    meta = load(tmp_path / "trace.json").meta
    assert (meta["exit_status"], meta["complete"], meta["error"]) == (1, False, result.error)
    assert "connect" in {fn.name for fn in load(tmp_path / "trace.json").functions}


async def test_app_exiting_before_listening(tmp_path: Path) -> None:
    """An app that exits before listening (even with status 0): status 1 with its last error
    line; the trace is written with the app's exit status."""
    script = tmp_path / "server.js"
    for code in (3, 0):
        script.write_text(f"console.error('cannot start: port missing');\nprocess.exit({code});\n")
        result = await trace(_options(script, dict(os.environ)))
        assert result.status == 1
        assert result.error == (
            f"the app exited (status {code}) before listening: cannot start: port missing"
        )
        assert load(tmp_path / "trace.json").meta["exit_status"] == code


async def test_app_never_listening_with_a_driver(tmp_path: Path) -> None:
    """A driver waits for the app to listen only so long: then one line, status 1, the app
    stopped, and the trace written (incomplete, no exit status: jitflux stopped it)."""
    script = tmp_path / "server.js"
    script.write_text("setInterval(function tick() {}, 10);\n")
    options = _options(script, dict(os.environ), requests=[Request("GET", "/")])
    options.listen_timeout = 0.5
    result = await trace(options)
    assert result.status == 1
    assert result.error == "the app did not listen on a port within 0.5 s " \
                           "(give its port with --port?)"  # fmt: skip
    meta = load(tmp_path / "trace.json").meta
    assert (meta["complete"], meta["exit_status"], meta["error"]) == (False, None, result.error)
    assert "tick" in {fn.name for fn in load(tmp_path / "trace.json").functions}


async def test_app_never_listening_within_the_duration(tmp_path: Path) -> None:
    """Without a driver, an app that has not listened when --duration is over: status 1 and
    the trace written."""
    script = tmp_path / "server.js"
    script.write_text("setInterval(() => {}, 1000);\n")
    result = await trace(_options(script, dict(os.environ), duration=0.5))
    assert (result.status, result.error) == (
        1, "the app did not listen on a port within 0.5 s (give its port with --port?)"
    )  # fmt: skip
    assert load(tmp_path / "trace.json").meta["complete"] is False


async def test_failing_driver_still_writes_the_trace(tmp_path: Path) -> None:
    """A driver exiting non-zero gives status 1 with one line; the trace is written."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    result = await trace(_options(app / "server.js", express_env(5), drive="exit 3"))
    assert result.status == 1
    assert result.error == "the driver failed (exit status 3): exit 3"
    meta = load(app / "trace.json").meta
    assert (meta["driver_status"], meta["complete"]) == (3, True)


async def test_app_crashing_while_traced(tmp_path: Path) -> None:
    """An app crashing on a request gives status 1, its error, and a trace marked incomplete."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    (app / "server.js").write_text(
        "var app = require('express')();\n"
        "app.get('/', function (req, res) {\n"
        "  setImmediate(function () { throw new Error('crashed on request'); });\n"
        "});\n"
        "app.listen(process.env.PORT);\n"
    )
    requests = [Request("GET", "/"), Request("GET", "/")]
    result = await trace(_options(app / "server.js", express_env(5), requests=requests))
    assert result.status == 1
    assert result.error == "the app exited (status 1) while traced: Error: crashed on request"
    assert result.requests.failed >= 1
    meta = load(app / "trace.json").meta
    assert (meta["complete"], meta["exit_status"]) == (False, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("port", 70000, "not a TCP port"), ("duration", 0, "must be a positive number"),
     ("duration", -1, "must be a positive number"), ("duration", math.nan, "--duration nan"),
     ("duration", math.inf, "--duration inf"), ("settle", -1, "0 or more"),
     ("settle", math.inf, "--settle inf"), ("settle", math.nan, "--settle nan")],
)  # fmt: skip
async def test_bad_options_are_usage_errors(
    tmp_path: Path, field: str, value: float, message: str
) -> None:
    """Out-of-range, infinite or NaN --port, --duration or --settle: usage error (status 2),
    nothing started."""
    options = _options(tmp_path / "server.js", dict(os.environ))
    setattr(options, field, value)
    with pytest.raises(JitfluxError, match=message) as caught:
        await trace(options)
    assert caught.value.status == 2


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
    assert "ES module" not in summary(result.trace, result.output)


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
    assert "not traced: ES module server.js" in summary(result.trace, result.output)
