"""Tests of `jitflux static` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.trace import load
from tests.conftest import EXAMPLES

APPS = Path(__file__).resolve().parent.parent / "apps"


def test_prints_the_paper_counter_as_fluxions(capsys: pytest.CaptureFixture[str]) -> None:
    """The default output is the paper's language: handler and reply with their streams."""
    assert main(["static", str(EXAMPLES / "paper-counter" / "server.js")]) == 0
    out, err = capsys.readouterr()
    assert "flx handler\n-> reply [res]\n" in out
    assert "app.get('/', >> handler);" in out
    assert err == ""


def test_json_output_and_skipped_notes(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the fluxions as JSON; skipped app.post callbacks are noted on stderr."""
    code = main(["static", str(EXAMPLES / "paper-gifsockets" / "server.js"), "--format", "json"])
    assert code == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["format"] == "jitflux.fluxions/1"
    assert [f["name"] for f in data["fluxions"]][0] == "main"
    assert len(data["fluxions"]) == 2
    notes = err.splitlines()
    assert len(notes) == 2
    assert notes[0].startswith("note: server.js:19:24: app.post callback skipped: ")
    assert notes[1].startswith("note: server.js:20:2: app.post callback skipped: ")


def test_dump_trace_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dump-trace writes the static trace (schema-checked on load), -o the fluxions."""
    dumped, output = tmp_path / "static.json", tmp_path / "out.dot"
    script = str(EXAMPLES / "figure5" / "server.js")
    args = ["static", script, "--format", "dot", "-o", str(output), "--dump-trace", str(dumped)]
    assert main([*args, "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    trace = load(dumped)
    assert trace.meta["source"] == "static"
    assert [trace.function(p.callback).name for p in trace.rupture_points] == [
        "onReq",
        "add",
        "end",
    ]
    assert output.read_text().startswith("digraph")


def test_unparsable_file_warns_in_one_line_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A required file esprima cannot parse: one line on stderr, the rest still compiled."""
    assert main(["static", str(APPS / "static-modern" / "server.js")]) == 0
    out, err = capsys.readouterr()
    assert err == "format.js:3:24: esprima cannot parse optional chaining (?.); file skipped\n"
    assert "flx home" in out and "flx sent" in out


def test_callees_file_extends_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A callees file makes an app-specific callee a rupture point."""
    script = tmp_path / "server.js"
    script.write_text("queue.consume('jobs', function work(job) {});\n")
    callees = tmp_path / "callees.json"
    callees.write_text(json.dumps([{"callee": "queue.consume", "type": "start"}]))
    dumped = tmp_path / "t.json"
    args = ["static", str(script), "--callees", str(callees), "--dump-trace", str(dumped)]
    assert main(args) == 0
    assert "flx work" in capsys.readouterr().out
    [point] = load(dumped).rupture_points
    assert (point.type, point.callee) == ("start", "queue.consume")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["static", "absent.js"], "jitflux: absent.js: no such file\n"),
        (["static", "{app}", "--callees", "absent.json"], "jitflux: absent.json: no such file\n"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing script or a missing callees file: one line, exit status 2."""
    app = str(EXAMPLES / "paper-counter" / "server.js")
    assert main([a.replace("{app}", app) for a in args]) == 2
    assert capsys.readouterr().err == message


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --format is a one-line usage error with exit status 2."""
    with pytest.raises(SystemExit) as caught:
        main(["static", str(EXAMPLES / "paper-counter" / "server.js"), "--format", "yaml"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "invalid choice: 'yaml'" in err
