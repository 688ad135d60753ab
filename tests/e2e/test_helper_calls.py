"""A helper's locals and parameters belong to each call of it (tests/apps/helper-calls, traced
for real on Express 4 and 5): called by main at start-up and by handlers, directly and through a
local variable, its variables travel from each caller, never through another."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.apps import Json, Traced, by_name, streams, trace_app

APP = Path(__file__).resolve().parent.parent / "apps" / "helper-calls"


@pytest.fixture(scope="module", params=[4, 5], ids=["express4", "express5"])
def traced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The app traced once per Express version, both routes sent."""
    requests = ["GET /direct", "GET /local", "GET /direct?v=2", "GET /handed"]
    return trace_app(APP, requests, request.param, tmp_path_factory.mktemp("helper"))


@pytest.fixture(scope="module")
def program(traced: Traced) -> dict[str, Json]:
    """Its emitted fluxions by name."""
    return by_name(traced.emit())


def test_main_call_sends_its_own_variables(program: dict[str, Json]) -> None:
    """main calls the helper at start-up: its stream to the helper's callback carries them."""
    assert ("post", ["done"], ["callback", "result"]) in streams(program["main"])


def test_each_caller_sends_its_own(program: dict[str, Json]) -> None:
    """Each handler (one calling through a local variable) sends its own call's variables."""
    for name in ("direct", "local"):
        assert streams(program[name]) == [("post", ["done"], ["callback", "result", "res"])]


def test_no_variable_travels_through_another_caller(program: dict[str, Json]) -> None:
    """main hands the handlers only `res`: the helper's variables are not main's."""
    assert ("start", ["direct"], ["res"]) in streams(program["main"])
    assert ("start", ["local"], ["res"]) in streams(program["main"])


def test_no_false_share(traced: Traced, program: dict[str, Json]) -> None:
    """The helper's variables are streamed, not shared: no group but the network."""
    rules = {v["name"]: v["rule"] for v in traced.emit()["variables"]}
    assert (rules["callback"], rules["result"]) == ("stream", "stream")
    assert all(tag == "network" for f in program.values() for tag in f["tags"])


def test_socket_handed_to_a_helper_main_calls_too(program: dict[str, Json]) -> None:
    """A handler hands its `res` to a helper that main also calls: `res` still reaches the
    handler in its message from main, and the helper's callback gets it from both callers."""
    assert ("start", ["handed"], ["res"]) in streams(program["main"])
    assert streams(program["handed"]) == [("post", ["sent"], ["res", "text"])]
    assert ("post", ["sent"], ["res", "text"]) in streams(program["main"])
