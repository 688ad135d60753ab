"""The isolation check of tests/isolation.py, on real traces of tests/apps/merge-whole (Express 5)
and tests/apps/koa-state (Koa 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitflux.analysis import pipeliner
from jitflux.emit import render
from tests.e2e.apps import Traced, trace_app
from tests.e2e.test_framework_merge import trace_framework
from tests.isolation import isolation_leaks

APP = Path(__file__).resolve().parent / "apps" / "merge-whole"


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The merge app traced once on Express 5."""
    requests = ["GET /user", "GET /query?q=1", "GET /seen?a=1", "GET /late", "GET /boom"]
    return trace_app(APP, requests, 5, tmp_path_factory.mktemp("isolation"))


def test_emitted_program_has_no_leak(traced: Traced) -> None:
    """The program jitflux emits carries every write of its isolated fluxions."""
    program = json.loads(render(traced.trace, "json"))
    assert isolation_leaks(traced.trace, program) == []


def test_a_program_without_messages_leaks(traced: Traced) -> None:
    """With its messages emptied, the same program leaks each merged write and each chain value."""
    program = json.loads(render(traced.trace, "json"))
    for fluxion in program["fluxions"]:
        for stream in fluxion["streams"]:
            stream["message"] = []
    leaks = isolation_leaks(traced.trace, program)
    assert "found writes res.locals.user for the next handler, in no message" in leaks
    assert "stripped writes req.query.q for the next handler, in no message" in leaks
    assert "failure writes req.failed that reported uses, in no message" in leaks


def test_a_tied_fluxion_called_isolated_leaks(traced: Traced) -> None:
    """A writer whose reader runs outside its streams leaks when it is called isolated."""
    program = json.loads(render(traced.trace, "json"))
    reported = next(f for f in program["fluxions"] if f["name"] == "failure")
    reported["streams"] = [{"type": "post", "to": ["null"], "message": []}]
    assert isolation_leaks(traced.trace, program) == [
        "failure writes req.failed that reported uses, in no message"
    ]


@pytest.fixture(scope="module")
def koa(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """tests/apps/koa-state traced once on Koa 2."""
    return trace_framework("koa-state", tmp_path_factory.mktemp("isolation-koa"))


def test_an_unmerged_koa_ctx_write_leaks(koa: Traced, monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysed without the Koa merge and the unmerged tie (the verdict jitflux gave before
    them), `stamp` is isolated, and the check finds its write to ctx.state.stamp, which `show`
    reads through its own ctx, in no message."""
    monkeypatch.setattr(pipeliner, "framework_merge_rule", lambda *args: [])
    monkeypatch.setattr(pipeliner, "unmerged_rule", lambda *args: [])
    program = json.loads(render(koa.trace, "json"))
    assert next(f for f in program["fluxions"] if f["name"] == "stamp")["isolated"] is True
    assert isolation_leaks(koa.trace, program) == [
        "stamp writes ctx.state.stamp into the request object that show reads, in no message"
    ]


def test_the_koa_merge_carries_the_write(koa: Traced) -> None:
    """With the merge, stamp's stream to koa_dispatcher carries the write: no leak; emptied,
    the same stream leaks it again."""
    program = json.loads(render(koa.trace, "json"))
    assert isolation_leaks(koa.trace, program) == []
    for fluxion in program["fluxions"]:
        for stream in fluxion["streams"]:
            stream["message"] = []
    assert isolation_leaks(koa.trace, program) == [
        "stamp writes ctx.state.stamp into the request object that show reads, in no message"
    ]
