"""Fixtures of the run and verify tests: real traces of the examples, no node left behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jitflux.trace import dump
from tests.conftest import EXAMPLES
from tests.e2e.apps import trace_app
from tests.node_helpers import leftover_nodes

APPS = Path(__file__).resolve().parent.parent / "apps"


@pytest.fixture(autouse=True)
def _no_node_left() -> Iterator[None]:
    """No node process (nor worker thread with it) outlives a test of this folder."""
    yield
    assert leftover_nodes() == []


def requests_of(name: str) -> list[str]:
    """The request lines of an example's requests.txt."""
    text = (EXAMPLES / name / "requests.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., tuple[Path, Path]]:
    """Trace an app (an example's name, or a folder) for real with Express 4 or 5 and the given
    requests, once per module; (the app's copy, its trace file)."""
    runs: dict[tuple[str, int, tuple[str, ...]], tuple[Path, Path]] = {}

    def run(name: str, express: int = 5, requests: list[str] | None = None) -> tuple[Path, Path]:
        lines = tuple(requests if requests is not None else requests_of(name))
        key = (name, express, lines)
        if key not in runs:
            source = EXAMPLES / name if (EXAMPLES / name).is_dir() else APPS / name
            tmp = tmp_path_factory.mktemp(f"{name}-express{express}")
            result = trace_app(source, list(lines), express, tmp)
            trace_file = tmp / "trace.json"
            dump(result.trace, trace_file)
            runs[key] = (result.app, trace_file)
        return runs[key]

    return run
