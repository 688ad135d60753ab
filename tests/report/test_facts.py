"""The report's adapter: the facts of each fluxion gathered from emit, explain and the trace."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from jitflux.emit import build, render
from jitflux.emit.jsonout import to_dict
from jitflux.explain import explain
from jitflux.explain import to_dict as explain_dict
from jitflux.report import facts
from jitflux.report.facts import gather, source_line, split_flx
from jitflux.trace import Trace


def line_of(trace: Trace, text: str, file: str = "server.js") -> int:
    """The 1-based number of the only line of a traced file that contains `text`."""
    found = [n for n, line in enumerate(trace.sources[file].splitlines(), 1) if text in line]
    assert len(found) == 1, found
    return found[0]


def fluxion(document: dict, name: str) -> dict:
    """The only fluxion called `name` in a report document."""
    (found,) = [f for f in document["fluxions"] if f["name"] == name]
    return found


def test_counter_reply_facts(loaded: Callable[[str], Trace]) -> None:
    """reply: its context, how often it ran and for which requests, its flx code, and its
    network tie on `res` at the line of `res.send`, with the line of code there."""
    trace = loaded("paper-counter")
    document = gather(trace)
    reply = fluxion(document, "reply")
    assert reply["context"] == ["count", "template"]
    assert (reply["runs"], reply["requests"]) == (3, ["r1", "r2", "r3"])
    assert reply["ruptures"][0]["callee"] == "fs.readFile"
    assert reply["ruptures"][0]["caller"] == "handler"
    assert reply["flx"].startswith("flx reply & network {count, template}\n-> null\n")
    assert "count += 1;" in reply["flx"]
    (tie,) = reply["ties"]
    send = line_of(trace, "res.send(")
    assert (tie["rule"], tie["variable"], tie["with"]) == ("network", "res", ["main"])
    assert tie["at"] == {"file": "server.js", "line": send, "column": 4}
    assert "backed by the client's socket" in tie["reason"]
    assert source_line(document["sources"], tie["at"]).strip().startswith("res.send(")
    assert {(e["kind"], e["target"]) for e in reply["effects"]} >= {
        ("write", "count"),
        ("network", "res"),
    }


def test_gifsockets_merge_and_isolated_facts(loaded: Callable[[str], Trace]) -> None:
    """anonymous_12 is isolated with no tie and streams req.body to the merge, which has no
    origin and never ran as a callback."""
    document = gather(loaded("paper-gifsockets"))
    anonymous = fluxion(document, "anonymous_12")
    assert anonymous["isolated"] is True and anonymous["ties"] == []
    assert anonymous["streams"] == [
        {"type": "post", "to": ["express_dispatcher"], "message": ["req.body"]}
    ]
    assert anonymous["runs"] == 2
    merge = fluxion(document, "express_dispatcher")
    assert (merge["origin"], merge["runs"], merge["function"]) == (None, None, None)
    assert "next();" in merge["flx"]
    assert document["traffic"]["requests_sent"] == 2
    assert document["app"]["script"] == "server.js"


def test_split_flx_cuts_the_program_at_each_header(loaded: Callable[[str], Trace]) -> None:
    """The flx blocks of every fluxion, put back together, are the whole program."""
    for name in ("paper-counter", "paper-gifsockets", "big"):
        trace = loaded(name)
        program = to_dict(build(trace))
        whole = render(trace, "flx")
        blocks = split_flx(whole, program["fluxions"])
        assert list(blocks) == [f["name"] for f in program["fluxions"]]
        assert "\n".join(blocks.values()) == whole


def test_ties_of_the_document_come_first(loaded: Callable[[str], Trace]) -> None:
    """When the fluxions document has `ties`, their facts are used, with explain's words."""
    trace = loaded("paper-counter")
    program = to_dict(build(trace))
    (entry,) = [f for f in program["fluxions"] if f["name"] == "reply"]
    at = {"file": "server.js", "line": 1, "column": 0}
    entry["ties"] = [{"rule": "network", "variable": "res", "with": ["main", "x"], "at": at}]
    (report,) = explain_dict(explain(trace, "reply"))["fluxions"]
    (tie,) = facts._ties(entry, report)
    assert (tie["with"], tie["at"]) == (["main", "x"], at)
    assert "backed by the client's socket" in tie["reason"]


def test_fluxion_found_by_origin_without_function_key(loaded: Callable[[str], Trace]) -> None:
    """Without the document's `function` key a fluxion's function is found by its origin."""
    trace = loaded("paper-counter")
    program = to_dict(build(trace))
    (entry,) = [f for f in program["fluxions"] if f["name"] == "reply"]
    expected = entry.pop("function")
    assert facts._function_id(entry, trace) == expected


def test_date_from_meta_or_the_file(traced: Callable[[str], Path], tmp_path: Path) -> None:
    """The trace's date is its meta's when it has one (the tracer's ISO 8601 shown in minutes),
    else the trace file's time."""
    path = tmp_path / "trace.json"
    shutil.copy(traced("paper-counter"), path)
    os.utime(path, (0, 86400 * 365))
    assert gather(Trace(meta={}), path)["date"] == {
        "value": "1971-01-01 00:00 UTC",
        "source": "file",
    }
    dated = Trace(meta={"date": "2026-01-02T03:04:05Z"})
    assert gather(dated, path)["date"] == {"value": "2026-01-02 03:04 UTC", "source": "trace"}
    free = Trace(meta={"date": "early in the year"})  # not the tracer's format: shown as it is
    assert gather(free, path)["date"] == {"value": "early in the year", "source": "trace"}
    assert gather(Trace(meta={}), tmp_path / "gone.json")["date"]["value"] is None
