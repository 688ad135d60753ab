"""The paper's examples traced for real on Express 4 and 5, then emitted and explained: listings
2 and 4, the express_dispatcher merge (section 4.2.2) and figure 5 (scope, stream, share)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.compare import compare_files
from jitflux.compare import render_json as render_compare
from jitflux.emit import render
from jitflux.explain import explain, render_json
from jitflux.schemas import validate
from jitflux.static import compile_script
from jitflux.trace import dump
from tests.conftest import EXAMPLES
from tests.e2e.apps import (
    Traced,
    by_name,
    flx_blocks,
    flx_heads,
    streams,
    trace_app,
    variable,
    variables,
)

EXAMPLE_NAMES = ("paper-counter", "paper-gifsockets", "figure5")


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], Traced]:
    """Trace an example once per Express version (kept for the whole module) with the
    requests of its requests.txt."""
    runs: dict[tuple[str, int], Traced] = {}

    def run(name: str, express: int) -> Traced:
        if (name, express) not in runs:
            source = EXAMPLES / name
            requests = (source / "requests.txt").read_text(encoding="utf-8").splitlines()
            tmp = tmp_path_factory.mktemp(f"{name}-express{express}")
            runs[name, express] = trace_app(source, [r for r in requests if r], express, tmp)
        return runs[name, express]

    return run


def _anonymous(run: Traced) -> str:
    """The name of listing 3's anonymous getRawBody callback: anonymous_<its line>."""
    line = run.line(r"function \(err, buffer\)")
    return f"anonymous_{line}"


# Listing 2: the counter


