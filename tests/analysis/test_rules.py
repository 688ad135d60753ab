"""Tests of the pipeliner's rules (analysis.placement, analysis.ties): each rule on the paper's
examples and small apps, as facts, and the words jitflux.words makes of them."""

from jitflux.analysis import DISPATCHER, Analysis, Finding, analyze
from jitflux.analysis.ties import network_rule
from jitflux.trace import Trace
from jitflux.words import help_text, reason
from tests.fixtures import TraceBuilder, helper_called_by_two_routes, load_fixture


class _Run:
    """The analysis of a trace, read rule by rule."""

    def __init__(self, trace: Trace) -> None:
        self.analysis: Analysis = analyze(trace)

    def rule(self, name: str) -> list[Finding]:
        return [f for f in self.analysis.findings if f.rule == name]

    def reason(self, finding: Finding) -> str:
        return reason(finding, self.analysis.stream_type)


def _by_name(findings):
    return {f.name: f for f in findings}


def _two_route_trace(reader_writes: bool):
    """Two routes: `a` changes module state `hits`; `b` reads it (or changes it too)."""
    b = TraceBuilder()
    top = b.toplevel(end=300)
    route_a = b.function("countHit", line=4, params=("req", "res"))
    route_b = b.function("showHits", line=8, params=("req", "res"))
    b.start("app.get", top, route_a)
    b.start("app.get", top, route_b)
    b.effect(route_a, "write", "hits", owner=top, declared=(2, 4), at=(5, 2))
    b.effect(route_b, "write" if reader_writes else "read", "hits", owner=top, declared=(2, 4))
    return b.trace()


def test_scope_puts_module_state_of_one_fluxion_and_read_only_values_in_contexts() -> None:
    """paper-counter: count (changed by reply) and template (read-only) in reply's context."""
    run = _Run(load_fixture("paper-counter"))
    found = _by_name(run.rule("scope"))
    assert found["count"].context == ("reply",)
    assert found["template"].context == ("reply",)
    assert "changed only by `reply`" in run.reason(found["count"])
    assert "fs" not in found  # a module: any fluxion can require it itself


def test_scope_gives_a_read_only_value_to_every_reader() -> None:
    """A template read by two fluxions sits in both contexts."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    one = b.function("one", line=3)
    two = b.function("two", line=5)
    b.start("app.get", top, one)
    b.post("setImmediate", one, two)
    for fn in (one, two):
        b.effect(fn, "read", "template", owner=top, declared=(1, 9))
    run = _Run(b.trace())
    (finding,) = run.rule("scope")
    assert finding.context == ("one", "two")
    assert run.rule("share") == []


def test_stream_carries_a_parameter_from_where_it_arrives_to_where_it_is_used() -> None:
    """paper-counter: res travels main >> handler -> reply (listing 2)."""
    run = _Run(load_fixture("paper-counter"))
    found = _by_name(run.rule("stream"))
    assert set(found) == {"res"}
    assert found["res"].edges == (("main", "handler"), ("handler", "reply"))
    assert found["res"].message == ("res",)
    assert "parameter of `handler`" in run.reason(found["res"])


def test_stream_carries_figure5_b_and_v_downstream() -> None:
    """figure 5: b goes onReq -> add, v goes add -> end, res from main to end."""
    run = _Run(load_fixture("figure5"))
    found = _by_name(run.rule("stream"))
    assert found["b"].edges == (("onReq", "add"),)
    assert found["v"].edges == (("add", "end"),)
    assert found["res"].edges == (("main", "onReq"), ("onReq", "add"), ("add", "end"))
    assert "c" not in found and "a" not in found


def test_share_ties_figure5_c_read_upstream_of_its_writer() -> None:
    """figure 5: c, written by end and read by add upstream, is grp_c in both contexts."""
    run = _Run(load_fixture("figure5"))
    (finding,) = run.rule("share")
    assert (finding.name, finding.tag) == ("c", "grp_c")
    assert finding.fluxions == ("add", "end") and finding.context == ("add", "end")
    assert run.reason(finding).startswith(
        "`c` is written by `end` and read by `add`, which runs before `end` in the same "
        "request: a value cannot flow upstream without a race, so both must share it"
    )
    assert "store owned by one fluxion" in help_text(finding)


def test_share_ties_two_writers() -> None:
    """One variable changed by the handlers of two routes is shared by both."""
    run = _Run(_two_route_trace(reader_writes=True))
    (finding,) = run.rule("share")
    assert finding.tag == "grp_hits" and finding.fluxions == ("countHit", "showHits")
    assert "changed by `countHit` and by `showHits`" in run.reason(finding)
    assert run.rule("scope") == []


def test_share_ties_a_reader_in_another_chain() -> None:
    """A route reading state another route writes needs the latest value: share."""
    run = _Run(_two_route_trace(reader_writes=False))
    (finding,) = run.rule("share")
    assert finding.fluxions == ("countHit", "showHits")
    assert "does not run after `countHit`" in run.reason(finding)


def test_one_writer_read_downstream_keeps_it_and_streams_it() -> None:
    """Module state changed by handler and read by reply after it: scope plus stream."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    handler = b.function("handler", line=3, params=("req", "res"))
    reply = b.function("reply", line=4)
    b.start("app.get", top, handler)
    b.post("fs.readFile", handler, reply)
    b.effect(handler, "write", "last", owner=top, declared=(1, 4))
    b.effect(reply, "read", "last", owner=top, declared=(1, 4))
    run = _Run(b.trace())
    assert run.rule("share") == []
    (scope,) = run.rule("scope")
    (stream,) = run.rule("stream")
    assert scope.context == ("handler",)
    assert stream.edges == (("handler", "reply"),)


