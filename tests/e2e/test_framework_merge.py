"""Writes into the request object of Koa (`ctx.state`) and Fastify (`request`) for the handler
after the writer, on real traces of Koa 2 and Fastify 5 from npm: the writer is never called
isolated while its write travels unmerged, and its tie says why (the paper's default before
the merge of section 4.2.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.apps import Json, Traced, by_name, trace_app
from tests.isolation import isolation_leaks

APPS = ROOT / "tests" / "apps"
# Koa 2 and @koa/router 13 are the corpus app's; Fastify 5 is the framework tests'.
MODULES = {
    "koa-state": ROOT / "corpus" / "koa-router" / "node_modules",
    "fastify-request": APPS / "frameworks" / "node_modules",
}
REQUESTS = ["GET /size/abc", "GET /size/hello", "GET /size/abc"]


def trace_framework(name: str, tmp_path: Path) -> Traced:
    """tests/apps/NAME traced for real with its framework from npm."""
    return trace_app(APPS / name, REQUESTS, 5, tmp_path, modules=MODULES[name])


@pytest.fixture(scope="module")
def koa(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """tests/apps/koa-state on Koa 2, traced once."""
    return trace_framework("koa-state", tmp_path_factory.mktemp("koa-state"))


@pytest.fixture(scope="module")
def fastify(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """tests/apps/fastify-request on Fastify 5, traced once."""
    return trace_framework("fastify-request", tmp_path_factory.mktemp("fastify-request"))


def unmerged(report: Json) -> list[Json]:
    """The ties of an explain report that hold a write into the request object unmerged."""
    return [tie for tie in report["ties"] if tie["case"] == "unmerged"]


def test_koa_middleware_writing_ctx_state_is_not_isolated(koa: Traced) -> None:
    """`stamp` writes ctx.state.stamp after an awaited call and calls next; `show` reads it:
    stamp is in the network group with a tie on ctx.state.stamp, not isolated."""
    fluxions = by_name(koa.emit())
    assert fluxions["stamp"]["isolated"] is False
    assert "network" in fluxions["stamp"]["tags"]
    ties = unmerged(koa.explain()["stamp"])
    assert [(t["rule"], t["variable"]) for t in ties] == [("network", "ctx.state.stamp")]
    assert ties[0]["at"] == koa.at("ctx.state.stamp = found", "ctx")
    assert "does not merge these changes back yet" in ties[0]["reason"]
    assert "it calls `next`" in ties[0]["reason"]


def test_koa_direct_write_before_next_is_tied_too(koa: Traced) -> None:
    """`measure` writes ctx.state.size before `await next()`: its tie names that write too."""
    ties = unmerged(koa.explain()["measure"])
    assert [t["variable"] for t in ties] == ["ctx.state.size"]
    assert by_name(koa.emit())["measure"]["isolated"] is False


def test_koa_helper_and_reader_keep_their_verdicts(koa: Traced) -> None:
    """The awaited helper `lookup` writes nothing of the request and stays isolated; `show`,
    which only reads ctx.state and answers, has no unmerged tie of its own."""
    fluxions = by_name(koa.emit())
    assert fluxions["lookup"]["isolated"] is True
    assert unmerged(koa.explain()["show"]) == []


@pytest.mark.parametrize(
    ("hook", "path", "goes_on"),
    [("measure", "request.size", "it calls `done`"), ("stamp", "request.stamp", "a hook")],
)
def test_fastify_hooks_writing_request_are_not_isolated(
    fastify: Traced, hook: str, path: str, goes_on: str
) -> None:
    """An onRequest hook with `done` and an async preHandler write the request that the route
    handler reads: neither is isolated, each tied on its write."""
    assert by_name(fastify.emit())[hook]["isolated"] is False
    ties = unmerged(fastify.explain()[hook])
    assert [t["variable"] for t in ties] == [path]
    assert goes_on in ties[0]["reason"]


def test_flx_puts_the_writers_in_the_network_group(koa: Traced, fastify: Traced) -> None:
    """The emitted programs head each writer with `& network`."""
    assert "flx stamp & network" in koa.flx()
    assert "flx measure & network" in fastify.flx()
    assert "flx stamp & network" in fastify.flx()


@pytest.mark.parametrize("app", ["koa", "fastify"])
def test_no_leak_through_the_request_object(
    app: str, request: pytest.FixtureRequest
) -> None:
    """The isolation check finds nothing on the emitted programs."""
    traced: Traced = request.getfixturevalue(app)
    assert isolation_leaks(traced.trace, traced.emit()) == []