def test_counter_is_listing_2(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """paper-counter: main & network >> handler [res]; handler -> reply [res], isolated; reply &
    network {count, template} -> null."""
    run = traced("paper-counter", express_version)
    program = run.emit()
    assert program["format"] == "jitflux.fluxions/1"
    assert [f["name"] for f in program["fluxions"]] == ["main", "handler", "reply"]
    main_, handler, reply = program["fluxions"]
    assert (main_["tags"], main_["context"]) == (["network"], [])
    assert streams(main_) == [("start", ["handler"], ["res"])]
    assert (handler["tags"], handler["context"], handler["isolated"]) == ([], [], True)
    assert streams(handler) == [("post", ["reply"], ["res"])]
    assert (reply["tags"], reply["context"], reply["isolated"]) == (
        ["network"],
        ["count", "template"],
        False,
    )
    assert streams(reply) == [("post", ["null"], [])]
    assert main_["origin"] == {"file": "server.js", "line": 1, "column": 0}
    assert handler["origin"] == run.at(r"function handler", "function")
    assert reply["origin"] == run.at(r"function reply", "function")


def test_counter_variables(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """paper-counter: count and template are scope in reply; res streams main -> handler ->
    reply; the module fs crosses no boundary."""
    run = traced("paper-counter", express_version)
    program = run.emit()
    assert variables(program) == [
        ("count", "scope", ["reply"]),
        ("template", "scope", ["reply"]),
        ("res", "stream", ["main", "handler", "reply"]),
    ]
    assert variable(program, "count")["declared"] == run.at(r"count = 0", "count")
    assert variable(program, "template")["declared"] == run.at(r"function template", "template")
    assert variable(program, "res")["declared"] == run.at(r"function handler", "res")


def test_counter_flx_prints_listing_2(
    traced: Callable[[str, int], Traced], express_version: int
) -> None:
    """paper-counter: the flx text has listing 2's headers, streams and placeholders."""
    text = traced("paper-counter", express_version).flx()
    assert flx_heads(text) == [
        ["flx main & network", ">> handler [res]"],
        ["flx handler", "-> reply [res]"],
        ["flx reply & network {count, template}", "-> null"],
    ]
    blocks = flx_blocks(text)
    assert "app.get('/', >> handler);" in blocks["main"][1]
    assert blocks["handler"][1] == [
        "function handler(req, res) {",
        "fs.readFile(__filename, -> reply);",
        "}",
    ]
    assert "count += 1;" in blocks["reply"][1]


# Listing 4 and the express_dispatcher merge: gifsockets


def test_gifsockets_is_listing_4_with_the_merge(
    traced: Callable[[str, int], Traced], express_version: int
) -> None:
    """paper-gifsockets: main >> saveBody [req, next]; saveBody -> anonymous [req, next]; the
    anonymous callback isolated, streaming to express_dispatcher, in main's network group;
    writeTextToImages (unobserved) not isolated."""
    run = traced("paper-gifsockets", express_version)
    anonymous = _anonymous(run)
    program = run.emit()
    assert [f["name"] for f in program["fluxions"]] == [
        "main",
        "saveBody",
        anonymous,
        "writeTextToImages",
        "express_dispatcher",
    ]
    fluxions = by_name(program)
    main_, save_body = fluxions["main"], fluxions["saveBody"]
    assert streams(main_) == [
        ("start", ["saveBody"], ["req", "next"]),
        ("start", ["writeTextToImages"], []),
    ]
    # raw-body reads the request inside saveBody's part: a use of the network.
    assert (save_body["tags"], save_body["context"]) == (["network"], ["limit"])
    assert streams(save_body) == [("post", [anonymous], ["req", "next"])]
    callback = fluxions[anonymous]
    assert (callback["tags"], callback["context"], callback["isolated"]) == ([], [], True)
    assert streams(callback) == [("post", ["express_dispatcher"], ["req.body"])]
    assert callback["origin"] == run.at(r"function \(err, buffer\)", "function")
    dispatcher = fluxions["express_dispatcher"]
    assert (dispatcher["tags"], dispatcher["origin"]) == (["network"], None)
    assert "network" in main_["tags"]
    external = fluxions["writeTextToImages"]
    assert not external["isolated"] and "unknown" in external["tags"]
    assert external["origin"]["file"].endswith("gifsockets-middleware/index.js")
    assert any("did not instrument" in reason for reason in external["reasons"])


def test_gifsockets_variables(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """paper-gifsockets: limit is scope in saveBody; req and next stream down the chain;
    req.body streams to express_dispatcher by the merge."""
    run = traced("paper-gifsockets", express_version)
    anonymous = _anonymous(run)
    program = run.emit()
    assert variables(program) == [
        ("limit", "scope", ["saveBody"]),
        ("req", "stream", ["main", "saveBody", anonymous]),
        ("next", "stream", ["main", "saveBody", anonymous]),
        ("req.body", "stream", [anonymous, "express_dispatcher"]),
    ]
    assert variable(program, "req.body")["via"] == "merge"
    assert variable(program, "req")["declared"] == run.at(r"function saveBody", "req")
    assert variable(program, "next")["declared"] == run.at(r"function saveBody", "next")
    assert variable(program, "limit")["declared"] == run.at(r"function bodyParser", "limit")


def test_gifsockets_flx_replaces_next_by_the_merge_stream(
    traced: Callable[[str, int], Traced], express_version: int
) -> None:
    """paper-gifsockets: listing 4's placeholders, and next() turned into a stream to
    express_dispatcher, which writes req.body back and calls next."""
    run = traced("paper-gifsockets", express_version)
    anonymous = _anonymous(run)
    text = run.flx()
    heads = flx_heads(text)
    assert heads[:3] == [
        ["flx main & network", ">> saveBody [req, next]", ">> writeTextToImages"],
        ["flx saveBody & network {limit}", f"-> {anonymous} [req, next]"],
        [f"flx {anonymous}", "-> express_dispatcher [req.body]"],
    ]
    assert heads[4] == ["flx express_dispatcher & network", "-> null"]
    blocks = flx_blocks(text)
    assert "return >> saveBody;" in blocks["main"][1]
    assert f"}}, -> {anonymous});" in blocks["saveBody"][1]
    assert blocks[anonymous][1] == [
        "function (err, buffer) {",
        "req.body = buffer;",
        "-> express_dispatcher;",
        "}",
    ]
    assert "req.body = message['req.body'];" in blocks["express_dispatcher"][1]
    assert "next();" in blocks["express_dispatcher"][1]


def test_static_gifsockets_is_listing_4() -> None:
    """The static compiler folds saveBody into main: main -> anonymous [req, next], with req and
    next in the message and in no context (listing 4)."""
    trace = compile_script(EXAMPLES / "paper-gifsockets" / "server.js")
    source = (EXAMPLES / "paper-gifsockets" / "server.js").read_text(encoding="utf-8")
    line = 1 + source[: source.index("function (err, buffer)")].count("\n")
    anonymous = f"anonymous_{line}"
    assert flx_heads(render(trace, "flx")) == [
        ["flx main & network", f"-> {anonymous} [req, next]"],
        [f"flx {anonymous}", "-> null"],
    ]
    program = by_name(json.loads(render(trace, "json")))
    assert program["main"]["context"] == program[anonymous]["context"] == []
    assert program[anonymous]["isolated"]


# Figure 5: scope, stream, share


def test_figure5_scope_stream_share(
    traced: Callable[[str, int], Traced], express_version: int
) -> None:
    """figure5: a in add's context (scope); b in the message onReq -> add (stream); c shared by
    add and end under one tag (share)."""
    run = traced("figure5", express_version)
    program = run.emit()
    assert [f["name"] for f in program["fluxions"]] == ["main", "onReq", "add", "end"]
    fluxions = by_name(program)
    on_req, add, end = fluxions["onReq"], fluxions["add"], fluxions["end"]
    assert streams(fluxions["main"]) == [("start", ["onReq"], ["res"])]
    assert streams(on_req) == [("post", ["add"], ["res", "b"])]
    assert (on_req["tags"], on_req["isolated"]) == ([], True)
    assert streams(add) == [("post", ["end"], ["res", "v"])]
    assert streams(end) == [("post", ["null"], [])]
    assert add["context"] == ["a", "c"]
    assert end["context"] == ["c"]
    assert add["tags"] == ["grp_c"]
    assert end["tags"] == ["network", "grp_c"]
    assert variables(program) == [
        ("a", "scope", ["add"]),
        ("c", "share", ["add", "end"]),
        ("res", "stream", ["main", "onReq", "add", "end"]),
        ("b", "stream", ["onReq", "add"]),
        ("v", "stream", ["add", "end"]),
    ]
    assert variable(program, "a")["declared"] == run.at(r"^\s*a = 0", "a")
    assert variable(program, "b")["declared"] == run.at(r"var b =", "b")
    assert variable(program, "c")["declared"] == run.at(r"^\s*c = 0", "c")


# explain


def test_explain_counter(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """paper-counter: reply is tied by res (network) and holds count; handler is isolated and
    passes res along."""
    run = traced("paper-counter", express_version)
    reports = run.explain()
    handler, reply = reports["handler"], reports["reply"]
    assert (handler["isolated"], handler["ties"]) == (True, [])
    assert handler["receives"] == [{"from": "main", "type": "start", "message": ["res"]}]
    assert handler["sends"] == [{"to": "reply", "type": "post", "message": ["res"]}]
    assert not reply["isolated"]
    assert "count" in reply["context"]
    assert any("`count`" in note for note in reply["notes"])
    (tie,) = reply["ties"]
    assert (tie["rule"], tie["tag"], tie["what"], tie["name"]) == (
        "network",
        "network",
        "network",
        "res",
    )
    assert tie["fluxions"] == ["main"]
    primary = tie["labels"][0]
    assert primary["primary"]
    assert {k: primary[k] for k in ("file", "line", "column")} == run.at(r"res\.send", "res")
    assert tie["observed"][0]["fluxion"] == "reply"
    assert tie["observed"][0]["count"] == 3
    assert re.fullmatch(r"r\d+", tie["observed"][0]["request"])
    assert tie["help"]


def test_explain_gifsockets(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """paper-gifsockets: the callback is isolated by the merge, which explain tells with
    req.body and next; express_dispatcher is held in main's network group by the merge."""
    run = traced("paper-gifsockets", express_version)
    anonymous = _anonymous(run)
    reports = run.explain()
    callback = reports[anonymous]
    assert (callback["isolated"], callback["ties"]) == (True, [])
    assert callback["sends"] == [
        {"to": "express_dispatcher", "type": "post", "message": ["req.body"]}
    ]
    merge_notes = [note for note in callback["notes"] if "express_dispatcher" in note]
    assert merge_notes and "`req.body`" in merge_notes[0] and "`next()`" in merge_notes[0]
    dispatcher = reports["express_dispatcher"]
    (tie,) = dispatcher["ties"]
    assert (tie["rule"], tie["tag"]) == ("merge", "network")
    assert set(tie["fluxions"]) == {"main", "saveBody", "writeTextToImages"}
    located = {(label["line"], label["column"]): label["text"] for label in tie["labels"]}
    write = run.at(r"req\.body = buffer", "req")
    call = run.at(r"next\(\);", "next")
    assert "`req.body`" in located[write["line"], write["column"]]
    assert "`next`" in located[call["line"], call["column"]]
    assert tie["observed"] == [{"fluxion": anonymous, "count": 2, "request": "r1"}]
    assert tie["help"]
    external = reports["writeTextToImages"]
    assert [t["rule"] for t in external["ties"] if t["tag"] == "unknown"] == ["unknown"]


def test_explain_figure5(traced: Callable[[str, int], Traced], express_version: int) -> None:
    """figure5: add and end are tied by c, shown where add reads it and where end writes it."""
    run = traced("figure5", express_version)
    reports = run.explain()
    read = run.at(r"var v = ", "c")
    write = run.at(r"c = v\.length", "c")
    for name, other, first, second in (("add", "end", read, write), ("end", "add", write, read)):
        (tie,) = [t for t in reports[name]["ties"] if t["rule"] == "share"]
        assert (tie["tag"], tie["name"], tie["fluxions"]) == ("grp_c", "c", [other])
        places = [{k: label[k] for k in ("file", "line", "column")} for label in tie["labels"]]
        assert places[:2] == [first, second]
        assert tie["labels"][0]["primary"] and not tie["labels"][1]["primary"]
        assert "upstream" in tie["help"]
    assert reports["onReq"]["isolated"]


def test_explain_text(
    traced: Callable[[str, int], Traced], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jitflux explain --from trace.json reply` prints a Rust-style diagnostic: headline,
    --> location, the code line with a caret under `res`, note and help lines."""
    run = traced("paper-counter", 5)
    path = tmp_path / "trace.json"
    dump(run.trace, path)
    assert main(["explain", "--from", str(path), "reply"]) == 0
    lines = capsys.readouterr().out.splitlines()
    where = run.at(r"res\.send", "res")
    assert lines[0] == "`reply` is not isolated: 1 tie holds it (group network)."
    headline = next(n for n, line in enumerate(lines) if line.startswith("tie[network]: "))
    assert "`reply` uses `res`" in lines[headline]
    arrow = next(n for n, line in enumerate(lines) if line.lstrip().startswith("--> "))
    assert arrow > headline
    assert lines[arrow].split("--> ")[1] == f"server.js:{where['line']}:{where['column']}"
    code = (run.app / "server.js").read_text(encoding="utf-8").splitlines()[where["line"] - 1]
    (shown,) = [line for line in lines if line.startswith(f"{where['line']} | ")]
    assert shown == f"{where['line']} | {code}"
    caret = lines[lines.index(shown) + 1]
    start = len(f"{where['line']} | ") + where["column"]
    assert caret[start : start + 4] == "^^^ "
    assert caret[:start].strip() == "|"
    assert any(line.strip().startswith("= note: rule network") for line in lines)
    assert any(line.strip().startswith("= help: ") for line in lines)
    assert all(len(line) <= 80 for line in lines)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_program_does_not_depend_on_the_express_version(
    traced: Callable[[str, int], Traced], name: str
) -> None:
    """Two real traces of one app, on Express 4 and on Express 5, give byte-identical flx,
    json and dot output."""
    four, five = traced(name, 4).trace, traced(name, 5).trace
    for fmt in ("flx", "json", "dot"):
        assert render(four, fmt) == render(five, fmt)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_json_output_of_a_real_trace_fits_its_shipped_schema(
    traced: Callable[[str, int], Traced], express_version: int, name: str
) -> None:
    """emit, explain and compare --format json of each example, traced for real, validate
    against the schemas the package ships; every tie and placement carries its facts."""
    run = traced(name, express_version)
    program = run.emit()
    validate(program)
    for fluxion in program["fluxions"]:
        assert {t["tag"] for t in fluxion["ties"]} == set(fluxion["tags"])
        assert fluxion["isolated"] == (not fluxion["ties"])
    assert all(v["placement"] is not None for v in program["variables"])
    validate(json.loads(render_json(explain(run.trace))))
    path = run.app / "trace.json"
    dump(run.trace, path)
    validate(json.loads(render_compare(compare_files(path, run.app / "server.js"))))