def test_a_chain_variable_changed_downstream_and_read_upstream_is_only_streamed() -> None:
    """The paper's exception: b declared in onReq, changed by end, read by add: no share."""
    b = TraceBuilder()
    top = b.toplevel(end=300)
    on_req = b.function("onReq", line=2, params=("req", "res"), range_=(10, 290))
    add = b.function("add", line=4, range_=(50, 280))
    end = b.function("end", line=6, range_=(100, 270))
    b.start("app.get", top, on_req)
    b.post("setImmediate", on_req, add)
    b.post("setTimeout", add, end)
    b.effect(add, "read", "b", owner=on_req, declared=(3, 6))
    b.effect(end, "write", "b", owner=on_req, declared=(3, 6))
    run = _Run(b.trace())
    assert run.rule("share") == []
    (stream,) = run.rule("stream")
    assert stream.edges == (("onReq", "add"), ("add", "end"))


def test_a_chain_variable_changed_by_a_listener_is_shared() -> None:
    """A variable of handler changed by a listener handler registered is shared."""
    b = TraceBuilder()
    top = b.toplevel(end=300)
    handler = b.function("handler", line=2, params=("req", "res"), range_=(10, 290))
    on_data = b.function("onData", line=4, range_=(50, 280))
    b.start("app.get", top, handler)
    b.start("req.on", handler, on_data)
    b.effect(on_data, "write", "size", owner=handler, declared=(3, 6))
    run = _Run(b.trace())
    (finding,) = run.rule("share")
    assert finding.fluxions == ("handler", "onData")
    assert "a listener" in run.reason(finding)


def test_a_chain_variable_used_outside_its_chain_is_shared() -> None:
    """A closure variable of one route reached by another route's fluxion is shared."""
    b = TraceBuilder()
    top = b.toplevel(end=300)
    first = b.function("first", line=2, range_=(10, 100))
    other = b.function("other", line=8, range_=(120, 200))
    b.start("app.get", top, first)
    b.start("app.get", top, other)
    b.effect(other, "read", "token", owner=first, declared=(3, 6))
    run = _Run(b.trace())
    (finding,) = run.rule("share")
    assert finding.fluxions == ("first", "other")
    assert run.rule("stream") == []


