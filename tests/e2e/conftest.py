"""Fixtures of the end-to-end tests: no node left behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.node_helpers import leftover_nodes


@pytest.fixture(autouse=True)
def _no_node_left() -> Iterator[None]:
    """No node process outlives a test of this folder."""
    yield
    assert leftover_nodes() == []
