"""Tests of jitflux.emit.render: the public API the static compiler and the CLI call."""

import os
import subprocess
import sys

import pytest

from jitflux.emit import FORMATS, render
from jitflux.errors import JitfluxError
from jitflux.explain import explain, render_json, render_text
from tests.conftest import EXAMPLES
from tests.fixtures import fixture_data, load_fixture

NAMES = ("paper-counter", "paper-gifsockets", "figure5")


# Prints every output of every example: emit in each format, explain as text and JSON.
_EVERY_OUTPUT = """
import sys
from jitflux.emit import FORMATS, render
from jitflux.explain import explain, render_json, render_text
from tests.fixtures import load_fixture
for name in sys.argv[1:]:
    trace = load_fixture(name)
    for fmt in FORMATS:
        sys.stdout.write(render(trace, fmt))
    sys.stdout.write(render_text(explain(trace)) + render_json(explain(trace)))
"""


def _every_output(seed: str) -> str:
    """What _EVERY_OUTPUT prints in a fresh interpreter with this hash seed."""
    done = subprocess.run(
        [sys.executable, "-c", _EVERY_OUTPUT, *NAMES],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def test_output_is_byte_identical_for_the_same_trace() -> None:
    """Every output of the same trace (emit in each format, explain as text and JSON) is the
    same bytes in two processes with different hash seeds (set and dict order cannot leak),
    and the same as in this one."""
    first = _every_output("1")
    assert _every_output("2") == first
    here = ""
    for name in NAMES:
        trace = load_fixture(name)
        here += "".join(render(trace, fmt) for fmt in FORMATS)
        here += render_text(explain(trace)) + render_json(explain(trace))
    assert here == first


def test_an_unknown_format_is_bad_usage() -> None:
    """A format other than flx, json, dot is a JitfluxError with status 2."""
    with pytest.raises(JitfluxError) as caught:
        render(load_fixture("figure5"), "yaml")
    assert caught.value.status == 2
    assert "flx, json, dot" in caught.value.message


@pytest.mark.parametrize("name", NAMES)
def test_fixtures_hold_the_current_example_sources(name: str) -> None:
    """Each fixture describes its example as it is now: same text, functions where they are."""
    source = (EXAMPLES / name / "server.js").read_text(encoding="utf-8")
    data = fixture_data(name)
    assert data["sources"]["server.js"] == source
    lines = source.split("\n")
    for fn in data["functions"]:
        if fn["kind"] == "function":
            start = sum(len(line) + 1 for line in lines[: fn["line"] - 1]) + fn["column"]
            assert fn["range"][0] == start
            assert source[fn["range"][0] : fn["range"][1]].startswith("function")
            assert source[fn["range"][0] : fn["range"][1]].endswith("}")
