"""Tests of comparing a dynamic trace with the static compiler's view of the same script."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jitflux.compare import compare, compare_files, render_json, render_text, script_of_trace
from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.static import compile_script
from jitflux.trace import Function, Location, RupturePoint, Trace, dump, load
from jitflux.tracing.drive import parse_request
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.node_helpers import leftover_nodes

ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "fixtures"
APPS = ROOT / "apps"


def _rows(section: list) -> set[tuple[str, str, str]]:
    return {(e.type, e.caller.label, e.callback.label) for e in section}


def test_paper_counter_both_agree() -> None:
    """Listing 1: app.get -> handler and fs.readFile -> reply are found by both, nothing else."""
    script = EXAMPLES / "paper-counter" / "server.js"
    result = compare_files(FIXTURES / "static-counter.json", script)
    rps = result.rupture_points
    assert _rows(rps["both"]) == {("start", "main", "handler"), ("post", "handler", "reply")}
    assert rps["trace_only"] == [] and rps["static_only"] == []
    readfile = next(e for e in rps["both"] if e.callback.label == "reply")
    assert (readfile.trace_callees, readfile.static_callees) == (["fs.readFile"], ["fs.readFile"])
    assert readfile.count == 3 and readfile.differences == {}
    variables = {v.name for v in result.variables["both"]}
    assert variables == {"fs", "count", "template", "res"}
    assert result.variables["trace_only"] == [] and result.variables["static_only"] == []


def test_paper_gifsockets_app_post_handlers_found_only_at_run_time() -> None:
    """Listing 3: the app.post handlers saveBody and writeTextToImages are found only by the
    trace, each with the reason the static compiler skipped it; getRawBody's callback is found
    by both, with the caller the static compiler folded saveBody into."""
    result = compare_files(
        FIXTURES / "static-gifsockets.json", EXAMPLES / "paper-gifsockets" / "server.js"
    )
    only = {e.callback.label: e for e in result.rupture_points["trace_only"]}
    assert set(only) == {"saveBody", "writeTextToImages"}
    assert all(e.type == "start" and e.trace_callees == ["app.post"] for e in only.values())
    assert "bodyParser(1 * 1024 * 1024)` is a call" in only["saveBody"].skipped
    assert "package 'gifsockets-middleware'" in only["writeTextToImages"].skipped
    [both] = result.rupture_points["both"]
    assert (both.callback.label, both.trace_callees, both.static_callees) == (
        "<anonymous server.js:12>",
        ["getRawBody"],
        ["getRawBody"],
    )
    callers = both.differences["caller"]
    assert (callers["trace"].label, callers["static"].label) == ("saveBody", "main")
    assert {v.name for v in result.variables["both"]} == {"req", "next"}
    assert {v.name for v in result.variables["trace_only"]} == {"getRawBody", "limit"}


def test_skip_reasons_follow_argument_sites() -> None:
    """When the trace's site is the skipped argument itself, that argument's reason is given."""
    dynamic = load(FIXTURES / "static-gifsockets.json")
    for rp, column in zip(dynamic.rupture_points[:2], (24, 2), strict=True):
        line = 19 if column == 24 else 20
        rp.site = Location("server.js", line, column)
    static = compile_script(EXAMPLES / "paper-gifsockets" / "server.js")
    entries = compare(dynamic, static).rupture_points["trace_only"]
    only = {e.callback.label: e.skipped for e in entries}
    assert "is a call" in only["saveBody"]
    assert "package" in only["writeTextToImages"]


def test_code_the_traffic_never_reached_is_static_only() -> None:
    """A route nobody requested and a listener only emitted synchronously are static only; a
    variable both see is listed with who touches it on each side."""
    result = compare_files(
        FIXTURES / "static-unreached.json", APPS / "static-unreached" / "server.js"
    )
    assert _rows(result.rupture_points["both"]) == {("start", "main", "home")}
    assert _rows(result.rupture_points["static_only"]) == {
        ("start", "main", "admin"),
        ("start", "main", "onTick"),
    }
    ticks = next(v for v in result.variables["both"] if v.name == "ticks")
    assert ticks.trace == {"fluxions": ["home"], "kinds": ["read", "write"]}
    assert ticks.static == {"fluxions": ["home", "onTick"], "kinds": ["read", "write"]}


def test_functions_match_by_name_when_the_column_differs() -> None:
    """A function at another column on the same line, with the same name, is the same one."""
    static = compile_script(EXAMPLES / "paper-counter" / "server.js")
    dynamic = Trace(
        functions=[
            Function("f0", "", "server.js", 1, 0, kind="toplevel"),
            Function("f7", "handler", "server.js", 10, 8),
            Function("f9", "reply", "server.js", 11, 17),
        ],
        rupture_points=[
            RupturePoint("start", "app.get", "f0", "f7", 1),
            RupturePoint("post", "fs", "f7", "f9", 1),
        ],
    )
    result = compare(dynamic, static)
    assert len(result.rupture_points["both"]) == 2
    reply = next(e for e in result.rupture_points["both"] if e.callback.label == "reply")
    assert (reply.callback.trace_id, reply.callback.static_id) == ("f9", "f3")
    assert (reply.trace_callees, reply.static_callees) == (["fs"], ["fs.readFile"])


def test_text_output_has_three_aligned_sections_with_counts() -> None:
    """The text shows, for rupture points then variables, both / trace only / static only with
    their counts, in aligned columns."""
    result = compare_files(
        FIXTURES / "static-gifsockets.json", EXAMPLES / "paper-gifsockets" / "server.js"
    )
    text = render_text(result)
    assert "  found by both: 1\n" in text
    assert "  found only by the trace: 2\n" in text
    assert "  found only by the static compiler: 0\n    (none)\n" in text
    lines = text.splitlines()
    start = lines.index("  found only by the trace: 2")
    rows = lines[start + 1 : start + 3]
    assert [row.split()[3] for row in rows] == ["writeTextToImages", "saveBody"]
    # Aligned: the callee column starts at the same place on both rows.
    assert rows[0].index("app.post") == rows[1].index("app.post")
    assert "skipped by the static compiler: `bodyParser(1 * 1024 * 1024)` is a call" in text
    assert "caller is saveBody in the trace, main for the static compiler" in text
    assert text.count("Rupture points") == 1
    assert "Variables that cross a fluxion boundary" in text


def test_json_output_follows_the_documented_shape() -> None:
    """The JSON has the format tag, three sections for each kind, and documented fields."""
    result = compare_files(
        FIXTURES / "static-gifsockets.json", EXAMPLES / "paper-gifsockets" / "server.js"
    )
    data = json.loads(render_json(result))
    assert data["format"] == "jitflux.compare/1"
    assert set(data["rupture_points"]) == set(data["variables"]) == {
        "both",
        "trace_only",
        "static_only",
    }
    saved = next(
        e for e in data["rupture_points"]["trace_only"] if e["callback"]["name"] == "saveBody"
    )
    assert saved["callees"] == {"trace": ["app.post"], "static": []}
    assert saved["callback"] == {
        "name": "saveBody",
        "file": "server.js",
        "line": 8,
        "column": 9,
        "trace_id": "f2",
        "static_id": "f2",
    }
    assert saved["count"] == 2 and saved["site"] == {"file": "server.js", "line": 19, "column": 4}
    both = data["rupture_points"]["both"][0]
    assert both["differences"]["caller"]["static"]["name"] == "main"
    req = next(v for v in data["variables"]["both"] if v["name"] == "req")
    assert req["declared"] == {"file": "server.js", "line": 8, "column": 27}
    assert req["static"] == {"fluxions": ["<anonymous server.js:12>"], "kinds": ["read", "mutate"]}
    assert req["trace"]["kinds"] == ["read", "mutate"]
    assert [s["argument"] for s in data["skipped"]] == [
        "bodyParser(1 * 1024 * 1024)",
        "routes.writeTextToImages",
    ]


def test_script_is_found_from_the_trace(tmp_path: Path) -> None:
    """meta.script_path, else the traced command's argument, else next to the trace file."""
    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / "paper-counter", app)
    trace = load(FIXTURES / "static-counter.json")
    trace.meta.script_path = str(app / "server.js")
    assert script_of_trace(trace, tmp_path / "t.json") == app / "server.js"
    trace.meta.script_path = None
    trace.meta.command = ("node", str(app / "server.js"))
    assert script_of_trace(trace, tmp_path / "t.json") == app / "server.js"
    trace.meta.command = ("node", "server.js")
    assert script_of_trace(trace, app / "t.json") == app / "server.js"
    with pytest.raises(JitfluxError) as caught:
        script_of_trace(trace, tmp_path / "elsewhere" / "t.json")
    assert caught.value.status == EXIT_BAD_INPUT
    assert "give SCRIPT" in caught.value.message


