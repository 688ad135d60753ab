"""Process groups: the traced app and the driver each lead their own, die with jitflux, and are
always stopped whole (SIGTERM, then SIGKILL), with the groups their descendants left for."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable

# Process groups started and not yet stopped: the last resort of `kill_leftovers`.
live_groups: set[int] = set()


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a function that makes the child get SIGKILL when jitflux dies, even by SIGKILL
    (PR_SET_PDEATHSIG): then no inspector outlives jitflux. None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # Loaded now: between fork and exec the child must only make the system call.
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_death_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    return set_death_signal


DIE_WITH_PARENT = _die_with_parent()


async def stop_process_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """Stop the process group that `process` leads, and the groups of its descendants that left
    it (`detached` children): SIGTERM, then SIGKILL once `grace` seconds have passed without the
    whole group ending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    groups = {process.pid, *_escaped_groups(process.pid)}
    for group in groups:
        signal_group(group, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), grace)
    # The leader's children get what is left of the grace period.
    while any(_group_alive(g) for g in groups) and loop.time() < deadline:
        await asyncio.sleep(0.02)
    for group in groups:
        signal_group(group, signal.SIGKILL)
    await asyncio.shield(process.wait())


def _escaped_groups(pid: int) -> set[int]:
    """The process groups, other than `pid`'s own, of the living descendants of `pid` (Linux:
    read from /proc; empty elsewhere)."""
    parents: dict[int, list[tuple[int, int]]] = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            # "pid (comm) state ppid pgrp ...": comm may hold anything, so split after the ')'.
            fields = stat[stat.rindex(b")") + 2 :].split()
            parents.setdefault(int(fields[1]), []).append((int(entry), int(fields[2])))
    groups, todo = set(), [pid]
    while todo:
        for child, group in parents.get(todo.pop(), []):
            todo.append(child)
            if group != pid:
                groups.add(group)
    return groups


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_leftovers() -> None:
    """SIGKILL every app group still running: the last resort when the event loop was torn down
    (a second Ctrl-C) before `NodeApp.stop` could finish."""
    for pgid in list(live_groups):
        signal_group(pgid, signal.SIGKILL)
        live_groups.discard(pgid)
