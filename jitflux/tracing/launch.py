"""Start the traced Node.js app under the inspector with the shim preloaded, and always stop it.

The app runs as `node --inspect-brk=127.0.0.1:0 --inspect-publish-uid=stderr --require SHIM
[NODE OPTIONS] SCRIPT [ARGS]` in its own process group: the inspector's URL is only on the app's
stderr, which jitflux reads, never published over HTTP; the shim takes the inspector flags out of
`process.execArgv`, so child processes open none. Whatever happens (success, error, Ctrl-C, crash)
the whole group is stopped before jitflux returns, so no inspector stays open behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from jitflux.cdp import (
    BindingCalled,
    Connection,
    ConnectionClosed,
    EvaluationError,
    Paused,
    ProtocolError,
    WorkerAttached,
)
from jitflux.errors import AppExited, InspectorError, InstallationError, UsageError
from jitflux.tracing.command import NodeCommand, app_root, find_node, find_script, inspector_options
from jitflux.tracing.groups import (
    DIE_WITH_PARENT,
    live_groups,
    signal_group,
    stop_process_group,
)
from jitflux.tracing.relay import Relay, drain

# The inspector listens on the loopback only, and its URL (a secret: whoever has it can run any
# code in the app) is written on the app's stderr only, not served at /json/list.
INSPECT_FLAGS = ("--inspect-brk=127.0.0.1:0", "--inspect-publish-uid=stderr")
# Asks a worker thread, which waits for a debugger like its process, to run.
_RUN_WORKER = json.dumps({"id": 1, "method": "Runtime.runIfWaitingForDebugger"})
# Bytes the app wrote on stdout and stderr that Node has not handed to the pipes yet.
_PENDING_OUTPUT = """(() => {
  try {
    return (process.stdout.writableLength || 0) + (process.stderr.writableLength || 0);
  } catch (e) {
    return 0;
  }
})()"""
BINDING = "__jitfluxNotify"


def _find_shim() -> Path:
    """The shim's entry: inside the installed package (a wheel), else the checkout's node_shim/."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "node_shim" / "index.js"
    return packaged if packaged.is_file() else package.parent / "node_shim" / "index.js"


SHIM = _find_shim()


def locate(command: NodeCommand, env: Mapping[str, str]) -> tuple[str, Path]:
    """The node binary and the script `command` names; an error when either, or the shim, is
    missing."""
    node = find_node(command.node, env)
    script = find_script(command.script)
    if not SHIM.is_file():
        raise InstallationError(f"the node shim is missing: {SHIM}")
    return node, script


async def spawn_with_shim(
    node: str,
    command: NodeCommand,
    *,
    flags: Sequence[str] = (),
    env: Mapping[str, str],
    stdout: BinaryIO | int | None,
    stderr: BinaryIO | int | None,
) -> asyncio.subprocess.Process:
    """Start `node [FLAGS] --require SHIM [NODE OPTIONS] SCRIPT [ARGS]` with no stdin, in a
    process group of its own that dies with jitflux. Tracing and `jitflux run` both start the
    app so; they differ in `flags` (the inspector's) and in the shim's environment."""
    return await asyncio.create_subprocess_exec(
        node,
        *flags,
        "--require",
        str(SHIM),
        *command.node_options,
        command.script,
        *command.args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=dict(env),
        start_new_session=True,
        preexec_fn=DIE_WITH_PARENT,
    )

