"""children.js: the app and its children see process.execArgv as they would untraced."""

from __future__ import annotations

import json
import os
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


# The child sends what it sees of its options and its pid; the parent prints them.
OPTIONS_APP = """
const { fork } = require('child_process');
if (process.argv[2] === 'child') {
  function hello() { return [process.env.NODE_OPTIONS || null, process.execArgv, process.pid]; }
  process.send(hello());
} else {
  const child = fork(__filename, ['child']);
  child.on('message', (m) => {
    console.log(JSON.stringify(m));
    child.disconnect();
  });
}
"""


@pytest.mark.parametrize("node_options", [None, "--no-deprecation"])
def test_child_is_traced_with_its_own_node_options(
    tmp_path: Path, node_options: str | None
) -> None:
    """With JITFLUX_CHILDREN, a forked child sees NODE_OPTIONS and process.execArgv as it would
    untraced, and leaves its record (functions it ran) and a card with its pid in the folder."""
    script = tmp_path / "app.js"
    script.write_text(OPTIONS_APP)
    folder = tmp_path / "children"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    if node_options is not None:
        env["NODE_OPTIONS"] = node_options
    def run(command: list[str], env: dict[str, str]) -> str:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30,
                              check=True).stdout  # fmt: skip

    untraced = run(["node", str(script)], env)
    traced_env = {**env, "JITFLUX_CHILDREN": str(folder), "JITFLUX_ROOT": str(tmp_path)}
    traced = run(["node", "--require", str(SHIM), str(script)], traced_env)
    seen, seen_untraced = json.loads(traced), json.loads(untraced)
    assert seen[:2] == seen_untraced[:2] == [node_options, []]
    (card,) = folder.glob("*.json.pid")
    assert json.loads(card.read_text())["pid"] == seen[2]
    dump = json.loads(card.with_suffix("").read_text())
    assert "hello" in {f["name"] for f in dump["functions"]}
