"""Side effects recorded by the shim (node_shim/lib/effects.js, effects-runtime.js) on real apps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, copy_app
from tests.node_helpers import leftover_nodes
from tests.shim.shimrun import Dump, NodeApp, Response, app_dir

Request = tuple[str, str, bytes | None]
Effect = dict[str, Any]

# What each app is sent, in order: the traced and the untraced run get the same requests.
REQUESTS: dict[str, list[Request]] = {
    "paper-counter": [("GET", "/", None)] * 5,
    "paper-gifsockets": [("POST", "/image/text", b"hello"), ("POST", "/image/text", b"flux")],
    "figure5": [("GET", "/?v=1", None), ("GET", "/?v=2", None)],
    "effects-constant": [("GET", "/", None)] * 2,
    "effects-local": [("GET", "/", None)] * 2,
    "effects-readonly": [("GET", "/?name=ada", None), ("GET", "/", None)],
    "effects-counter": [("GET", "/", None)] * 4,
    "effects-two-routes": [("GET", "/one", None), ("GET", "/ten", None), ("GET", "/one", None)],
    "effects-cache": [("GET", "/?key=a", None), ("GET", "/?key=b", None)],
    "effects-log": [("GET", "/", None)] * 3,
    "effects-store": [("GET", "/", None)] * 3,
    "effects-alias": [("GET", "/?v=1", None), ("GET", "/", None)],
    "effects-await": [("GET", "/?v=1", None), ("GET", "/?v=2", None)],
    "effects-eval": [("GET", "/", None), ("GET", "/with", None)],
    "effects-accessors": [("GET", "/", None)] * 2,
    "effects-errors": [("GET", "/call", None), ("GET", "/method", None), ("GET", "/param", None)],
}
EXAMPLE_APPS = {"paper-counter", "paper-gifsockets", "figure5"}


def source_of(name: str) -> Path:
    """The folder of an app: one of the paper's examples, or a test app."""
    return EXAMPLES / name if name in EXAMPLE_APPS else app_dir(name)


@dataclass
class Run:
    """One traced run of an app: what the shim dumped, the answers, and the app's folder."""

    dump: Dump
    responses: list[Response]
    app: Path

    def fid(self, name: str, line: int | None = None) -> str:
        """The id of the function with this name (anonymous ones by the line they start on)."""
        if line is None:
            return self.dump.id_of(name)
        found = [
            f["id"]
            for f in self.dump.data["functions"]
            if f["name"] == name and f["line"] == line and f["file"] == "server.js"
        ]
        assert len(found) == 1, found
        return found[0]

    def effects(self, function: str, kind: str | None = None) -> list[Effect]:
        """The effects of a function part (by id), of one kind or all."""
        return [
            e
            for e in self.dump.data["effects"]
            if e["function"] == function and (kind is None or e["kind"] == kind)
        ]

    def targets(self, function: str, kind: str) -> set[str]:
        """The targets of a function part's effects of one kind."""
        return {e["target"] for e in self.effects(function, kind)}

    def one(self, function: str, kind: str, target: str) -> Effect:
        """The only effect of a function part with this kind and target."""
        found = [e for e in self.effects(function, kind) if e["target"] == target]
        assert len(found) == 1, f"{kind} {target}: {found}"
        return found[0]


def line_of(app: Path, pattern: str, file: str = "server.js") -> int:
    """The 1-based number of the only line of `file` matching `pattern`."""
    lines = (app / file).read_text().splitlines()
    found = [n + 1 for n, text in enumerate(lines) if re.search(pattern, text)]
    assert len(found) == 1, f"{pattern!r} matches lines {found}"
    return found[0]


def declared(app: Path, pattern: str, name: str, file: str = "server.js") -> dict[str, Any]:
    """Where `name` is declared: its first occurrence on the only line matching `pattern`."""
    line = line_of(app, pattern, file)
    column = re.search(rf"\b{re.escape(name)}\b", (app / file).read_text().splitlines()[line - 1])
    assert column is not None
    return {"file": file, "line": line, "column": column.start()}


