"""Tests of jitflux.analysis.fluxions: which functions are fluxions, and their names."""

import pytest

from jitflux.analysis.fluxions import MAIN, identify
from jitflux.errors import JitfluxError
from tests.fixtures import TraceBuilder, load_fixture


def test_main_and_one_fluxion_per_callback_in_source_order() -> None:
    """paper-counter gives main, handler, reply; the helper template is not a fluxion."""
    fluxions = identify(load_fixture("paper-counter"))
    assert fluxions.names == ["main", "handler", "reply"]
    assert fluxions.get("handler").entry == "start"
    assert fluxions.get("reply").entry == "post"
    assert fluxions.part_of("f1") == MAIN  # template runs inside whichever part calls it


def test_anonymous_callbacks_are_named_after_their_line() -> None:
    """The anonymous getRawBody callback of listing 3 (line 12) is anonymous_12."""
    fluxions = identify(load_fixture("paper-gifsockets"))
    assert fluxions.names == ["main", "saveBody", "anonymous_12", "writeTextToImages"]
    assert fluxions.get("writeTextToImages").external


def test_names_are_unique_with_a_suffix_on_collision() -> None:
    """Two anonymous callbacks on one line and two `handler`s get distinct, stable names."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    one = b.function("", line=4, column=10)
    two = b.function("", line=4, column=30)
    h1 = b.function("handler", line=7)
    h2 = b.function("handler", line=9)
    reserved = b.function("main", line=11)
    for callback in (one, two, h1, h2, reserved):
        b.post("setTimeout", top, callback)
    names = identify(b.trace()).names
    assert names == ["main", "anonymous_4", "anonymous_4_2", "handler", "handler_2", "main_2"]


def test_main_is_the_toplevel_of_meta_script() -> None:
    """With two top levels, main is the one of the file meta.script names."""
    b = TraceBuilder()
    b.data["meta"]["script"] = "app/server.js"
    lib = b.function("", kind="toplevel", file="lib.js")
    top = b.function("", kind="toplevel")
    handler = b.function("handler", line=3)
    b.start("app.get", top, handler)
    fluxions = identify(b.trace())
    assert fluxions.main_function is not None and fluxions.main_function.id == top
    assert fluxions.part_of(lib) == MAIN


def test_functions_are_folded_into_the_innermost_enclosing_fluxion() -> None:
    """A function nested in a callback runs in that callback's part."""
    b = TraceBuilder()
    top = b.toplevel(end=200)
    outer = b.function("outer", line=2, range_=(10, 150))
    inner = b.function("inner", line=3, range_=(20, 140))
    helper = b.function("helper", line=4, range_=(30, 60))
    b.start("app.get", top, outer)
    b.post("setImmediate", outer, inner)
    fluxions = identify(b.trace())
    assert fluxions.part_of(helper) == "inner"
    assert fluxions.part_of(inner) == "inner"


def test_a_rupture_point_naming_an_unknown_function_is_bad_input() -> None:
    """A callback id missing from `functions` is a JitfluxError with status 2."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    b.post("setTimeout", top, "f9")
    with pytest.raises(JitfluxError) as caught:
        identify(b.trace())
    assert caught.value.status == 2
    assert "f9" in caught.value.message