def test_share_tags_are_unique_per_variable() -> None:
    """Two different variables both named `n` get grp_n and grp_n_2."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    one = b.function("one", line=3)
    two = b.function("two", line=5)
    b.start("app.get", top, one)
    b.start("app.get", top, two)
    for line in (1, 2):
        b.effect(one, "write", "n", owner=top, declared=(line, 4))
        b.effect(two, "write", "n", owner=top, declared=(line, 4))
    run = _Run(b.trace())
    assert [f.tag for f in run.rule("share")] == ["grp_n", "grp_n_2"]


def test_network_tags_main_and_users_of_sockets() -> None:
    """paper-counter: main and reply are network; handler is not."""
    run = _Run(load_fixture("paper-counter"))
    found = run.rule("network")
    assert [(f.fluxions, f.name) for f in found] == [(("main",), "network"), (("reply",), "res")]
    assert all(f.tag == "network" for f in found)


def test_merge_streams_the_request_change_to_express_dispatcher() -> None:
    """gifsockets: the getRawBody callback streams req.body to express_dispatcher."""
    run = _Run(load_fixture("paper-gifsockets"))
    merge, dispatcher = run.rule("merge")
    assert merge.fluxions == ("anonymous_12", DISPATCHER)
    assert merge.edges == (("anonymous_12", DISPATCHER),)
    assert merge.message == ("req.body",)
    assert merge.tag is None
    assert dispatcher.fluxions == (DISPATCHER,) and dispatcher.tag == "network"
    # The dispatcher's proof: the write into req and the call of next it takes over.
    assert [(u.fluxion, u.kind, u.effect.target) for u in dispatcher.evidence] == [
        ("anonymous_12", "mutate", "req.body"),
        ("anonymous_12", "call", "next"),
    ]
    # The socket use recorded for the write `req.body = buffer` itself is taken over.
    assert [(u.fluxion, u.kind) for u in merge.discharged] == [("anonymous_12", "network")]


def test_merge_frees_the_writer_from_the_network() -> None:
    """With the merge, the network rule no longer tags the anonymous callback."""
    run = _Run(load_fixture("paper-gifsockets"))
    tagged = [f.fluxions[0] for f in run.rule("network")]
    assert "anonymous_12" not in tagged
    assert tagged == ["main", "saveBody", "writeTextToImages"]
    a = run.analysis
    unmerged = [f.fluxions[0] for f in network_rule(a.fluxions, a.variables, a.loose)]
    assert "anonymous_12" in unmerged


def _middleware_trace(socket_line: int):
    """A middleware whose continuation writes req.user, calls next, and uses req at a line."""
    b = TraceBuilder()
    top = b.toplevel(end=400)
    auth = b.function("auth", line=2, params=("req", "res", "next"), range_=(10, 390))
    check = b.function("checked", line=4, params=("err", "user"), range_=(60, 380))
    done = b.function("done", line=8, range_=(150, 370))
    b.start("app.use", top, auth)
    b.post("db.get", auth, check)
    b.post("setImmediate", check, done)
    b.effect(check, "write", "req.user", owner=auth, declared=(2, 20), at=(5, 4))
    b.effect(check, "network", "req", owner=auth, declared=(2, 20), at=(socket_line, 4))
    b.effect(done, "call", "next", owner=auth, declared=(2, 30), at=(9, 6), callee="express.next")
    return b.trace()


def test_merge_carries_the_changes_of_the_whole_chain() -> None:
    """A write into req by an upstream continuation travels to the dispatcher too."""
    run = _Run(_middleware_trace(socket_line=5))
    merge, _ = run.rule("merge")
    assert merge.fluxions == ("done", DISPATCHER)
    assert merge.message == ("req.user",)
    assert [u.fluxion for u in merge.discharged] == ["checked"]


def test_a_socket_use_elsewhere_than_the_merged_write_still_ties() -> None:
    """A network use of req on another line than the write is not taken over."""
    run = _Run(_middleware_trace(socket_line=6))
    merge, _ = run.rule("merge")
    assert merge.discharged == ()


def test_a_bare_next_call_is_merged_with_an_empty_message() -> None:
    """A continuation that only calls next streams an empty message to the dispatcher."""
    b = TraceBuilder()
    top = b.toplevel(end=400)
    mw = b.function("wait", line=2, params=("req", "res", "next"), range_=(10, 390))
    later = b.function("later", line=3, range_=(40, 380))
    b.start("app.use", top, mw)
    b.post("setTimeout", mw, later)
    b.effect(later, "call", "next", owner=mw, declared=(2, 30), callee="express.next")
    run = _Run(b.trace())
    merge, dispatcher = run.rule("merge")
    assert merge.message == () and merge.name == "next"
    assert "calls Express's `next()`" in run.reason(merge)


def test_a_next_of_unknown_identity_is_not_merged() -> None:
    """A static trace cannot tell next is Express's: no merge (listing 4)."""
    b = TraceBuilder()
    top = b.toplevel(end=400)
    cb = b.function("", line=12, range_=(10, 390))
    b.post("getRawBody", top, cb)
    b.effect(cb, "call", "next", owner=top, declared=(2, 30), callee=None)
    run = _Run(b.trace())
    assert run.rule("merge") == []