@pytest.fixture(autouse=True)
def _no_node_left() -> Iterator[None]:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Run]:
    """Trace an app once per Express version (kept for the whole module) with its requests."""
    runs: dict[tuple[str, int], Run] = {}

    def run(name: str, express: int = 5) -> Run:
        if (name, express) not in runs:
            tmp = tmp_path_factory.mktemp(f"{name}-{express}")
            app = copy_app(source_of(name), tmp)
            with NodeApp(app, tmp / "run", express) as node:
                responses = [node.request(*request) for request in REQUESTS[name]]
            assert node.dump()["warnings"] == []
            runs[name, express] = Run(Dump(node.dump()), responses, app)
        return runs[name, express]

    return run


# The paper's examples


def test_counter_reply_reads_and_writes_count(
    traced: Callable[..., Run], express_version: int
) -> None:
    """paper-counter: reply reads and writes the top-level `count`, once per request."""
    run = traced("paper-counter", express_version)
    reply = run.fid("reply")
    count = declared(run.app, r"count = 0", "count")
    write = run.one(reply, "write", "count")
    assert write["declared"] == count
    assert write["owner"] == run.dump.toplevel()
    assert write["count"] == 5
    assert run.one(reply, "read", "count")["declared"] == count
    # At most three samples however many events: the request and the place of `count += 1`.
    at = declared(run.app, r"count \+= 1", "count")
    assert write["samples"] == [
        {"request": f"r{n}", "file": "server.js", "line": at["line"], "column": at["column"]}
        for n in (1, 2, 3)
    ]


def test_counter_reply_reads_template_and_uses_the_network(
    traced: Callable[..., Run], express_version: int
) -> None:
    """paper-counter: reply reads and calls `template`, and uses the network through `res`."""
    run = traced("paper-counter", express_version)
    reply = run.fid("reply")
    template = declared(run.app, r"function template", "template")
    assert run.one(reply, "read", "template")["declared"] == template
    call = run.one(reply, "call", "template")
    assert call["callee"] == run.fid("template")
    res = declared(run.app, r"function handler", "res")
    network = run.effects(reply, "network")
    # One entry for one use: Express's res.send calling res.end adds no second one.
    assert [(e["target"], e["declared"], e["owner"]) for e in network] == [
        ("res", res, run.fid("handler"))
    ]
    assert run.one(reply, "read", "res")["declared"] == res


def test_counter_handler_writes_nothing_it_does_not_own(
    traced: Callable[..., Run], express_version: int
) -> None:
    """paper-counter: handler only reads the module variable `fs`; it writes nothing."""
    run = traced("paper-counter", express_version)
    handler = run.fid("handler")
    assert run.effects(handler, "write") == []
    assert run.targets(handler, "read") == {"fs"}


def test_gifsockets_callback_writes_req_body_and_calls_next(
    traced: Callable[..., Run], express_version: int
) -> None:
    """paper-gifsockets: the getRawBody callback writes `req.body` and calls Express's `next`."""
    run = traced("paper-gifsockets", express_version)
    callback = run.fid("", line_of(run.app, r"function \(err, buffer\)"))
    save_body = run.fid("saveBody")
    req = declared(run.app, r"function saveBody", "req")
    write = run.one(callback, "write", "req.body")
    assert (write["declared"], write["owner"], write["count"]) == (req, save_body, 2)
    call = run.one(callback, "call", "next")
    assert call["callee"] == "express.next"
    assert call["declared"] == declared(run.app, r"function saveBody", "next")
    assert call["count"] == 2


def test_gifsockets_library_use_of_the_request_counts(
    traced: Callable[..., Run], express_version: int
) -> None:
    """paper-gifsockets: raw-body reading `req` inside saveBody's part is a network effect."""
    run = traced("paper-gifsockets", express_version)
    network = run.effects(run.fid("saveBody"), "network")
    assert [(e["target"], e["declared"]) for e in network] == [("req", None)]
    assert network[0]["count"] == 2
    # The handler from node_modules answers through `res`: counted for its part too.
    external = run.effects(run.fid("writeTextToImages"), "network")
    assert [(e["target"], e["declared"]) for e in external] == [("res", None)]


