"""corpus/compare.py: differences between real answers of an app, and between outputs."""

from __future__ import annotations

from corpus.compare import first_difference, output_difference
from corpus.run import free_port, run_untraced
from tests.corpus.conftest import CORPUS


def test_first_difference_names_the_request_and_the_byte(tmp_path) -> None:
    """Two real answers that differ are reported with the request and the first differing byte."""
    app = CORPUS / "plain-http"
    spec = {"start": ["node", "server.js"]}
    run = run_untraced(app, spec, free_port(), tmp_path)
    assert run.answers is not None, run.note
    first, second = run.answers[0], run.answers[1]  # GET /count twice: count 1, then 2
    assert first_difference([first], [first]) is None
    found = first_difference([first], [second])
    assert found == (
        "request 1 (GET /count): body differs at byte 7 of 9/9: b'1\\n' untraced, b'2\\n' traced"
    )


def test_output_difference_names_the_first_line(tmp_path) -> None:
    """Output that differs is reported by its first differing line, or by its length."""
    untraced, traced = tmp_path / "a", tmp_path / "b"
    untraced.write_bytes(b"GET / 200\nGET /nope 404\n")
    traced.write_bytes(b"GET / 200\nGET /nope 500\n")
    assert output_difference(untraced, untraced) is None
    assert output_difference(untraced, traced) == (
        "stdout line 2: b'GET /nope 404' untraced, b'GET /nope 500' traced"
    )
    traced.write_bytes(b"GET / 200\n")
    assert output_difference(untraced, traced) == "stdout has 2 lines untraced, 1 traced"


def test_stderr_leaves_out_jitflux_lines_and_process_ids(tmp_path) -> None:
    """On stderr, jitflux's own lines are left out and node's process ids do not count."""
    untraced, traced = tmp_path / "a", tmp_path / "b"
    untraced.write_bytes(b"(node:101) [DEP0066] DeprecationWarning: x\nError: boom\n")
    traced.write_bytes(
        b"(node:202) [DEP0066] DeprecationWarning: x\njitflux: warning: y\nError: boom\n"
    )
    assert output_difference(untraced, traced, "stderr") is None
    assert output_difference(untraced, traced, "stdout") is not None
