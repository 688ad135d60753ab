"""The merge of section 4.2.2, whole (tests/apps/merge-whole), traced for real on Express 4
and 5: what middleware hands the next handler reaches express_dispatcher and is merged back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.apps import Json, Traced, by_name, flx_blocks, streams, trace_app

APP = Path(__file__).resolve().parent.parent / "apps" / "merge-whole"
REQUESTS = [
    "GET /user?name=bob",
    "GET /query?q=1&r=2",
    "GET /seen?a=1&b=2",
    "GET /late",
    "GET /noted",
    "GET /boom",
    "GET /nothing",
]
DISPATCHER = "express_dispatcher"


@pytest.fixture(scope="module", params=[4, 5], ids=["express4", "express5"])
def traced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The app traced once per Express version with every route sent."""
    return trace_app(APP, REQUESTS, request.param, tmp_path_factory.mktemp("merge"))


@pytest.fixture(scope="module")
def program(traced: Traced) -> dict[str, Json]:
    """Its emitted fluxions by name."""
    return by_name(traced.emit())


def _to_dispatcher(fluxion: Json) -> list[list[str]]:
    return [message for _, to, message in streams(fluxion) if to == [DISPATCHER]]


def test_res_locals_carried(program: dict[str, Json]) -> None:
    """A write to res.locals read by the next handler is carried to the dispatcher."""
    assert _to_dispatcher(program["found"]) == [["res.locals.user"]]
    assert program["found"]["isolated"] is True


def test_next_err_carried(traced: Traced, program: dict[str, Json]) -> None:
    """next(err) sends the error: the dispatcher calls next(err), the error is not lost."""
    assert _to_dispatcher(program["failed"]) == [["next(err)"]]
    failed = flx_blocks(traced.flx())["failed"][1]
    assert "-> express_dispatcher /* next(err) = new Error('boom') */;" in failed
    code = flx_blocks(traced.flx())[DISPATCHER][1]
    assert "if ('next(err)' in message) return next(message['next(err)']);" in code
    assert code[-2:] == ["next();", "}"]


def test_delete_is_merged_as_delete(traced: Traced, program: dict[str, Json]) -> None:
    """`delete req.query.q` travels as a delete, is merged back as one, and is called one."""
    assert _to_dispatcher(program["stripped"]) == [["delete req.query.q"]]
    (merged,) = [v for v in traced.emit()["variables"] if v["name"] == "delete req.query.q"]
    assert merged["reason"].startswith("`stripped` deletes `req.query.q` in the Express request")
    code = flx_blocks(traced.flx())[DISPATCHER][1]
    assert "if ('delete req.query.q' in message) delete req.query.q;" in code
    assert not [line for line in code if "undefined" in line or "message.key" in line]


def test_computed_key_carries_the_object(traced: Traced, program: dict[str, Json]) -> None:
    """A write through a computed key (`req.seen[key]`) carries the object `req.seen`."""
    assert _to_dispatcher(program["tagged"]) == [["req.seen"]]
    code = flx_blocks(traced.flx())[DISPATCHER][1]
    assert "if ('req.seen' in message) req.seen = message['req.seen'];" in code


def test_handed_next_keeps_its_chain(program: dict[str, Json]) -> None:
    """Middleware that hands `next` to setTimeout streams its request write to the dispatcher."""
    assert _to_dispatcher(program["later"]) == [["req.late"]]


def test_error_handler_request_is_second(program: dict[str, Json]) -> None:
    """In `(err, req, res, next)` the request is `req`: its write, made before the part that
    calls next(err), travels down the chain and on to the dispatcher."""
    assert ("post", ["annotated"], ["err", "next", "req.failedAt"]) in streams(
        program["annotate"]
    )
    assert _to_dispatcher(program["annotated"]) == [["next(err)", "req.failedAt"]]


def test_merged_variables_listed(traced: Traced) -> None:
    """Each merged path is a variable `via: merge`, declared where its object's parameter is."""
    merged = {
        (v["name"], v["declared"]["line"])
        for v in traced.emit()["variables"]
        if v.get("via") == "merge"
    }
    assert ("res.locals.user", traced.line(r"^function loadUser")) in merged
    assert ("req.failedAt", traced.line(r"function annotate\(")) in merged


def test_next_named_in_a_comment_is_not_handed_on(program: dict[str, Json]) -> None:
    """A handler that names `next` only in a comment or a string has no merge stream."""
    assert _to_dispatcher(program["noted"]) == []
    assert program["noted"]["tags"] == ["network"]
