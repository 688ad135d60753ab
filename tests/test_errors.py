"""The error tree: one table of exit statuses, the CDP errors in it, no traceback on attach."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from jitflux import cdp, errors
from jitflux.cli import main
from jitflux.errors import (
    EXIT_STATUS,
    AppError,
    InspectorError,
    Interrupted,
    JitfluxError,
    UsageError,
    exit_status,
)
from tests.conftest import EXAMPLES, copy_app
from tests.node_helpers import free_port, leftover_nodes


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.UsageError, 2),
        (errors.OutputError, 2),
        (errors.InvalidTrace, 2),
        (errors.AppError, 1),
        (errors.NodeNotFound, 1),
        (errors.AppExited, 1),
        (errors.NotListening, 1),
        (errors.DriverError, 1),
        (errors.InspectorError, 1),
        (errors.InstallationError, 1),
        (errors.Interrupted, 130),
        (cdp.ConnectionClosed, 1),
        (cdp.EvaluationError, 1),
        (cdp.MessageError, 1),
    ],
)
def test_status_of_each_class(cls: type[JitfluxError], status: int) -> None:
    """Each class's exit status comes from the one table, through its nearest listed class,
    and `status` reads the same."""
    error = cls("x")
    assert (exit_status(error), cls.status) == (status, status)


def test_cdp_errors_are_inspector_errors() -> None:
    """The CDP client's errors are inspector errors, so a caller catching JitfluxError sees
    them too; a protocol error keeps the inspector's own message apart from its line."""
    error = cdp.ProtocolError(-32000, "Invalid remote object id", "nope")
    assert isinstance(error, InspectorError) and isinstance(error, JitfluxError)
    assert (error.reason, error.message) == (
        "Invalid remote object id",
        "Invalid remote object id (code -32000): nope",
    )


def test_table_covers_the_tree_roots() -> None:
    """Every direct subclass of JitfluxError has its own row: none falls back by accident."""
    assert set(JitfluxError.__subclasses__()) <= set(EXIT_STATUS)
    assert not issubclass(UsageError, AppError)


def test_interrupted_by_another_signal() -> None:
    """An interruption by signal N exits 128 + N (SIGTERM: 143)."""
    assert exit_status(Interrupted("interrupted", signal.SIGTERM)) == 143


def test_inspector_that_cannot_be_attached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node whose inspector URL leads nowhere: one line, exit status 1, no traceback, no
    node left running."""
    real_node = shutil.which("node")
    assert real_node is not None
    port = free_port()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "node"
    # A real node without an inspector, which says on stderr that one listens on a closed port.
    line = f"Debugger listening on ws://127.0.0.1:{port}/0f3c0a52-7d2b-4c0e-9a61-2f4b8d1e5a77"
    fake.write_text(
        "#!/bin/sh\n"
        f"exec {real_node} -e 'process.stderr.write(\"{line}\\n\"); setInterval(() => 0, 1000)'\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    status = main(["trace", "-o", str(tmp_path / "t.json"), "--request", "GET /",
                   "node", str(app / "server.js")])  # fmt: skip
    err = capsys.readouterr().err
    assert (status, err) == (1, "jitflux: cannot connect to the app's inspector\n")
    assert leftover_nodes() == []
