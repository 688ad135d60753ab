"""Start the traced Node.js app under the inspector with the shim preloaded, and always stop it.

The app runs as `node --inspect-brk=127.0.0.1:0 --require SHIM [NODE OPTIONS] SCRIPT [ARGS]` in
its own process group; whatever happens (success, error, Ctrl-C, crash) the whole group is stopped
before jitflux returns, so no inspector stays open behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from jitflux.cdp import BindingCalled, Connection, ContextDestroyed, Paused
from jitflux.errors import EXIT_BAD_INPUT, EXIT_PROGRAM_FAILED, JitfluxError

# The inspector listens on the loopback only: whoever reaches it can run any code in the app.
INSPECT_FLAG = "--inspect-brk=127.0.0.1:0"
BINDING = "__jitfluxNotify"


def _find_shim() -> Path:
    """The shim's entry: inside the installed package (a wheel), else the checkout's node_shim/."""
    here = Path(__file__).resolve().parent
    packaged = here / "node_shim" / "index.js"
    return packaged if packaged.is_file() else here.parent / "node_shim" / "index.js"


SHIM = _find_shim()

_LISTENING = re.compile(rb"Debugger listening on (ws://127\.0\.0\.1:\d+/\S+)")
# Lines Node's inspector writes on stderr: jitflux's business, not the user's.
_BANNERS = (
    b"Debugger listening on ",
    b"For help, see: https://nodejs.org/en/docs/inspector",
    b"Debugger attached.",
    b"Waiting for the debugger to disconnect...",
    b"Debugger ending on ",
)
_NODE_NAME = re.compile(r"^(node|nodejs)(\d+(\.\d+)*)?(\.exe)?$")
# Node options whose value may come as the next argument (`-r mod`); others need `--opt=value`.
_OPTIONS_WITH_VALUE = frozenset(
    {
        "-r",
        "--require",
        "--import",
        "--loader",
        "--experimental-loader",
        "-C",
        "--conditions",
        "--title",
        "--input-type",
        "--env-file",
        "--disable-warning",
        "--redirect-warnings",
        "--icu-data-dir",
        "--openssl-config",
        "--diagnostic-dir",
        "--watch-path",
    }
)
# Node options that do not run a script, or that fight over the inspector.
_NO_SCRIPT_OPTIONS = frozenset(
    {
        "-e",
        "--eval",
        "-p",
        "--print",
        "-i",
        "--interactive",
        "-c",
        "--check",
        "-v",
        "--version",
        "-h",
        "--help",
        "--test",
        "--run",
        "-",
    }
)

# Process groups started and not yet stopped: the last resort of `kill_leftovers`.
_live_groups: set[int] = set()


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a function that makes the child get SIGKILL when jitflux dies, even by SIGKILL
    (PR_SET_PDEATHSIG): then no inspector outlives jitflux. None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # Loaded now: between fork and exec the child must only make the system call.
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_death_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    return set_death_signal


DIE_WITH_PARENT = _die_with_parent()


@dataclass(frozen=True)
class NodeCommand:
    """`node [NODE OPTIONS] SCRIPT [ARGS]` as the user gave it."""

    node: str
    node_options: tuple[str, ...]
    script: str
    args: tuple[str, ...]

    @property
    def argv(self) -> list[str]:
        """The command as given."""
        return [self.node, *self.node_options, self.script, *self.args]


def parse_command(argv: Sequence[str]) -> NodeCommand:
    """Split a COMMAND into node, its options, the script and the script's arguments; a
    JitfluxError (status 2) when it is not `node SCRIPT [ARGS]`."""
    usage = "COMMAND must be `node [NODE OPTIONS] SCRIPT [ARGS]`"
    if not argv:
        raise JitfluxError(f"no command to trace: {usage}", EXIT_BAD_INPUT)
    node = argv[0]
    if not _NODE_NAME.match(Path(node).name):
        raise JitfluxError(f"jitflux traces Node.js apps: {usage}, not {node!r}", EXIT_BAD_INPUT)
    options: list[str] = []
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        option = argv[i]
        name = option.split("=", 1)[0]
        if option == "--":
            i += 1
            break
        if name.startswith(("--inspect", "--debug")):
            raise JitfluxError(
                f"{option}: jitflux opens the inspector itself; leave the option out",
                EXIT_BAD_INPUT,
            )
        if name in _NO_SCRIPT_OPTIONS:
            raise JitfluxError(f"node {option} runs no script: {usage}", EXIT_BAD_INPUT)
        options.append(option)
        if option in _OPTIONS_WITH_VALUE:
            if i + 1 >= len(argv):
                raise JitfluxError(f"node option {option} needs a value", EXIT_BAD_INPUT)
            options.append(argv[i + 1])
            i += 1
        i += 1
    if i >= len(argv):
        raise JitfluxError(f"no script to trace: {usage}", EXIT_BAD_INPUT)
    return NodeCommand(node, tuple(options), argv[i], tuple(argv[i + 1 :]))


def find_node(name: str, env: Mapping[str, str]) -> str:
    """The node executable to run, looked up on the PATH of `env` unless given as a path."""
    if os.sep in name:
        if os.path.isfile(name) and os.access(name, os.X_OK):
            return name
        raise JitfluxError(f"node not found: {name} is not an executable file", EXIT_PROGRAM_FAILED)
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    if found is None:
        raise JitfluxError(f"node not found: no {name!r} on the PATH", EXIT_PROGRAM_FAILED)
    return found


def find_script(script: str) -> Path:
    """The file Node will run for `script` (it may leave out `.js`, or name a folder)."""
    path = Path(script)
    candidates = [path, *(Path(script + ext) for ext in (".js", ".cjs", ".mjs"))]
    candidates.append(path / "index.js")
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise JitfluxError(f"script not found: {script}", EXIT_PROGRAM_FAILED)


def app_root(script: Path) -> Path:
    """The folder the app's own files are under: the script's folder, or the package folder
    above it when the package declares the script as its entry point (`"bin": "bin/server"`,
    `"main"`, or the start script), as in packages that keep the executable in `bin/`."""
    for folder in script.parents:
        if folder.name == "node_modules":
            break
        try:
            manifest = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if folder != script.parent and _declares(manifest, script.relative_to(folder)):
            return folder
        break
    return script.parent


def _declares(manifest: Any, entry: Path) -> bool:
    """Whether a package.json names `entry` (relative to its folder) as bin, main or start."""
    if not isinstance(manifest, dict):
        return False
    named: list[str] = []
    for key in ("bin", "main"):
        value = manifest.get(key)
        if isinstance(value, str):
            named.append(value)
        elif isinstance(value, dict):
            named.extend(v for v in value.values() if isinstance(v, str))
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        named.extend(scripts["start"].split())
    wanted = {entry.as_posix(), entry.with_suffix("").as_posix()}
    return any(Path(name).as_posix().removeprefix("./") in wanted for name in named)


def is_banner(line: bytes) -> bool:
    """True for a line that Node's inspector wrote, not the app."""
    return line.lstrip().startswith(_BANNERS)


