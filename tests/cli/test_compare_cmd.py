"""Tests of `jitflux compare` through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jitflux.cli import main
from tests.conftest import EXAMPLES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    """The text names what only the trace found, with the static compiler's reason."""
    trace = str(FIXTURES / "static-gifsockets.json")
    script = str(EXAMPLES / "paper-gifsockets" / "server.js")
    assert main(["compare", "--from", trace, script]) == 0
    out, err = capsys.readouterr()
    assert "  found only by the trace: 2\n" in out
    assert "saveBody" in out and "writeTextToImages" in out
    assert err == ""


def test_json_output_to_a_file(tmp_path: Path) -> None:
    """--format json -o writes the documented JSON object."""
    output = tmp_path / "cmp.json"
    trace = str(FIXTURES / "static-counter.json")
    script = str(EXAMPLES / "paper-counter" / "server.js")
    assert main(["compare", "--from", trace, script, "--format", "json", "-o", str(output)]) == 0
    data = json.loads(output.read_text())
    assert data["format"] == "jitflux.compare/1"
    assert len(data["rupture_points"]["both"]) == 2


def test_script_taken_from_next_to_the_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without SCRIPT, the trace's script next to the trace file is compiled."""
    app = tmp_path / "paper-counter"
    shutil.copytree(EXAMPLES / "paper-counter", app)
    shutil.copy(FIXTURES / "static-counter.json", app / "trace.json")
    assert main(["compare", "--from", str(app / "trace.json")]) == 0
    assert "  found by both: 2\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "absent.json", "no such file"),
        (lambda d: d / "bad.json", "not valid JSON"),
        (lambda d: d / "elsewhere.json", "the trace does not say where its script is"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    make, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing or broken trace, or one whose script cannot be found: one line, exit 2."""
    (tmp_path / "bad.json").write_text("{not json")
    shutil.copy(FIXTURES / "static-counter.json", tmp_path / "elsewhere.json")
    assert main(["compare", "--from", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err
