"""children.js: the app and its children see process.execArgv as they would untraced."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NODE_SHIM

SHIM = NODE_SHIM / "index.js"
# Prints process.execArgv, then what a forked child sees as its own.
APP = """
const { fork } = require('child_process');
if (process.argv[2] === 'child') {
  process.send(process.execArgv);
} else {
  const child = fork(__filename, ['child']);
  child.on('message', (m) => {
    console.log(JSON.stringify([process.execArgv, m]));
    child.disconnect();
  });
}
"""


@pytest.mark.parametrize(
    "preload", [["--require", str(SHIM)], [f"--require={SHIM}"], ["-r", str(SHIM)]]
)
def test_exec_argv_without_inspector_flags_or_shim(tmp_path: Path, preload: list[str]) -> None:
    """The inspector flags and the shim's own --require are gone from process.execArgv, in the
    app and in a forked child; the user's node options stay, in order."""
    script = tmp_path / "app.js"
    script.write_text(APP)
    other = tmp_path / "other.js"
    other.write_text("")
    command = ["node", "--inspect-publish-uid=stderr", "--max-old-space-size=64", *preload,
               "-r", str(other), "--no-warnings", str(script)]  # fmt: skip
    untraced = ["--max-old-space-size=64", "-r", str(other), "--no-warnings"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out) == [untraced, untraced]
