"""What tracing costs: throughput and latency of apps untraced and under `jitflux trace`.

For each app, three configurations run side by side in one session: untraced (`node server.js`),
`jitflux trace --no-effects` (rupture points only) and `jitflux trace` (full effects). Each run
starts a fresh server and drives the same bounded load with autocannon (bench/load.js): a
warm-up, then a measured number of requests at a fixed concurrency, to 127.0.0.1 only. The
configurations alternate within each round (their order rotates from round to round) and the
figures are medians over the rounds. With `taskset` and two cores or more, the server side
(node, and jitflux with it) is pinned to core 0 and the load generator to core 1.

A second step traces the same workload for a small and a large number of requests and prints
the size of trace.json: the trace aggregates per function, rupture point and effect, so its size
must not grow with the traffic.

    .venv/bin/python bench/overhead.py            # default: 3 rounds of 1000 + 5000 requests
    .venv/bin/python bench/overhead.py --quick    # a one-minute smoke run
    .venv/bin/python bench/overhead.py --sizes    # the trace size step only
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import (
    BENCH,
    ROOT,
    START_TIMEOUT,
    Load,
    Pinning,
    Result,
    app_env,
    free_port,
    load_command,
    machine,
    median,
    read_result,
    stop,
    wait_listening,
)

APPS = {
    "paper-counter": ROOT / "examples" / "paper-counter" / "server.js",
    "cpu-work": BENCH / "apps" / "cpu-work" / "server.js",
}

UNTRACED = "untraced"
RUPTURE_ONLY = "rupture points"
FULL = "full effects"
CONFIGS = (UNTRACED, RUPTURE_ONLY, FULL)
# Traced/untraced throughput the project aims at, per traced configuration.
TARGETS = {RUPTURE_ONLY: 0.75, FULL: 0.50}



def run_untraced(script: Path, load: Load, pinning: Pinning, work: Path) -> Result:
    """Start `node script` directly, drive the load, stop it."""
    port = free_port()
    out = work / "load.json"
    out.unlink(missing_ok=True)
    # The app's stderr goes to a file (a pipe nobody reads could fill up and block it).
    errors = work / "app.stderr"
    with errors.open("wb") as stderr:
        server = subprocess.Popen(
            [*pinning.server, "node", str(script)],
            cwd=script.parent,
            env=app_env(port),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        wait_listening(server, port)
        command = load_command(load, out, pinning, port, server=server.pid)
        driver = subprocess.run(command, capture_output=True, timeout=load.timeout())
        if driver.returncode != 0 and not out.exists():
            return Result(error=last_line(driver.stderr) or "load generator failed")
        return read_result(out)
    except RuntimeError as exc:
        return Result(error=f"{exc}: {last_line(errors.read_bytes())}")
    except subprocess.TimeoutExpired as exc:
        return Result(error=str(exc))
    finally:
        stop(server)


def trace_command(
    script: Path, config: str, drive: list[str], trace: Path, pinning: Pinning, port: int
) -> list[str]:
    """`jitflux trace` of `node script` with the load generator as its --drive command."""
    command = [*pinning.server, sys.executable, "-m", "jitflux", "trace", "--quiet"]
    if config == RUPTURE_ONLY:
        command.append("--no-effects")
    command += ["-o", str(trace), "--port", str(port), "--drive", shlex.join(drive)]
    return [*command, "--", "node", str(script)]


def run_traced(
    script: Path, config: str, load: Load, pinning: Pinning, work: Path, trace: Path
) -> Result:
    """Run the app under `jitflux trace` with the load as its driver; the trace goes to `trace`."""
    port = free_port()
    out = work / "load.json"
    out.unlink(missing_ok=True)
    drive = load_command(load, out, pinning, port=None, server=None)
    command = trace_command(script, config, drive, trace, pinning, port)
    proc = subprocess.Popen(
        command,
        cwd=script.parent,
        env=app_env(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=load.timeout() + START_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop(proc)
        return Result(error="jitflux trace did not finish in time")
    finally:
        stop(proc)
    if proc.returncode != 0 and not out.exists():
        return Result(error=last_line(stderr) or f"jitflux trace exited with {proc.returncode}")
    result = read_result(out)
    if result.error is None and proc.returncode != 0:
        result.error = last_line(stderr) or f"jitflux trace exited with {proc.returncode}"
    return result


def last_line(data: bytes | None, width: int = 100) -> str:
    """The last non-empty line of a process's output, cut to `width` characters."""
    lines = [line for line in (data or b"").decode(errors="replace").splitlines() if line.strip()]
    line = lines[-1].strip() if lines else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def run_one(script: Path, config: str, load: Load, pinning: Pinning, work: Path) -> Result:
    """One measured run of one app in one configuration."""
    if config == UNTRACED:
        return run_untraced(script, load, pinning, work)
    return run_traced(script, config, load, pinning, work, work / "trace.json")


