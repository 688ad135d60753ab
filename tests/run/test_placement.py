"""The placement `run` derives from real traces of the paper's examples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.errors import JitfluxError
from jitflux.run.facts import fluxions_of
from jitflux.run.placement import choose, placement_document


def test_counter_moves_handler_keeps_reply(traced: Callable[..., tuple[Path, Path]]) -> None:
    """paper-counter: handler is an isolated leaf whose continuation reply stays on main."""
    app, trace = traced("paper-counter")
    decisions = {d.name: d for d in choose(fluxions_of(trace))}
    assert [n for n, d in decisions.items() if d.move] == ["handler"]
    handler = decisions["handler"]
    source = (app / "server.js").read_text(encoding="utf-8").splitlines()
    (reply,) = handler.continuations
    assert source[reply.line - 1][reply.column :].startswith("function reply")
    assert decisions["reply"].reason.startswith("not isolated &network")
    assert not decisions["main"].move


def test_gifsockets_moves_the_getrawbody_callback(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """paper-gifsockets: the getRawBody callback moves; it sends to express_dispatcher only."""
    app, trace = traced("paper-gifsockets")
    decisions = choose(fluxions_of(trace))
    moved = [d for d in decisions if d.move]
    assert [d.name for d in moved] == ["anonymous_12"]
    assert moved[0].continuations == ()
    assert moved[0].reason == "isolated leaf, sends to express_dispatcher"
    document = placement_document(decisions, app, 2, 0.2)
    assert document["fluxions"][0]["file"] == str((app / "server.js").resolve())
    assert (document["fluxions"][0]["line"], document["fluxions"][0]["column"]) == (12, 7)


def test_isolate_forces_a_tied_fluxion(traced: Callable[..., tuple[Path, Path]]) -> None:
    """--isolate moves a fluxion the trace found tied, and the reason says so."""
    _, trace = traced("paper-counter")
    decisions = {d.name: d for d in choose(fluxions_of(trace), ["reply"])}
    assert decisions["reply"].move and decisions["reply"].forced
    assert decisions["reply"].reason == "forced by --isolate; the trace found it NOT isolated"


@pytest.mark.parametrize("name", ["nothere", "main", "express_dispatcher"])
def test_isolate_refuses_what_cannot_move(
    traced: Callable[..., tuple[Path, Path]], name: str
) -> None:
    """--isolate of an unknown fluxion, main or the dispatcher is bad usage (status 2)."""
    _, trace = traced("paper-gifsockets")
    with pytest.raises(JitfluxError) as caught:
        choose(fluxions_of(trace), [name])
    assert caught.value.status == 2
    assert f"--isolate {name}" in caught.value.message


def test_isolated_continuations_move_with_their_caller(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """An isolated fluxion whose own continuation is isolated moves with it: the continuation
    runs inside its caller's task, and is not moved on its own."""
    app, trace = traced("run-chain", 5, ["POST /zip hello"])
    decisions = {d.name: d for d in choose(fluxions_of(trace))}
    outer, inner = decisions["anonymous_9"], decisions["anonymous_14"]
    assert outer.move and outer.reason == "isolated, sends to anonymous_14"
    assert [name for name, _ in outer.inner] == ["anonymous_14"]
    assert outer.continuations == ()
    assert (inner.move, inner.inside) == (False, "anonymous_9")
    assert (
        inner.line(0.2) == "  anonymous_14: workers, inside anonymous_9's task (its caller's "
        "continuation)"
    )
    document = placement_document(list(decisions.values()), app, 2, 0.2)
    assert [f["name"] for f in document["fluxions"]] == ["anonymous_9"]
    assert document["fluxions"][0]["inner"] == [{"name": "anonymous_14", "line": 14, "column": 22}]
