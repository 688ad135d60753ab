"""The placement `run` derives from real traces of the paper's examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from jitflux.errors import JitfluxError
from jitflux.run.facts import fluxions_of
from jitflux.run.placement import choose, per_call, placement_document
from jitflux.trace import Location


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
    assert document["fluxions"][0]["inner"] == [
        {"name": "anonymous_14", "line": 14, "column": 22, "listener": False}
    ]


def test_the_traced_time_decides_a_move(traced: Callable[..., tuple[Path, Path]]) -> None:
    """With --min-work, a candidate moves when its work a call in the trace (the mean without
    the longest, cold call) reaches it, and stays on the main thread otherwise."""
    _, trace = traced("cpu-digest")
    fluxions = fluxions_of(trace)
    (work,) = [f.work for f in fluxions if f.name == "anonymous_11"]
    assert work is not None and work.count == 3
    typical = per_call(work)
    assert typical == (work.total_ms - work.max_ms) / 2 and typical > 1.0
    decisions = {d.name: d for d in choose(fluxions, (), 0.2)}
    digest = decisions["anonymous_11"]
    assert (digest.move, digest.probe) == (True, False)
    assert digest.reason == (
        f"isolated leaf, sends to express_dispatcher; {typical:.3f} ms of work a call in the "
        "trace (3 calls, the longest part left out)"
    )
    stays = {d.name: d for d in choose(fluxions, (), typical * 2)}["anonymous_11"]
    assert not stays.move
    assert stays.reason.endswith(f"under --min-work {typical * 2:g} ms")
    forced = {d.name: d for d in choose(fluxions, ["anonymous_11"], typical * 2)}
    assert forced["anonymous_11"].move and forced["anonymous_11"].forced


def test_a_candidate_the_trace_did_not_time_is_probed(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """A trace without time per part (made before it was recorded) leaves the candidate to be
    timed in the workers: it is placed there with `probe`, and the placement line says how."""
    app, trace = traced("cpu-digest")
    fluxions = [replace(f, work=None) for f in fluxions_of(trace)]
    decisions = choose(fluxions, (), 0.2)
    (digest,) = [d for d in decisions if d.name == "anonymous_11"]
    assert (digest.move, digest.probe) == (True, True)
    assert digest.line(0.2).startswith("  anonymous_11: workers while its work takes 0.2 ms")
    document = placement_document(decisions, app, 2, 0.2)
    assert [(f["name"], f["probe"]) for f in document["fluxions"]] == [("anonymous_11", True)]


def test_continuations_in_the_task_add_their_work(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """The work of a moved fluxion counts that of the continuations run in its task."""
    _, trace = traced("run-chain", 5, ["POST /zip hello", "POST /zip again", "POST /zip more"])
    fluxions = {f.name: f for f in fluxions_of(trace)}
    outer, inner = fluxions["anonymous_9"].work, fluxions["anonymous_14"].work
    assert outer is not None and inner is not None
    (decision,) = [d for d in choose(list(fluxions.values()), (), 0.001) if d.name == "anonymous_9"]
    total = per_call(outer) + per_call(inner)
    assert decision.move and f"; {total:.3f} ms of work a call in the trace" in decision.reason


def test_an_async_call_counts_all_its_parts(traced: Callable[..., tuple[Path, Path]]) -> None:
    """An async function's call has a part before its `await` and one after: its work a call
    counts both, and the trace's calls leave the resumes out."""
    _, trace = traced("run-shapes", 5, ["POST /async hello", "POST /async again"])
    (f,) = [f for f in fluxions_of(trace) if f.name == "anonymous_31"]
    assert f.work is not None and (f.calls, f.work.count) == (2, 4)
    assert per_call(f.work, f.calls) == 2 * (f.work.total_ms - f.work.max_ms) / 3
    (decision,) = [d for d in choose(fluxions_of(trace), (), 0.001) if d.name == f.name]
    assert decision.reason.endswith(" a call in the trace (2 calls, the longest part left out)")


def test_a_share_group_created_by_its_caller_lives_in_its_task(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """The getRawBody callback that makes a gzip stream and counts its chunks in `size`: its
    share group (its 'data' listener and its 'end' continuation) is created by each of its calls,
    so the group moves in its task, the listener marked as such; a group whose variable lives on
    (one declared outside it, shared by every call) does not."""
    app, trace = traced("run-shapes", 5, ["POST /stream hello"])
    decisions = {d.name: d for d in choose(fluxions_of(trace))}
    stream = decisions["anonymous_59"]
    assert stream.move and [name for name, _ in stream.inner] == ["anonymous_66", "anonymous_69"]
    assert stream.listeners == ("anonymous_66",)
    assert decisions["anonymous_66"].inside == decisions["anonymous_69"].inside == "anonymous_59"
    document = placement_document(list(decisions.values()), app, 2, 0.0)
    (moved,) = [f for f in document["fluxions"] if f["name"] == "anonymous_59"]
    assert [(i["name"], i["listener"]) for i in moved["inner"]] == [
        ("anonymous_66", True), ("anonymous_69", False)
    ]  # fmt: skip
    # Were `size` declared outside the callback (one copy for every call), the group could
    # not live in one task: it stays.
    fluxions = fluxions_of(trace)
    outside = Location("server.js", 1, 0)
    moved_out = [replace(f, shares=tuple((n, outside) for n, _ in f.shares)) for f in fluxions]
    kept = {d.name: d for d in choose(moved_out)}["anonymous_59"]
    assert not kept.move and kept.reason.startswith("not isolated &grp_size: `size` is created")
