"""corpus/verdicts.py on a real trace of the plain-http corpus app: its expectations, and
expectations that must not hold."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from corpus.run import emit, free_port, run_traced
from corpus.verdicts import check, rebase
from tests.corpus.conftest import CORPUS, JITFLUX

APP = CORPUS / "plain-http"
SPEC = json.loads((APP / "app.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((APP / "expect.json").read_text(encoding="utf-8"))["expectations"]
# Expectations that fail on a known, tracked bug (none today).
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The emitted program of one real trace of plain-http."""
    work: Path = tmp_path_factory.mktemp("plain-http")
    run = run_traced(APP, SPEC, free_port(), work, "plain", JITFLUX)
    assert run.trace is not None, run.note
    found, why_not = emit(run.trace, JITFLUX, "")
    assert found is not None, why_not
    return found


@pytest.mark.parametrize(
    "expectation",
    [
        pytest.param(e, id=e["id"], marks=[pytest.mark.xfail(reason=KNOWN[e["id"]])])
        if e["id"] in KNOWN
        else pytest.param(e, id=e["id"])
        for e in EXPECTED
    ],
)
def test_plain_http_expectation_holds(program: dict[str, Any], expectation: dict[str, Any]) -> None:
    """Each expectation of plain-http, written from the paper's rules, holds on its trace."""
    held, detail = check(expectation, program)
    assert held, detail


@pytest.mark.parametrize(
    ("expectation", "found"),
    [
        ({"variable": "counter@server.js:8", "rule": "share"}, "rule is scope"),
        ({"variable": "counter", "fluxions_include": ["main"]}, "lack main"),
        ({"variable": "nothing"}, "no variable nothing"),
        ({"fluxion": "server.js:999", "present": True}, "no fluxion at server.js:999"),
        ({"fluxion": "server.js:21", "isolated": True}, "isolated is False"),
        ({"fluxion": "server.js:21", "present": False}, "present: onRequest"),
        ({"fluxion": "server.js:21", "context_exclude": ["lastEcho"]}, "context holds"),
        (
            {"fluxion": "server.js:21", "context_exclude": ["lastEcho@server.js:9"]},
            "context holds",
        ),
        ({"stream": {"from": "main", "to": "server.js:21", "type": "post"}}, "no stream main"),
        (
            {"stream": {"from": "main", "type": "start", "message_include": ["body"]}},
            "message lacks ['body']",
        ),
    ],
)
def test_wrong_expectations_fail(
    program: dict[str, Any], expectation: dict[str, Any], found: str
) -> None:
    """An expectation that contradicts the trace fails, and says what was found instead."""
    held, detail = check(expectation, program)
    assert not held
    assert found in detail


def test_context_exclude_holds_for_other_variables(program: dict[str, Any]) -> None:
    """A context that does not hold the named variable passes."""
    assert check({"fluxion": "server.js:21", "context_exclude": ["nothing"]}, program)[0]


def test_rebase_makes_files_relative_to_the_app(program: dict[str, Any]) -> None:
    """Origins and declarations are rebased from the script's folder to the app's."""
    moved = rebase(copy.deepcopy(program), "bin")
    assert {f["origin"]["file"] for f in moved["fluxions"] if f["origin"]} == {"bin/server.js"}
    assert check({"fluxion": "bin/server.js:21", "present": True}, moved)[0]
    assert not check({"fluxion": "lib/server.js:21", "present": True}, moved)[0]
