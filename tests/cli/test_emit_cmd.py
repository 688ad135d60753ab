"""Tests of `jitflux emit` through jitflux.cli.main."""

import json

import pytest

from jitflux.cli import main
from tests.fixtures import BAD_TRACES, bad_trace_file, fixture_path

COUNTER = str(fixture_path("paper-counter"))


def test_prints_flx_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """`jitflux emit --from trace.json` prints the paper's language and exits 0."""
    assert main(["emit", "--from", COUNTER]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flx main & network\n>> handler [res]\n")
    assert "\nflx reply & network {count, template}\n-> null\n" in out


def test_json_and_dot_formats(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the contract object, --format dot a digraph."""
    assert main(["emit", "--from", COUNTER, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "jitflux.fluxions/1"
    assert [f["name"] for f in data["fluxions"]] == ["main", "handler", "reply"]
    assert main(["emit", "--from", COUNTER, "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph fluxions {")


def test_output_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o writes the output to a file and prints nothing."""
    target = tmp_path / "fluxions.flx"
    assert main(["emit", "--from", COUNTER, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("flx main & network\n")


def test_unwritable_output_is_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """An output path in a missing folder is exit 2 with one line."""
    target = tmp_path / "missing" / "out.flx"
    assert main(["emit", "--from", COUNTER, "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


@pytest.mark.parametrize("case", BAD_TRACES)
def test_bad_input_is_one_line_and_exit_2(
    case: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each kind of bad trace reaches the user as one line on stderr, exit status 2."""
    path, expected = bad_trace_file(case, tmp_path)
    assert main(["emit", "--from", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("jitflux: ") and expected in captured.err
    assert "Traceback" not in captured.err


def test_a_bad_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --format is rejected by the parser with exit 2."""
    with pytest.raises(SystemExit) as caught:
        main(["emit", "--from", COUNTER, "--format", "yaml"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
