"""Tests of jitflux.emit.render: the public API the static compiler and the CLI call."""

import pytest

from jitflux.emit import FORMATS, render
from jitflux.errors import JitfluxError
from tests.conftest import EXAMPLES
from tests.fixtures import fixture_data, load_fixture

NAMES = ("paper-counter", "paper-gifsockets", "figure5")


@pytest.mark.parametrize("name", NAMES)
def test_output_is_byte_identical_for_the_same_trace(name: str) -> None:
    """Rendering the same trace twice, in each format, gives the same bytes."""
    for fmt in FORMATS:
        first = render(load_fixture(name), fmt)
        assert render(load_fixture(name), fmt) == first
        assert first.endswith("\n")


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
