"""Traffic: request lines, request files, sending them to a real Express app, driver commands."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jitflux.errors import JitfluxError
from jitflux.tracing.drive import Request, parse_request, read_requests, run_command, send_requests
from tests.conftest import express_env
from tests.node_helpers import free_port, leftover_nodes, running

# An Express app that answers each request with what it received, and keeps a log of them.
ECHO_APP = """
const express = require('express');
const app = express();
const seen = [];
app.use(express.text({ type: 'text/*' }));
app.use(express.json());
app.get('/log', (req, res) => res.json(seen));
app.get('/boom', (req, res) => res.status(500).send('boom'));
app.get('/missing', (req, res) => res.status(404).send('no'));
app.all('*splat', (req, res) => {
  seen.push([req.method, req.url, req.get('content-type') || null,
             req.body === undefined ? null : req.body]);
  res.send('ok');
});
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
"""


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


@pytest.fixture
def echo_port(tmp_path: Path) -> Iterator[int]:
    """The port of a running echo app (Express 5) on 127.0.0.1."""
    script = tmp_path / "echo.js"
    script.write_text(ECHO_APP)
    process = subprocess.Popen(
        ["node", str(script)], env=express_env(5), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.kill()
        process.wait()


def _get_json(port: int, path: str) -> object:
    return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read())


def test_parse_request_lines() -> None:
    """A request line gives method (upper-cased), path with query, and the rest as body."""
    assert parse_request("get /?v=1", "x") == Request("GET", "/?v=1")
    assert parse_request("  POST /image/text  hello  world ", "x") == Request(
        "POST", "/image/text", "hello  world"
    )
    assert str(Request("POST", "/a", "b c")) == "POST /a b c"


@pytest.mark.parametrize("line", ["GET", "GET image", "/path", "G3T /x", ""])
def test_bad_request_line_is_usage_error(line: str) -> None:
    """A line that is not `METHOD /path [BODY]` is a usage error naming where it came from."""
    with pytest.raises(JitfluxError, match="^here: not a request") as caught:
        parse_request(line, "here")
    assert caught.value.status == 2


def test_read_requests_skips_blanks_and_comments(tmp_path: Path) -> None:
    """A requests file gives one request a line; blank lines and # comments are skipped."""
    path = tmp_path / "requests.txt"
    path.write_text('# warm up\nGET /\n\n  # again\nPOST /x {"a": 1}\n')
    assert read_requests(path) == [Request("GET", "/"), Request("POST", "/x", '{"a": 1}')]


def test_read_requests_names_file_and_line_of_a_bad_one(tmp_path: Path) -> None:
    """A bad line in a requests file is a usage error naming file:line."""
    path = tmp_path / "requests.txt"
    path.write_text("GET /\n# fine\nfetch everything\n")
    with pytest.raises(JitfluxError, match=f"^{path}:3: not a request") as caught:
        read_requests(path)
    assert caught.value.status == 2


def test_read_requests_missing_file(tmp_path: Path) -> None:
    """A requests file that does not exist is a usage error."""
    with pytest.raises(JitfluxError, match="cannot read the requests") as caught:
        read_requests(tmp_path / "none.txt")
    assert caught.value.status == 2


async def test_requests_are_sent_in_order_with_their_bodies(echo_port: int) -> None:
    """Requests reach the app in order; JSON bodies are sent as JSON, others as text."""
    reports: list[str] = []
    requests = [
        Request("POST", "/a", '{"n": 1}'),
        Request("PUT", "/b?x=1", "plain words"),
        Request("POST", "/c", "[not json"),
        Request("GET", "/d"),
    ]
    result = await send_requests(echo_port, requests, reports.append)
    assert (result.sent, result.failed, reports) == (4, 0, [])
    log = await asyncio.to_thread(_get_json, echo_port, "/log")
    assert log == [
        ["POST", "/a", "application/json", {"n": 1}],
        ["PUT", "/b?x=1", "text/plain; charset=utf-8", "plain words"],
        ["POST", "/c", "text/plain; charset=utf-8", "[not json"],
        ["GET", "/d", None, None],
    ]


async def test_failed_requests_are_reported_and_counted(echo_port: int) -> None:
    """A 5xx answer or no answer counts as failed with one report line; a 404 does not."""
    reports: list[str] = []
    result = await send_requests(
        echo_port, [Request("GET", "/boom"), Request("GET", "/missing")], reports.append
    )
    assert (result.sent, result.failed) == (2, 1)
    assert reports == ["request 1 (GET /boom) failed: 500 Internal Server Error"]
    reports.clear()
    result = await send_requests(free_port(), [Request("GET", "/")], reports.append)
    assert (result.sent, result.failed) == (1, 1)
    assert len(reports) == 1 and reports[0].startswith("request 1 (GET /) failed: ")


async def test_drive_command_gets_port_and_url(tmp_path: Path) -> None:
    """The driver command runs with PORT and JITFLUX_URL set; its exit status is returned."""
    out = tmp_path / "env.txt"
    command = f'echo "$PORT $JITFLUX_URL" > {out}; exit 3'
    assert await run_command(command, 4321, dict(os.environ)) == 3
    assert out.read_text() == "4321 http://127.0.0.1:4321\n"


async def test_cancelled_drive_command_is_stopped_with_its_children(tmp_path: Path) -> None:
    """Cancelling the driver stops its whole process group, children included."""
    pids = tmp_path / "pids"
    command = f"sleep 60 & echo $$ $! > {pids}; wait"
    task = asyncio.create_task(run_command(command, 1, dict(os.environ), grace=1))
    while not pids.exists() or not pids.read_text().strip():
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not any(running(int(pid)) for pid in pids.read_text().split())


async def test_paths_starting_with_two_slashes_go_to_the_app_as_written(
    echo_port: int, tmp_path: Path
) -> None:
    """`//host:port/x` and `//evil.example.com/x` are paths on the traced app, sent as written
    (never to another host); non-ASCII is percent-encoded, escapes are kept."""
    # Something listening where `//127.0.0.1:PORT/x` would lead if it were taken as a host.
    with socket.socket() as decoy:
        decoy.bind(("127.0.0.1", 0))
        decoy.listen()
        decoy.setblocking(False)
        other = f"//127.0.0.1:{decoy.getsockname()[1]}/x"
        reports: list[str] = []
        requests = [
            Request("GET", other),
            Request("GET", "//evil.example.com/x?q=1"),
            Request("GET", "/caf\u00e9/%2F..%2f?x=%20"),
        ]
        result = await send_requests(echo_port, requests, reports.append)
        with pytest.raises(BlockingIOError):
            decoy.accept()  # nothing came to the other "host"
    assert (result.sent, result.failed, reports) == (3, 0, [])
    log = await asyncio.to_thread(_get_json, echo_port, "/log")
    assert [entry[1] for entry in log] == [
        other,
        "//evil.example.com/x?q=1",
        "/caf%C3%A9/%2F..%2f?x=%20",
    ]
