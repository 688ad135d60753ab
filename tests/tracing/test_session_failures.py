"""`trace()` when something fails: no node, no script, an app that throws, exits, never listens
or crashes, a failing driver, bad options. One clear error and its status; the trace still
written with what ran."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from jitflux.errors import JitfluxError
from jitflux.trace import load
from jitflux.tracing.drive import Request
from jitflux.tracing.session import trace
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.node_helpers import leftover_nodes
from tests.tracing.sessions import quiet_options as _options


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


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
