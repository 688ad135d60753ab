"""Tests of `jitflux explain` through jitflux.cli.main."""

import json

import pytest

from jitflux.cli import main
from tests.fixtures import BAD_TRACES, bad_trace_file, fixture_path

FIGURE5 = str(fixture_path("figure5"))


def test_summary_then_details(capsys: pytest.CaptureFixture[str]) -> None:
    """With no FLUXION: the summary table first, then every fluxion's details."""
    assert main(["explain", "--from", FIGURE5]) == 0
    out = capsys.readouterr().out
    assert out.startswith("fluxion  isolated  group           ties  first reason\n")
    for name in ("main", "onReq", "add", "end"):
        assert f"\n`{name}` is " in out


def test_one_fluxion(capsys: pytest.CaptureFixture[str]) -> None:
    """With FLUXION: only that fluxion, no table."""
    assert main(["explain", "--from", FIGURE5, "end"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("`end` is not isolated: 2 ties hold it (group network, grp_c).\n")
    assert "`add` is " not in out


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the documented object."""
    assert main(["explain", "--from", FIGURE5, "onReq", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "jitflux.explain/1"
    assert [(f["name"], f["isolated"]) for f in data["fluxions"]] == [("onReq", True)]


def test_unknown_fluxion_lists_valid_names(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown FLUXION is one line listing the valid names, exit 2."""
    assert main(["explain", "--from", FIGURE5, "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "jitflux: no fluxion named 'nope'; valid names: main, onReq, add, end\n"


@pytest.mark.parametrize("case", BAD_TRACES)
def test_bad_input_is_one_line_and_exit_2(
    case: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each kind of bad trace reaches the user as one line on stderr, exit status 2."""
    path, expected = bad_trace_file(case, tmp_path)
    assert main(["explain", "--from", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("jitflux: ") and expected in captured.err
    assert "Traceback" not in captured.err
