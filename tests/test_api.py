"""The library API of `jitflux/__init__.py`: the README's example, silence, failures."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import jitflux
from jitflux import AppExited, TraceEvent, UsageError, emit, explain, load, trace
from tests.conftest import EXAMPLES, ROOT, express_env
from tests.node_helpers import leftover_nodes


@pytest.fixture(autouse=True)
def _no_node_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps listen where the system says (PORT=0); no node process outlives a test."""
    monkeypatch.setenv("PORT", "0")
    yield
    assert leftover_nodes() == []


def _readme_example() -> str:
    """The Python code block of the README's library section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### As a library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's example, run as written on a copy of the paper's listing 1: it traces,
    prints listing 2 and explain's JSON for `reply`, and writes trace.json."""
    (tmp_path / "examples").mkdir()
    app = tmp_path / "examples" / "paper-counter"
    app.mkdir()
    (app / "server.js").write_bytes((EXAMPLES / "paper-counter" / "server.js").read_bytes())
    env = {**express_env(5), "PORT": "0", "PYTHONPATH": str(ROOT)}
    process = subprocess.run(
        [sys.executable, "-c", _readme_example()],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert "flx reply & network {count, template}" in out
    explained = json.loads(out[out.rindex("\n{") + 1 :])
    assert explained["format"] == "jitflux.explain/1"
    assert [f["name"] for f in explained["fluxions"]] == ["reply"]
    assert load(tmp_path / "trace.json").meta["requests_sent"] == 2


def test_library_prints_nothing_and_raises_with_the_trace(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """An app that exits before listening: AppExited with what was recorded in `exc.trace`,
    the trace written, and nothing printed by jitflux (the app's output kept apart)."""
    script = tmp_path / "server.js"
    script.write_text("const x = 1;\nconsole.error('cannot start: port missing');\n"
                      "process.exit(3);\n")  # fmt: skip
    app_err = io.BytesIO()
    events: list[TraceEvent] = []
    with pytest.raises(AppExited, match="before listening: cannot start") as caught:
        trace(["node", str(script)], requests=["GET /"], output=tmp_path / "t.json",
              stdout=io.BytesIO(), stderr=app_err, on_event=events.append)  # fmt: skip
    assert caught.value.status == 1
    assert caught.value.trace is not None
    assert caught.value.trace.meta["exit_status"] == 3
    assert load(tmp_path / "t.json").meta["complete"] is False
    assert b"cannot start: port missing" in app_err.getvalue()
    assert capfd.readouterr() == ("", "")
    assert events == []


def test_events_without_a_driver(tmp_path: Path) -> None:
    """Without traffic, `on_event` gets the progress line saying where the app listens."""
    events: list[TraceEvent] = []
    trace(["node", str(EXAMPLES / "paper-counter" / "server.js")], duration=1.5,
          output=None, stdout=io.BytesIO(), stderr=io.BytesIO(),
          on_event=events.append)  # fmt: skip
    assert [e.kind for e in events] == ["progress"]
    assert re.match(r"tracing http://127\.0\.0\.1:\d+ for 1\.5 s", events[0].message)


def test_bad_usage_is_raised_before_anything_runs(tmp_path: Path) -> None:
    """A bad request line or a missing script: UsageError, nothing written."""
    with pytest.raises(UsageError, match="not a request"):
        trace(["node", "server.js"], requests=["nonsense"], output=tmp_path / "t.json")
    with pytest.raises(UsageError, match="script not found"):
        trace(["node", str(tmp_path / "nothere.js")], output=tmp_path / "t.json")
    assert not (tmp_path / "t.json").exists()


def test_emit_and_explain_formats(tmp_path: Path) -> None:
    """`emit` and `explain` take a trace as well as its analysis, in each format; an unknown
    format or fluxion is a UsageError."""
    recorded = trace(["node", str(EXAMPLES / "paper-counter" / "server.js")],
                     requests=["GET /"], output=None, stdout=io.BytesIO(),
                     stderr=io.BytesIO())  # fmt: skip
    facts = jitflux.analyze(recorded)
    assert emit(recorded) == emit(facts)
    assert json.loads(emit(facts, "json"))["format"] == "jitflux.fluxions/1"
    assert emit(facts, "dot").startswith("digraph")
    assert "reply" in explain(facts)
    with pytest.raises(UsageError):
        emit(facts, "yaml")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="no fluxion named 'nope'"):
        explain(facts, "nope")


def test_curated_namespace() -> None:
    """`__all__` names exactly what the README promises, and each name is there."""
    for name in ("trace", "trace_async", "load", "dump", "Trace", "analyze", "emit", "explain",
                 "JitfluxError", "UsageError", "InvalidTrace", "AppError", "DriverError",
                 "InspectorError"):  # fmt: skip
        assert name in jitflux.__all__ and hasattr(jitflux, name)
    assert callable(jitflux.trace) and callable(jitflux.emit) and callable(jitflux.explain)


async def test_trace_async_in_a_running_loop() -> None:
    """`trace_async` traces from inside a running event loop, with the same result as
    `trace`: the paper's two rupture points."""
    recorded = await jitflux.trace_async(
        ["node", str(EXAMPLES / "paper-counter" / "server.js")],
        requests=["GET /"], output=None, stdout=io.BytesIO(), stderr=io.BytesIO(),
    )  # fmt: skip
    assert sorted((p.type, p.callee) for p in recorded.rupture_points) == [
        ("post", "fs.readFile"),
        ("start", "app.get"),
    ]
