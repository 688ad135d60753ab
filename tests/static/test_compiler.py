"""Tests of the static Trace as a whole: schema, meta, sources, files that cannot be parsed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.static import compile_script
from jitflux.trace import dumps, loads
from tests.conftest import EXAMPLES
from tests.static.helpers import points

APPS = Path(__file__).resolve().parent.parent / "apps"


@pytest.mark.parametrize("example", ["paper-counter", "paper-gifsockets", "figure5"])
def test_static_trace_passes_the_schema_and_round_trips(example: str) -> None:
    """The static trace is a valid trace.json: dumped and loaded back, it is the same."""
    trace = compile_script(EXAMPLES / example / "server.js")
    assert loads(dumps(trace)) == trace


def test_meta_sources_and_counts() -> None:
    """meta says it is static; sources hold each file; nothing was observed (counts 0)."""
    script = APPS / "static-callbacks" / "server.js"
    trace = compile_script(script)
    assert trace.meta["source"] == "static"
    assert trace.meta["script"] == "server.js"
    assert trace.meta["script_path"] == str(script)
    assert trace.meta["files"] == ["server.js", "routes.js", "store.js"]
    assert set(trace.sources) == {"server.js", "routes.js", "store.js"}
    assert trace.sources["store.js"] == (APPS / "static-callbacks" / "store.js").read_text()
    assert all(p.count == 0 and not p.samples for p in trace.rupture_points)
    assert all(e.count == 0 and not e.samples for e in trace.effects)
    for fn in trace.functions:
        start, end = fn.range
        text = trace.sources[fn.file][start:end]
        assert fn.kind == "toplevel" or text.startswith(("function", "("))


def test_unparsable_file_leaves_the_rest_compiled() -> None:
    """A required file with `?.` is reported and skipped; the main script's points are found."""
    trace = compile_script(APPS / "static-modern" / "server.js")
    assert trace.meta["warnings"] == [
        "format.js:3:24: esprima cannot parse optional chaining (?.); file skipped"
    ]
    assert trace.meta["unparsed"] == ["format.js"]
    assert points(trace) == {
        ("start", "app.get", "main", "home"),
        ("post", "fs.readFile", "home", "sent"),
    }
    assert [f.file for f in trace.functions if f.kind == "toplevel"] == ["server.js", "format.js"]


def test_unparsable_main_script_still_gives_main(make_app: Callable[..., Path]) -> None:
    """A script esprima cannot parse at all gives just the main top level and the warning."""
    script = make_app(server_js="class Server {\n  port = 0;\n}\n")
    trace = compile_script(script)
    assert [(f.id, f.kind) for f in trace.functions] == [("f0", "toplevel")]
    assert trace.rupture_points == [] and trace.effects == []
    assert trace.meta["warnings"] == [
        "server.js:2:2: esprima cannot parse a class field (port); file skipped"
    ]
    assert loads(dumps(trace)) == trace


def test_missing_script_is_bad_input(tmp_path: Path) -> None:
    """Compiling a script that does not exist is an exit-2 error."""
    with pytest.raises(JitfluxError) as caught:
        compile_script(tmp_path / "server.js")
    assert caught.value.status == EXIT_BAD_INPUT


# Compiles one app and prints its trace, in a fresh interpreter.
_COMPILE = """
import sys
from pathlib import Path
from jitflux.static import compile_script
from jitflux.trace import dumps
sys.stdout.write(dumps(compile_script(Path(sys.argv[1]))))
"""


def _compiled(script: Path, seed: str) -> str:
    """The trace of `script` compiled by a fresh interpreter with this hash seed."""
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE, str(script)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def test_output_is_deterministic() -> None:
    """Compiling the same app in two processes with different hash seeds (so that set and
    dict orders of strings differ) gives byte-identical traces."""
    script = APPS / "static-callbacks" / "server.js"
    first = _compiled(script, "1")
    assert first == _compiled(script, "2")
    assert loads(first).meta["script"] == "server.js"
