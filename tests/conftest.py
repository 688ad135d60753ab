"""Shared fixtures: where the examples are, and copies of them wired to Express 4 or 5."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NODE_SHIM = ROOT / "node_shim"
# node_modules folders holding each Express major version (installed by `make setup`).
EXPRESS_MODULES = {
    5: EXAMPLES / "node_modules",
    4: EXAMPLES / "express4" / "node_modules",
}


def express_env(version: int) -> dict[str, str]:
    """An environment whose `require('express')` finds Express `version` (for apps out of tree)."""
    env = dict(os.environ)
    env["NODE_PATH"] = str(EXPRESS_MODULES[version])
    return env


def copy_app(source: Path, tmp_path: Path) -> Path:
    """Copy an app folder into tmp_path (so it resolves modules through NODE_PATH only)."""
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("trace.json", "node_modules"))
    return target


@pytest.fixture(params=[4, 5], ids=["express4", "express5"])
def express_version(request: pytest.FixtureRequest) -> int:
    """Run the test once on Express 4 and once on Express 5."""
    return request.param
