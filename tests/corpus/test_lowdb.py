"""The express5-lowdb corpus app (Express 5, body-parser, lowdb 1 with lodash-id, from npm)
traced for real, without and with `--include` of its packages: every expectation of its
expect.json holds, among them the lodash mixin called inside createTodo's insert (no fluxion of
its own: `nextId` is createTodo's) and the database that lowdb makes and keeps in its own
variable, shared under the app's `db` once lowdb is instrumented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.run import emit, free_port, run_traced
from corpus.verdicts import check
from tests.corpus.conftest import CORPUS, JITFLUX

APP = CORPUS / "express5-lowdb"
SPEC = json.loads((APP / "app.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((APP / "expect.json").read_text(encoding="utf-8"))["expectations"]


@pytest.fixture(scope="module", params=["plain", "include"])
def traced(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any]]:
    """The label and emitted program of one real trace, without or with --include."""
    label: str = request.param
    work: Path = tmp_path_factory.mktemp(f"lowdb-{label}")
    run = run_traced(APP, SPEC, free_port(), work, label, JITFLUX)
    assert run.trace is not None, run.note
    found, why_not = emit(run.trace, JITFLUX, "")
    assert found is not None, why_not
    return label, found


def test_every_expectation_holds(traced: tuple[str, dict[str, Any]]) -> None:
    """Each expectation of the trace's kind holds (nextId-scope, db-share with --include...)."""
    label, program = traced
    failed = []
    for expectation in EXPECTED:
        if expectation["trace"] != label:
            continue
        held, detail = check(expectation, program)
        if not held:
            failed.append(f"{expectation['id']}: {detail}")
    assert failed == []


def test_the_mixin_is_no_fluxion(traced: tuple[str, dict[str, Any]]) -> None:
    """The createId arrow (server.js:17) and lowdb's write wrapper run inside the handlers."""
    _, program = traced
    origins = [f["origin"] for f in program["fluxions"] if f["origin"]]
    assert {"file": "server.js", "line": 17} not in [
        {"file": o["file"], "line": o["line"]} for o in origins
    ]
    assert not any(o["file"].endswith("lowdb/lib/main.js") for o in origins)