def error_line(line: str) -> str | None:
    """The line itself when it can say why the app failed: not a stack frame, a source excerpt
    marker, Node's version footer or a hint."""
    text = line.strip()
    if not text or line[:1].isspace() or set(text) <= {"^"}:
        return None
    if text.startswith(("Node.js v", "(Use `node --trace")):
        return None
    return text


class _StderrPump:
    """Copies the app's stderr to the user's, minus the inspector's banner lines; remembers the
    inspector URL and the app's last error line."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self._partial = b""
        self.url: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.last_error: str | None = None

    async def run(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            lines = (self._partial + chunk).split(b"\n")
            self._partial = lines.pop()
            self._write(lines, newline=True)
        if self._partial:
            self._write([self._partial], newline=False)
            self._partial = b""

    def _write(self, lines: list[bytes], newline: bool) -> None:
        out = []
        for line in lines:
            match = _LISTENING.search(line)
            if match and not self.url.done():
                self.url.set_result(match.group(1).decode())
            if is_banner(line):
                continue
            out.append(line + (b"\n" if newline else b""))
            self.last_error = error_line(line.decode(errors="replace")) or self.last_error
        _copy(self._sink, b"".join(out))


async def _pump_stdout(stream: asyncio.StreamReader, sink: BinaryIO) -> None:
    while chunk := await stream.read(65536):
        _copy(sink, chunk)


def _copy(sink: BinaryIO, data: bytes) -> None:
    if not data:
        return
    # The user's terminal or pipe may be gone; the app's output must never stop the trace.
    with contextlib.suppress(OSError, ValueError):
        sink.write(data)
        sink.flush()


class NodeApp:
    """A running traced app: its process, its inspector connection, and how it ended."""

    def __init__(self, process: asyncio.subprocess.Process, stderr_pump: _StderrPump) -> None:
        self.process = process
        self.pgid = process.pid  # start_new_session: the app leads its own process group
        self.connection: Connection | None = None
        self.inspector_url: str | None = None
        self.node_version: str | None = None
        self.script: Path | None = None  # the file Node runs
        # Set when the app ends: its JavaScript context is destroyed or the process exits.
        self.ended = asyncio.Event()
        self._stderr = stderr_pump
        self._tasks: list[asyncio.Task[Any]] = []
        self._background: set[asyncio.Future[None]] = set()
        self._stopped = False
        self._ended_before_stop = False

    @classmethod
    async def start(
        cls,
        command: NodeCommand,
        *,
        env: Mapping[str, str],
        include: Sequence[str] = (),
        effects: bool = True,
        on_notify: Callable[[dict[str, Any]], None] | None = None,
        stdout: BinaryIO | None = None,
        stderr: BinaryIO | None = None,
        inspector_timeout: float = 10.0,
    ) -> NodeApp:
        """Launch the app, connect to its inspector and let it run.

        `on_notify` receives each notification the shim sends through the `__jitfluxNotify`
        binding (`listening`, `exit`); it is in place before the app's first line runs.
        """
        node = find_node(command.node, env)
        script = find_script(command.script)
        if not SHIM.is_file():
            raise JitfluxError(f"the node shim is missing: {SHIM}", EXIT_PROGRAM_FAILED)
        child_env = dict(env)
        child_env["JITFLUX_ROOT"] = str(app_root(script))
        child_env["JITFLUX_INCLUDE"] = ",".join(include)
        child_env["JITFLUX_EFFECTS"] = "1" if effects else "0"
        process = await asyncio.create_subprocess_exec(
            node,
            INSPECT_FLAG,
            "--require",
            str(SHIM),
            *command.node_options,
            command.script,
            *command.args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_env,
            start_new_session=True,
            preexec_fn=DIE_WITH_PARENT,
        )
        _live_groups.add(process.pid)
        pump = _StderrPump(stderr or sys.stderr.buffer)
        app = cls(process, pump)
        app.script = script
        assert process.stdout is not None and process.stderr is not None
        app._tasks = [
            asyncio.create_task(_pump_stdout(process.stdout, stdout or sys.stdout.buffer)),
            asyncio.create_task(pump.run(process.stderr)),
            asyncio.create_task(app._watch_exit()),
        ]
        try:
            await app._attach(inspector_timeout, on_notify)
        except BaseException:
            await app.stop()
            raise
        return app

    @property
    def returncode(self) -> int | None:
        """The app's exit status once it exited (128 + N when killed by signal N)."""
        code = self.process.returncode
        return None if code is None else (128 - code if code < 0 else code)

    @property
    def ended_alone(self) -> bool:
        """True when the app ended by itself (exit, crash), not because jitflux stopped it."""
        return self._ended_before_stop if self._stopped else self.ended.is_set()

    @property
    def last_error(self) -> str | None:
        """The last line on the app's stderr that can say why it failed."""
        return self._stderr.last_error

    async def wait_output(self, timeout: float = 2.0) -> None:
        """Wait until the app's output is copied through (its pipes are closed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self._tasks[:2]), timeout)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after `grace` seconds. Safe to
        call more than once, whatever state the app is in."""
        if self._stopped:
            return
        self._stopped = True
        self._ended_before_stop = self.ended.is_set()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + grace
            if self.connection is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.connection.close(), grace)
            if self._ended_before_stop:
                # An app that ended waits for the debugger to disconnect: closed, it exits by
                # itself and Node prints what killed it.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.process.wait(), max(0.0, deadline - loop.time()))
            await stop_process_group(self.process, max(0.0, deadline - loop.time()))
            await self.wait_output(grace)
        finally:
            _signal_group(self.pgid, signal.SIGKILL)
            _live_groups.discard(self.pgid)
            for task in self._tasks:
                task.cancel()

    async def _attach(
        self, timeout: float, on_notify: Callable[[dict[str, Any]], None] | None
    ) -> None:
        exited = self._tasks[2]
        done, _ = await asyncio.wait(
            {self._stderr.url, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not self._stderr.url.done():
            if exited in done:
                await self.wait_output()
                raise JitfluxError(
                    f"node exited (status {self.returncode}) before its inspector opened"
                    + (f": {self.last_error}" if self.last_error else ""),
                    EXIT_PROGRAM_FAILED,
                )
            raise JitfluxError(
                f"node did not open its inspector within {timeout:g} s", EXIT_PROGRAM_FAILED
            )
        self.inspector_url = self._stderr.url.result()
        conn = await Connection.open(self.inspector_url, timeout=timeout)
        self.connection = conn

        def on_binding(event: BindingCalled) -> None:
            if event.name != BINDING or on_notify is None:
                return
            try:
                message = json.loads(event.payload)
            except ValueError:
                return
            if isinstance(message, dict):
                on_notify(message)

        def on_paused(event: Paused) -> None:
            # jitflux sets no breakpoint: a pause (break on start, a `debugger` statement
            # while the Debugger domain is on) must not stall the app.
            task = asyncio.ensure_future(_ignore_errors(conn.resume()))
            self._background.add(task)  # held until done: a bare task may be collected
            task.add_done_callback(self._background.discard)

        conn.on(BindingCalled, on_binding)
        conn.on(Paused, on_paused)
        conn.on(ContextDestroyed, lambda event: self.ended.set())
        await conn.runtime_enable()
        await conn.add_binding(BINDING)
        self.node_version = await conn.evaluate("process.version")
        await conn.run_if_waiting_for_debugger()

    async def _watch_exit(self) -> None:
        await self.process.wait()
        self.ended.set()


async def _ignore_errors(awaitable: Any) -> None:
    with contextlib.suppress(Exception):
        await awaitable


async def stop_process_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """Stop the process group that `process` leads: SIGTERM, then SIGKILL once `grace` seconds
    have passed without the whole group ending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    _signal_group(process.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), grace)
    # The leader's children get what is left of the grace period.
    while _group_alive(process.pid) and loop.time() < deadline:
        await asyncio.sleep(0.02)
    _signal_group(process.pid, signal.SIGKILL)
    await asyncio.shield(process.wait())


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_leftovers() -> None:
    """SIGKILL every app group still running: the last resort when the event loop was torn down
    (a second Ctrl-C) before `NodeApp.stop` could finish."""
    for pgid in list(_live_groups):
        _signal_group(pgid, signal.SIGKILL)
        _live_groups.discard(pgid)
