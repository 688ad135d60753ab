"""Synthetic traces for bench/scale.py, with the shape of a real one and their source.

An Express app whose routes are chains of five callbacks (app.get -> handler -> fs.readFile ->
setImmediate -> setTimeout -> process.nextTick), with a module counter per route (scope),
values declared in one callback and read downstream (stream), a total written by every route
and a `last_<g>` variable written by the routes of one group of ten (share), a read-only
`template`, and `res` used for the network at the end of each chain. The source is generated
too (optionally as one minified line), so every function has its real range and every effect
its real declaration.
"""

from __future__ import annotations

import bisect

from jitflux.trace import Effect, Function, Location, Meta, RupturePoint, Sample, Trace

FILE = "server.js"
# Functions per route chain, and routes per group sharing one `last_<g>` variable.
CHAIN = 5
GROUP = 10
HEADER = """\
/* A synthetic app: {routes} routes, each a chain of five callbacks. */
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


def app_source(routes: int, minified: bool = False) -> str:
    """The text of a synthetic app with this many routes; `minified`, all on one line."""
    groups = (routes + GROUP - 1) // GROUP
    names = [f"hits_{i} = 0" for i in range(routes)] + [f"last_{g} = ''" for g in range(groups)]
    header = HEADER.format(routes=routes) + ",\n".join(f"  {n}" for n in names) + ";\n\n"
    body = "\n".join(ROUTE.format(i=i, g=i // GROUP) for i in range(routes))
    text = header + body + "\n" + FOOTER
    return text.replace("\n", "") if minified else text


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


def generate(functions: int, events: int, minified: bool = False) -> Trace:
    """A synthetic trace with about `functions` functions and `events` recorded events;
    `minified`, its source is one line."""
    routes = max(1, round((functions - 1) / CHAIN))
    src = Source(app_source(routes, minified))
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
    trace.meta = Meta.from_dict(
        {
            "script": FILE,
            "command": ["node", FILE],
            "complete": True,
            "exit_status": 0,
            "synthetic": True,
            "requests": requests,
        }
    )
    return trace


def recorded_events(trace: Trace) -> int:
    """The sum of the counts: how many events the trace stands for."""
    return sum(rp.count for rp in trace.rupture_points) + sum(e.count for e in trace.effects)
