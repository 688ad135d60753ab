"""How the analysis scales: load, `jitflux.emit.render(trace, 'json')` and explain on big traces.

Synthetic traces are generated with the shape of a real one: an Express app whose routes are
chains of five callbacks (app.get -> handler -> fs.readFile -> setImmediate -> setTimeout ->
process.nextTick), with a module counter per route (scope), values declared in one callback and
read downstream (stream), a total written by every route and a `last_<g>` variable written by
the routes of one group of ten (share), a read-only `template`, and `res` used for the network at
the end of each chain. The app's source is generated too, so every function has its real range
and every effect its real declaration.

Two series:
  A. the code grows with the events: 10 to 10,000 functions for 10^3 to 10^6 recorded events;
  B. the code is fixed (100 functions) and only the counts grow: 10^3 to 10^6 events.
What grows with traffic is counts, not entries: a trace holds one entry per function, rupture
point and effect whatever the number of requests, so series B is what more traffic costs and
series A is what a bigger application costs.

Each trace is measured in a fresh Python process (so that its peak RSS is its own): the load
of trace.json (JSON parsing and the schema check), `jitflux.emit.render(trace, "json")`, and
explain on every fluxion. Times are wall-clock seconds (the best of a few repetitions when a
stage is fast); the growth exponent between successive sizes is log(t2/t1) / log(n2/n1).

    .venv/bin/python bench/scale.py            # both series, up to 10^6 events
    .venv/bin/python bench/scale.py --quick    # series A up to 10^5 events
"""

from __future__ import annotations

import argparse
import bisect
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

from jitflux.trace import Effect, Function, Location, RupturePoint, Sample, Trace, dump

FILE = "server.js"
# Functions per route chain, and routes per group sharing one `last_<g>` variable.
CHAIN = 5
GROUP = 10
# A measuring child that takes longer than this in all is stopped (--timeout).
CHILD_TIMEOUT = 120.0
# A fast stage is repeated until this much time has passed (at most REPEATS times).
MIN_STAGE_TIME = 0.3
REPEATS = 5

HEADER = """\
// A synthetic app: {routes} routes, each a chain of five callbacks.
var app = require('express')(),
  fs = require('fs'),
  template = 'route ',
  total = 0,
"""

ROUTE = """\
app.get('/r{i}', function handler_{i}(req, res) {{
  var item_{i} = req.query.v || 'x';
  fs.readFile(__filename, function load_{i}(err, data) {{
    hits_{i} += 1;
    var size_{i} = data.length + template.length;
    setImmediate(function transform_{i}() {{
      total += size_{i};
      var text_{i} = item_{i} + ':' + hits_{i};
      setTimeout(function store_{i}() {{
        last_{g} = text_{i};
        process.nextTick(function reply_{i}() {{
          res.send(text_{i} + last_{g});
        }});
      }}, 1);
    }});
  }});
}});
"""

FOOTER = "app.listen(process.env.PORT || 8080);\n"

# The chain of a route: (function, params, callee of the rupture point that reaches it).
STEPS = (
    ("handler", ["req", "res"], "app.get"),
    ("load", ["err", "data"], "fs.readFile"),
    ("transform", [], "setImmediate"),
    ("store", [], "setTimeout"),
    ("reply", [], "process.nextTick"),
)

# The effects of a route, per request: (part, kind, variable, declaring step or None for the
# top level, text of the access in the part). Names are formatted with {i} and {g}.
EFFECTS = (
    ("load", "read", "hits_{i}", None, "hits_{i} += 1"),
    ("load", "write", "hits_{i}", None, "hits_{i} += 1"),
    ("load", "read", "template", None, "template.length"),
    ("transform", "read", "total", None, "total +="),
    ("transform", "write", "total", None, "total +="),
    ("transform", "read", "size_{i}", "load", "size_{i};"),
    ("transform", "read", "item_{i}", "handler", "item_{i} +"),
    ("transform", "read", "hits_{i}", None, "hits_{i};"),
    ("store", "write", "last_{g}", None, "last_{g} ="),
    ("store", "read", "text_{i}", "transform", "text_{i};"),
    ("reply", "read", "text_{i}", "transform", "text_{i} +"),
    ("reply", "read", "last_{g}", None, "last_{g});"),
    ("reply", "read", "res", "handler", "res.send"),
    ("reply", "network", "res", "handler", "res.send"),
)
EVENTS_PER_REQUEST = len(STEPS) + len(EFFECTS)


