"""The isolation check of tests/isolation.py, on a real trace of tests/apps/merge-whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitflux.emit import render
from tests.e2e.apps import Traced, trace_app
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
