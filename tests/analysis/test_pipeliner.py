"""Tests of jitflux.analysis.pipeliner: the whole analysis gives the paper's expected groups."""

from jitflux.analysis import DISPATCHER, analyze
from tests.fixtures import TraceBuilder, load_fixture


def _groups(name: str) -> dict[str, list[str]]:
    analysis = analyze(load_fixture(name))
    return {n: analysis.tags(n) for n in analysis.fluxions.names}


def test_paper_counter_isolates_handler_only() -> None:
    """Listing 2: main and reply are network, handler is isolated."""
    assert _groups("paper-counter") == {
        "main": ["network"],
        "handler": [],
        "reply": ["network"],
    }


def test_figure5_groups() -> None:
    """Figure 5: add and end share c; end also talks to the client."""
    assert _groups("figure5") == {
        "main": ["network"],
        "onReq": [],
        "add": ["grp_c"],
        "end": ["network", "grp_c"],
    }


def test_gifsockets_groups_with_the_merge() -> None:
    """Listing 3: the getRawBody callback is isolated by the merge; the external is unknown."""
    analysis = analyze(load_fixture("paper-gifsockets"))
    assert analysis.fluxions.names[-1] == DISPATCHER
    assert analysis.isolated("anonymous_12")
    assert analysis.tags(DISPATCHER) == ["network"]
    assert analysis.tags("writeTextToImages") == ["network", "unknown"]
    assert not analysis.isolated("writeTextToImages")


def test_an_unknown_effect_is_never_isolated() -> None:
    """A fluxion with a `with` statement is not isolated, and the reason is kept."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    handler = b.function("handler", line=3)
    b.start("app.get", top, handler)
    b.effect(handler, "unknown", "with", owner=None, reason="names resolve at run time")
    analysis = analyze(b.trace())
    assert not analysis.isolated("handler")
    (tie,) = analysis.ties("handler")
    assert (tie.rule, tie.case, tie.detail) == ("unknown", "effect", "names resolve at run time")


def test_a_trace_without_top_level_still_has_main() -> None:
    """With no top-level function, main exists with no origin and nothing breaks."""
    b = TraceBuilder()
    b.function("orphan", line=3)
    analysis = analyze(b.trace())
    assert analysis.fluxions.names == ["main"]
    assert analysis.tags("main") == ["network"]


def test_indexed_ties_and_findings_match_a_scan_of_every_finding() -> None:
    """ties, about and tags give, for every fluxion, what a scan of all findings gives."""
    for name in ("paper-counter", "paper-gifsockets", "figure5", "static-unreached"):
        analysis = analyze(load_fixture(name))
        for fluxion in analysis.fluxions.names:
            ties = [f for f in analysis.findings if f.ties(fluxion)]
            assert analysis.ties(fluxion) == ties
            assert analysis.about(fluxion) == [
                f for f in analysis.findings if fluxion in f.fluxions
            ]
            first = {f.tag: i for i, f in reversed(list(enumerate(analysis.findings)))}
            tags = sorted(
                {f.tag for f in ties},
                key=lambda t: (t != "network", t == "unknown", first[t]),
            )
            assert analysis.tags(fluxion) == tags