class Source:
    """Generated source text, with offsets turned into 1-based lines and 0-based columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def location(self, offset: int) -> Location:
        """The Location of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return Location(FILE, line, offset - self.line_starts[line - 1])

    def find(self, needle: str, start: int = 0) -> int:
        """The offset of `needle` at or after `start` (it is always there: we wrote the text)."""
        offset = self.text.find(needle, start)
        if offset < 0:
            raise ValueError(f"generated source lacks {needle!r}")
        return offset

    def function_end(self, start: int) -> int:
        """The offset just past the body of the function starting at `start`."""
        depth = 0
        for offset in range(self.text.index("{", start), len(self.text)):
            if self.text[offset] == "{":
                depth += 1
            elif self.text[offset] == "}":
                depth -= 1
                if depth == 0:
                    return offset + 1
        raise ValueError("unbalanced braces in generated source")


def app_source(routes: int) -> str:
    """The text of a synthetic app with this many routes."""
    groups = (routes + GROUP - 1) // GROUP
    names = [f"hits_{i} = 0" for i in range(routes)] + [f"last_{g} = ''" for g in range(groups)]
    header = HEADER.format(routes=routes) + ",\n".join(f"  {n}" for n in names) + ";\n\n"
    body = "\n".join(ROUTE.format(i=i, g=i // GROUP) for i in range(routes))
    return header + body + "\n" + FOOTER


def route_counts(routes: int, events: int) -> list[int]:
    """Requests per route: Zipf-like (a few hot routes), adding up to about `events` events."""
    weights = [1.0 / (i + 1) ** 0.8 for i in range(routes)]
    scale = events / EVENTS_PER_REQUEST / sum(weights)
    return [max(1, round(w * scale)) for w in weights]


def samples(count: int, first_request: int, where: Location) -> list[Sample]:
    """Up to three samples: distinct request ids and the place of the event."""
    return [
        Sample(f"r{first_request + 7 * n}", where.file, where.line, where.column)
        for n in range(min(3, count))
    ]


def declaration(src: Source, target: str, function_start: int) -> int:
    """The offset of the identifier that declares `target` in the function at that offset."""
    if target == "res":
        return src.find("(req, res)", function_start) + len("(req, ")
    return src.find(f"var {target} ", function_start) + len("var ")


def generate(functions: int, events: int) -> Trace:
    """A synthetic trace with about `functions` functions and `events` recorded events."""
    routes = max(1, round((functions - 1) / CHAIN))
    src = Source(app_source(routes))
    counts = route_counts(routes, events)
    main = Function("f0", "", FILE, 1, 0, kind="toplevel", range=(0, len(src.text)))
    trace = Trace(functions=[main], sources={FILE: src.text})
    requests = 0
    cursor = 0  # functions come in source order: each search starts at the previous one
    for i, count in enumerate(counts):
        g = i // GROUP
        ids: dict[str, str] = {}
        starts: dict[str, int] = {}
        caller = "f0"
        for step, params, callee in STEPS:
            name = f"{step}_{i}"
            start = cursor = src.find(f"function {name}(", cursor)
            fid = f"f{len(trace.functions)}"
            ids[step], starts[step] = fid, start
            where = src.location(start)
            trace.functions.append(
                Function(
                    fid,
                    name,
                    FILE,
                    where.line,
                    where.column,
                    range=(start, src.function_end(start)),
                    params=list(params),
                )
            )
            kind = "start" if callee == "app.get" else "post"
            trace.rupture_points.append(
                RupturePoint(
                    kind, callee, caller, fid, count, samples(count, requests, where), where
                )
            )
            caller = fid
        for part, kind, variable, declarer, needle in EFFECTS:
            target = variable.format(i=i, g=g)
            if declarer is None:
                declared = src.location(src.find(f"  {target} = ") + 2)
                owner = "f0"
            else:
                declared = src.location(declaration(src, target, starts[declarer]))
                owner = ids[declarer]
            access = src.location(src.find(needle.format(i=i, g=g), starts[part]))
            trace.effects.append(
                Effect(
                    ids[part],
                    kind,  # type: ignore[arg-type]
                    target,
                    declared,
                    count,
                    samples(count, requests, access),
                    owner=owner,
                )
            )
        requests += count
    trace.meta = {
        "script": FILE,
        "command": ["node", FILE],
        "complete": True,
        "exit_status": 0,
        "synthetic": True,
        "requests": requests,
    }
    return trace


def recorded_events(trace: Trace) -> int:
    """The sum of the counts: how many events the trace stands for."""
    return sum(rp.count for rp in trace.rupture_points) + sum(e.count for e in trace.effects)


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


def timed(stage: Callable[[], Any], once: bool) -> tuple[float, Any]:
    """The best time of `stage` over a few runs (one run when `once`), and its last result."""
    best, spent, result = math.inf, 0.0, None
    for _ in range(1 if once else REPEATS):
        began = time.perf_counter()
        result = stage()
        took = time.perf_counter() - began
        best, spent = min(best, took), spent + took
        if spent >= MIN_STAGE_TIME:
            break
    return best, result


def explain_all(trace: Trace) -> str:
    """The explanation of every fluxion, as `jitflux explain` prints it with no FLUXION."""
    from jitflux.explain import explain, render_text

    return render_text(explain(trace))


def measure_child(path: Path) -> None:
    """Load, emit and explain one trace file, printing one JSON line per stage as it ends.

    Each line is {"stage", "seconds" (a float, or a string saying why there is none),
    "peak_mb"}; a stage that runs out of time leaves the lines of the stages before it.
    """
    from jitflux.trace import load

    def report(stage: str, seconds: float | str) -> None:
        line = {"stage": stage, "seconds": seconds, "peak_mb": peak_rss_mb()}
        print(json.dumps(line), flush=True)

    report("start", 0.0)
    # Big traces are measured once: a repetition would cost seconds and change nothing.
    big = path.stat().st_size > 5_000_000
    took, trace = timed(lambda: load(path), once=big)
    report("load", took)
    try:
        from jitflux.emit import render
    except ImportError as exc:
        report("emit", f"not available ({exc})")
    else:
        report("emit", timed(lambda: render(trace, "json"), once=big)[0])
    try:
        report("explain", timed(lambda: explain_all(trace), once=big)[0])
    except ImportError as exc:
        report("explain", f"not available ({exc})")


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
        row["peak_mb"] = stage["peak_mb"]
    lines.unlink()
    cut = next((s for s in ("load", "emit", "explain") if s not in row), None)
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
    title: str, sizes: list[tuple[int, int]], work: Path, axis: str, timeout: float
) -> None:
    """Generate, measure and print one series of (functions, events) sizes."""
    print(f"\n{title}\n")
    print(
        f"{'events':>9} {'functions':>9} {'rupt.pts':>8} {'effects':>8} {'file MB':>8} "
        f"{'load s':>9} {'emit s':>9} {'explain s':>9} {'peak MB':>8}"
    )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for functions, events in sizes:
        trace = generate(functions, events)
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
        print(
            f"{row['events']:9} {row['functions']:9} {len(trace.rupture_points):8} "
            f"{len(trace.effects):8} {size_mb:8.1f} {_seconds(row.get('load'))} "
            f"{_seconds(row.get('emit'))} {_seconds(row.get('explain'))} {row['peak_mb']:8.0f}",
            flush=True,
        )
        if "timeout" in row.values():
            stopped = f"stopped after {timeout:.0f} s in all (--timeout)"
            notes.append(f"{row['events']} events: {stopped}; bigger sizes skipped")
            break
    if len(rows) > 1:
        print(f"\ngrowth exponents along {axis} (log t2/t1 / log n2/n1; 1 = linear):")
        for stage in ("load", "emit", "explain"):
            print(f"  {stage:8} {' '.join(growth(rows, stage, axis))}")
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
    with tempfile.TemporaryDirectory(prefix="jitflux-scale-") as tmp:
        work = Path(tmp)
        title = "A. the code grows: 10x functions for 10x events"
        run_series(title, grown, work, "entries", args.timeout)
        title = "B. the code is fixed (100 functions), only the counts grow"
        run_series(title, fixed, work, "events", args.timeout)
    print(
        "\nWhat grows with traffic is counts, not entries: trace.json holds one entry per "
        "function,\nrupture point and effect, so more requests change series B's counts only; "
        "emit and\nexplain cost what the number of functions, rupture points and effects "
        "(series A) costs."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
