"""Writes into the request object of Koa (`ctx.state`) and Fastify (`request`) for the handler
after the writer, on real traces of Koa 2 and Fastify 5 from npm: a Koa middleware that calls
`next` streams them to koa_dispatcher, a Fastify hook that calls `done` to fastify_dispatcher
(the merge of section 4.2.2); an async Fastify hook, not merged, is never called isolated
while its write travels unmerged, and its tie says why (the paper's default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.apps import Json, Traced, by_name, flx_blocks, streams, trace_app
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


def test_koa_middleware_streams_its_ctx_writes_to_koa_dispatcher(koa: Traced) -> None:
    """`stamp` writes ctx.state.stamp after an awaited call, then calls next; `show` reads it:
    stamp is isolated, its write carried to koa_dispatcher (paper, section 4.2.2, for ctx)."""
    fluxions = by_name(koa.emit())
    assert fluxions["stamp"]["isolated"] is True
    assert ("post", ["koa_dispatcher"], ["ctx.state.stamp"]) in streams(fluxions["stamp"])
    assert fluxions["stamp"]["ties"] == []
    merged = [v for v in koa.emit()["variables"] if v["name"] == "ctx.state.stamp"]
    assert [(v["rule"], v["via"], v["fluxions"]) for v in merged] == [
        ("stream", "merge", ["stamp", "koa_dispatcher"])
    ]
    assert "streams `ctx.state.stamp` to `koa_dispatcher`" in merged[0]["reason"]
    placed = koa.explain()["stamp"]["placements"]
    assert {"ctx.state.stamp": "koa_dispatcher"} == {
        p["variable"]: p["placement"]["reader"] for p in placed if p["variable"].startswith("ctx.")
    }


def test_koa_direct_write_before_next_is_merged_too(koa: Traced) -> None:
    """`measure` writes ctx.state.size before `await next()`: its write goes to
    koa_dispatcher too (measure stays in the network group: it reads ctx.path and sets a
    header)."""
    fluxions = by_name(koa.emit())
    assert ("post", ["koa_dispatcher"], ["ctx.state.size"]) in streams(fluxions["measure"])
    assert unmerged(koa.explain()["measure"]) == []


def test_koa_dispatcher_merges_and_calls_next(koa: Traced) -> None:
    """koa_dispatcher is in main's network group, merges each item back into ctx and hands
    back the promise of next(); the middleware's `await next()` is the stream to it."""
    fluxions = by_name(koa.emit())
    dispatcher = fluxions["koa_dispatcher"]
    assert dispatcher["tags"] == ["network"]
    assert dispatcher["isolated"] is False
    blocks = flx_blocks(koa.flx())
    code = blocks["koa_dispatcher"][1]
    assert "function koa_dispatcher(message) {" in code
    merge = "if ('ctx.state.stamp' in message) ctx.state.stamp = message['ctx.state.stamp'];"
    assert merge in code
    assert code[-2:] == ["return next();", "}"]
    assert "-> koa_dispatcher;" in blocks["stamp"][1]
    assert "await next();" not in blocks["stamp"][1]
    assert "-> koa_dispatcher [ctx.state.stamp]" in blocks["stamp"][0]
    assert "express_dispatcher" not in koa.flx()


def test_koa_helper_and_reader_keep_their_verdicts(koa: Traced) -> None:
    """The awaited helper `lookup` writes nothing of the request and stays isolated; `show`,
    which reads ctx.state and answers, stays in the network group and sends nothing."""
    fluxions = by_name(koa.emit())
    assert fluxions["lookup"]["isolated"] is True
    assert fluxions["show"]["isolated"] is False
    assert streams(fluxions["show"]) == [("post", ["null"], [])]


def test_fastify_done_hook_streams_its_request_writes(fastify: Traced) -> None:
    """The onRequest hook `measure` writes request.size and calls `done`: isolated, its write
    carried to fastify_dispatcher, whose code merges it and calls done()."""
    fluxions = by_name(fastify.emit())
    assert fluxions["measure"]["isolated"] is True
    assert streams(fluxions["measure"]) == [("post", ["fastify_dispatcher"], ["request.size"])]
    assert fluxions["fastify_dispatcher"]["tags"] == ["network"]
    blocks = flx_blocks(fastify.flx())
    assert "request.size = message['request.size'];" in blocks["fastify_dispatcher"][1]
    assert blocks["fastify_dispatcher"][1][-2:] == ["return done();", "}"]
    assert "-> fastify_dispatcher;" in blocks["measure"][1]


def test_fastify_async_hook_is_tied_unmerged(fastify: Traced) -> None:
    """The async preHandler `stamp` writes request.stamp and calls nothing (Fastify goes on
    when it resolves): no dispatcher takes it, so it is not isolated, tied on its write, and
    the reason says why."""
    assert by_name(fastify.emit())["stamp"]["isolated"] is False
    ties = unmerged(fastify.explain()["stamp"])
    assert [(t["rule"], t["variable"]) for t in ties] == [("network", "request.stamp")]
    assert ties[0]["at"] == fastify.at("request.stamp = found", "request")
    assert "a hook: the request goes on when it returns" in ties[0]["reason"]
    assert "merges back only the writes of a hook that calls `done`" in ties[0]["reason"]


def test_flx_puts_only_the_unmerged_writer_in_the_network_group(
    koa: Traced, fastify: Traced
) -> None:
    """The emitted programs head the async Fastify hook with `& network`; the merged writers
    are not in it."""
    assert "flx stamp & network" not in koa.flx()
    assert "flx measure & network" not in fastify.flx()
    assert "flx stamp & network" in fastify.flx()


@pytest.mark.parametrize("app", ["koa", "fastify"])
def test_no_leak_through_the_request_object(
    app: str, request: pytest.FixtureRequest
) -> None:
    """The isolation check finds nothing on the emitted programs."""
    traced: Traced = request.getfixturevalue(app)
    assert isolation_leaks(traced.trace, traced.emit()) == []
