"""Tests of jitflux.emit.program: findings laid out as fluxions, streams and variables."""

from jitflux.emit import Stream, build
from tests.fixtures import TraceBuilder, load_fixture


def test_streams_messages_and_contexts_of_paper_counter() -> None:
    """Messages and contexts are in declaration order; a fluxion with no stream has
    none (printed `-> null`)."""
    program = build(load_fixture("paper-counter"))
    assert [s.name for s in program.fluxions] == ["main", "handler", "reply"]
    assert program.get("main").streams == (Stream("start", ("handler",), ("res",)),)
    assert program.get("handler").streams == (Stream("post", ("reply",), ("res",)),)
    assert program.get("reply").streams == (Stream("post", (), ()),)  # `-> null`
    assert program.get("reply").context == ("count", "template")
    assert program.get("handler").isolated and not program.get("reply").isolated


def test_parameters_keep_their_declaration_order_in_messages() -> None:
    """gifsockets: [req, next] as declared in saveBody(req, res, next), not alphabetical."""
    program = build(load_fixture("paper-gifsockets"))
    assert program.get("saveBody").streams[0].message == ("req", "next")
    assert program.incoming("express_dispatcher") == [
        ("anonymous_12", Stream("post", ("express_dispatcher",), ("req.body",)))
    ]


def test_variables_say_their_rule_and_fluxions() -> None:
    """figure 5: a scope in add, b stream onReq-add, c share add-end, v stream add-end."""
    program = build(load_fixture("figure5"))
    found = {v.name: (v.rule, v.fluxions) for v in program.variables}
    assert found == {
        "a": ("scope", ("add",)),
        "c": ("share", ("add", "end")),
        "res": ("stream", ("main", "onReq", "add", "end")),
        "b": ("stream", ("onReq", "add")),
        "v": ("stream", ("add", "end")),
    }


def test_the_merged_path_is_a_variable_via_the_merge() -> None:
    """req.body crosses from the callback to express_dispatcher, marked via merge."""
    program = build(load_fixture("paper-gifsockets"))
    (merged,) = [v for v in program.variables if v.via == "merge"]
    assert (merged.name, merged.rule, merged.fluxions) == (
        "req.body",
        "stream",
        ("anonymous_12", "express_dispatcher"),
    )
    assert merged.declared is not None and (merged.declared.line, merged.declared.column) == (8, 27)


def test_a_self_loop_is_a_stream_to_itself() -> None:
    """A callback that re-arms itself has a stream to itself and is not an error."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    tick = b.function("tick", line=2)
    b.post("setTimeout", top, tick)
    b.post("setTimeout", tick, tick)
    program = build(b.trace())
    assert program.get("tick").streams == (Stream("post", ("tick",), ()),)
