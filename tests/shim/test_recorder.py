"""Batches (node_shim/lib/recorder.js): deltas since the last drain, functions and sources sent
once, at most three samples per key, and the dump holding the totals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import copy_app
from tests.shim.shimrun import Dump, NodeApp, app_dir

BATCH_KEYS = {
    "functions",
    "external",
    "sources",
    "rupture_points",
    "effects",
    "timings",
    "listening",
    "requests",
    "warnings",
}


def points(batch: dict[str, Any], names: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """Rupture points of a batch by callback name: (callee, count, number of samples)."""
    return {
        names[r["callback"]]: (r["callee"], r["count"], len(r["samples"]))
        for r in batch["rupture_points"]
    }


def test_drain_returns_deltas_and_the_dump_totals(tmp_path: Path, express_version: int) -> None:
    """Each drain holds what is new since the previous one; the dump holds everything."""
    with NodeApp(
        copy_app(app_dir("shim-drain"), tmp_path), tmp_path / "run", express_version
    ) as node:
        for _ in range(5):
            assert node.get("/work").status == 200
        first = json.loads(node.get("/drain").body)
        assert node.get("/work").status == 200
        second = json.loads(node.get("/drain").body)
        third = json.loads(node.get("/drain").body)
    dump = Dump(node.dump())
    names = {f["id"]: f["name"] for f in dump.data["functions"]}
    assert set(first) == set(second) == set(dump.data) == BATCH_KEYS

    assert [f["name"] for f in first["functions"]] == ["", "work", "stated", "drain"]
    assert list(first["sources"]) == ["server.js"]
    assert first["requests"] == 6
    assert len(first["listening"]) == 1
    assert points(first, names) == {
        "work": ("app.get", 5, 3),
        "stated": ("fs.stat", 5, 3),
        "drain": ("app.get", 1, 1),
    }

    assert (second["functions"], second["sources"], second["listening"]) == ([], {}, [])
    assert second["requests"] == 2
    assert points(second, names) == {
        "work": ("app.get", 1, 1),
        "stated": ("fs.stat", 1, 1),
        "drain": ("app.get", 1, 1),
    }
    assert points(third, names) == {"drain": ("app.get", 1, 1)}

    assert points(dump.data, names) == {
        "work": ("app.get", 6, 3),
        "stated": ("fs.stat", 6, 3),
        "drain": ("app.get", 3, 3),
    }
    assert dump.data["requests"] == 9
    assert dump.data["sources"] == first["sources"]
