"""How the analysis scales: load, then every output (emit flx/json/dot, explain text/json).

Synthetic traces are generated with the shape of a real one: an Express app whose routes are
chains of five callbacks (app.get -> handler -> fs.readFile -> setImmediate -> setTimeout ->
process.nextTick), with a module counter per route (scope), values declared in one callback and
read downstream (stream), a total written by every route and a `last_<g>` variable written by
the routes of one group of ten (share), a read-only `template`, and `res` used for the network at
the end of each chain. The app's source is generated too, so every function has its real range
and every effect its real declaration.

Three series:
  A. the code grows with the events: 10 to 10,000 functions for 10^3 to 10^6 recorded events;
  B. the code is fixed (100 functions) and only the counts grow: 10^3 to 10^6 events;
  C. the source is one minified line (about 160 KB at 1,500 functions): what a column index
     costs when a line is long.
What grows with traffic is counts, not entries: a trace holds one entry per function, rupture
point and effect whatever the number of requests, so series B is what more traffic costs and
series A is what a bigger application costs.

Each trace is measured in a fresh Python process (so that its peak RSS is its own): the load
of trace.json (JSON parsing and the schema check), then each output as its command prints it:
`emit --format flx|json|dot` and `explain [--format json]` on every fluxion, each from the
loaded trace (the analysis included, as the command does it). Times are wall-clock seconds
(the best of a few repetitions when a stage is fast); the growth exponent between successive
sizes is log(t2/t1) / log(n2/n1).

    .venv/bin/python bench/scale.py            # all series, up to 10^6 events
    .venv/bin/python bench/scale.py --quick    # series A up to 10^5 events
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic import FILE, generate, recorded_events

from jitflux.trace import Trace, dump

# A measuring child that takes longer than this in all is stopped (--timeout).
CHILD_TIMEOUT = 120.0
# A fast stage is repeated until this much time has passed (at most REPEATS times).
MIN_STAGE_TIME = 0.3
REPEATS = 5


# --- the measuring child ---------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    VmHWM of /proc rather than ru_maxrss: Linux carries ru_maxrss over from the parent across
    fork and exec, so a child of a big parent would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(stage: Callable[[], Any], once: bool) -> tuple[tuple[float, float], Any]:
    """The best (wall, CPU) seconds of `stage` over a few runs (one run when `once`), and its
    last result. The CPU time is this process's: it stays true when other work shares the
    cores and stretches the wall time."""
    best, spent, result = (math.inf, math.inf), 0.0, None
    for _ in range(1 if once else REPEATS):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = stage()
        took = (time.perf_counter() - began, time.process_time() - began_cpu)
        best, spent = min(best, took), spent + took[0]
        if spent >= MIN_STAGE_TIME:
            break
    return best, result


# What is timed after the load, as the commands print it: `jitflux emit --format F` and
# `jitflux explain [--format json]` with no FLUXION (each from the loaded trace, analysis
# included, as the command does it).
OUTPUTS = ("flx", "json", "dot", "explain", "explain-json")
STAGES = ("load", *OUTPUTS)


def output(trace: Trace, name: str) -> str:
    """One output of the trace, as its command prints it."""
    from jitflux.emit import render
    from jitflux.explain import explain, render_json, render_text

    if name == "explain":
        return render_text(explain(trace))
    if name == "explain-json":
        return render_json(explain(trace))
    return render(trace, name)


def measure_child(path: Path) -> None:
    """Load, emit and explain one trace file, printing one JSON line per stage as it ends.

    Each line is {"stage", "seconds" (a float, or a string saying why there is none),
    "peak_mb"}; a stage that runs out of time leaves the lines of the stages before it.
    """
    # Imported before the clock starts: the first output would otherwise pay for them.
    import jitflux.emit
    import jitflux.explain  # noqa: F401
    from jitflux.trace import load

    def report(stage: str, seconds: tuple[float, float]) -> None:
        wall, cpu = seconds
        line = {"stage": stage, "seconds": wall, "cpu": cpu, "peak_mb": peak_rss_mb()}
        print(json.dumps(line), flush=True)

    report("start", (0.0, 0.0))
    # Big traces are measured once: a repetition would cost seconds and change nothing.
    big = path.stat().st_size > 5_000_000
    took, trace = timed(lambda: load(path), once=big)
    report("load", took)
    for name in OUTPUTS:
        report(name, timed(lambda name=name: output(trace, name), once=big)[0])


# --- the driver ------------------------------------------------------------------------------


def run_child(path: Path, timeout: float) -> dict[str, Any]:
    """Measure one trace file in a fresh interpreter, within `timeout` seconds in all.

    Returns the seconds of each stage and the peak RSS; a stage cut off by the timeout is
    "timeout", the stages after it are missing.
    """
    lines = path.with_suffix(".stages")
    with lines.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--measure", str(path)],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            stderr = None
    row: dict[str, Any] = {}
    for line in lines.read_text().splitlines():
        stage = json.loads(line)
        row[stage["stage"]] = stage["seconds"]
        row["cpu " + stage["stage"]] = stage["cpu"]
        row["peak_mb"] = stage["peak_mb"]
    lines.unlink()
    cut = next((s for s in STAGES if s not in row), None)
    if stderr is None and cut is not None:
        row[cut] = "timeout"
    elif proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"measuring {path.name} failed: {last}")
    return row


def growth(rows: list[dict[str, Any]], stage: str, axis: str) -> list[str]:
    """The growth exponents of a stage between successive rows, along `axis`."""
    shown = []
    for a, b in zip(rows, rows[1:], strict=False):
        ta, tb = a.get(stage), b.get(stage)
        if not isinstance(ta, float) or not isinstance(tb, float) or ta <= 0 or a[axis] == b[axis]:
            shown.append("   -")
            continue
        shown.append(f"{math.log(tb / ta) / math.log(b[axis] / a[axis]):5.2f}")
    return shown


def _seconds(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:9.3f}"
    return f"{'timeout' if value == 'timeout' else 'n/a':>9}"


def run_series(
    title: str,
    sizes: list[tuple[int, int]],
    work: Path,
    axis: str,
    timeout: float,
    minified: bool = False,
) -> None:
    """Generate, measure and print one series of (functions, events) sizes."""
    print(f"\n{title}\n")
    print(
        f"{'events':>9} {'functions':>9} {'source KB':>9} {'file MB':>7} "
        + " ".join(f"{stage + ' s':>9}" for stage in STAGES)
        + f" {'peak MB':>8}"
    )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for functions, events in sizes:
        trace = generate(functions, events, minified)
        path = work / f"trace-{functions}-{events}.json"
        dump(trace, path)
        row: dict[str, Any] = {
            "events": recorded_events(trace),
            "functions": len(trace.functions),
            "entries": len(trace.functions) + len(trace.rupture_points) + len(trace.effects),
        }
        size_mb = path.stat().st_size / 1e6
        try:
            row.update(run_child(path, timeout))
        except RuntimeError as exc:
            print(f"{row['events']:9} {row['functions']:9} {exc}; bigger sizes skipped")
            break
        finally:
            path.unlink()
        rows.append(row)
        notes += [f"{k}: {v}" for k, v in row.items() if isinstance(v, str) and v != "timeout"]
        source_kb = len(trace.sources[FILE].encode("utf-8")) / 1000
        print(
            f"{row['events']:9} {row['functions']:9} {source_kb:9.0f} {size_mb:7.1f} "
            + " ".join(_seconds(row.get(stage)) for stage in STAGES)
            + f" {row['peak_mb']:8.0f}",
            flush=True,
        )
        if "timeout" in row.values():
            stopped = f"stopped after {timeout:.0f} s in all (--timeout)"
            notes.append(f"{row['events']} events: {stopped}; bigger sizes skipped")
            break
    print("\nCPU seconds of the same stages (this process only: other work on the machine")
    print("stretches the wall times above, not these):")
    for row in rows:
        cells = " ".join(_seconds(row.get("cpu " + stage)) for stage in STAGES)
        print(f"{row['events']:9} {row['functions']:9} {'':9} {'':7} {cells}")
    if len(rows) > 1:
        print(f"\ngrowth exponents along {axis} (log t2/t1 / log n2/n1; 1 = linear):")
        for stage in STAGES:
            print(f"  {stage:12} {' '.join(growth(rows, stage, axis))}")
    for note in sorted(set(notes)):
        print(f"  note: {note}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a one-minute smoke run")
    parser.add_argument(
        "--timeout",
        type=float,
        default=CHILD_TIMEOUT,
        help=f"seconds allowed to load, emit and explain one trace (default {CHILD_TIMEOUT:.0f})",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run both series and print the figures."""
    args = parse_args(argv)
    if args.measure:
        measure_child(args.measure)
        return 0
    top = 3 if args.quick else 4
    grown = [(10 ** (k + 1), 10 ** (k + 3)) for k in range(top)]
    fixed = [(100, 10**k) for k in range(3, 7)]
    minified = [(500, 10**5), (1500, 10**5)]
    with tempfile.TemporaryDirectory(prefix="jitflux-scale-") as tmp:
        work = Path(tmp)
        title = "A. the code grows: 10x functions for 10x events"
        run_series(title, grown, work, "entries", args.timeout)
        title = "B. the code is fixed (100 functions), only the counts grow"
        run_series(title, fixed, work, "events", args.timeout)
        title = "C. one minified line: the same app with no line break (160 KB at 1,500 functions)"
        run_series(title, minified, work, "entries", args.timeout, minified=True)
    print(
        "\nWhat grows with traffic is counts, not entries: trace.json holds one entry per "
        "function,\nrupture point and effect, so more requests change series B's counts only; "
        "emit and\nexplain cost what the number of functions, rupture points and effects "
        "(series A) costs."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
