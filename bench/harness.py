"""The harness of the benchmarks (overhead.py, run.py, hotspots.py): servers started on a free
port of 127.0.0.1 and stopped with everything below them, the load generator (load.js) and what
it measured, core pinning, and the machine's description."""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LOAD_JS = BENCH / "load.js"
# Express 5, for the apps outside examples/ (examples/paper-counter finds it by itself).
EXPRESS_MODULES = ROOT / "examples" / "node_modules"

# How long a server may take to accept connections, and the grace before SIGKILL.
START_TIMEOUT = 15.0
STOP_GRACE = 5.0



@dataclass
class Load:
    """The load of one run: warm-up requests, then measured requests, at a concurrency."""

    warmup: int
    requests: int
    connections: int

    def timeout(self) -> float:
        """A bound on one run, generous enough for a slow tracer (50 requests/s)."""
        return 60.0 + (self.warmup + self.requests) / 50.0


@dataclass
class Result:
    """What one run measured (from load.js), or why it failed."""

    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    cpu_ms: float | None = None  # server-side CPU per request (node + jitflux), in ms
    error: str | None = None


@dataclass
class Pinning:
    """The taskset prefixes of the server side and of the load generator (empty: no pinning)."""

    server: list[str] = field(default_factory=list)
    load: list[str] = field(default_factory=list)

    @classmethod
    def detect(cls) -> Pinning:
        """Core 0 for the server side, core 1 for the load, when taskset and 2 cores exist."""
        taskset = shutil.which("taskset")
        if taskset is None or (os.cpu_count() or 1) < 2:
            return cls()
        return cls(server=[taskset, "-c", "0"], load=[taskset, "-c", "1"])

    def describe(self) -> str:
        """One line for the header."""
        if not self.server:
            return "no pinning (taskset or a second core missing): expect more noise"
        return "server side (node + jitflux) on core 0, load generator on core 1"


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(port: int) -> dict[str, str]:
    """The environment of a run: the app's port, and Express 5 for apps outside examples/."""
    env = dict(os.environ)
    env["PORT"] = str(port)
    env["NODE_PATH"] = str(EXPRESS_MODULES)
    return env


def load_command(
    load: Load, out: Path, pinning: Pinning, port: int | None, server: int | None
) -> list[str]:
    """The load generator's command.

    Without `port` it reads $PORT and measures the CPU of the jitflux process it runs under (as
    a --drive command); else it measures the CPU of process `server` and its descendants.
    """
    command = [*pinning.load, "node", str(LOAD_JS), "--hz", str(os.sysconf("SC_CLK_TCK"))]
    if port is not None:
        command += ["--port", str(port)]
    command += ["--server-pid", str(server) if server is not None else "jitflux"]
    command += ["--warmup", str(load.warmup), "--amount", str(load.requests)]
    command += ["--connections", str(load.connections), "--out", str(out)]
    return command


def descendants(pid: int) -> list[int]:
    """The pids of every process below `pid` (read from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process we started and everything below it: SIGTERM, then SIGKILL after a grace.

    jitflux starts node in a process group of its own, so the tree is collected from /proc
    first and each process is signalled by pid.
    """
    if proc.poll() is not None:
        return
    tree = descendants(proc.pid)
    _signal(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        pass
    for pid in [proc.pid, *tree]:
        _signal(pid, signal.SIGKILL)
    proc.wait()


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_listening(proc: subprocess.Popen[bytes], port: int) -> None:
    """Return once 127.0.0.1:port accepts connections; RuntimeError if the server dies first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not listening on port {port} after {START_TIMEOUT:.0f} s")


def read_result(out: Path) -> Result:
    """The summary load.js wrote, or a failed Result saying why."""
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return Result(error="load generator wrote no result")
    failures = data["errors"] + data["non2xx"]
    if failures:
        return Result(error=f"{failures} failed requests ({data['errors']} errors)")
    cpu = data.get("server_cpu_s")
    return Result(
        rps=data["rps"],
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        cpu_ms=1000 * cpu / data["requests"] if cpu is not None else None,
    )


def median(values: list[float]) -> float | None:
    """The median, or None for no value."""
    return statistics.median(values) if values else None


def machine() -> str:
    """nproc, node version, Python version and date, for the header and the README."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    today = datetime.date.today().isoformat()
    return (
        f"{os.cpu_count()} cores ({platform.machine()}), node {node}, "
        f"python {platform.python_version()}, {today}"
    )
