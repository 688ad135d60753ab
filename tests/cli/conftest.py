"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, copy_app, express_env


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The paper's counter app copied out of the tree, run with Express 5 on a random port."""
    for key, value in {**express_env(5), "PORT": "0"}.items():
        monkeypatch.setenv(key, value)
    return copy_app(EXAMPLES / "paper-counter", tmp_path) / "server.js"
