"""Tests of jitflux.analysis.placement: one placement per variable, as facts."""

import pytest

from jitflux.analysis import analyze, placement
from tests.fixtures import load_fixture


def _placements(name: str) -> dict[str, tuple]:
    analysis = analyze(load_fixture(name))
    found = {}
    for variable, where in zip(analysis.variables, analysis.placements, strict=True):
        if where is not None:
            found[variable.name] = (where.rule, where.case, where.writer, where.reader)
    return found


def test_figure5_places_a_b_c_as_the_paper_says() -> None:
    """figure 5: c is shared (read by add upstream of end, which writes it), b and v stream."""
    found = _placements("figure5")
    assert found["c"] == ("share", "upstream", "end", "add")
    assert found["b"] == ("stream", "chain", "onReq", "add")
    assert found["v"] == ("stream", "chain", "add", "end")
    assert found["a"] == ("scope", "owned", "add", None)
    assert found["res"] == ("stream", "parameter", "onReq", "end")


def test_paper_counter_keeps_count_and_template_in_scope() -> None:
    """paper-counter: count is owned by reply, template is read-only, fs needs no placement."""
    found = _placements("paper-counter")
    assert found["count"] == ("scope", "owned", "reply", None)
    assert found["template"] == ("scope", "readonly", None, "reply")
    assert "fs" not in found


def test_evidence_names_the_effects_by_their_position_in_the_trace() -> None:
    """A placement's evidence points at the trace's effects: `e<index>` is that effect."""
    trace = load_fixture("figure5")
    analysis = analyze(trace)
    for variable, where in zip(analysis.variables, analysis.placements, strict=True):
        if where is None:
            continue
        for use in where.evidence:
            assert trace.effects[int(use.effect_id[1:])] is use.effect
            assert use.effect.path.root == variable.name


def test_each_variable_is_placed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis decides a variable's placement once, not once per rule."""
    calls: list[str] = []
    real = placement.placement_of

    def counting(variable, graph):  # type: ignore[no-untyped-def]
        calls.append(variable.name)
        return real(variable, graph)

    monkeypatch.setattr(placement, "placement_of", counting)
    analysis = analyze(load_fixture("paper-gifsockets"))
    assert sorted(calls) == sorted(v.name for v in analysis.variables)
