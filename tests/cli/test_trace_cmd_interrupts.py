"""`jitflux trace` stopped from outside: Ctrl-C (SIGINT), SIGTERM or SIGHUP before, during or after
the driver, and SIGKILL. One line, a defined exit status, the trace written with what ran, and no
node left behind."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from jitflux.trace import load
from tests.node_helpers import MARKER, leftover_nodes, running


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def _read_line(stream: object, process: subprocess.Popen[str], limit: float = 30.0) -> str:
    """A line of the process's stderr; fails (instead of hanging) when none comes in `limit`."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.1)
        if ready:
            return stream.readline()  # type: ignore[attr-defined,no-any-return]
        assert process.poll() is None, "jitflux exited early"
    raise AssertionError("no line from jitflux")


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_ctrl_c_without_driver_writes_trace_and_leaves_no_node(
    counter: Path, tmp_path: Path, signum: int
) -> None:
    """SIGINT/SIGTERM/SIGHUP without a driver: exit 0, the trace written, no node left."""
    marker = uuid.uuid4().hex
    output = tmp_path / "t.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "trace", "-o", str(output), "--", "node", str(counter)],
        env={**os.environ, MARKER: marker},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _read_line(process.stderr, process)
        assert line.startswith("jitflux: tracing http://127.0.0.1:"), line
        url = line.split()[2].rstrip(";")
        assert urllib.request.urlopen(url + "/").read().startswith(b"request 1: ")
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    assert f"trace written to {output}" in out
    meta = load(output).meta
    assert meta["complete"] is True
    assert leftover_nodes(marker) == []


def test_killed_jitflux_takes_node_with_it(counter: Path, tmp_path: Path) -> None:
    """Even when jitflux is killed with SIGKILL, the node it started (and its inspector) dies."""
    marker = uuid.uuid4().hex
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "trace", "-o", str(tmp_path / "t.json"),
         "node", str(counter)],
        env={**os.environ, MARKER: marker}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert _read_line(process.stderr, process).startswith("jitflux: tracing ")
        assert leftover_nodes(marker) != []
        process.kill()
        process.wait()
        deadline = time.monotonic() + 30  # the kernel signals node at once; this only guards
        while leftover_nodes(marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert leftover_nodes(marker) == []
    finally:
        process.kill()
        process.wait()


def test_ctrl_c_during_driver_exits_130_with_incomplete_trace(
    counter: Path, tmp_path: Path
) -> None:
    """SIGINT during the driver: driver stopped, exit 130, incomplete trace, no node left."""
    marker = uuid.uuid4().hex
    output = tmp_path / "t.json"
    started = tmp_path / "driver-pid"
    drive = f"echo $$ > {started}; sleep 60"
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "trace", "-q", "--drive", drive, "-o", str(output),
         "node", str(counter)],
        env={**os.environ, MARKER: marker}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (started.exists() and started.read_text().strip()):
            assert process.poll() is None and time.monotonic() < deadline, "no driver ran"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert (process.returncode, err) == (130, "jitflux: interrupted\n")
    assert load(output).meta["complete"] is False
    assert not running(int(started.read_text()))
    assert leftover_nodes(marker) == []


def test_ctrl_c_during_start_up(tmp_path: Path) -> None:
    """SIGINT while the app starts (before it listens): one line, exit 130, no traceback, the
    app stopped, what was recorded written (incomplete)."""
    marker = uuid.uuid4().hex
    started = tmp_path / "started"
    script = tmp_path / "server.js"
    script.write_text(
        f"require('fs').writeFileSync({json.dumps(str(started))}, 'x');\n"
        "setTimeout(() => require('http').createServer().listen(0), 60000);\n"
    )
    output = tmp_path / "t.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "trace", "-o", str(output), "node", str(script)],
        env={**os.environ, MARKER: marker}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the app never ran"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert (process.returncode, err) == (130, "jitflux: interrupted before the app listened\n")
    assert f"trace written to {output} (incomplete)" in out
    assert load(output).meta["complete"] is False
    assert leftover_nodes(marker) == []


def test_ctrl_c_while_jitflux_starts_is_one_line() -> None:
    """SIGINT while jitflux is still importing its subcommands: one line, exit 130, no
    traceback."""
    # Ctrl-C comes as KeyboardInterrupt in the middle of importing a subcommand.
    script = """
import sys
class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "jitflux.cli.trace_cmd":
            raise KeyboardInterrupt
sys.meta_path.insert(0, CtrlC())
import jitflux.cli
sys.exit(jitflux.cli.main(["trace", "node", "x.js"]))
"""
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert (process.returncode, process.stdout, process.stderr) == (
        130, "", "jitflux: interrupted\n"
    )  # fmt: skip
