"""Helpers for tests that run node: find node processes left behind, run an app untraced."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

# Put in the environment of every process a test starts, so that a node left behind by a
# jitflux subprocess (reparented away from the test) can still be found.
MARKER = "JITFLUX_TEST_PROCESS"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def leftover_nodes(marker: str | None = None) -> list[int]:
    """Live node processes that are children of this test process, or carry `marker` in the
    environment as the value of MARKER."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat")
        # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
        if b")" not in stat:
            continue
        comm = stat[stat.index(b"(") + 1 : stat.rindex(b")")]
        state, ppid = stat[stat.rindex(b")") + 2 :].split()[:2]
        if comm != b"node" or state == b"Z":
            continue
        if int(ppid) == me:
            found.append(int(entry))
        elif marker and f"{MARKER}={marker}".encode() in _read(f"/proc/{entry}/environ").split(
            b"\0"
        ):
            found.append(int(entry))
    return found


def running(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie (dead, waiting to be reaped)."""
    stat = _read(f"/proc/{pid}/stat")
    return bool(stat) and stat[stat.rindex(b")") + 2 :].split()[0] != b"Z"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_refuses(port: int) -> bool:
    """True when connecting to 127.0.0.1:PORT is refused."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def wait_port(port: int, process: subprocess.Popen[bytes], limit: float = 15.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:PORT; fail if the process exits
    first or nothing listens after `limit` seconds (a guard against hanging, not a measure)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@contextmanager
def untraced_app(script: Path, env: Mapping[str, str]) -> Iterator[int]:
    """Run `node SCRIPT` (no jitflux) with PORT set to a free port; yields the port, and kills
    the app on the way out."""
    port = free_port()
    process = subprocess.Popen(
        ["node", str(script)],
        env={**env, "PORT": str(port)},
        cwd=script.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, process)
        yield port
    finally:
        process.kill()
        process.wait()


def marked_nodes(marker: str) -> list[int]:
    """Live node processes, anywhere, whose environment has MARKER=`marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and running(int(entry)):
            if _read(f"/proc/{entry}/comm").strip() != b"node":
                continue
            if f"{MARKER}={marker}".encode() in _read(f"/proc/{entry}/environ").split(b"\0"):
                found.append(int(entry))
    return found


def listening_ports(pids: list[int]) -> set[int]:
    """The TCP ports on which processes `pids` hold a listening socket (/proc/net/tcp, tcp6)."""
    inodes = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in _read(table).decode().splitlines()[1:]:
            fields = line.split()
            # local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is field 9.
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