def test_figure5_add_and_end(traced: Callable[..., Run]) -> None:
    """figure5: add reads and writes `a`, reads `b` and `c`; end writes `c` and reads `v`."""
    run = traced("figure5")
    add, end, on_req = run.fid("add"), run.fid("end"), run.fid("onReq")
    a = declared(run.app, r"^\s*a = 0", "a")
    c = declared(run.app, r"^\s*c = 0", "c")
    b = declared(run.app, r"var b =", "b")
    assert run.one(add, "write", "a")["declared"] == a
    assert run.one(add, "read", "a")["declared"] == a
    read_b = run.one(add, "read", "b")
    assert (read_b["declared"], read_b["owner"]) == (b, on_req)
    assert run.one(add, "read", "c")["declared"] == c
    assert run.targets(add, "write") == {"a"}
    assert run.one(end, "write", "c")["declared"] == c
    assert run.one(end, "read", "v")["owner"] == add
    assert run.targets(end, "write") == {"c"}
    assert "a" not in run.targets(end, "read")
    # onReq declares b: it owns it, and no part writes it but onReq.
    assert run.effects(on_req, "read") == run.effects(on_req, "write") == []
    assert all(e["target"] != "b" for e in run.dump.data["effects"] if e["kind"] == "write")


# Small apps, one behaviour each


def test_constant_reply_has_no_variable_effect(traced: Callable[..., Run]) -> None:
    """A handler that answers a constant reads and writes no variable."""
    run = traced("effects-constant")
    constant = run.fid("constant")
    assert run.effects(constant, "read") == run.effects(constant, "write") == []
    assert run.targets(constant, "network") == {"res"}


def test_variable_of_the_callback_is_its_own(traced: Callable[..., Run]) -> None:
    """A variable of a callback, changed there and by a function nested in it: no effect."""
    run = traced("effects-local")
    assert run.responses[1].text == "visits 2\n"
    for name in ("handler", "bump"):
        assert run.effects(run.fid(name), "read") == run.effects(run.fid(name), "write") == []


def test_outer_variable_only_read(traced: Callable[..., Run]) -> None:
    """A top-level variable a handler only reads is a read, never a write."""
    run = traced("effects-readonly")
    greet = run.fid("greet")
    read = run.one(greet, "read", "greeting")
    assert (read["declared"], read["count"]) == (
        declared(run.app, r"var greeting", "greeting"),
        2,
    )
    assert run.effects(greet, "write") == []


def test_counter_changed_by_one_callback(traced: Callable[..., Run]) -> None:
    """`hits++` in one handler is a read and a write of `hits`, once per request."""
    run = traced("effects-counter")
    count = run.fid("count")
    hits = declared(run.app, r"var hits", "hits")
    write = run.one(count, "write", "hits")
    assert (write["declared"], write["count"]) == (hits, 4)
    # Read by `hits++` and by the reply.
    assert run.one(count, "read", "hits")["count"] == 8
    writers = {e["function"] for e in run.dump.data["effects"] if e["kind"] == "write"}
    assert writers == {count}


def test_variable_changed_by_two_routes(traced: Callable[..., Run]) -> None:
    """One variable written by the handlers of two routes: both writes name one declaration."""
    run = traced("effects-two-routes")
    total = declared(run.app, r"var total", "total")
    one = run.one(run.fid("addOne"), "write", "total")
    ten = run.one(run.fid("addTen"), "write", "total")
    assert (one["declared"], one["count"]) == (total, 2)
    assert (ten["declared"], ten["count"]) == (total, 1)
    assert [r.text for r in run.responses] == ["total 1\n", "total 11\n", "total 12\n"]


def test_object_changed_in_a_continuation(traced: Callable[..., Run]) -> None:
    """`cache[key] = ...` in a readFile continuation is a write of `cache[*]` by that part."""
    run = traced("effects-cache")
    remember, lookup = run.fid("remember"), run.fid("lookup")
    write = run.one(remember, "write", "cache[*]")
    assert (write["declared"], write["count"]) == (declared(run.app, r"var cache", "cache"), 2)
    assert run.effects(lookup, "write") == []
    # `key` comes from the part upstream: read, declared in lookup.
    assert run.one(remember, "read", "key")["owner"] == lookup


