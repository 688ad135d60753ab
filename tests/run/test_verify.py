"""`jitflux verify` on real apps: the paper's examples and the CPU example answer the same with
their isolated fluxion in workers; a wrong isolation forced with --isolate is caught and named."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.explain import explain
from jitflux.trace import load
from tests.conftest import EXAMPLES, EXPRESS_MODULES

ADDS = ["POST /add abc", "POST /add defgh"]
WITH_TOTAL = [*ADDS, "GET /total"]


def _verify(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app: Path,
    trace: Path,
    express: int,
    *options: str,
) -> tuple[int, str]:
    monkeypatch.setenv("NODE_PATH", str(EXPRESS_MODULES[express]))
    monkeypatch.delenv("PORT", raising=False)
    status = main(["verify", "--from", str(trace), *options, "--", "node", str(app / "server.js")])
    return status, capsys.readouterr().out


@pytest.mark.parametrize(
    ("example", "moved"), [("paper-counter", "handler"), ("paper-gifsockets", "anonymous_12")]
)
def test_paper_examples_verify_identical(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    express_version: int,
    example: str,
    moved: str,
) -> None:
    """The paper's examples answer the same with their isolated fluxion run in the workers."""
    app, trace = traced(example, express_version)
    requests = str(EXAMPLES / example / "requests.txt")
    status, out = _verify(capsys, monkeypatch, app, trace, express_version, "--requests", requests)
    count = len([line for line in Path(requests).read_text().splitlines() if line.strip()])
    assert status == 0, out
    assert f"moved: {moved} (isolated leaf, sends to " in out
    assert f": {count} calls in the workers\n" in out
    assert f"verified: all {count} responses are the same" in out


