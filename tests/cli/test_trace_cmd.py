"""`jitflux trace` on the command line: summary, exit statuses, untouched responses, output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.cli.trace_cmd import trace_summary
from jitflux.trace import Function, RupturePoint, Trace, load, loads
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.node_helpers import leftover_nodes, untraced_app

# A driver that sends the requests of a requests file to $PORT and saves each answer's status,
# content type and length, and body into a folder, one file per request.
SAVING_DRIVER = r"""
import os, sys, urllib.error, urllib.request
requests_file, folder = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)
lines = [l for l in open(requests_file).read().splitlines() if l.strip() and l[0] != "#"]
for n, line in enumerate(lines):
    method, path, *body = line.split(None, 2)
    data = body[0].encode() if body else None
    request = urllib.request.Request("http://127.0.0.1:" + os.environ["PORT"] + path,
                                     data=data, method=method)
    try:
        response = urllib.request.urlopen(request)
    except urllib.error.HTTPError as error:
        response = error
    head = "%s\n%s\n%s\n" % (response.status, response.headers["Content-Type"],
                             response.headers["Content-Length"])
    with open(os.path.join(folder, "%02d" % n), "wb") as out:
        out.write(head.encode() + response.read())
"""


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


def test_trace_prints_summary_and_writes_trace(
    counter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jitflux trace --requests FILE -o PATH -- node SCRIPT` exits 0, summarises and writes."""
    output = tmp_path / "t.json"
    requests = counter.parent / "requests.txt"
    status = main(["trace", "--requests", str(requests), "-o", str(output), "--",
                   "node", str(counter)])  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"requests: 3 sent, 0 failed, {load(output).meta['requests_received']} " \
                       "received by the app"  # fmt: skip
    assert lines[-1] == f"trace written to {output}"
    meta = load(output).meta
    assert meta["requests_sent"] == 3
    (main_process,) = meta["processes"]
    assert main_process["main"] and main_process["traced"]
    assert lines[-2] == f"traced: process {main_process['pid']} (main)"


