"""The built wheel: it holds every package and the shim, and traces from a venv outside the tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, copy_app, express_env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, as a user builds it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("jitflux-*.whl")
    return found


def test_wheel_holds_every_package_and_the_shim(wheel: Path) -> None:
    """Every Python package of the tree and the shim with its npm dependencies are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "jitflux").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
    for js in (ROOT / "node_shim").glob("**/*.js"):
        relative = js.relative_to(ROOT / "node_shim").as_posix()
        if relative.startswith(("lib/", "node_modules/acorn/dist/")) or relative == "index.js":
            assert f"jitflux/node_shim/{relative}" in names
    assert "jitflux/node_shim/node_modules/eslint-scope/package.json" in names
    # The report's page template and the Graphviz renderer it embeds.
    assert {"jitflux/report/templates/page.js", "jitflux/report/templates/page.html"} <= names
    assert "jitflux/report/assets/node_modules/@viz-js/viz/dist/viz-global.js" in names


def test_installed_wheel_traces_emits_and_explains(wheel: Path, tmp_path: Path) -> None:
    """A fresh venv outside the checkout with only the wheel installed traces an example."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", str(wheel)], check=True, capture_output=True
    )
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    env = express_env(5)
    env["PORT"] = "0"
    # No trace of the checkout may leak in: the venv's jitflux must find its own shim.
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    trace = tmp_path / "trace.json"
    run = subprocess.run(
        ["jitflux", "trace", "--request", "GET /", "-o", str(trace), "--", "node", "server.js"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import jitflux.tracing.launch as l; print(l.SHIM)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in located.stdout
    fluxions = subprocess.run(
        ["jitflux", "emit", "--from", str(trace), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    names = {f["name"]: f for f in json.loads(fluxions.stdout)["fluxions"]}
    assert names["handler"]["isolated"] is True
    assert names["reply"]["context"] == ["count", "template"]
    explained = subprocess.run(
        ["jitflux", "explain", "--from", str(trace), "reply"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "count" in explained.stdout
    page = tmp_path / "report.html"
    subprocess.run(
        ["jitflux", "report", "--from", str(trace), "-o", str(page)],
        env=env,
        capture_output=True,
        check=True,
    )
    assert "renderSVGElement" in page.read_text(encoding="utf-8")
