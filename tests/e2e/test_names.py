"""Names a user can find in the code (tests/apps/names-apart, traced for real on Express 4 and
5): variables of one name kept apart, the file of a callback in another module, short callees,
explain's table cut between words."""

from __future__ import annotations

from pathlib import Path

import pytest

from jitflux.cli.trace_cmd import trace_summary
from jitflux.compare import compare
from jitflux.compare import render_text as compare_text
from jitflux.explain import WIDTH, explain, render_text
from jitflux.static import compile_script
from tests.e2e.apps import Traced, by_name, flx_blocks, trace_app

APP = Path(__file__).resolve().parent.parent / "apps" / "names-apart"


@pytest.fixture(scope="module", params=[4, 5], ids=["express4", "express5"])
def traced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The app traced once per Express version, every route sent."""
    requests = ["GET /count", "GET /count", "GET /file"]
    return trace_app(APP, requests, request.param, tmp_path_factory.mktemp("names"))


def test_two_variables_of_one_name_stay_apart(traced: Traced) -> None:
    """`show` holds server.js's `count` and counter.js's `count`: each named by its declaration."""
    show = by_name(traced.emit())["show"]
    assert show["context"] == [
        f"count@counter.js:{traced.line(r'^let count', 'counter.js')}",
        f"count@server.js:{traced.line(r'^let count')}",
    ]


def test_a_lone_name_stays_plain(traced: Traced) -> None:
    """A context that holds one variable of a name prints the bare name."""
    program = by_name(traced.emit())
    anonymous = [name for name in program if name.startswith("anonymous_")]
    contexts = [program[name]["context"] for name in anonymous if program[name]["context"]]
    assert ["count"] in contexts


def test_callback_in_another_file_says_which(traced: Traced) -> None:
    """The anonymous callback of counter.js keeps its contract name, and its code says its file."""
    line = traced.line(r"^setImmediate", "counter.js")
    _, code = flx_blocks(traced.flx())[f"anonymous_{line}"]
    assert code[0] == f"// from counter.js:{line}"
    _, main_code = flx_blocks(traced.flx())["main"]
    assert not main_code[0].startswith("// from")


def test_long_callee_is_shortened(traced: Traced) -> None:
    """The trace summary shows `send(...).on`, not the whole recorded call."""
    (callee,) = [p.callee for p in traced.trace.rupture_points if p.callee.startswith("send(")]
    assert len(callee) > 60
    text = trace_summary(traced.trace, None)
    assert "send(...).on" in text and callee not in text
    static = compile_script(traced.app / "server.js")
    text = compare_text(compare(traced.trace, static))
    assert "send(...).on" in text and callee not in text


def test_table_cuts_between_words(traced: Traced) -> None:
    """Each reason cut in explain's table is its full text up to the end of a word."""
    reports = explain(traced.trace)
    rows = render_text(reports).split("\n\n")[0].splitlines()[1:]
    cut = 0
    for report, row in zip(reports, rows, strict=True):
        full = report.ties[0].summary if report.ties else "-"
        if not row.endswith("..."):
            assert row.endswith(full)
            continue
        cut += 1
        assert len(row) <= WIDTH
        kept = row[:-3].rsplit("  ", 1)[-1].strip()
        assert full.startswith(kept) and full[len(kept)] in " ,:;", (kept, full)
    assert cut


def test_reasons_keep_two_variables_of_one_name_apart(traced: Traced) -> None:
    """Explain's reasons (text and JSON) name each `count` of `show` by its declaration."""
    mine = f"`count@server.js:{traced.line(r'^let count')}`"
    theirs = f"`count@counter.js:{traced.line(r'^let count', 'counter.js')}`"
    reasons = [tie["reason"] for tie in traced.explain()["show"]["ties"]]
    assert any(mine in reason for reason in reasons), reasons
    assert any(theirs in reason for reason in reasons), reasons
    assert not any("`count`" in reason for reason in reasons), reasons
    (report,) = explain(traced.trace, "show")
    text = render_text([report])
    assert mine in text and theirs in text
