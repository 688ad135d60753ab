"""Time per part (node_shim/lib/timing.js), seen on a real app under real Express: each
function's parts counted and timed, their own time only, deltas between drains."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir

SPIN_MS = 30  # what `heavy` spins for, in tests/apps/shim-timing


def _by_name(timings: list[dict[str, Any]], dump: Dump) -> dict[str, dict[str, Any]]:
    return {dump.name(t["function"]): t for t in timings}


def test_a_part_counts_its_own_time(tmp_path: Path, express_version: int) -> None:
    """heavy's parts take its spin; light, which dispatches heavy synchronously through next(),
    is timed without it."""
    app = copy_app(app_dir("shim-timing"), tmp_path)
    with NodeApp(app, tmp_path / "run", express_version) as node:
        assert [node.get("/spin").text for _ in range(3)] == ["spun true\n"] * 3
    dump = Dump(node.dump())
    timings = _by_name(dump.data["timings"], dump)
    heavy, light = timings["heavy"], timings["light"]
    assert (heavy["count"], light["count"]) == (3, 3)
    assert heavy["total_ms"] >= 3 * SPIN_MS
    assert SPIN_MS <= heavy["max_ms"] <= heavy["total_ms"]
    # Counted in light, heavy's spins would make it 90 ms or more.
    assert light["total_ms"] < SPIN_MS
    assert timings[""]["count"] == 1  # the top level: one part


def test_timings_are_deltas_between_drains(tmp_path: Path, express_version: int) -> None:
    """A batch holds the parts that ended since the previous drain; the dump holds them all."""
    with NodeApp(
        copy_app(app_dir("shim-drain"), tmp_path), tmp_path / "run", express_version
    ) as node:
        for _ in range(5):
            assert node.get("/work").status == 200
        first = json.loads(node.get("/drain").body)
        assert node.get("/work").status == 200
        second = json.loads(node.get("/drain").body)
    dump = Dump(node.dump())

    def counts(batch: dict[str, Any]) -> dict[str, int]:
        return {name: t["count"] for name, t in _by_name(batch["timings"], dump).items()}

    # The drain running when it drains has not ended yet: it counts in the next batch.
    assert counts(first) == {"": 1, "work": 5, "stated": 5}
    assert counts(second) == {"work": 1, "stated": 1, "drain": 1}
    assert counts(dump.data) == {"": 1, "work": 6, "stated": 6, "drain": 2}
    for t in dump.data["timings"]:
        assert 0 <= t["max_ms"] <= t["total_ms"]
