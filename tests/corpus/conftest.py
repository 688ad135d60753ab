"""Fixtures of the corpus tests: the corpus folder, jitflux beside this Python, no node left."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.node_helpers import leftover_nodes

CORPUS = ROOT / "corpus"
JITFLUX = str(Path(sys.executable).parent / "jitflux")


@pytest.fixture(autouse=True)
def _no_node_left() -> Iterator[None]:
    """No node process outlives a test of this folder."""
    yield
    assert leftover_nodes() == []
