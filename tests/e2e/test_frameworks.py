"""Handlers dispatched by frameworks jitflux has no hooks for (Koa with @koa/router, Fastify,
connect 3, a plain http request listener), traced for real with a keep-alive client and with a
client that closes every connection: each handler is a start point of main, named by the call
that registered it, and the classification does not depend on the client. Koa's ctx and
Fastify's reply are network objects like Express's res."""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.emit import render
from jitflux.trace import Trace
from jitflux.tracing.drive import Request
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import ROOT, copy_app

APPS = ROOT / "tests" / "apps"
MODULES = APPS / "frameworks" / "node_modules"
CLOSING = APPS / "drivers" / "closing.py"

REQUESTS = {
    "framework-koa": ["GET /", "GET /file", "GET /about", "GET /visits", "GET /", "GET /visits"],
    "framework-fastify": ["GET /", "GET /direct", "GET /routed", "GET /", "GET /direct"],
    "framework-connect": ["GET /hits", "GET /hits", "GET /hits"],
    "framework-http": ["GET /", "GET /", "GET /"],
}

# Handler name -> the rupture point that starts it: (type, callee, caller).
HANDLERS = {
    "framework-koa": {
        "timing": ("start", "app.use", "main"),
        "home": ("start", "router.get", "main"),
        "file": ("start", "router.get", "main"),
        "about": ("start", "router.get", "main"),
        "show": ("start", "router.get", "main"),
    },
    "framework-fastify": {
        "home": ("start", "fastify.get", "main"),
        "direct": ("start", "fastify.get", "main"),
        "handler": ("start", "fastify.route", "main"),
    },
    "framework-connect": {
        "count": ("start", "app.use", "main"),
        "reply": ("start", "app.use", "main"),
    },
    "framework-http": {
        "serve": ("start", "http.createServer", "main"),
    },
}

Rupture = tuple[str, str, str, str]


def trace_framework_app(name: str, keep_alive: bool, tmp_path: Path) -> Trace:
    """Trace tests/apps/NAME/server.js with its requests, on kept-alive connections (the
    tracer's own client) or on one closed connection per request."""
    app = copy_app(APPS / name, tmp_path)
    env = {**os.environ, "NODE_PATH": str(MODULES), "PORT": "0"}
    requests = REQUESTS[name]
    reports: list[str] = []
    result = trace_sync(
        TraceOptions(
            command=["node", str(app / "server.js")],
            output=None,
            requests=[Request(*text.split(" ", 1)) for text in requests] if keep_alive else (),
            drive=None if keep_alive else shlex.join([sys.executable, str(CLOSING), *requests]),
            env=env,
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=reports.append,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error) == (0, None)
    assert reports == []
    return result.trace


def named(trace: Trace) -> set[Rupture]:
    """Every rupture point as (type, callee, caller name, callback name); the top level of
    server.js is `main`."""
    names = {
        f.id: ("main" if f.kind == "toplevel" and f.file == "server.js" else f.name)
        for f in trace.functions
    }
    return {(r.type, r.callee, names[r.caller], names[r.callback]) for r in trace.rupture_points}


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, bool], Trace]:
    """Trace an app once per client kind (kept for the whole module)."""
    runs: dict[tuple[str, bool], Trace] = {}

    def run(name: str, keep_alive: bool) -> Trace:
        if (name, keep_alive) not in runs:
            tmp = tmp_path_factory.mktemp(f"{name}-{'keep' if keep_alive else 'close'}")
            runs[name, keep_alive] = trace_framework_app(name, keep_alive, tmp)
        return runs[name, keep_alive]

    return run


@pytest.mark.parametrize("name", sorted(HANDLERS))
@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "close"])
def test_handlers_are_start_points(
    traced: Callable[[str, bool], Trace], name: str, keep_alive: bool
) -> None:
    """Each handler the framework dispatches is a start point of main, with the registering
    call as callee, and nothing else starts it (its code after an await resumes its own)."""
    ruptures = named(traced(name, keep_alive))
    for handler, (kind, callee, caller) in HANDLERS[name].items():
        entries = {r[:3] for r in ruptures if r[3] == handler and r[1] != "await"}
        assert entries == {(kind, callee, caller)}, handler


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_classification_does_not_depend_on_the_client(
    traced: Callable[[str, bool], Trace], name: str
) -> None:
    """The same app gets the same rupture points whether the client keeps its connection
    alive or not."""
    assert named(traced(name, True)) == named(traced(name, False))


@pytest.mark.parametrize(
    ("name", "handler", "network"),
    [("framework-koa", "home", "ctx"), ("framework-fastify", "direct", "reply")],
)
def test_framework_objects_are_network_objects(
    traced: Callable[[str, bool], Trace], name: str, handler: str, network: str
) -> None:
    """Koa's ctx (`ctx.body = ...`) and Fastify's reply (`reply.send(...)`) answer the client
    like Express's res: the handler is in the network group, not isolated, and main hands it
    the object."""
    program = json.loads(render(traced(name, True), "json"))
    fluxions = {f["name"]: f for f in program["fluxions"]}
    assert "network" in fluxions[handler]["tags"]
    assert fluxions[handler]["isolated"] is False
    assert ("start", [handler], [network]) in [
        (s["type"], s["to"], s["message"]) for s in fluxions["main"]["streams"]
    ]


def test_a_returned_answer_uses_the_network(traced: Callable[[str, bool], Trace]) -> None:
    """Fastify sends what an async handler returns: the socket is used for it, so `home`, which
    only counts and returns a string, is in the network group, not isolated."""
    program = json.loads(render(traced("framework-fastify", True), "json"))
    home = next(f for f in program["fluxions"] if f["name"] == "home")
    assert "network" in home["tags"]
    assert home["isolated"] is False


def test_koa_ctx_belongs_to_each_call(traced: Callable[[str, bool], Trace]) -> None:
    """Each Koa handler's ctx is its own parameter, made per request: a stream variable carried
    into it (as main >> handler [res] carries Express's res), in no fluxion's context, and its
    reason says so rather than "set by main"."""
    program = json.loads(render(traced("framework-koa", True), "json"))
    ctxs = [v for v in program["variables"] if v["name"] == "ctx"]
    assert len(ctxs) >= 3
    for variable in ctxs:
        assert (variable["rule"], variable["placement"]["case"]) == ("stream", "parameter")
        assert "is a parameter of" in variable["reason"], variable["reason"]
        assert "set by `main`" not in variable["reason"]
    held = [
        (f["name"], item)
        for f in program["fluxions"]
        for item in f["context"]
        if item.split("@")[0].split(".")[0] == "ctx"
    ]
    assert held == []