def test_compare_files_uses_the_script_next_to_the_trace(tmp_path: Path) -> None:
    """With no SCRIPT, the trace's own script is compiled."""
    app = tmp_path / "paper-counter"
    shutil.copytree(EXAMPLES / "paper-counter", app)
    dump(load(FIXTURES / "static-counter.json"), app / "trace.json")
    result = compare_files(app / "trace.json")
    assert result.script == str(app / "server.js")
    assert len(result.rupture_points["both"]) == 2


def _real_trace(app: Path, requests: list[str], output: Path) -> None:
    """Trace `app/server.js` for real (node, Express 5, HTTP on 127.0.0.1) into `output`."""
    options = TraceOptions(
        command=["node", str(app / "server.js")],
        output=output,
        requests=[parse_request(r, "test") for r in requests],
        env={**express_env(5), "PORT": "0"},
        notice=None,
        handle_signals=False,
    )
    try:
        result = trace_sync(options)
    finally:
        assert leftover_nodes() == []
    assert result.status == 0, result.error


def test_real_trace_of_paper_counter_agrees(tmp_path: Path) -> None:
    """On a real trace of listing 1, both find app.get -> handler and fs.readFile -> reply, and
    the same variables crossing fluxions."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    _real_trace(app, ["GET /", "GET /", "GET /"], tmp_path / "t.json")
    result = compare_files(tmp_path / "t.json", app / "server.js")
    rps = result.rupture_points
    assert _rows(rps["both"]) == {("start", "main", "handler"), ("post", "handler", "reply")}
    assert rps["trace_only"] == [] and rps["static_only"] == []
    assert all(e.count == 3 for e in rps["both"])
    assert {"count", "res"} <= {v.name for v in result.variables["both"]}


def test_real_trace_of_gifsockets(tmp_path: Path) -> None:
    """On a real trace of listing 3, the app.post handlers saveBody and writeTextToImages are
    found only at run time, each with the reason the static compiler skipped it."""
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    _real_trace(app, ["POST /image/text hello", "POST /image/text fluxions"], tmp_path / "t.json")
    result = compare_files(tmp_path / "t.json", app / "server.js")
    only = {e.callback.label: e for e in result.rupture_points["trace_only"]}
    assert set(only) == {"saveBody", "writeTextToImages"}
    assert "is a call" in only["saveBody"].skipped
    assert "package 'gifsockets-middleware'" in only["writeTextToImages"].skipped
    [both] = result.rupture_points["both"]
    assert both.trace_callees == both.static_callees == ["getRawBody"]
    assert both.count == 2
    assert {"req", "next"} <= {v.name for v in result.variables["both"]}


def test_real_trace_of_code_never_reached(tmp_path: Path) -> None:
    """On a real trace that only requests `/`, the `/admin` route and the listener emitted
    synchronously are found only by the static compiler; the `/` route by both."""
    app = copy_app(APPS / "static-unreached", tmp_path)
    _real_trace(app, ["GET /", "GET /"], tmp_path / "t.json")
    result = compare_files(tmp_path / "t.json", app / "server.js")
    assert _rows(result.rupture_points["both"]) == {("start", "main", "home")}
    assert _rows(result.rupture_points["static_only"]) == {
        ("start", "main", "admin"),
        ("start", "main", "onTick"),
    }
    assert result.rupture_points["trace_only"] == []
    ticks = next(v for v in result.variables["both"] if v.name == "ticks")
    assert ticks.trace == {"fluxions": ["home"], "kinds": ["read", "write"]}