def test_array_pushed_to(traced: Callable[..., Run]) -> None:
    """`log.push(x)` on a top-level array is a write of `log[*]`."""
    run = traced("effects-log")
    record = run.fid("record")
    write = run.one(record, "write", "log[*]")
    assert (write["declared"], write["count"]) == (declared(run.app, r"var log", "log"), 3)
    assert run.targets(record, "write") == {"log[*]"}


def test_state_changed_inside_another_module(traced: Callable[..., Run]) -> None:
    """`store.bump()` changing `visits` in store.js is a write of the calling part."""
    run = traced("effects-store")
    visit = run.fid("visit")
    write = run.one(visit, "write", "visits")
    assert write["declared"] == declared(run.app, r"var visits", "visits", "store.js")
    assert write["owner"] == run.dump.toplevel("store.js")
    assert write["count"] == 3
    call = run.one(visit, "call", "store.bump")
    assert call["callee"] == run.fid("bump")
    # bump never ran as a part of its own: the write is not its.
    assert run.effects(run.fid("bump")) == []


def test_write_through_an_alias(traced: Callable[..., Run], express_version: int) -> None:
    """`const r = req; r.body = ...` is a write into the request `req.body`."""
    run = traced("effects-alias", express_version)
    keep = run.fid("keep")
    write = run.one(keep, "write", "req.body")
    assert write["declared"] == declared(run.app, r"function keep", "req")
    assert write["count"] == 2
    assert run.one(keep, "call", "next")["callee"] == "express.next"
    assert [r.text for r in run.responses] == ["kept 1\n", "kept nothing\n"]


def test_write_after_await(traced: Callable[..., Run]) -> None:
    """A write after `await` belongs to the part the async function resumes in."""
    run = traced("effects-await")
    later = run.fid("later")
    write = run.one(later, "write", "last")
    assert (write["declared"], write["count"]) == (declared(run.app, r"var last", "last"), 2)
    at = declared(run.app, r"last = req", "last")
    assert {(s["line"], s["column"]) for s in write["samples"]} == {(at["line"], at["column"])}
    assert {s["request"] for s in write["samples"]} == {"r1", "r2"}


def test_eval_and_with_are_unknown(traced: Callable[..., Run]) -> None:
    """A direct eval and a with statement are recorded as unknown effects with a reason."""
    run = traced("effects-eval")
    assert [r.text for r in run.responses] == ["n 42\n", "sum 3\n"]
    for name, target in (("evaluate", "eval"), ("within", "with")):
        unknown = run.effects(run.fid(name), "unknown")
        assert [(e["target"], e["count"]) for e in unknown] == [(target, 1)]
        assert unknown[0]["reason"]


def test_writes_in_setter_and_finally(traced: Callable[..., Run]) -> None:
    """Writes through `this` in a setter and inside `finally` land on the calling part; `this`
    is the object `counter` names, so `this.value` is recorded as `counter.value`."""
    run = traced("effects-accessors")
    tick = run.fid("tick")
    assert run.targets(tick, "write") == {"counter.next", "counter.value", "stats.served"}
    this_value = run.one(tick, "write", "counter.value")
    counter = declared(run.app, r"var counter", "counter")
    assert (this_value["declared"], this_value["count"]) == (counter, 2)
    assert this_value["samples"][0]["line"] == line_of(run.app, r"this.value = v")
    assert run.one(tick, "write", "stats.served")["count"] == 2


# Transparency


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_answers_are_the_same_traced_and_untraced(
    traced: Callable[..., Run], name: str, tmp_path: Path
) -> None:
    """The app answers the same status and bytes with the shim recording effects as without."""
    run = traced(name)
    app = copy_app(source_of(name), tmp_path)
    with NodeApp(app, tmp_path / "run", traced=False) as node:
        plain = [node.request(*request) for request in REQUESTS[name]]
    assert run.responses == plain