def measure(
    apps: dict[str, Path], rounds: int, load: Load, pinning: Pinning, work: Path
) -> dict[tuple[str, str], list[Result]]:
    """Every run of every round: configurations alternate, their order rotating each round."""
    results: dict[tuple[str, str], list[Result]] = {}
    for round_no in range(rounds):
        shift = round_no % len(CONFIGS)
        order = CONFIGS[shift:] + CONFIGS[:shift]
        for name, script in apps.items():
            for config in order:
                result = run_one(script, config, load, pinning, work)
                results.setdefault((name, config), []).append(result)
                shown = f"{result.rps:8.0f} req/s" if result.rps else "failed"
                if result.error:
                    shown += f" ({result.error})"
                print(f"  round {round_no + 1}/{rounds}  {name:14} {config:15} {shown}", flush=True)
    return results


def report(results: dict[tuple[str, str], list[Result]], apps: dict[str, Path]) -> list[str]:
    """The table of medians and ratios; returns the lines that missed a target.

    `ratio` is the throughput ratio the targets are about. `cpu ratio` is untraced over traced
    server-side CPU per request: the same quantity when the server core is saturated, and much
    less disturbed by other processes on the machine.
    """
    missed: list[str] = []
    # Room for one "0.97" per round.
    width = max(len("per-round ratios"), 5 * max(len(runs) for runs in results.values()))
    header = (
        f"{'app':14} {'configuration':15} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'cpu ms/req':>10} {'ratio':>6} {'cpu ratio':>9}  {'per-round ratios':{width}} target"
    )
    print(header)
    print("-" * len(header))
    for name in apps:
        base_runs = results.get((name, UNTRACED), [])
        base = median([r.rps for r in base_runs if r.rps])
        base_cpu = median([r.cpu_ms for r in base_runs if r.cpu_ms])
        for config in CONFIGS:
            runs = results.get((name, config), [])
            ok = [r for r in runs if r.rps]
            rps = median([r.rps for r in ok if r.rps])
            if rps is None:
                error = next((r.error for r in runs if r.error), "no run")
                print(f"{name:14} {config:15} failed: {error}")
                if config in TARGETS:
                    missed.append(f"{name}, {config}: no measurement ({error})")
                continue
            p50 = median([r.p50_ms for r in ok if r.p50_ms is not None])
            p99 = median([r.p99_ms for r in ok if r.p99_ms is not None])
            cpu = median([r.cpu_ms for r in ok if r.cpu_ms])
            ratio_text, cpu_ratio, per_round, verdict = "", "", "", ""
            if config != UNTRACED and base:
                ratio = rps / base
                ratio_text = f"{ratio:.2f}"
                if cpu and base_cpu:
                    cpu_ratio = f"{base_cpu / cpu:.2f}"
                # Each traced run against the untraced run of the same round.
                pairs = zip(base_runs, runs, strict=False)
                per_round = " ".join(f"{t.rps / b.rps:.2f}" for b, t in pairs if b.rps and t.rps)
                target = TARGETS[config]
                verdict = f">= {target:.2f} {'ok' if ratio >= target else 'MISSED'}"
                if ratio < target:
                    missed.append(f"{name}, {config}: {ratio:.2f} < {target:.2f}")
            cpu_text = f"{cpu:10.2f}" if cpu else f"{'-':>10}"
            line = (
                f"{name:14} {config:15} {rps:7.0f} {_ms(p50)} {_ms(p99)} {cpu_text} "
                f"{ratio_text:>6} {cpu_ratio:>9}  {per_round:{width}} {verdict}"
            )
            print(line.rstrip())
    return missed


def _ms(value: float | None) -> str:
    return f"{value:7.1f}" if value is not None else f"{'-':>7}"


