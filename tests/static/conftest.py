"""Fixtures for the static compiler's tests: small apps written into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Path]:
    """Write files into a temporary app folder (`server_js="..."` is server.js, `lib__a_js` is
    lib/a.js); returns the first one's path."""

    def write(**files: str) -> Path:
        paths = []
        for name, text in files.items():
            path = tmp_path / name.replace("__", "/").replace("_js", ".js")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return paths[0]

    return write
