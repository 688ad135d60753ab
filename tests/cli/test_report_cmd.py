"""`jitflux report` and `jitflux trace --report` on the command line, on real traces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.report import page
from jitflux.trace import load
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.fixtures import BAD_TRACES, bad_trace_file
from tests.node_helpers import leftover_nodes
from tests.report.conftest import traced  # noqa: F401  (the fixture of real traces)


def test_report_writes_one_page(
    traced: Callable[[str], Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`jitflux report --from TRACE -o PATH` writes the page, says where on stderr, exits 0."""
    target = tmp_path / "report.html"
    assert main(["report", "--from", str(traced("paper-counter")), "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"report written to {target} (")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "jitflux report: server.js" in text
    assert main(["report", "-q", "--from", str(traced("paper-counter")), "-o", str(target)]) == 0
    assert capsys.readouterr().err == ""


def test_unwritable_output_is_one_line(
    traced: Callable[[str], Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An output path in a missing folder is exit 2 with one line."""
    target = tmp_path / "missing" / "report.html"
    assert main(["report", "--from", str(traced("paper-counter")), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


@pytest.mark.parametrize("case", BAD_TRACES)
def test_bad_input_is_one_line_and_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each kind of bad trace reaches the user as one line on stderr, exit status 2."""
    path, expected = bad_trace_file(case, tmp_path)
    assert main(["report", "--from", path, "-o", str(tmp_path / "r.html")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("jitflux: ") and expected in captured.err
    assert not (tmp_path / "r.html").exists()


def test_missing_renderer_is_one_line_and_exit_1(
    traced: Callable[[str], Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without the npm-installed renderer, the command says to run `make setup`, exit 1."""
    monkeypatch.setattr(page, "RENDERER", "assets/node_modules/nothing-here.js")
    page.renderer.cache_clear()
    try:
        code = main(["report", "--from", str(traced("paper-counter")), "-o", str(tmp_path / "r")])
    finally:
        page.renderer.cache_clear()
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "make setup" in err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """`jitflux report --help` shows both ways to make a report."""
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "jitflux report --from trace.json -o report.html" in out
    assert "jitflux trace --requests requests.txt --report report.html -- node server.js" in out


def test_trace_report_writes_the_trace_and_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jitflux trace --report PATH` traces the app for real, then writes its page."""
    for key, value in {**express_env(5), "PORT": "0"}.items():
        monkeypatch.setenv(key, value)
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    trace, report = tmp_path / "trace.json", tmp_path / "report.html"
    argv = ["trace", "--requests", str(app / "requests.txt"), "-o", str(trace)]
    assert main([*argv, "--report", str(report), "--", "node", str(app / "server.js")]) == 0
    out = capsys.readouterr().out
    assert f"trace written to {trace}\nreport written to {report}\n" in out
    assert len(load(trace).rupture_points) == 3
    names = [f["name"] for f in page.unpack(report.read_text(encoding="utf-8"))["fluxions"]]
    assert "anonymous_12" in names and "express_dispatcher" in names
    # A page that cannot be written: the trace still is, and the exit status says so.
    trace.unlink()
    bad = tmp_path / "missing" / "report.html"
    assert main([*argv, "-q", "--report", str(bad), "--", "node", str(app / "server.js")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert trace.exists()
    assert leftover_nodes() == []
