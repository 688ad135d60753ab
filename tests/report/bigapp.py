"""A generated Express app of any size, to trace for real: many routes, each a chain of callbacks.

Each route is a chain of five callbacks (app.get -> handler -> fs.readFile -> setImmediate ->
setTimeout -> process.nextTick) with a counter of its own (scope), a value declared in one
callback and read downstream (stream), a `last_<g>` variable written by the ten routes of one
group (share), a read-only `template`, and `res` used at the end (network). A route in twenty
also touches `hits_<i>` from two callbacks, so that its chain holds a share group of its own.
"""

from __future__ import annotations

from pathlib import Path

# Functions per route chain, and routes per group sharing one `last_<g>` variable.
CHAIN = 5
GROUP = 10

HEADER = """\
// A generated app: {routes} routes, each a chain of five callbacks.
var app = require('express')(),
  fs = require('fs'),
  template = 'route ';
var {names};

"""

ROUTE = """\
app.get('/r{i}', function handler_{i}(req, res) {{
  var item_{i} = req.query.v || 'x';
  fs.readFile(__filename, function load_{i}(err, data) {{
    hits_{i} += 1;
    var size_{i} = data.length + template.length;
    setImmediate(function transform_{i}() {{
      var text_{i} = item_{i} + ':' + size_{i};
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


def app_source(routes: int) -> str:
    """The server.js of an app with `routes` routes (CHAIN functions each)."""
    groups = (routes + GROUP - 1) // GROUP
    names = [f"hits_{i} = 0" for i in range(routes)] + [f"last_{g} = ''" for g in range(groups)]
    header = HEADER.format(routes=routes, names=",\n  ".join(names))
    body = "\n".join(ROUTE.format(i=i, g=i // GROUP) for i in range(routes))
    return header + body + "\n" + FOOTER


def write_app(folder: Path, routes: int) -> tuple[Path, Path]:
    """Write server.js and requests.txt (one request per route) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "server.js"
    script.write_text(app_source(routes), encoding="utf-8")
    requests = folder / "requests.txt"
    requests.write_text("".join(f"GET /r{i}?v={i}\n" for i in range(routes)), encoding="utf-8")
    return script, requests
