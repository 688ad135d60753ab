"""Where the time goes: one profiled run of an app, untraced or under `jitflux trace`.

The app runs with bench/cpuprof.js preloaded, which samples its CPU with V8's profiler from
the end of the warm-up to the last measured request. The run drives the same load as
bench/overhead.py (to 127.0.0.1 only) and prints:
  - the throughput, and the CPU seconds of each process of the run (the app's node, the
    jitflux Python process, the load generator), read from /proc while they run;
  - the app's profile: shares of the busy samples by category (app code, jitflux shim, Express
    and other packages, node internals, GC, V8 itself) and the functions with the most self time;
  - with --py-prof, the Python side's own profile (cProfile of the jitflux process).

    .venv/bin/python bench/hotspots.py --app cpu-work --config full
    .venv/bin/python bench/hotspots.py --app paper-counter --config rupture --py-prof
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    LOAD_JS,
    ROOT,
    START_TIMEOUT,
    Load,
    Pinning,
    app_env,
    descendants,
    free_port,
    load_command,
    read_result,
    stop,
    wait_listening,
)
from overhead import (
    APPS,
    FULL,
    RUPTURE_ONLY,
    UNTRACED,
    last_line,
    trace_command,
)

CPUPROF_JS = Path(__file__).resolve().parent / "cpuprof.js"
CONFIG_NAMES = {"untraced": UNTRACED, "rupture": RUPTURE_ONLY, "full": FULL}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[str, float] | None:
    """The command name and user+system CPU seconds of a live process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
    seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return describe(cmdline), seconds


def describe(cmdline: list[bytes]) -> str:
    """A short name for a process of the run, from its command line."""
    words = [w.decode(errors="replace") for w in cmdline if w]
    if not words:
        return "?"
    # jitflux first: its command line holds the load generator's, as its --drive.
    if "jitflux" in words and "python" in Path(words[0]).name:
        return "jitflux (python)"
    if str(LOAD_JS) in " ".join(words):
        return "load generator (node)"
    if Path(words[0]).name == "node":
        return "app (node)"
    return Path(words[0]).name


def watch(proc: subprocess.Popen[bytes], timeout: float) -> dict[str, float]:
    """Wait for `proc`, polling the CPU time of it and its descendants; the last value of each."""
    last: dict[int, tuple[str, float]] = {}
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        for pid in [proc.pid, *descendants(proc.pid)]:
            seen = cpu_seconds(pid)
            if seen is not None:
                last[pid] = seen
        time.sleep(0.1)
    totals: dict[str, float] = collections.defaultdict(float)
    for name, seconds in last.values():
        if name != "taskset":
            totals[name] += seconds
    return dict(totals)


def run(args: argparse.Namespace, work: Path) -> tuple[str, dict[str, float], Path, Path | None]:
    """One profiled run; returns the throughput line, CPU seconds, and the profile paths."""
    script = APPS[args.app]
    config = CONFIG_NAMES[args.config]
    load = Load(args.warmup, args.requests, args.connections)
    pinning = Pinning.detect()
    port = free_port()
    env = app_env(port)
    profile = work / "app.cpuprofile"
    env["JITFLUX_BENCH_PROFILE"] = str(profile)
    env["JITFLUX_BENCH_PROFILE_SKIP"] = str(load.warmup)
    env["JITFLUX_BENCH_PROFILE_REQUESTS"] = str(load.requests)
    out = work / "load.json"
    node = ["node", "--require", str(CPUPROF_JS), str(script)]
    py_profile = None
    if config == UNTRACED:
        server = subprocess.Popen(
            [*pinning.server, *node], cwd=script.parent, env=env, start_new_session=True
        )
        try:
            wait_listening(server, port)
            driver = subprocess.Popen(load_command(load, out, pinning, port, server=server.pid))
            cpu = watch_both(server, driver, load.timeout())
        finally:
            stop(server)
    else:
        drive = load_command(load, out, pinning, port=None, server=None)
        command = trace_command(script, config, drive, work / "trace.json", pinning, port)
        # The node command after `--`, with the profiler preloaded.
        command = command[: command.index("--") + 1] + node
        if args.py_prof:
            py_profile = work / "jitflux.pstats"
            at = command.index(sys.executable) + 1
            command[at:at] = ["-m", "cProfile", "-o", str(py_profile)]
        errors = work / "jitflux.stderr"
        with errors.open("wb") as stderr:
            proc = subprocess.Popen(
                command, cwd=script.parent, env=env, stderr=stderr, start_new_session=True
            )
            try:
                cpu = watch(proc, load.timeout() + START_TIMEOUT)
            finally:
                stop(proc)
        if proc.returncode != 0:
            print(f"jitflux trace exited with {proc.returncode}: {last_line(errors.read_bytes())}")
    result = read_result(out)
    if result.rps is None:
        line = f"run failed: {result.error}"
    else:
        line = f"{result.rps:.0f} req/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms"
    return line, cpu, profile, py_profile


