"""A per-request object written by one continuation and read by another that does not run
after it (tests/apps/sibling-writes, traced for real): both share it, neither is isolated."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, trace_app, variables
from tests.isolation import isolation_leaks

APP = Path(__file__).resolve().parent.parent / "apps" / "sibling-writes"


def test_a_sibling_that_writes_a_chain_object_shares_it_with_its_reader(tmp_path: Path) -> None:
    """finish writes job.done, report reads it: grp_job ties serve, finish and report."""
    run = trace_app(APP, ["GET /", "GET /"], 5, tmp_path)
    program = run.emit()
    fluxions = by_name(program)
    assert ("job", "share", ["serve", "finish", "report"]) in variables(program)
    for name in ("serve", "finish", "report"):
        assert "grp_job" in fluxions[name]["tags"], name
    assert fluxions["finish"]["isolated"] is False
    assert isolation_leaks(run.trace, program) == []
    report = run.explain()["finish"]
    assert "does not run after `finish`" in str(report)