def trace_sizes(
    apps: dict[str, Path], counts: tuple[int, int], connections: int, pinning: Pinning, work: Path
) -> None:
    """Trace each app (full effects) for a small and a large number of requests; print sizes."""
    print(
        f"{'app':14} {'requests':>8} {'trace.json':>11} {'functions':>9} {'rupture pts':>11} "
        f"{'effects':>7} {'sum of counts':>13}"
    )
    for name, script in apps.items():
        sizes: list[int] = []
        for requests in counts:
            load = Load(warmup=0, requests=requests, connections=connections)
            trace = work / f"sizes-{name}-{requests}.json"
            trace.unlink(missing_ok=True)
            result = run_traced(script, FULL, load, pinning, work, trace)
            if not trace.exists():
                print(f"{name:14} {requests:8} failed: {result.error or 'no trace written'}")
                continue
            data = json.loads(trace.read_text())
            events = sum(rp["count"] for rp in data["rupture_points"])
            events += sum(e["count"] for e in data["effects"])
            size = trace.stat().st_size
            sizes.append(size)
            note = f"  ({result.error})" if result.error else ""
            print(
                f"{name:14} {requests:8} {size:9} B {len(data['functions']):9} "
                f"{len(data['rupture_points']):11} {len(data['effects']):7} {events:13}{note}"
            )
        if len(sizes) == 2:
            grown = sizes[1] - sizes[0]
            print(
                f"{'':14} {counts[1] // counts[0]}x the requests: trace.json grew by {grown} B "
                f"({grown / sizes[0]:+.1%})"
            )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a one-minute smoke run")
    parser.add_argument("--rounds", type=int, help="rounds of every configuration (default 3)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per run (default 1000)")
    parser.add_argument("--requests", type=int, help="measured requests per run (default 5000)")
    parser.add_argument("--connections", type=int, default=20, help="concurrency (default 20)")
    parser.add_argument("--app", choices=sorted(APPS), action="append", help="only this app")
    step = parser.add_mutually_exclusive_group()
    step.add_argument("--sizes", action="store_true", help="only the trace size step")
    step.add_argument("--no-sizes", action="store_true", help="skip the trace size step")
    args = parser.parse_args(argv)
    quick = args.quick
    args.rounds = args.rounds or (1 if quick else 3)
    args.warmup = args.warmup if args.warmup is not None else (200 if quick else 1000)
    args.requests = args.requests or (1000 if quick else 5000)
    args.size_counts = (100, 2000 if quick else 10_000)
    if args.rounds < 1 or args.requests < args.connections or args.connections < 1:
        parser.error("--rounds and --connections must be >= 1 and --requests >= --connections")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures.

    A missed target is reported, not an error; the exit status is 1 when a configuration could
    not be measured at all (so `make bench` stops there).
    """
    args = parse_args(argv)
    if not (BENCH / "node_modules" / "autocannon").is_dir():
        print("bench/node_modules is missing: run `make bench` (or npm ci in bench/)")
        return 2
    apps = {name: APPS[name] for name in args.app} if args.app else APPS
    pinning = Pinning.detect()
    print(f"machine: {machine()}")
    print(f"pinning: {pinning.describe()}")
    busy = os.getloadavg()[0]
    if busy > 0.5:
        # Other work on the two cores skews the ratios: say so next to the figures.
        print(f"warning: load average {busy:.2f} before the start: other processes are running")
    missed: list[str] = []
    unmeasured = False
    with tempfile.TemporaryDirectory(prefix="jitflux-bench-") as tmp:
        work = Path(tmp)
        if not args.sizes:
            load = Load(args.warmup, args.requests, args.connections)
            print(
                f"\nthroughput: {args.rounds} round(s) of {load.warmup} warm-up + "
                f"{load.requests} requests at concurrency {load.connections} per run"
            )
            results = measure(apps, args.rounds, load, pinning, work)
            print(
                "\nmedians over rounds; ratio = traced / untraced throughput "
                "(ratio of the medians)\n"
            )
            missed = report(results, apps)
            unmeasured = any(not any(r.rps for r in runs) for runs in results.values())
        if not args.no_sizes:
            small, large = args.size_counts
            print(f"\ntrace size after {small} and {large} requests (full effects):\n")
            trace_sizes(apps, args.size_counts, args.connections, pinning, work)
    if missed:
        print("\nmissed targets:")
        for line in missed:
            print(f"  {line}")
    return 1 if unmeasured else 0


if __name__ == "__main__":
    sys.exit(main())
