"""Child processes and worker threads of the traced app: they run with no inspector; node child
processes are traced into the same trace."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from jitflux.trace import load
from jitflux.tracing.session import TraceOptions, TraceResult, trace
from tests.node_helpers import (
    MARKER,
    leftover_nodes,
    listening_ports,
    marked_nodes,
    port_refuses,
    untraced_app,
)

# Each app answers through its children: a forked process, two cluster workers, a worker thread.
APPS = {
    "fork": """
const { fork } = require('child_process');
const http = require('http');
if (process.argv[2] === 'child') {
  process.on('message', (m) => process.send(`child ${process.execArgv.length} got ${m}`));
} else {
  const child = fork(__filename, ['child']);
  http.createServer((req, res) => {
    child.once('message', (m) => res.end(m));
    child.send(req.url);
  }).listen(Number(process.env.PORT));
}
""",
    "cluster": """
const cluster = require('cluster');
const http = require('http');
if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
} else {
  http.createServer((req, res) => res.end(`a cluster worker got ${req.url}`))
    .listen(Number(process.env.PORT));
}
""",
    "worker": """
const { Worker } = require('worker_threads');
const http = require('http');
const worker = new Worker(`
  const { parentPort } = require('worker_threads');
  parentPort.on('message', (m) => parentPort.postMessage('worker thread got ' + m));
`, { eval: true });
worker.on('online', () => {
  http.createServer((req, res) => {
    worker.once('message', (m) => res.end(m));
    worker.postMessage(req.url);
  }).listen(Number(process.env.PORT));
});
""",
}
PATHS = ["/a", "/b?c=1", "/d", "/e"]
# How many child processes (not threads) each app starts, and whether it starts a thread.
CHILDREN = {"fork": (1, False), "cluster": (2, False), "worker": (0, True)}


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def _get(port: int, path: str) -> bytes:
    return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()


def _inspector_port(result: TraceResult) -> int:
    assert result.inspector_url is not None
    return int(result.inspector_url.split(":")[2].split("/")[0])


async def _wait_file(path: Path, limit: float = 30.0) -> str:
    """The text of `path` once something is written there (a guard against hanging)."""
    deadline = time.monotonic() + limit
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"nothing written to {path}"
        await asyncio.sleep(0.05)
    return path.read_text().strip()


@pytest.mark.parametrize("name", sorted(APPS))
async def test_children_answer_as_untraced_with_no_inspector(tmp_path: Path, name: str) -> None:
    """fork, cluster and worker_threads apps answer traced exactly as untraced; no child opens
    an inspector; node child processes are traced into the same trace (ids prefixed by process),
    worker threads are listed as not traced; nothing is left running or listening afterwards."""
    script = tmp_path / f"{name}.js"
    script.write_text(APPS[name])
    with untraced_app(script, dict(os.environ)) as port:
        untraced = [await asyncio.to_thread(_get, port, path) for path in PATHS]

    marker = uuid.uuid4().hex
    port_file, go = tmp_path / "port", tmp_path / "go"
    options = TraceOptions(
        command=["node", str(script)],
        output=tmp_path / "trace.json",
        env={**os.environ, "PORT": "0", MARKER: marker},
        drive=f"echo $PORT > {port_file}; while [ ! -e {go} ]; do sleep 0.05; done",
        stdout=io.BytesIO(),
        stderr=io.BytesIO(),
        report=lambda line: None,
        notice=None,
    )
    tracing = asyncio.create_task(trace(options))
    try:
        port = int(await _wait_file(port_file))
        traced = [await asyncio.to_thread(_get, port, path) for path in PATHS]
        nodes = marked_nodes(marker)
        listening = listening_ports(nodes)
    finally:
        go.touch()
        result = await tracing
    assert result.status == 0, result.error
    assert traced == untraced
    assert listening == {port, _inspector_port(result)}
    written = load(tmp_path / "trace.json")
    main, *others = written.meta["processes"]
    assert main["main"] and main["traced"] and main["pid"] in nodes
    children, thread = CHILDREN[name]
    forked = [p for p in others if "thread" not in p]
    assert sorted(p["pid"] for p in forked) == sorted(set(nodes) - {main["pid"]})
    assert [p["pid"] for p in others if "thread" in p] == ([main["pid"]] if thread else [])
    assert not any(p["main"] for p in others)
    # Child processes are traced into the same trace, their ids prefixed; threads are not.
    assert all(p["traced"] and p["id_prefix"] == f"p{p['pid']}." for p in forked)
    assert not any(p["traced"] for p in others if "thread" in p)
    served = {(rp.callee, rp.callback.split(".")[0]) for rp in written.rupture_points
              if rp.count == len(PATHS) or name == "cluster"}  # fmt: skip
    if name == "fork":
        assert ("process.on", f"p{forked[0]['pid']}") in served
    if name == "cluster":
        assert {callback for callee, callback in served if callee == "http.createServer"} <= {
            f"p{p['pid']}" for p in forked
        }
        assert written.meta["requests_received"] == len(PATHS)
    assert len(nodes) == 1 + children
    assert marked_nodes(marker) == []
    assert port_refuses(_inspector_port(result))


def test_killed_jitflux_leaves_no_child_or_inspector(tmp_path: Path) -> None:
    """When jitflux is killed with SIGKILL while a cluster app runs, the primary and its workers
    end and nothing of theirs is left listening."""
    script = tmp_path / "cluster.js"
    script.write_text(APPS["cluster"])
    marker = uuid.uuid4().hex
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "trace", "-o", str(tmp_path / "t.json"),
         "node", str(script)],
        env={**os.environ, "PORT": "0", MARKER: marker},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # blocks until tracing starts (or jitflux exits)
        assert line.startswith("jitflux: tracing http://127.0.0.1:"), line
        port = int(line.split()[2].rstrip(";").rsplit(":", 1)[1])
        assert _get(port, "/x") == b"a cluster worker got /x"
        nodes = marked_nodes(marker)
        assert len(nodes) == 3 and port in listening_ports(nodes)
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30  # workers leave when the primary's channel closes
        while marked_nodes(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marked_nodes(marker) == []
        assert port_refuses(port)
    finally:
        process.kill()
        process.wait()