def test_unknown_ties_eval_and_unobserved_code() -> None:
    """eval makes its fluxion unknown with the reason; an external handler is unknown too."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    dyn = b.function("dynamic", line=3)
    ext = b.function(
        "writeTextToImages",
        line=3,
        kind="external",
        file="node_modules/gifsockets-middleware/index.js",
    )
    b.start("app.get", top, dyn)
    b.start("app.post", top, ext)
    b.effect(dyn, "unknown", "eval", owner=None, reason="direct eval can read any variable")
    run = _Run(b.trace())
    found = run.rule("unknown")
    assert [(f.fluxions, f.name, f.tag) for f in found] == [
        (("dynamic",), "eval", "unknown"),
        (("writeTextToImages",), "writeTextToImages", "unknown"),
    ]
    assert "direct eval can read any variable" in run.reason(found[0])
    assert "--include gifsockets-middleware" in (help_text(found[1]) or "")


def test_a_helper_variable_streams_from_every_caller() -> None:
    """res of a helper called by two routes travels from each route to the callback, and, as a
    socket-backed object the routes were handed, from main to each route."""
    run = _Run(helper_called_by_two_routes())
    assert run.rule("share") == []
    res = next(f for f in run.rule("stream") if f.name == "res")
    assert res.edges == (("main", "one"), ("main", "two"), ("one", "done"), ("two", "done"))
    assert run.reason(res).startswith(
        "`res` is a parameter of `sendFile`, to which `one` and `two` pass a socket-backed "
        "object they received from upstream, used downstream by `done`"
    )


def test_a_socket_passed_to_a_helper_arrives_in_the_callers_message() -> None:
    """A route that hands res to a helper sending the reply receives res from main; a plain
    value it hands the helper does not travel."""
    b = TraceBuilder()
    top = b.toplevel(end=400)
    report = b.function("report", line=2, params=("res", "text"), range_=(10, 100))
    route = b.function("route", line=6, params=("req", "res"), range_=(120, 200))
    b.start("app.get", top, route)
    b.effect(route, "call", "report", owner=top, declared=(2, 9), callee=report)
    b.effect(route, "network", "res", owner=report, declared=(2, 16))
    b.effect(route, "read", "text", owner=report, declared=(2, 21))
    run = _Run(b.trace())
    found = _by_name(run.rule("stream"))
    assert set(found) == {"res"}
    assert found["res"].edges == (("main", "route"),)
    assert found["res"].message == ("res",)


def test_a_reason_names_the_first_readers_and_counts_the_rest() -> None:
    """A template read by 13 fluxions: its reason names 10 of them, then "and 3 more"."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    for i in range(13):
        reader = b.function(f"page_{i}", line=3 + i)
        b.start("app.get", top, reader)
        b.effect(reader, "read", "template", owner=top, declared=(1, 9))
    run = _Run(b.trace())
    (finding,) = run.rule("scope")
    assert len(finding.context) == 13  # every reader still keeps it in its context
    assert "(`page_0`, `page_1`, " in run.reason(finding)
    assert "`page_9` and 3 more) keeps it in its context" in run.reason(finding)
    assert "page_10" not in run.reason(finding)
