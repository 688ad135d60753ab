"""The processes of a traced run: merging the records of traced child processes, and the list
that `meta.processes` keeps (see `node_shim/lib/children.js` for how children are traced)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jitflux.cdp import WorkerAttached
from jitflux.tracing.recorder import TraceBuilder

# The worker Node starts to run module customization hooks (module.register).
MODULE_HOOKS_THREAD = "node:internal/modules/esm/worker"


def merge_children(builder: TraceBuilder, folder: Path) -> dict[int, dict[str, Any]]:
    """Merge into `builder` the record each traced child process left in `folder` (DUMP.json,
    and DUMP.json.pid saying which process it is), its ids prefixed with `p<pid>.`; returns the
    traced children by pid. A child that left no record (killed) is not traced."""
    traced: dict[int, dict[str, Any]] = {}
    for card in sorted(folder.glob("*.json.pid")):
        try:
            who = json.loads(card.read_text(encoding="utf-8"))
            dump = json.loads(card.with_suffix("").read_text(encoding="utf-8"))
            pid = int(who["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(dump, dict):
            continue
        prefix = f"p{pid}."
        builder.add_process(dump, prefix)
        command = [str(c) for c in who.get("command") or []]
        traced[pid] = {"pid": pid, "command": command, "id_prefix": prefix}
    return traced


def process_list(
    pid: int,
    command: Sequence[str],
    started: Sequence[dict[str, Any]],
    traced: dict[int, dict[str, Any]],
    workers: Sequence[WorkerAttached],
) -> list[dict[str, Any]]:
    """`meta.processes`: the main process `pid` first, then the child processes the app started
    (`started`, from the shim's `child` notifications; traced when in `traced`), the traced
    children of children, and the app's worker threads (never traced)."""
    processes: list[dict[str, Any]] = [
        {"pid": pid, "main": True, "traced": True, "command": list(command)}
    ]
    for child in started:
        if child["pid"] not in traced:
            processes.append({"pid": child["pid"], "main": False, "traced": False, **child})
    for child in traced.values():
        processes.append({**child, "main": False, "traced": True})
    for worker in workers:
        if worker.url == MODULE_HOOKS_THREAD:
            continue  # Node's thread for module hooks (the shim's, for ES modules): not the app's
        thread = int(worker.worker_id) if worker.worker_id.isdigit() else 0
        entry = {"pid": pid, "thread": thread, "main": False, "traced": False}
        processes.append({**entry, "command": [worker.url] if worker.url else []})
    return processes
