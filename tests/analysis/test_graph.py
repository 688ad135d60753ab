"""Tests of jitflux.analysis.graph: the pipeline graph and reachability along it."""

from jitflux.analysis.fluxions import identify
from jitflux.analysis.graph import Pipeline
from jitflux.trace import Trace
from tests.fixtures import TraceBuilder, load_fixture


def build(trace: Trace) -> Pipeline:
    return Pipeline.build(trace, identify(trace))


def _graph(name: str) -> Pipeline:
    return build(load_fixture(name))


def test_rupture_points_become_typed_edges() -> None:
    """figure 5: main >> onReq -> add -> end, with start and post types."""
    graph = _graph("figure5")
    assert graph.edges == [("main", "onReq"), ("onReq", "add"), ("add", "end")]
    assert graph.link(("main", "onReq")).type == "start"
    add_end = graph.link(("add", "end"))
    assert add_end is not None and add_end.type == "post"
    assert [p.callee for p in add_end.points] == ["setTimeout"]
    assert graph.link(("end", "add")) is None


def test_downstream_and_upstream_follow_the_chain() -> None:
    """add runs after onReq and before end."""
    graph = _graph("figure5")
    assert graph.downstream("onReq") == {"add", "end"}
    assert graph.upstream("add") == {"main", "onReq"}
    assert "add" not in graph.downstream("end")


def test_edges_between_are_every_stream_on_the_way() -> None:
    """From main to end the value crosses the three streams; incoming lists callers."""
    graph = _graph("figure5")
    assert graph.edges_between("main", "end") == [
        ("main", "onReq"),
        ("onReq", "add"),
        ("add", "end"),
    ]
    assert graph.incoming("onReq") == [("main", "onReq")]


def test_start_wins_when_two_points_join_the_same_fluxions() -> None:
    """A callback seen as post and as start from the same caller is a start edge."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    tick = b.function("tick", line=2)
    b.post("setTimeout", top, tick)
    b.start("setInterval", top, tick)
    trace = b.trace()
    link = build(trace).link(("main", "tick"))
    assert link is not None and link.type == "start" and len(link.points) == 2


def test_a_cycle_makes_a_fluxion_its_own_downstream() -> None:
    """A callback that re-arms itself (setTimeout in tick) is downstream of itself."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    tick = b.function("tick", line=2)
    listener = b.function("onData", line=5)
    b.post("setTimeout", top, tick)
    b.post("setTimeout", tick, tick)
    b.start("emitter.on", top, listener)
    trace = b.trace()
    graph = build(trace)
    assert "tick" in graph.downstream("tick")
    assert "tick" in graph.upstream("tick")
    assert graph.through_start("main", "onData")
    assert not graph.through_start("main", "tick")


def _fan_out(routes: int):
    """main >> handler_i -> reply_i for each route: the shape of a big Express app."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    for i in range(routes):
        handler = b.function(f"handler_{i}", line=2 + 2 * i)
        reply = b.function(f"reply_{i}", line=3 + 2 * i)
        b.start("app.get", top, handler)
        b.post("setImmediate", handler, reply)
    trace = b.trace()
    return build(trace)


def test_edges_between_stay_on_the_target_chain() -> None:
    """Among many routes, main to reply_7 crosses only route 7's two streams."""
    graph = _fan_out(12)
    assert graph.edges_between("main", "reply_7") == [
        ("main", "handler_7"),
        ("handler_7", "reply_7"),
    ]
    assert graph.edges_between("handler_3", "reply_7") == []
    assert graph.edges_between("reply_7", "handler_7") == []
    assert graph.incoming("reply_11") == [("handler_11", "reply_11")]


def test_print_order_orders_neighbours_and_names() -> None:
    """Successors, predecessors and name lists follow the fluxions' print order."""
    graph = _fan_out(3)
    assert graph.successors("main") == ["handler_0", "handler_1", "handler_2"]
    assert graph.in_order(["reply_2", "main", "handler_1", "main"]) == [
        "main",
        "handler_1",
        "reply_2",
    ]
    assert graph.position("reply_1") == 4
