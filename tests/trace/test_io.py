"""Tests of trace.json load and dump."""

from __future__ import annotations

import concurrent.futures
import json
import os
import stat
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
    Timing,
    Trace,
    check_output,
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
        timings=[Timing("f1", 2, 0.25, 0.2), Timing("f2", 2, 3.5, 2.0)],
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


def test_a_trace_without_timings_loads() -> None:
    """A trace made before time per part was recorded has no `timings`: it loads with none, and
    is written back without the key."""
    data = json.loads(dumps(_trace()))
    del data["timings"]
    trace = loads(json.dumps(data))
    assert trace.timings == [] and trace.timings_by_function() == {}
    assert "timings" not in json.loads(dumps(trace))
    assert _trace().timings_by_function()["f2"].mean_ms == 1.75


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


def test_dump_replaces_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    """An existing trace file is replaced by a new file (never half written in place) that keeps
    the old file's mode: a private trace stays private."""
    path = tmp_path / "trace.json"
    path.write_text("old")
    path.chmod(0o600)
    before = path.stat().st_ino
    dump(_trace(), path)
    assert path.stat().st_ino != before
    assert path.stat().st_mode & 0o777 == 0o600
    assert load(path) == _trace()
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]


def test_dump_writes_through_a_symlink(tmp_path: Path) -> None:
    """A symlink stays a symlink: its target gets the trace (created if it is missing)."""
    (tmp_path / "real").mkdir()
    for target in ("real/existing.json", "real/new.json"):
        link = tmp_path / f"link-{target.split('/')[1]}"
        link.symlink_to(target)
        if target.endswith("existing.json"):
            (tmp_path / target).write_text("old")
        check_output(link)
        dump(_trace(), link)
        assert link.is_symlink() and os.readlink(link) == target
        assert load(tmp_path / target) == _trace()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["existing.json", "new.json"]


def test_dump_writes_through_a_fifo(tmp_path: Path) -> None:
    """A named pipe is written to, never replaced: its reader gets the trace."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_output(fifo)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        reading = pool.submit(fifo.read_text)
        dump(_trace(), fifo)
        assert loads(reading.result(timeout=30)) == _trace()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dump_writes_through_devices() -> None:
    """/dev/null is written to, never replaced."""
    before = os.stat("/dev/null")
    check_output("/dev/null")
    dump(_trace(), "/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (
        before.st_ino, before.st_rdev
    )  # fmt: skip


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (".", "it is a directory"),
        ("missing/trace.json", "no such directory"),
        ("/proc/jitflux-trace.json", "cannot create a file in /proc"),
    ],
)
def test_output_that_cannot_be_written_is_refused(
    tmp_path: Path, where: str, message: str
) -> None:
    """A directory, a missing folder, a place where no file can be created: one line, bad
    input (status 2), and nothing is created."""
    path = tmp_path / where
    with pytest.raises(JitfluxError, match=f"^cannot write the trace to {path}: .*{message}") as e:
        check_output(path)
    assert e.value.status == EXIT_BAD_INPUT
    assert not (tmp_path / "missing").exists()
    with pytest.raises(JitfluxError, match="^cannot write the trace to '': no file named"):
        check_output("")


def test_dump_mode_follows_umask(tmp_path: Path) -> None:
    """The written trace is readable like any file the user creates, not private."""
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
        (("timings", 0, "total_ms"), -1, "$.timings[0].total_ms"),
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
