"""What `jitflux run` buys: throughput and latency of the CPU example, plain and under run.

`examples/cpu-digest` hashes each POST body ROUNDS times (SHA-256, about 3 ms at 4000 rounds)
in the getRawBody callback, an isolated leaf fluxion. The app is traced once with the same
work, then each round runs, side by side, `node server.js` (plain) and `jitflux run --from
trace.json --workers N` (the callback in a Piscina pool, moved by its time in the trace), each
a fresh server driven by the same autocannon load (bench/load.js: a warm-up, then a fixed
number of POST /digest requests at a concurrency), to 127.0.0.1 only. The order alternates
from round to round; figures are medians over the rounds. No core pinning: `run` needs the
cores for its workers, and the load generator shares them.

    .venv/bin/python bench/run.py              # 3 rounds of 300 + 2000 requests
    .venv/bin/python bench/run.py --quick      # 1 round of 100 + 600 requests
    .venv/bin/python bench/run.py --work 1000  # lighter work per request (ROUNDS)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    LOAD_JS,
    ROOT,
    Load,
    Result,
    app_env,
    free_port,
    machine,
    median,
    read_result,
    stop,
    wait_listening,
)

APP = ROOT / "examples" / "cpu-digest"
JITFLUX = [sys.executable, "-m", "jitflux"]
BODY = "a line of text to hash, as gifsockets renders text into an image"
PLAIN = "plain"


def trace(work: Path, env: dict[str, str]) -> Path:
    """Trace the app once with its requests.txt; the trace file."""
    output = work / "trace.json"
    command = [*JITFLUX, "trace", "-q", "--requests", str(APP / "requests.txt")]
    command += ["-o", str(output), "--", "node", str(APP / "server.js")]
    subprocess.run(command, env={**env, "PORT": "0"}, check=True, cwd=ROOT)
    return output


def measure(config: str, trace_file: Path, load: Load, work: Path, rounds: int) -> Result:
    """One run: start the server (plain or under run), drive the load, stop it."""
    port = free_port()
    env = app_env(port)
    env["ROUNDS"] = str(rounds)
    if config == PLAIN:
        command = ["node", str(APP / "server.js")]
    else:
        workers = config.split()[-1]
        command = [*JITFLUX, "run", "--from", str(trace_file), "--workers", workers]
        command += ["--", "node", str(APP / "server.js")]
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    out = work / f"result-{config.replace(' ', '-')}.json"
    out.unlink(missing_ok=True)
    try:
        wait_listening(server, port)
        load_command = ["node", str(LOAD_JS), "--port", str(port), "--path", "/digest"]
        load_command += ["--method", "POST", "--body", BODY, "--hz", str(os.sysconf("SC_CLK_TCK"))]
        load_command += ["--server-pid", str(server.pid), "--warmup", str(load.warmup)]
        load_command += ["--amount", str(load.requests), "--connections", str(load.connections)]
        load_command += ["--out", str(out)]
        subprocess.run(load_command, timeout=load.timeout(), check=False)
        return read_result(out)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return Result(error=str(exc))
    finally:
        stop(server)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="throughput plain vs `jitflux run`")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default: 3)")
    parser.add_argument("--warmup", type=int, default=300, help="warm-up requests per run")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per run")
    parser.add_argument("--connections", type=int, default=8, help="concurrency (default: 8)")
    parser.add_argument("--workers", type=int, default=2, help="run's worker threads (default: 2)")
    parser.add_argument("--work", type=int, default=4000, help="hash rounds per request (ROUNDS)")
    parser.add_argument("--quick", action="store_true", help="1 round of 100 + 600 requests")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table; 1 when a configuration could not be measured."""
    args = parse_args(argv)
    if args.quick:
        args.rounds, args.warmup, args.requests = 1, 100, 600
    load = Load(args.warmup, args.requests, args.connections)
    configs = [PLAIN, f"run --workers {args.workers}"]
    print(f"jitflux run benchmark: {machine()}; {load_average()}")
    print(
        f"app: examples/cpu-digest, {args.work} SHA-256 rounds a request; load: {load.warmup} "
        f"warm-up + {load.requests} POST /digest at concurrency {load.connections}, "
        f"{args.rounds} rounds, no pinning"
    )
    results: dict[str, list[Result]] = {config: [] for config in configs}
    with tempfile.TemporaryDirectory(prefix="jitflux-bench-run-") as folder:
        work = Path(folder)
        # Traced with the same work: `run` moves the callback by its time in the trace.
        trace_file = trace(work, {**app_env(0), "ROUNDS": str(args.work)})
        for round_number in range(args.rounds):
            order = configs if round_number % 2 == 0 else configs[::-1]
            for config in order:
                started = time.monotonic()
                result = measure(config, trace_file, load, work, args.work)
                results[config].append(result)
                took = time.monotonic() - started
                shown = f"{result.rps:.0f} req/s" if result.rps else f"failed: {result.error}"
                print(f"  round {round_number + 1}: {config}: {shown} ({took:.1f} s)", flush=True)
    header = f"{'configuration':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
    print(f"\n{header}{'cpu ms/req':>12}  per-round ratios")
    plain = median([r.rps for r in results[PLAIN] if r.rps])
    failed = False
    for config in configs:
        rps = median([r.rps for r in results[config] if r.rps])
        p50 = median([r.p50_ms for r in results[config] if r.p50_ms is not None])
        p99 = median([r.p99_ms for r in results[config] if r.p99_ms is not None])
        if rps is None:
            failed = True
            print(f"{config:<22}{'failed':>9}")
            continue
        ratio = f"{rps / plain:.2f}x" if plain else "-"
        cpu = median([r.cpu_ms for r in results[config] if r.cpu_ms is not None])
        cpu_text = f"{cpu:.2f}" if cpu is not None else "-"
        # Each run against the plain run of the same round: the machine's state is closer.
        rounds = [
            f"{r.rps / p.rps:.2f}"
            for r, p in zip(results[config], results[PLAIN], strict=True)
            if r.rps and p.rps
        ]
        per_round = "  " + " ".join(rounds) if config != PLAIN else ""
        print(
            f"{config:<22}{rps:>9.0f}{p50 or 0:>9.1f}{p99 or 0:>9.1f}{ratio:>8}{cpu_text:>12}"
            f"{per_round}"
        )
    print(f"after the runs: {load_average()}")
    return 1 if failed else 0


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes): other processes share the cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


if __name__ == "__main__":
    sys.exit(main())
