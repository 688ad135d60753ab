"""Built-ins replaced by the app: the shim uses the ones it saved when it was loaded
(node_shim/lib/primordials.js), so it never runs the app's replacements nor begins parts in
them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_app
from tests.shim.shimrun import SHIM, Dump, NodeApp, app_dir, run_node

PATHS = ["/a", "/b", "/a", "/counts"]
WRAPPERS = ["pushWrapper", "setWrapper", "callWrapper", "stringifyWrapper", "thenWrapper"]
# A driver that sends PATHS with pauses longer than jitflux's drain interval (0.25 s), so that
# batches are drained through the inspector between requests, and saves the bodies as JSON.
PAUSING_DRIVER = r"""
import json, os, sys, time, urllib.request
bodies = []
for path in sys.argv[2:]:
    time.sleep(0.6)
    url = "http://127.0.0.1:" + os.environ["PORT"] + path
    bodies.append(urllib.request.urlopen(url, timeout=10).read().decode())
json.dump(bodies, open(sys.argv[1], "w"))
"""


def plain_env() -> dict[str, str]:
    """The caller's environment without JITFLUX_* variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}


def served(app: Path, work: Path, traced: bool, effects: bool = True) -> tuple[list[str], Dump]:
    """The shim-patched server's bodies for PATHS (the last one: its wrappers' counts), and the
    dump when traced. Untraced, the app tells its port itself: no probing connection."""
    with NodeApp(app, work, traced=traced, effects=effects, probe=False) as node:
        bodies = [node.get(path).text for path in PATHS]
    assert node.stderr == ""
    return bodies, Dump(node.dump() if traced else {"functions": [], "external": []})


def wrapper_parts(dump: Dump, name: str) -> int:
    """How many parts began in the app's wrapper `name` (rupture points into it)."""
    ids = {f["id"] for f in dump.data["functions"] if f["name"] == name}
    return sum(r["count"] for r in dump.data["rupture_points"] if r["callback"] in ids)


@pytest.mark.parametrize("effects", [True, False], ids=["effects", "ruptures-only"])
def test_wrapped_builtins_are_not_called_by_the_shim(tmp_path: Path, effects: bool) -> None:
    """A server that wraps Array.prototype.push, Map.prototype.set, Function.prototype.call and
    apply, JSON.stringify and Promise.prototype.then answers the same traced, and each wrapper is
    called exactly as often as untraced."""
    app = copy_app(app_dir("shim-patched"), tmp_path)
    plain, _ = served(app, tmp_path / "plain", traced=False)
    traced, dump = served(app, tmp_path / "traced", traced=True, effects=effects)
    assert traced == plain
    counts = json.loads(plain[-1])
    assert counts["push"] > 0 and counts["set"] == 3 and counts["then"] > 0
    assert json.loads(plain[0]) == {"n": 1, "later": 1, "v": [1, "/a"], "list": ["/A"]}
    # The app's own callbacks are traced as usual.
    callees = {r["callee"] for r in dump.data["rupture_points"]}
    assert {"store.remember(n).then", "await", "http.createServer"} <= callees


def test_no_parts_begin_in_wrappers_beyond_their_own_calls(tmp_path: Path) -> None:
    """With --no-effects, the shim records no part in a wrapper that Node did not itself call
    (jitflux 0.1 recorded `http request x10113` into the push wrapper), and says that Node calls
    the app's Function.prototype.apply."""
    app = copy_app(app_dir("shim-patched"), tmp_path)
    plain, _ = served(app, tmp_path / "plain", traced=False)
    _, dump = served(app, tmp_path / "traced", traced=True, effects=False)
    counts = json.loads(plain[-1])
    for name, key in zip(WRAPPERS, ["push", "set", "call", "stringify", "then"], strict=True):
        assert wrapper_parts(dump, name) <= counts[key], name
    # Node's async-hooks trampoline applies every callback: that call begins no part.
    assert wrapper_parts(dump, "applyWrapper") == 0
    assert [w for w in dump.data["warnings"] if "Function.prototype.apply" in w] != []


def test_wrapped_builtins_through_the_inspector(tmp_path: Path) -> None:
    """Traced by `jitflux trace` (batches drained through the inspector between requests), the
    wrappers count the same calls as untraced."""
    app = copy_app(app_dir("shim-patched"), tmp_path)
    plain, _ = served(app, tmp_path / "plain", traced=False)
    driver = tmp_path / "driver.py"
    driver.write_text(PAUSING_DRIVER)
    bodies = tmp_path / "bodies.json"
    drive = f"{sys.executable} {driver} {bodies} {' '.join(PATHS)}"
    result = subprocess.run(
        [sys.executable, "-m", "jitflux", "trace", "-q", "--drive", drive,
         "-o", str(tmp_path / "t.json"), "--", "node", str(app / "server.js")],
        env={**plain_env(), "PORT": "0"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(bodies.read_text()) == plain
    trace: dict[str, Any] = json.loads((tmp_path / "t.json").read_text())
    assert trace["rupture_points"] != []


def test_many_wrapped_builtins_in_a_program(tmp_path: Path) -> None:
    """A program that wraps ~50 built-ins (array and map methods, iterators, strings, regexps,
    call/bind/toString, JSON, Object, Reflect, Math, Error.captureStackTrace), then requires a
    module, runs timers, promises, events and a stack trace: the same output traced, every
    wrapper called as often, except Array.prototype.pop, which Node's async-hooks trampoline
    calls once per event-loop callback (PROTOCOL.md)."""
    app = copy_app(app_dir("shim-patched"), tmp_path)
    env = plain_env()
    plain = run_node(["script.js"], app, env)
    dump = tmp_path / "dump.json"
    traced = run_node(
        ["--require", str(SHIM), "script.js"],
        app,
        {**env, "JITFLUX_ROOT": str(app), "JITFLUX_DUMP": str(dump)},
    )
    assert (plain.returncode, plain.stderr) == (0, "")
    assert (traced.returncode, traced.stderr) == (0, "")
    first, *plain_counts = plain.stdout.splitlines()
    assert first.startswith("6 | 2 | 4 | 60 | boom | at Object.fail (")
    assert first.endswith('lib.js:18:9) | [["a",2],["b",1]] | 1+2')
    traced_lines = traced.stdout.splitlines()
    assert traced_lines[0] == first
    pops = [line for line in traced_lines[1:] if line.startswith("Array.pop ")]
    assert sorted(set(traced_lines[1:]) - set(pops)) == sorted(
        line for line in plain_counts if not line.startswith("Array.pop ")
    )
    assert len(plain_counts) >= 15
    assert json.loads(dump.read_text())["warnings"] != []