def test_cpu_example_verifies_identical(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CPU example's hashing callback runs in the workers; the digests are the same."""
    app, trace = traced("cpu-digest")
    status, out = _verify(
        capsys, monkeypatch, app, trace, 5, "--requests", str(EXAMPLES / "cpu-digest/requests.txt")
    )
    assert status == 0, out
    assert "moved: anonymous_11 (isolated leaf, sends to express_dispatcher): 3 calls" in out
    assert "verified: all 3 responses are the same" in out


def test_written_context_moves_and_a_hidden_reader_is_caught(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writer of `total`, isolated by a trace that never saw GET /total, moves with its
    context to a worker of its own; GET /total then reads the main thread's copy: verify
    catches it without --isolate, and names the writer."""
    app, trace = traced("run-hidden-share", 5, ADDS)
    status, out = _verify(capsys, monkeypatch, app, trace, 5, *_requests(WITH_TOTAL))
    assert status == 1, out
    assert (
        "moved: anonymous_9 (isolated leaf, sends to express_dispatcher; its context (total) "
        "lives in a worker of its own): 2 calls in the workers" in out
    )
    assert "request 3 (GET /total): body differs\n  plain: total 8\\n\n  run:   total 0\\n" in out
    assert "caused by moving `anonymous_9` (isolated leaf, sends to express_dispatcher; " in out


SHAPES = [
    "POST /arrow hello",
    "POST /async hello",
    "POST /count hello",
    "POST /count again",
    "POST /stream hello",
]


def test_arrow_async_stateful_and_listening_fluxions_verify_identical(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    express_version: int,
) -> None:
    """An arrow callback, an async callback whose code after `await` runs in the worker, a
    callback that counts its calls in its own context (in a worker of its own), and one whose
    listeners share a variable it creates (the group runs in its task) all move, and the app
    answers as plain, the count included."""
    app, trace = traced("run-shapes", express_version, SHAPES)
    traffic = [*SHAPES, "POST /count more", "POST /async again", "POST /count last",
               "POST /stream " + "x" * 5000]  # fmt: skip
    status, out = _verify(capsys, monkeypatch, app, trace, express_version, *_requests(traffic))
    assert status == 0, out
    assert "moved: anonymous_18 (isolated leaf, sends to express_dispatcher): 1 calls" in out
    assert "moved: anonymous_31 (isolated leaf, sends to express_dispatcher): 2 calls" in out
    assert (
        "moved: anonymous_44 (isolated leaf, sends to express_dispatcher; its context (served) "
        "lives in a worker of its own): 4 calls in the workers\n" in out
    )
    assert (
        "moved: anonymous_59 (its group &grp_size lives in its task: size created by each call, "
        "shared with anonymous_66, anonymous_69 nested in it): 2 calls in the workers\n" in out
    )
    assert "run again here" not in out
    assert "verified: all 9 responses are the same" in out


@pytest.mark.parametrize("seen", [False, True], ids=["hidden-reader", "seen-reader"])
def test_forced_wrong_isolation_is_caught(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    seen: bool,
) -> None:
    """Forcing the writer of `total` into the workers changes GET /total: exit 1, writer named,
    whether the trace saw the reader (share: not isolated) or not (held back)."""
    app, trace = traced("run-hidden-share", 5, WITH_TOTAL if seen else ADDS)
    options = [*_requests(WITH_TOTAL), "--isolate", "anonymous_9"]
    status, out = _verify(capsys, monkeypatch, app, trace, 5, *options)
    assert status == 1, out
    assert "request 3 (GET /total): body differs\n  plain: total 8\\n\n  run:   total 0\\n" in out
    assert "caused by moving `anonymous_9` (forced by --isolate" in out
    assert ("the trace found it NOT isolated" in out) is seen
    assert "context {total}" in out
    assert " ms of work a call at server.js:9" in out


def test_no_traffic_is_bad_usage(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """verify without --request, --requests or --drive exits 2 with one line."""
    app, trace = traced("paper-counter")
    status = main(["verify", "--from", str(trace), "--", "node", str(app / "server.js")])
    assert status == 2
    assert capsys.readouterr().err == (
        "jitflux: no traffic: give --request, --requests or --drive\n"
    )


def _requests(lines: list[str]) -> list[str]:
    return [part for line in lines for part in ("--request", line)]


def test_drive_command_traffic_is_compared(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--drive runs a shell command against the recording proxy ($JITFLUX_URL): its requests
    are compared like request lines."""
    app, trace = traced("paper-gifsockets")
    post = (
        "import os, urllib.request as u; "
        "[u.urlopen(u.Request(os.environ['JITFLUX_URL'] + '/image/text', data=t.encode(), "
        "method='POST')).read() for t in ('hi', 'there', 'fluxions')]"
    )
    drive = f'{sys.executable} -c "{post}"'
    status, out = _verify(capsys, monkeypatch, app, trace, 5, "--drive", drive)
    assert status == 0, out
    assert "moved: anonymous_12 (isolated leaf, sends to express_dispatcher): 3 calls" in out
    assert "verified: all 3 responses are the same" in out


def test_unclonable_forced_move_is_a_tie_the_trace_did_not_show(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forced fluxion whose message cannot be cloned stays on main; verify says so."""
    app, trace = traced("cpu-digest")
    requests = str(EXAMPLES / "cpu-digest/requests.txt")
    options = ("--requests", requests, "--isolate", "reply")
    status, out = _verify(capsys, monkeypatch, app, trace, 5, *options)
    assert status == 0, out
    assert (
        "not moved: reply: its message cannot be cloned: argument 1 is an IncomingMessage "
        "instance (a tie the trace did not show)"
    ) in out


def test_app_that_cannot_start_fails_with_one_line(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """An app that exits before it listens: exit 1, one line naming why, no traceback."""
    _, trace = traced("paper-counter")
    script = tmp_path / "server.js"
    script.write_text("throw new Error('no database');\n", encoding="utf-8")
    status = main(["verify", "--from", str(trace), "--request", "GET /", "--", "node", str(script)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("jitflux: the app exited (status 1) before it listened: ")
    assert "Error: no database" in err and err.count("\n") == 1


def test_error_sent_downstream_gives_the_same_error_page(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A body over the limit: the moved callback calls next(err) with raw-body's 413 error,
    whose status lives on its class's prototype; Express's error page is the same."""
    app, trace = traced("cpu-digest")
    requests = tmp_path / "requests.txt"
    requests.write_text(f"POST /digest {'x' * 1_100_000}\nPOST /digest small\n", encoding="utf-8")
    status, out = _verify(capsys, monkeypatch, app, trace, 5, "--requests", str(requests))
    assert status == 0, out[:2000]
    assert "verified: all 2 responses are the same" in out


def test_dead_worker_loses_no_request(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker that dies in the middle of a call: that call runs again on the main thread,
    the pool replaces the worker, and every response is the plain app's."""
    lines = ["POST /echo one", "POST /echo die", "POST /echo two", "POST /echo three"]
    app, trace = traced("run-worker-dies", 5, ["POST /echo one"])
    status, out = _verify(capsys, monkeypatch, app, trace, 5, *_requests(lines))
    assert status == 0, out
    assert (
        "moved: anonymous_9 (isolated leaf, sends to express_dispatcher): 4 calls in the "
        "workers, 1 run again here" in out
    )
    assert "verified: all 4 responses are the same" in out


def test_record_writes_the_outcome_into_the_trace(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """--record keeps the outcome in the trace's meta: status, moves, each difference and the
    fluxion behind it; the trace still loads, and explain reports the fluxion refuted."""
    app, trace = traced("run-hidden-share", 5, ADDS)
    copy = tmp_path / "trace.json"
    shutil.copy(trace, copy)
    options = [*_requests(WITH_TOTAL), "--isolate", "anonymous_9", "--record"]
    status, _ = _verify(capsys, monkeypatch, app, copy, 5, *options)
    assert status == 1
    recorded = load(copy).meta["verify"]
    assert recorded["status"] == 1
    assert recorded["compared"] == 3
    assert recorded["moved"] == {"anonymous_9": 2}
    assert recorded["differences"] == [
        {
            "request": "GET /total",
            "what": "body",
            "plain": "total 8\\n",
            "run": "total 0\\n",
            "fluxions": ["anonymous_9"],
        }
    ]
    (report,) = explain(load(copy), "anonymous_9")
    assert report.notes[-1] == (
        "refuted by verify: moved to a worker, it changed the body of `GET /total` "
        "(plain: total 8\\n; run: total 0\\n)"
    )


def test_fluxion_with_its_own_async_work_verifies_identical(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The getRawBody callback that gzips in its turn: both run in a worker (zlib included),
    the compressed body comes back through the dispatcher, the answers are the plain app's."""
    lines = ["POST /zip hello", "POST /zip fluxions in a pipeline", "POST /zip x"]
    app, trace = traced("run-chain", 5, lines[:1])
    status, out = _verify(capsys, monkeypatch, app, trace, 5, *_requests(lines))
    assert status == 0, out
    assert "moved: anonymous_9 (isolated, sends to anonymous_14): 3 calls in the workers" in out
    assert "verified: all 3 responses are the same" in out
