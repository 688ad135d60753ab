"""Insert-only text edits (node_shim/lib/edits.js): nesting at one position, no new line, and the
map of insertions used to put stack trace columns back."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import NODE_SHIM

SCRIPT = """
const { Edits } = require(process.argv[1]);
const e = new Edits('f(a)\\ng(b)');
e.before(2, '[', 1);      // around `a`
e.after(3, ']', 1);
e.before(2, '<', 5);      // a larger node starting at the same place opens first
e.after(3, '>', 5);       // and closes last
e.before(7, 'X');
const out = e.applyWithMap();
let refused = null;
try {
  const bad = new Edits('x');
  bad.before(0, 'a\\nb');
  bad.apply();
} catch (err) {
  refused = err.message;
}
console.log(JSON.stringify({ code: out.code, inserts: out.inserts, plain: e.apply(), refused }));
"""


def test_edits_nest_insert_and_map() -> None:
    """Insertions nest by node size, never add a line, and are listed by original offset."""
    result = subprocess.run(
        ["node", "-e", SCRIPT, str(NODE_SHIM / "lib" / "edits.js")],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(result.stdout)
    assert out["code"] == "f(<[a]>)\ng(Xb)"
    assert out["plain"] == out["code"]
    assert out["inserts"] == [[2, 2], [3, 2], [7, 1]]
    assert out["refused"] == "an insertion must not add a line"
