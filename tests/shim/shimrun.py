"""Run a Node app with or without the shim, send it requests, stop it, read what the shim dumped."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.conftest import NODE_SHIM, express_env

SHIM = NODE_SHIM / "index.js"
APPS = Path(__file__).resolve().parent.parent / "apps"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


@dataclass
class Response:
    """One HTTP response: status code and body bytes."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")


def _free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (for untraced apps)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NodeApp:
    """An app (`app_dir/server.js`) running in node, traced by the shim or not.

    Traced, the app listens on port 0 and the shim tells the port through JITFLUX_PORT_FILE;
    untraced, it gets a free port in PORT and is probed with a connection until it listens, or
    (probe=False) listens on port 0 and writes its port into APP_PORT_FILE itself, so that both
    runs get exactly the same connections. Use as a context manager: node is always stopped.
    """

    def __init__(
        self,
        app_dir: Path,
        work: Path,
        express: int = 5,
        *,
        traced: bool = True,
        effects: bool = True,
        env: dict[str, str] | None = None,
        preload: list[Path] | None = None,
        script: str = "server.js",
        probe: bool = True,
    ) -> None:
        self.app_dir = app_dir
        self.work = work
        self.traced = traced
        self.dump_path = work / "dump.json"
        self.port_path = work / "port"
        self.stdout_path = work / "stdout.txt"
        # A JITFLUX_* variable of the caller's environment must not leak into the app.
        self.env = {k: v for k, v in express_env(express).items() if not k.startswith("JITFLUX_")}
        self.env.update(env or {})
        self.probe = probe and not traced
        self.env["PORT"] = str(_free_port()) if self.probe else "0"
        if not traced and not probe:
            self.env["APP_PORT_FILE"] = str(self.port_path)
        if traced:
            self.env["JITFLUX_ROOT"] = str(app_dir)
            self.env["JITFLUX_DUMP"] = str(self.dump_path)
            self.env["JITFLUX_PORT_FILE"] = str(self.port_path)
            self.env["JITFLUX_EFFECTS"] = "1" if effects else "0"
        args = ["node"]
        for path in preload or []:
            args += ["--require", str(path)]
        if traced:
            args += ["--require", str(SHIM)]
        self.args = [*args, script]
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.stderr = ""
        self.returncode: int | None = None

    def __enter__(self) -> NodeApp:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start node and wait until the app listens."""
        self.work.mkdir(parents=True, exist_ok=True)
        for path in (self.dump_path, self.port_path):
            path.unlink(missing_ok=True)
        with self.stdout_path.open("wb") as stdout:
            self.proc = subprocess.Popen(
                self.args,
                cwd=self.app_dir,
                env=self.env,
                stdout=stdout,
                stderr=subprocess.PIPE,
            )
        try:
            self.port = self._wait_for_port()
        except BaseException:
            self.stop()
            raise

    def _wait_for_port(self) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited before listening: {self._read_stderr()}")
            if not self.probe:
                if self.port_path.exists() and self.port_path.read_text():
                    return int(self.port_path.read_text())
            else:
                port = int(self.env["PORT"])
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    return port
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("node did not listen in time")

    def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        """Send one request to the app on 127.0.0.1 and read the whole response."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Response(resp.status, resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return Response(err.code, err.read())

    def get(self, path: str) -> Response:
        """A GET request."""
        return self.request("GET", path)

    def post(self, path: str, body: bytes) -> Response:
        """A POST request with a body."""
        return self.request("POST", path, body)

    def stop(self, sig: int = signal.SIGINT) -> int | None:
        """Stop node with `sig` (Ctrl-C by default), then SIGKILL if it lingers; the exit status."""
        proc = self.proc
        if proc is None:
            return self.returncode
        try:
            if proc.poll() is None:
                proc.send_signal(sig)
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            self.stderr = self._read_stderr()
            self.returncode = proc.returncode
            self.proc = None
        return self.returncode

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for node to exit by itself; the exit status."""
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        finally:
            self.stop()
        assert self.returncode is not None
        return self.returncode

    def _read_stderr(self) -> str:
        proc = self.proc
        if proc is None or proc.stderr is None or proc.poll() is None:
            return self.stderr
        data = proc.stderr.read()
        proc.stderr.close()
        return data.decode("utf-8", "replace")

    @property
    def stdout(self) -> str:
        """What the app wrote to its standard output so far."""
        return self.stdout_path.read_text(encoding="utf-8")

    def dump(self) -> dict[str, Any]:
        """What the shim wrote into JITFLUX_DUMP at exit."""
        return json.loads(self.dump_path.read_text(encoding="utf-8"))


def run_node(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run node to completion (for apps that exit by themselves)."""
    return subprocess.run(
        ["node", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=30
    )


class Dump:
    """Questions about a dump: functions by name, rupture points by callback name."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.functions = {f["id"]: f for f in data["functions"]}
        self.external = {e["id"]: e for e in data["external"]}

    def name(self, function_id: str) -> str:
        """The name of a function (instrumented or external) by id; "" when anonymous."""
        if function_id in self.functions:
            return str(self.functions[function_id]["name"])
        return str(self.external[function_id]["name"])

    def function(self, name: str) -> dict[str, Any]:
        """The only instrumented function with this name."""
        found = [f for f in self.data["functions"] if f["name"] == name]
        assert len(found) == 1, f"{len(found)} functions named {name!r}"
        return found[0]

    def id_of(self, name: str) -> str:
        """The id of the only function (instrumented or external) with this name."""
        found = [f["id"] for f in self.data["functions"] if f["name"] == name]
        found += [e["id"] for e in self.data["external"] if e["name"] == name]
        assert len(found) == 1, f"{len(found)} functions named {name!r}"
        return found[0]

    def toplevel(self, file: str = "server.js") -> str:
        """The id of the top level of `file`."""
        return next(
            f["id"] for f in self.data["functions"] if f["kind"] == "toplevel" and f["file"] == file
        )

    def ruptures(self, callback: str) -> list[dict[str, Any]]:
        """The rupture points whose callback has this id."""
        return [r for r in self.data["rupture_points"] if r["callback"] == callback]

    def rupture(self, callback_name: str) -> dict[str, Any]:
        """The only rupture point whose callback has this name."""
        found = self.ruptures(self.id_of(callback_name))
        assert len(found) == 1, f"{len(found)} rupture points for {callback_name!r}: {found}"
        return found[0]


def app_dir(name: str) -> Path:
    """A test app under tests/apps."""
    return APPS / name