class NodeApp:
    """A running traced app: its process, its inspector connection, and how it ended."""

    def __init__(self, process: asyncio.subprocess.Process, out: Relay, err: Relay) -> None:
        self.process = process
        self.pgid = process.pid  # start_new_session: the app leads its own process group
        self.connection: Connection | None = None
        self.inspector_url: str | None = None
        self.node_version: str | None = None
        self.script: Path | None = None  # the file Node runs
        # Worker threads the app started, as the inspector announced them (not traced).
        self.workers: list[WorkerAttached] = []
        # Set when the app ends: its JavaScript is over or the process exits.
        self.ended = asyncio.Event()
        self._out, self._err = out, err
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
        children_dir: str | os.PathLike[str] | None = None,
    ) -> NodeApp:
        """Launch the app, connect to its inspector and let it run.

        `on_notify` receives each notification the shim sends through the `__jitfluxNotify`
        binding (`listening`, `child`, `exit`); it is in place before the app's first line runs.
        With `children_dir`, node child processes are traced too: each writes its dump there
        (`node_shim/lib/children.js`).
        """
        node, script = locate(command, env)
        found = inspector_options(env.get("NODE_OPTIONS", ""))
        if found:
            raise UsageError(
                f"NODE_OPTIONS has {found[0]}: jitflux opens the inspector itself; leave it out"
            )
        child_env = dict(env)
        child_env["JITFLUX_ROOT"] = str(app_root(script))
        child_env["JITFLUX_INCLUDE"] = ",".join(include)
        child_env["JITFLUX_EFFECTS"] = "1" if effects else "0"
        for key in ("CHILDREN", "DUMP", "NODE_OPTIONS", "PORT_FILE"):
            child_env.pop(f"JITFLUX_{key}", None)  # from an outer run: they would mislead the shim
        if children_dir is not None:
            child_env["JITFLUX_CHILDREN"] = os.fspath(children_dir)
        process = await spawn_with_shim(
            node,
            command,
            flags=INSPECT_FLAGS,
            env=child_env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        live_groups.add(process.pid)
        out = Relay(stdout or sys.stdout.buffer)
        err = Relay(stderr or sys.stderr.buffer, inspector=True)
        app = cls(process, out, err)
        app.script = script
        assert process.stdout is not None and process.stderr is not None
        app._tasks = [
            asyncio.create_task(out.run(process.stdout)),
            asyncio.create_task(err.run(process.stderr)),
            asyncio.create_task(app._watch_exit()),
            asyncio.create_task(app._watch_end()),
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
        return self._err.last_error

    async def wait_output(self, idle: float = 2.0) -> None:
        """Wait until the app's output is copied through (its pipes reached end of file), as long
        as bytes keep coming: give up after `idle` seconds without any."""
        await drain([self._out, self._err], idle)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after `grace` seconds. Safe to
        call more than once, whatever state the app is in. Output the app wrote before is relayed
        in full."""
        if self._stopped:
            return
        self._stopped = True
        self._ended_before_stop = self.ended.is_set()
        try:
            if not self._ended_before_stop:
                with contextlib.suppress(Exception):
                    await self._flush_output(grace)
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
            signal_group(self.pgid, signal.SIGKILL)
            live_groups.discard(self.pgid)
            for task in self._tasks:
                task.cancel()

    async def _flush_output(self, idle: float) -> None:
        """Wait until the app handed all it wrote on stdout and stderr to the pipes: Node buffers
        writes to a pipe, and a signal would lose them. Gives up once the amount waiting has not
        gone down for `idle` seconds (nobody reads, or the app writes without end)."""
        conn = self.connection
        if conn is None or conn.closed:
            return
        loop = asyncio.get_running_loop()
        lowest, since = None, loop.time()
        while loop.time() - since < idle:
            pending = await asyncio.wait_for(conn.evaluate(_PENDING_OUTPUT), idle)
            if not isinstance(pending, int) or pending <= 0:
                return
            if lowest is None or pending < lowest:
                lowest, since = pending, loop.time()
            await asyncio.sleep(0.02)

    async def _attach(
        self, timeout: float, on_notify: Callable[[dict[str, Any]], None] | None
    ) -> None:
        exited = self._tasks[2]
        done, _ = await asyncio.wait(
            {self._err.url, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not self._err.url.done():
            if exited in done:
                await self.wait_output()
                raise AppExited(
                    f"node exited (status {self.returncode}) before its inspector opened"
                    + (f": {self.last_error}" if self.last_error else "")
                )
            raise InspectorError(f"node did not open its inspector within {timeout:g} s")
        self.inspector_url = self._err.url.result()
        try:
            conn = await Connection.open(self.inspector_url, timeout=timeout)
        except InspectorError:
            # Its message names the inspector's URL, which must not be printed.
            raise InspectorError("cannot connect to the app's inspector") from None
        self.connection = conn
        try:
            await self._listen(conn, on_notify)
        except InspectorError as exc:
            raise InspectorError(f"cannot attach to the app's inspector: {exc}") from None

    async def _listen(
        self, conn: Connection, on_notify: Callable[[dict[str, Any]], None] | None
    ) -> None:
        """Take the shim's notifications, keep the app and its workers running, and let the
        app's first line run."""

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
            self._in_background(conn.resume())

        def on_worker(event: WorkerAttached) -> None:
            # A worker thread inherits --inspect-brk and waits for a debugger before its first
            # line, like the process: let it run at once (it is not traced).
            self.workers.append(event)
            params = {"sessionId": event.session_id, "message": _RUN_WORKER}
            self._in_background(conn.send("NodeWorker.sendMessageToWorker", params))

        conn.on(BindingCalled, on_binding)
        conn.on(Paused, on_paused)
        conn.on(WorkerAttached, on_worker)
        await conn.add_binding(BINDING)
        await conn.send("NodeWorker.enable", {"waitForDebuggerOnStart": False})
        self.node_version = await conn.evaluate("process.version")
        await conn.run_if_waiting_for_debugger()

    def _in_background(self, awaitable: Any) -> None:
        task = asyncio.ensure_future(_ignore_errors(awaitable))
        self._background.add(task)  # held until done: a bare task may be collected
        task.add_done_callback(self._background.discard)

    async def _watch_exit(self) -> None:
        await self.process.wait()
        self.ended.set()

    async def _watch_end(self) -> None:
        # The app's JavaScript is over when Node says it waits for the debugger to disconnect
        # (the Runtime domain, which would say so too, is left off: it would send every console
        # call of the app over the connection, ten times slower). That line comes on stderr, not
        # with the inspector's messages: one round trip makes sure the messages sent before it
        # (the shim's last batch) were handled, and tells Node's line from the app's own (the
        # app's context answers; after the end it is gone).
        while True:
            await self._err.app_ended.wait()
            self._err.app_ended.clear()
            conn = self.connection
            if conn is None:
                break
            try:
                await asyncio.wait_for(conn.evaluate("0"), 2.0)
            except (ProtocolError, ConnectionClosed):
                break
            except (TimeoutError, EvaluationError):
                continue  # busy, or not Node's line: the process's exit will tell
        self.ended.set()


async def _ignore_errors(awaitable: Any) -> None:
    with contextlib.suppress(Exception):
        await awaitable