def watch_both(
    server: subprocess.Popen[bytes], driver: subprocess.Popen[bytes], timeout: float
) -> dict[str, float]:
    """CPU seconds of an untraced server and its load generator, until the load ends."""
    last: dict[int, tuple[str, float]] = {}
    deadline = time.monotonic() + timeout
    while driver.poll() is None and time.monotonic() < deadline:
        for pid in [server.pid, *descendants(server.pid), driver.pid]:
            seen = cpu_seconds(pid)
            if seen is not None:
                last[pid] = seen
        time.sleep(0.1)
    if driver.poll() is None:
        stop(driver)
    totals: dict[str, float] = collections.defaultdict(float)
    for name, seconds in last.values():
        totals[name] += seconds
    return dict(totals)


def category(url: str, function: str, app_dir: str) -> str:
    """Which part of the process a profile node's self time belongs to."""
    if function == "(idle)":
        return "idle"
    if function == "(garbage collector)":
        return "GC"
    if function in ("(program)", "(root)"):
        return "V8 itself (program)"
    if "/node_shim/" in url:
        return "jitflux shim (node_shim/)"
    if url.endswith("/cpuprof.js"):
        return "profiler preload"
    if "/node_modules/" in url:
        return "Express & other packages"
    if url.startswith("node:"):
        return "node internals (node:*)"
    if url.startswith("file://") and app_dir in url:
        return "app code (instrumented in place)"
    if not url:
        return "native (C++ builtins)"
    return "other"


def short(url: str) -> str:
    """A URL as a path relative to the repository, where it is inside it."""
    path = url.removeprefix("file://")
    root = str(ROOT) + "/"
    return path[len(root) :] if path.startswith(root) else path


def summarize_node(profile: Path, app_dir: str, top: int) -> None:
    """Print the shares of the busy samples by category, and the top functions by self time."""
    data = json.loads(profile.read_text())
    nodes = {n["id"]: n for n in data["nodes"]}
    hits = collections.Counter(data["samples"])
    interval_ms = (data["endTime"] - data["startTime"]) / 1000 / max(1, len(data["samples"]))
    by_category: collections.Counter[str] = collections.Counter()
    by_function: collections.Counter[tuple[str, str]] = collections.Counter()
    for node_id, count in hits.items():
        frame = nodes[node_id]["callFrame"]
        name, url = frame["functionName"], frame["url"]
        kind = category(url, name, app_dir)
        by_category[kind] += count
        if kind != "idle":
            where = f"{short(url)}:{frame['lineNumber'] + 1}" if url else "(native)"
            by_function[(name or "(anonymous)", where)] += count
    idle = by_category.pop("idle", 0)
    busy = sum(by_category.values())
    seconds = (data["endTime"] - data["startTime"]) / 1e6
    print(
        f"\napp profile: {seconds:.2f} s sampled, {busy * interval_ms / 1000:.2f} s busy, "
        f"{idle * interval_ms / 1000:.2f} s idle\n"
    )
    print("busy time by category:")
    for kind, count in by_category.most_common():
        print(f"  {count / busy:6.1%}  {kind}")
    print(f"\ntop {top} functions by self time (share of busy time):")
    for (name, where), count in by_function.most_common(top):
        print(f"  {count / busy:6.1%}  {name:34} {where}")


def summarize_python(path: Path, top: int) -> None:
    """Print the jitflux process's functions with the most own time, waiting excluded."""
    stats = pstats.Stats(str(path))
    rows = []
    table = stats.stats  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, own, cumulative, _) in table.items():
        if "poll" in name or "select" in name:
            continue  # the event loop waiting for I/O: idle, not work
        rows.append((own, cumulative, calls, f"{name} ({short(file)}:{line})"))
    busy = sum(r[0] for r in rows)
    print(f"\njitflux (python) profile: {busy:.2f} s of own time outside the I/O wait\n")
    print(f"  {'own s':>6} {'cum s':>6} {'calls':>8}  function")
    for own, cumulative, calls, where in sorted(rows, reverse=True)[:top]:
        print(f"  {own:6.2f} {cumulative:6.2f} {calls:8}  {where}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", choices=sorted(APPS), default="cpu-work")
    parser.add_argument("--config", choices=sorted(CONFIG_NAMES), default="full")
    parser.add_argument("--warmup", type=int, default=1000, help="warm-up requests")
    parser.add_argument("--requests", type=int, default=5000, help="profiled requests")
    parser.add_argument("--connections", type=int, default=20, help="concurrency")
    parser.add_argument("--top", type=int, default=20, help="functions to list")
    parser.add_argument("--py-prof", action="store_true", help="cProfile the jitflux process")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run once and print where the time went."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jitflux-profile-") as tmp:
        line, cpu, profile, py_profile = run(args, Path(tmp))
        print(f"{args.app}, {CONFIG_NAMES[args.config]}: {line}")
        print("CPU seconds per process: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
        if not profile.exists():
            print("no app profile was written (did the run complete?)")
            return 1
        summarize_node(profile, str(APPS[args.app].parent), args.top)
        if py_profile is not None and py_profile.exists():
            summarize_python(py_profile, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
