"""`jitflux run` serving real apps over real HTTP: the answers of the plain app, the placement
printed, the shim's decisions on stderr, and no node left after Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from jitflux.cli import main
from tests.conftest import EXPRESS_MODULES
from tests.node_helpers import MARKER, free_port, leftover_nodes


def _line(process: subprocess.Popen[str], limit: float = 30.0) -> str:
    deadline = time.monotonic() + limit
    assert process.stdout is not None
    while time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 0.1)[0]:
            return process.stdout.readline()
        assert process.poll() is None, "jitflux run exited early"
    raise AssertionError("no line from jitflux run")


@contextmanager
def _serving(trace: Path, app: Path, *options: str) -> Iterator[tuple[str, list[str]]]:
    """`jitflux run` as a subprocess: (its URL, the lines it printed before listening). On
    exit, SIGINT; it must exit 130 and leave no node."""
    marker = uuid.uuid4().hex
    env = {**os.environ, MARKER: marker, "PORT": str(free_port())}
    env["NODE_PATH"] = str(EXPRESS_MODULES[5])
    process = subprocess.Popen(
        [sys.executable, "-m", "jitflux", "run", "--from", str(trace), *options,
         "--", "node", str(app / "server.js")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = []
        while not (line := _line(process)).startswith("listening on "):
            lines.append(line.rstrip("\n"))
        yield line.split()[2], lines
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        assert process.returncode == 130
        assert leftover_nodes(marker) == []
    finally:
        process.kill()
        process.wait()
        serving_errors.append(process.stderr.read() if process.stderr else "")


serving_errors: list[str] = []


def _post(url: str, body: str) -> bytes:
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    request.add_header("Content-Type", "text/plain")
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def _digest(body: str, rounds: int = 4000) -> str:
    value = body.encode()
    for _ in range(rounds):
        value = hashlib.sha256(value).digest()
    return value.hex()


def test_cpu_example_moves_by_the_traced_time(traced: Callable[..., tuple[Path, Path]]) -> None:
    """The CPU example's callback moves from its first call, its work in the trace well above
    a round trip; every answer holds the digest Python computes."""
    app, trace = traced("cpu-digest")
    with _serving(trace, app, "--workers", "2") as (url, printed):
        assert printed[0] == "placement (2 workers):"
        (line,) = [line for line in printed if line.startswith("  anonymous_11: ")]
        assert line.startswith(
            "  anonymous_11: workers (isolated leaf, sends to express_dispatcher; "
        )
        assert float(line.split("; ")[1].split(" ms of work a call in the trace")[0]) > 1.0
        reply = [line for line in printed if line.startswith("  reply: ")]
        assert reply[0].startswith("  reply: main thread (not isolated &network")
        for n in range(4):
            body = f"text {n}"
            answer = json.loads(_post(url + "/digest", body))
            assert answer == {"digest": _digest(body), "rounds": 4000}
    err = serving_errors[-1]
    assert "jitflux run: anonymous_11 runs in the workers: isolated leaf, sends to " in err
    assert " ms of work a call in the trace (3 calls, the longest part left out)" in err


def test_untimed_fluxion_is_timed_in_the_workers(
    traced: Callable[..., tuple[Path, Path]], tmp_path: Path
) -> None:
    """With a trace made before time per part was recorded (its `timings` left out), the
    candidate is timed in the workers on its first calls, then kept there."""
    app, trace = traced("cpu-digest")
    data = json.loads(trace.read_text(encoding="utf-8"))
    del data["timings"]
    untimed = tmp_path / "untimed.json"
    untimed.write_text(json.dumps(data), encoding="utf-8")
    with _serving(untimed, app, "--workers", "2") as (url, printed):
        assert (
            "  anonymous_11: workers while its work takes 0.2 ms a call or more (timed there: "
            "median of 5 calls after 3 warm-up calls) (isolated leaf, sends to express_dispatcher)"
            in printed
        )
        for n in range(10):
            body = f"text {n}"
            answer = json.loads(_post(url + "/digest", body))
            assert answer == {"digest": _digest(body), "rounds": 4000}
    err = serving_errors[-1]
    assert "jitflux run: anonymous_11 runs in the workers: isolated, " in err
    assert " ms of work a call (median over 5 calls after 3 warm-up calls)" in err


def test_light_fluxion_stays_on_main(traced: Callable[..., tuple[Path, Path]]) -> None:
    """paper-counter's handler is too light to pay a round trip by its time in the trace: it
    stays on the main thread, says so, and the app answers as plain; --isolate still moves it."""
    app, trace = traced("paper-counter")
    with _serving(trace, app) as (url, printed):
        (line,) = [line for line in printed if line.startswith("  handler: ")]
        assert line.startswith(
            "  handler: main thread (isolated leaf, sends to reply, but its work is too light "
            "to pay a round trip: "
        )
        assert line.endswith(", under --min-work 0.2 ms)")
        for n in range(1, 4):
            with urllib.request.urlopen(url + "/", timeout=30) as response:
                assert response.read() == f"request {n}: {len(_source(app))} bytes\n".encode()
    assert "handler" not in serving_errors[-1]
    with _serving(trace, app, "--isolate", "handler") as (url, printed):
        assert "  handler: workers (forced by --isolate)" in printed
        for n in range(1, 4):
            with urllib.request.urlopen(url + "/", timeout=30) as response:
                assert response.read() == f"request {n}: {len(_source(app))} bytes\n".encode()
    assert "jitflux run: handler runs in the workers: forced by --isolate" in serving_errors[-1]


def test_unclonable_message_keeps_fluxion_on_main(
    traced: Callable[..., tuple[Path, Path]],
) -> None:
    """Forcing reply, which uses the request and the socket-backed response: its message cannot
    be cloned, it stays on the main thread and says why; the app answers as plain."""
    app, trace = traced("cpu-digest")
    with _serving(trace, app, "--isolate", "reply", "--min-work", "0") as (url, printed):
        assert "  reply: workers (forced by --isolate; the trace found it NOT isolated)" in printed
        for n in range(3):
            answer = json.loads(_post(url + "/digest", f"text {n}"))
            assert answer == {"digest": _digest(f"text {n}"), "rounds": 4000}
    err = serving_errors[-1]
    assert "jitflux run: reply runs in the workers: forced by --isolate" in err
    assert (
        "jitflux run: reply stays on the main thread: its message cannot be cloned: "
        "argument 1 is an IncomingMessage instance" in err
    )


def _source(app: Path) -> bytes:
    return (app / "server.js").read_bytes()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "missing.json", "--", "node", "x.js"], "jitflux: missing.json: no such file"),
        (["--from", "{trace}"], "jitflux: no command to run: give `node SCRIPT [ARGS]`"),
        (["--from", "{trace}", "--workers", "0", "node", "x.js"], "jitflux: --workers 0: must"),
        (["--from", "{trace}", "--isolate", "nope", "node", "x.js"], "jitflux: --isolate nope"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    traced: Callable[..., tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    """Bad usage of `run`: exit 2, one line on stderr, no node started."""
    _, trace = traced("paper-counter")
    status = main(["run", *(a.replace("{trace}", str(trace)) for a in argv)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("command", ["run", "verify"])
def test_help_has_examples(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """`--help` of run and verify shows examples with a trace and a node command."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out
    assert f"jitflux {command} --from trace.json" in out
