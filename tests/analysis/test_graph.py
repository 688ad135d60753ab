"""Tests of jitflux.analysis.graph: the pipeline graph and reachability along it."""

from jitflux.analysis.fluxions import identify
from jitflux.analysis.graph import (
    build,
    downstream,
    edges_between,
    incoming,
    order,
    through_start,
    upstream,
)
from tests.fixtures import TraceBuilder, load_fixture


def _graph(name: str):
    trace = load_fixture(name)
    return build(trace, identify(trace))


def test_rupture_points_become_typed_edges() -> None:
    """figure 5: main >> onReq -> add -> end, with start and post types."""
    graph = _graph("figure5")
    assert sorted(graph.edges) == [("add", "end"), ("main", "onReq"), ("onReq", "add")]
    assert graph.edges["main", "onReq"]["type"] == "start"
    assert graph.edges["add", "end"]["type"] == "post"
    assert [p.callee for p in graph.edges["add", "end"]["points"]] == ["setTimeout"]


def test_downstream_and_upstream_follow_the_chain() -> None:
    """add runs after onReq and before end."""
    graph = _graph("figure5")
    assert downstream(graph, "onReq") == {"add", "end"}
    assert upstream(graph, "add") == {"main", "onReq"}
    assert "add" not in downstream(graph, "end")


def test_edges_between_are_every_stream_on_the_way() -> None:
    """From main to end the value crosses the three streams; incoming lists callers."""
    graph = _graph("figure5")
    assert edges_between(graph, "main", "end") == [
        ("main", "onReq"),
        ("onReq", "add"),
        ("add", "end"),
    ]
    assert incoming(graph, "onReq") == [("main", "onReq")]


def test_start_wins_when_two_points_join_the_same_fluxions() -> None:
    """A callback seen as post and as start from the same caller is a start edge."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    tick = b.function("tick", line=2)
    b.post("setTimeout", top, tick)
    b.start("setInterval", top, tick)
    trace = b.trace()
    graph = build(trace, identify(trace))
    assert graph.edges["main", "tick"]["type"] == "start"
    assert len(graph.edges["main", "tick"]["points"]) == 2


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
    graph = build(trace, identify(trace))
    assert "tick" in downstream(graph, "tick")
    assert "tick" in upstream(graph, "tick")
    assert through_start(graph, "main", "onData")
    assert not through_start(graph, "main", "tick")


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
    return build(trace, identify(trace))


def test_edges_between_stay_on_the_target_chain() -> None:
    """Among many routes, main to reply_7 crosses only route 7's two streams."""
    graph = _fan_out(12)
    assert edges_between(graph, "main", "reply_7") == [
        ("main", "handler_7"),
        ("handler_7", "reply_7"),
    ]
    assert edges_between(graph, "handler_3", "reply_7") == []
    assert edges_between(graph, "reply_7", "handler_7") == []
    assert incoming(graph, "reply_11") == [("handler_11", "reply_11")]


def test_node_order_follows_nodes_added_later() -> None:
    """The kept node order is rebuilt when a node is added after it was first used."""
    graph = _fan_out(2)
    assert order(graph)["reply_1"] == 4
    graph.add_edge("reply_1", "late", type="post", points=[])
    assert order(graph)["late"] == 5
    assert edges_between(graph, "main", "late")[-1] == ("reply_1", "late")
