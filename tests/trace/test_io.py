"""Tests of trace.json load and dump."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.trace import (
    Effect,
    Function,
    Location,
    RupturePoint,
    Sample,
    Skip,
    Trace,
    dump,
    dumps,
    load,
    loads,
    to_dict,
)


def _trace() -> Trace:
    return Trace(
        functions=[
            Function("f0", "", "server.js", 1, 0, kind="toplevel", range=(0, 300)),
            Function("f1", "handler", "server.js", 5, 16, range=(80, 200), params=["req", "res"]),
            Function("f2", "reply", "server.js", 6, 26, range=(120, 190), params=["err", "data"]),
        ],
        rupture_points=[
            RupturePoint("start", "app.get", "f0", "f1", 2, [Sample("r1", "server.js", 5, 16)]),
            RupturePoint(
                "post", "fs.readFile", "f1", "f2", 2, site=Location("server.js", 6, 26)
            ),
        ],
        effects=[
            Effect("f2", "write", "count", Location("server.js", 3, 2), 2, owner="f0"),
            Effect("f2", "network", "res", Location("server.js", 5, 30), 2, owner="f1"),
            Effect("f2", "unknown", "eval", None, 1, reason="direct eval"),
        ],
        sources={"server.js": "var count = 0;\n"},
        meta={"script": "server.js", "complete": True, "exit_status": 0},
    )


def test_round_trip(tmp_path: Path) -> None:
    """A trace dumped and loaded again is the same trace."""
    path = tmp_path / "trace.json"
    dump(_trace(), path)
    assert load(path) == _trace()


def test_dump_is_deterministic() -> None:
    """The same trace gives the same text in two processes with different hash seeds."""
    code = (
        "import sys; from tests.trace.test_io import _trace; from jitflux.trace import dumps; "
        "sys.stdout.write(dumps(_trace()))"
    )
    texts = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert texts[0] == texts[1] == dumps(_trace())


def test_contract_keys_present() -> None:
    """The keys other tools read are in the file, with null for an unknown declaration."""
    data = json.loads(dumps(_trace()))
    assert data["format"] == "jitflux.trace/1"
    assert set(data["functions"][1]) >= {"id", "name", "file", "line", "column"}
    assert set(data["rupture_points"][0]) >= {"type", "callee", "caller", "callback", "count"}
    assert data["effects"][2]["declared"] is None
    assert set(data["effects"][0]) >= {"function", "kind", "target", "declared", "count"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty file"),
        ('{"format": "jitflux.trace/1", "functions": [', "truncated JSON at line 1"),
        ("{nope}", "not valid JSON at line 1, column 2"),
        ("[1, 2]", "a JSON object was expected"),
        ('{"format": "chrome.trace"}', "not a jitflux trace"),
        ('{"format": "jitflux.trace/9"}', "'jitflux.trace/9' is not supported"),
    ],
)
def test_bad_text_is_one_clear_error(text: str, expected: str) -> None:
    """Empty, truncated, non-JSON and foreign files are refused with a message naming why."""
    with pytest.raises(JitfluxError) as info:
        loads(text, "t.json")
    assert expected in info.value.message
    assert info.value.message.startswith("t.json: ")
    assert info.value.status == EXIT_BAD_INPUT
    assert "\n" not in info.value.message


def test_schema_violation_names_the_place() -> None:
    """A trace that fails the schema names the JSON path of the first problem."""
    data = json.loads(dumps(_trace()))
    data["effects"][1]["kind"] = "teleport"
    with pytest.raises(JitfluxError) as info:
        loads(json.dumps(data), "t.json")
    assert "$.effects[1].kind" in info.value.message


def test_missing_file(tmp_path: Path) -> None:
    """A missing trace file is a bad-input error, not a traceback."""
    with pytest.raises(JitfluxError) as info:
        load(tmp_path / "nope.json")
    assert "no such file" in info.value.message
    assert info.value.status == EXIT_BAD_INPUT


def test_dump_leaves_no_partial_file(tmp_path: Path) -> None:
    """Dump writes through a temporary file, leaving only the finished trace."""
    dump(_trace(), tmp_path / "out" / "trace.json")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["trace.json"]


def test_dump_mode_follows_umask(tmp_path: Path) -> None:
    """The written trace is readable like any file the user creates, not private."""
    import os

    mask = os.umask(0o022)
    try:
        dump(_trace(), tmp_path / "trace.json")
    finally:
        os.umask(mask)
    assert (tmp_path / "trace.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("functions", 0, "line"), 0, "$.functions[0].line"),
        (("rupture_points", 1, "type"), "sometimes", "$.rupture_points[1].type"),
        (("effects", 0, "declared"), {"file": "server.js"}, "$.effects[0].declared"),
        (("effects", 0, "count"), "3", "$.effects[0].count"),
    ],
)
def test_every_schema_violation_is_refused(path: tuple, value: object, where: str) -> None:
    """Each kind of schema violation is caught and named by its JSON path."""
    data = json.loads(dumps(_trace()))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(JitfluxError) as info:
        loads(json.dumps(data), "t.json")
    assert where in info.value.message


def test_meta_reads_the_keys_jitflux_uses_as_types_and_keeps_the_rest(tmp_path: Path) -> None:
    """The static compiler's skipped callbacks (gifsockets) load back as typed Skips and dump
    to the same JSON; the other meta keys are kept as written."""
    from jitflux.static import compile_script
    from tests.conftest import EXAMPLES

    compiled = compile_script(EXAMPLES / "paper-gifsockets" / "server.js")
    dump(compiled, tmp_path / "static.json")
    data = json.loads((tmp_path / "static.json").read_text(encoding="utf-8"))
    trace = load(tmp_path / "static.json")
    assert trace.meta.source == "static" and trace.meta.script == "server.js"
    assert trace.meta.skipped and all(isinstance(s, Skip) for s in trace.meta.skipped)
    first = trace.meta.skipped[0]
    assert first.location.file == "server.js" and first.call is not None
    assert to_dict(trace)["meta"] == data["meta"]
    assert trace.meta["parser"] == data["meta"]["parser"] != ""
