"""One tracing session: launch the app, drive traffic, record, stop, write trace.json."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from jitflux.errors import (
    AppExited,
    DriverError,
    Interrupted,
    JitfluxError,
    NotListening,
    OutputError,
)
from jitflux.trace import dump
from jitflux.tracing.command import es_module, parse_command
from jitflux.tracing.drive import DriveResult, run_command, send_requests
from jitflux.tracing.groups import kill_leftovers
from jitflux.tracing.launch import NodeApp
from jitflux.tracing.options import TraceOptions, TraceResult, check_options
from jitflux.tracing.processes import merge_children, process_list
from jitflux.tracing.recorder import Recorder
from jitflux.version import __version__

# The signals that end tracing; the trace is written after each.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


async def _port_open(port: int) -> None:
    """Return once something accepts connections on 127.0.0.1:PORT."""
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


async def _first(*aws: Any, timeout: float | None = None) -> set[asyncio.Future[Any]]:
    """Wait for the first of several awaitables to finish. Futures and tasks passed in are left
    as they are; coroutines, wrapped here, are cancelled if they did not finish."""
    futures = [asyncio.ensure_future(a) for a in aws]
    try:
        done, _ = await asyncio.wait(futures, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for aw, future in zip(aws, futures, strict=True):
            if future is not aw:
                future.cancel()
    return done


class _Session:
    """One run of `trace`: the state its phases share."""

    def __init__(self, options: TraceOptions) -> None:
        self.options = options
        self.command = parse_command(options.command)
        self.env = dict(os.environ if options.env is None else options.env)
        self.loop = asyncio.get_running_loop()
        self.started = time.monotonic()
        self.started_at = time.gmtime()  # the trace's date, in UTC
        self.deadline = None if options.duration is None else self.loop.time() + options.duration
        self.stop = asyncio.Event()  # SIGINT, SIGTERM or SIGHUP
        self.stop_signal: int | None = None
        self.listening: asyncio.Future[int] = self.loop.create_future()
        self.early: list[dict[str, Any]] = []  # notifications before the recorder exists
        self.app: NodeApp | None = None
        self.recorder: Recorder | None = None
        self.requests = DriveResult()
        self.driver_status: int | None = None
        self.port: int | None = None
        self.children: list[dict[str, Any]] = []  # child processes the app started
        self.failure: JitfluxError | None = None  # why the app could not be traced as asked
        self.children_dir: Path | None = None  # where traced child processes leave their dumps

    def report(self, message: str) -> None:
        if self.options.report is not None:
            self.options.report(message)

    @property
    def has_driver(self) -> bool:
        return bool(self.options.requests) or self.options.drive is not None

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - self.loop.time())

    def on_signal(self, signum: int) -> None:
        self.stop_signal = self.stop_signal or signum
        self.stop.set()

    def on_notify(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "listening" and isinstance(message.get("port"), int):
            port = message["port"]
            wanted = self.options.port
            if not self.listening.done() and (wanted is None or port == wanted):
                self.listening.set_result(port)
        elif event == "child" and isinstance(message.get("pid"), int):
            command = message.get("command")
            command = [str(c) for c in command] if isinstance(command, list) else []
            self.children.append({"pid": message["pid"], "command": command})
        elif event == "exit":
            if self.recorder is None:
                self.early.append(message)
            else:
                self.recorder.on_exit(message)

    async def run(self) -> TraceResult:
        with tempfile.TemporaryDirectory(prefix="jitflux-children-") as children_dir:
            self.children_dir = Path(children_dir)
            return await self._run()

    async def _run(self) -> TraceResult:
        options = self.options
        drainer: asyncio.Task[None] | None = None
        try:
            self.app = app = await NodeApp.start(
                self.command,
                env=self.env,
                include=options.include,
                effects=options.effects,
                on_notify=self.on_notify,
                stdout=options.stdout,
                stderr=options.stderr,
                inspector_timeout=options.inspector_timeout,
                children_dir=self.children_dir,
            )
            assert app.connection is not None and app.script is not None
            # The trace's files are relative to the script's folder (its contract).
            self.recorder = recorder = Recorder(app.connection, app.script.parent)
            for message in self.early:
                recorder.on_exit(message)
            drainer = asyncio.create_task(recorder.run(options.drain_interval))
            if await self._wait_listening():
                await self._drive()
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer
            express = await self._last_drain()
            await app.stop(options.stop_grace)
        finally:
            if drainer is not None:
                drainer.cancel()
            if self.app is not None:
                await self.app.stop(options.stop_grace)
        return self._finish(express)

    async def _last_drain(self) -> str | None:
        """Drain what the app did since the last drain; returns the version of its express."""
        app, recorder = self.app, self.recorder
        assert app is not None and recorder is not None
        # An app stuck in a blocking native call cannot answer: do not wait for it forever.
        limit = self.options.inspector_timeout
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(recorder.drain(), limit)
        if app.ended.is_set():
            return None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(recorder.express_version(), limit)
        return None

    async def _wait_listening(self) -> bool:
        """Wait until the app listens; False when tracing ends first: a signal, or a failure
        (`self.failure`): the app exited before listening, or did not listen in time (with a
        driver, or before --duration was over)."""
        app = self.app
        assert app is not None
        wanted = self.options.port
        port_open = asyncio.ensure_future(_port_open(wanted)) if wanted is not None else None
        timeout = self.remaining()
        if self.has_driver:
            limit = self.options.listen_timeout
            timeout = limit if timeout is None else min(timeout, limit)
        waits = [self.listening, app.ended.wait(), self.stop.wait()]
        try:
            await _first(*waits, *([port_open] if port_open else []), timeout=timeout)
        finally:
            if port_open is not None:
                port_open.cancel()
        if self.listening.done() or (
            port_open is not None and port_open.done() and not port_open.cancelled()
        ):
            self.port = wanted or self.listening.result()
            if self.options.notice and not self.has_driver:
                until = f" for {self.options.duration:g} s" if self.options.duration else ""
                self.options.notice(
                    f"tracing http://127.0.0.1:{self.port}{until}; press Ctrl-C to stop"
                )
            return True
        if app.ended.is_set():
            await app.stop(self.options.stop_grace)  # Node prints an uncaught error on exit
            why = f": {app.last_error}" if app.last_error else ""
            self.failure = AppExited(
                f"the app exited (status {app.returncode}) before listening{why}"
            )
        elif self.stop.is_set():
            pass  # interrupted: `_finish` says so
        elif self.has_driver or self.remaining() == 0:
            over = self.remaining() == 0 and self.options.duration is not None
            waited = self.options.duration if over else self.options.listen_timeout
            self.failure = NotListening(
                f"the app did not listen on a port within {waited:g} s"
                + ("" if wanted else " (give its port with --port?)")
            )
        return False

    async def _drive(self) -> None:
        """Run the driver (or wait, without one) until it ends, the app ends, a signal comes or
        the duration is over; then let pending callbacks settle."""
        app = self.app
        assert app is not None and self.port is not None
        driver = asyncio.create_task(self._run_driver(self.port)) if self.has_driver else None

        def ends() -> list[Any]:
            return [app.ended.wait(), self.stop.wait()]

        if driver is None:
            await _first(*ends(), timeout=self.remaining())
            return
        done = await _first(driver, *ends(), timeout=self.remaining())
        if driver not in done:
            driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver
            return
        driver.result()
        await _first(*ends(), timeout=self.options.settle)

    async def _run_driver(self, port: int) -> None:
        options = self.options
        if options.requests:
            await send_requests(port, options.requests, self.report, self.requests)
        if options.drive is not None:
            self.driver_status = await run_command(
                options.drive, port, self.env, grace=options.stop_grace
            )

    def _finish(self, express: str | None) -> TraceResult:
        """Build the trace and its meta, write it, and say how it went."""
        options, app, recorder = self.options, self.app, self.recorder
        assert app is not None and recorder is not None and app.script is not None
        builder = recorder.builder
        interrupted = self.stop.is_set()
        ended_alone = app.ended_alone
        app_status = None
        if ended_alone:
            app_status = recorder.exit_code if recorder.exit_code is not None else app.returncode
        crashed = ended_alone and app_status != 0 and self.failure is None
        # Without a driver, a signal after the app listened is how tracing is meant to end.
        cut_short = interrupted and (self.has_driver or self.port is None)
        failure = self.failure
        if failure is None and crashed:
            why = f": {app.last_error}" if app.last_error else ""
            failure = AppExited(f"the app exited (status {app_status}) while traced{why}")
        elif failure is None and self.driver_status:
            failure = DriverError(
                f"the driver failed (exit status {self.driver_status}): {options.drive}"
            )
        elif failure is None and cut_short:
            failure = Interrupted(
                "interrupted" + ("" if self.port is not None else " before the app listened"),
                self.stop_signal or signal.SIGINT,
            )
        processes = self._processes()  # merges the traced children's records first
        # An ES module entry the shim could not instrument (a syntax its parser refuses, a Node
        # without module.register): its functions may be in the trace as external ones (located
        # by the inspector when Express registers them), but none of its code was instrumented.
        if es_module(app.script) and not any(
            fn.file == app.script.name and fn.kind != "external"
            for fn in builder.functions.values()
        ):
            builder.warnings.append(
                f"{app.script.name} is an ES module whose code was not instrumented, so its "
                "functions are not in the trace"
            )
        meta: dict[str, Any] = {
            "jitflux_version": __version__,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", self.started_at),
            "command": self.command.argv,
            "script": app.script.name,
            "node_version": app.node_version,
            "express_version": express,
            "port": self.port,
            "requests_sent": self.requests.sent,
            "requests_failed": self.requests.failed,
            "requests_received": builder.requests,
            "driver_status": self.driver_status,
            "duration": round(time.monotonic() - self.started, 3),
            "complete": not (crashed or cut_short or self.failure is not None),
            "exit_status": app_status,
            "error": None if failure is None else failure.message,
            "processes": processes,
        }
        if builder.warnings:
            meta["warnings"] = list(builder.warnings)
        for warning in builder.warnings:
            self.report(f"warning: {warning}")
        trace = builder.build(meta)
        output = None if options.output is None else Path(options.output)
        if output is not None:
            try:
                dump(trace, output)
            except OSError as exc:
                output = None
                failure = failure or OutputError(
                    f"cannot write the trace to {options.output}: {exc.strerror}"
                )
        return TraceResult(
            trace=trace,
            output=output,
            failure=failure,
            requests=self.requests,
            driver_status=self.driver_status,
            interrupted=interrupted,
            port=self.port,
            inspector_url=app.inspector_url,
        )

    def _processes(self) -> list[dict[str, Any]]:
        """The processes and threads of the run; merges the traced children's records."""
        app, recorder = self.app, self.recorder
        assert app is not None and recorder is not None and self.children_dir is not None
        traced = merge_children(recorder.builder, self.children_dir)
        return process_list(app.process.pid, self.command.argv, self.children, traced, app.workers)


async def trace(options: TraceOptions) -> TraceResult:
    """Trace the app as `options` say; UsageError for bad usage, an AppError or
    InspectorError for an app that cannot start.

    The trace is written (when `options.output` is set) whenever the app got to run, even when
    it crashed, the driver failed or tracing was interrupted: `meta.complete` says which.
    """
    check_options(options)
    session = _Session(options)
    loop = session.loop
    installed = []
    if options.handle_signals:
        for signum in SIGNALS:
            try:
                loop.add_signal_handler(signum, session.on_signal, signum)
            except (RuntimeError, ValueError):  # not the main thread
                continue
            installed.append(signum)
    try:
        return await session.run()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def trace_sync(options: TraceOptions) -> TraceResult:
    """`trace` for synchronous callers; no app is left running, whatever happens."""
    try:
        return asyncio.run(trace(options))
    finally:
        kill_leftovers()