def test_quiet_and_command_without_double_dash(
    counter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--quiet prints no summary; the command may follow the options without `--`."""
    output = tmp_path / "t.json"
    status = main(["trace", "-q", "--request", "GET /", "-o", str(output), "node", str(counter)])
    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "", "")
    assert load(output).meta["command"] == ["node", str(counter)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "no command to trace"),
        (["python", "x.py"], "jitflux traces Node.js apps"),
        (["--request", "GET", "node", "x.js"], "argument --request: not a request: 'GET'"),
        (["--requests", "nonexistent.txt", "node", "x.js"], "cannot read the requests"),
        (["--port", "0", "--request", "GET /", "node", "x.js"], "not a TCP port"),
        (["node", "--inspect", "x.js"], "opens the inspector itself"),
        (["--duration", "nan", "node", "x.js"], "--duration nan: must be a positive number"),
        (["--duration", "inf", "node", "x.js"], "--duration inf: must be a positive number"),
        (["--duration", "-3", "node", "x.js"], "--duration -3: must be a positive number"),
        (["--settle", "inf", "node", "x.js"], "--settle inf: must be a number of seconds"),
        (["--settle", "nan", "node", "x.js"], "--settle nan: must be a number of seconds"),
        (["--request", "GET //x", "--request", "G3T /", "node", "x.js"], "not a request: 'G3T /'"),
        (["--request", "GET x/y", "node", "x.js"], "not a request: 'GET x/y'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad usage exits 2 with one line on stderr and no traceback."""
    try:
        status = main(["trace", *argv])
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err


def test_bad_line_in_requests_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad line in --requests FILE exits 2 naming file:line."""
    requests = tmp_path / "r.txt"
    requests.write_text("GET /\nGET\n")
    assert main(["trace", "--requests", str(requests), "node", "x.js"]) == 2
    assert capsys.readouterr().err == f"jitflux: {requests}:2: not a request: 'GET' " \
                                      "(expected 'METHOD /path [BODY]')\n"  # fmt: skip


def test_missing_script_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A script that does not exist is bad usage: exit 2 with one line."""
    assert main(["trace", "node", str(tmp_path / "none.js")]) == 2
    assert capsys.readouterr().err == f"jitflux: script not found: {tmp_path / 'none.js'}\n"


def test_failing_driver_exits_1_and_writes_trace(
    counter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A driver that fails gives exit status 1, one line saying so, and the trace."""
    output = tmp_path / "t.json"
    status = main(["trace", "--drive", "exit 7", "-o", str(output), "node", str(counter)])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err == "jitflux: the driver failed (exit status 7): exit 7\n"
    assert f"trace written to {output}" in captured.out
    assert load(output).meta["driver_status"] == 7


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """`jitflux trace --help` shows the options and examples."""
    with pytest.raises(SystemExit) as caught:
        main(["trace", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for text in ["examples:", "--requests FILE", "--drive", "--no-effects", "--include PACKAGE"]:
        assert text in out


def test_summary_aligns_rupture_points() -> None:
    """The summary lists each rupture point in aligned columns with names for the functions."""
    trace = Trace(
        functions=[
            Function("f0", "", "server.js", 1, 0, kind="toplevel"),
            Function("f1", "handler", "server.js", 10, 12),
            Function("f2", "", "server.js", 11, 28, kind="arrow"),
        ],
        rupture_points=[
            RupturePoint("start", "app.get", "f0", "f1", 3),
            RupturePoint("post", "fs.readFile", "f1", "f2", 12),
        ],
        meta={
            "requests_sent": 3,
            "requests_failed": 1,
            "requests_received": 3,
            "complete": False,
        },
    )
    assert trace_summary(trace, Path("t.json")).splitlines() == [
        "requests: 3 sent, 1 failed, 3 received by the app",
        "rupture points: 2",
        "  type   callee       caller                 callback                  count",
        "  start  app.get      <top level server.js>  handler                       3",
        "  post   fs.readFile  handler                <anonymous server.js:11>     12",
        "trace written to t.json (incomplete)",
    ]


@pytest.mark.parametrize("example", ["paper-counter", "paper-gifsockets", "figure5"])
def test_responses_are_byte_identical_to_untraced(
    tmp_path: Path, express_version: int, example: str
) -> None:
    """Responses are byte-identical untraced and under `jitflux trace --drive`."""
    app = copy_app(EXAMPLES / example, tmp_path)
    driver = tmp_path / "driver.py"
    driver.write_text(SAVING_DRIVER)
    requests = app / "requests.txt"
    env = express_env(express_version)
    with untraced_app(app / "server.js", env) as port:
        subprocess.run(
            [sys.executable, str(driver), str(requests), str(tmp_path / "untraced")],
            env={**env, "PORT": str(port)},
            check=True,
        )
    drive = f"{sys.executable} {driver} {requests} {tmp_path / 'traced'}"
    status = subprocess.run(
        [sys.executable, "-m", "jitflux", "trace", "-q", "--drive", drive,
         "-o", str(tmp_path / "t.json"), "--", "node", str(app / "server.js")],
        env={**env, "PORT": "0"},
    ).returncode  # fmt: skip
    assert status == 0
    untraced = sorted((tmp_path / "untraced").iterdir())
    traced = sorted((tmp_path / "traced").iterdir())
    assert [p.name for p in traced] == [p.name for p in untraced] != []
    for a, b in zip(untraced, traced, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("where", ["folder", "missing/t.json", "/proc/jitflux-trace.json"])
def test_output_that_cannot_be_written_is_refused_before_the_app_starts(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o naming a directory, a missing folder or an unwritable place: one line, exit 2, and the
    app never starts."""
    started = tmp_path / "started"
    script = tmp_path / "server.js"
    script.write_text(f"require('fs').writeFileSync({json.dumps(str(started))}, 'x');\n")
    (tmp_path / "folder").mkdir()
    output = where if where.startswith("/") else str(tmp_path / where)
    status = main(["trace", "-o", output, "--request", "GET /", "node", str(script)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"jitflux: cannot write the trace to {output}: ") and err.count("\n") == 1
    assert not started.exists()


def test_output_to_dev_stdout_is_written_through(tmp_path: Path) -> None:
    """`-o /dev/stdout` writes the trace, alone, on jitflux's standard output (the app's output
    and the summary go to stderr); /dev/stdout stays what it was (a symlink)."""
    script = tmp_path / "server.js"
    script.write_text(
        "console.log('the app says hello');\n"
        "require('http').createServer((q, s) => s.end('x')).listen(0);\n"
    )
    link = os.readlink("/dev/stdout")
    process = subprocess.run(
        [sys.executable, "-m", "jitflux", "trace", "-o", "/dev/stdout", "--request", "GET /",
         "node", str(script)],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    trace = loads(process.stdout.decode())
    assert trace.meta["requests_sent"] == 1
    err = process.stderr.decode()
    assert err.startswith("the app says hello\nrequests: 1 sent, 0 failed")
    assert os.readlink("/dev/stdout") == link
