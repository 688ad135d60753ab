"""`jitflux verify` as a library: the same traffic against the plain app and against `run`
(every candidate moved, whatever its cost), then the responses compared one by one. When some
differ and several fluxions moved, each moved fluxion is tried alone to name the one whose move
causes each difference."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jitflux.errors import EXIT_PROGRAM_FAILED, Interrupted, JitfluxError
from jitflux.run.app import RunningApp, app_env
from jitflux.run.facts import fluxions_of
from jitflux.run.placement import per_call
from jitflux.run.proxy import Exchange, RecordingProxy
from jitflux.run.runner import RunOptions, plan
from jitflux.tracing.command import parse_command
from jitflux.tracing.drive import Request, run_command, send_requests
from jitflux.tracing.relay import error_line

# Response headers that differ from one run to the next whatever the app does.
VOLATILE = frozenset(
    {"date", "etag", "last-modified", "keep-alive", "connection", "transfer-encoding", "age"}
)
SHOWN = 120  # characters of a differing value shown


def _stderr_line(message: str) -> None:
    print(f"jitflux: {message}", file=sys.stderr, flush=True)


@dataclass
class VerifyOptions:
    """What to verify: the app, its trace, and the traffic (request lines or a shell command)."""

    command: Sequence[str]
    trace: str | os.PathLike[str]
    requests: Sequence[Request] = ()
    drive: str | None = None
    workers: int = 2
    isolate: Sequence[str] = ()
    env: Mapping[str, str] | None = None
    settle: float = 0.3
    report: Callable[[str], None] = _stderr_line


@dataclass(frozen=True)
class Difference:
    """One way a response of `run` differs from the plain app's."""

    index: int  # 1-based, in the order the plain app received the requests
    request: str
    what: str  # "status", "header NAME", "body", "response"
    plain: str
    run: str


@dataclass
class VerifyResult:
    """The comparison, the moves and who caused each difference."""

    compared: int
    differences: list[Difference]
    stats: dict[str, Any]  # per moved fluxion, what the shim said (state, calls, reason)
    reasons: dict[str, str]  # why each candidate moved (the placement)
    evidence: dict[str, str] = field(default_factory=dict)  # what the trace says of each
    culprits: dict[int, list[str]] = field(default_factory=dict)  # index of a difference -> names

    @property
    def status(self) -> int:
        """0 when every response is the same, 1 otherwise."""
        return 0 if not self.differences else EXIT_PROGRAM_FAILED


async def _session(
    options: VerifyOptions, placement: dict[str, Any] | None
) -> tuple[list[Exchange], dict[str, Any]]:
    """Start the app (plain when `placement` is None), drive the traffic through the recording
    proxy, stop the app; the exchanges and the shim's statistics."""
    env = app_env(options.env, free_port=True)
    with tempfile.TemporaryFile() as log:
        app = await RunningApp.start(
            parse_command(options.command),
            placement=placement,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        proxy: RecordingProxy | None = None
        try:
            try:
                port = await app.wait_port()
            except JitfluxError as exc:
                await app.stop()
                log.seek(0)
                text = log.read().decode("utf-8", "replace")
                lines = [line for line in map(error_line, text.splitlines()) if line]
                raise type(exc)(f"{exc.message}" + (f": {lines[-1]}" if lines else "")) from None
            proxy = RecordingProxy(port)
            proxy_port = await proxy.start()
            if options.requests:
                await send_requests(proxy_port, options.requests, lambda line: None)
            if options.drive:
                status = await run_command(options.drive, proxy_port, env)
                if status:
                    options.report(f"the driver exited with status {status}")
            await asyncio.sleep(options.settle)
            return list(proxy.exchanges), app.stats()
        finally:
            if proxy is not None:
                await proxy.close()
            await app.stop()
            app.cleanup()


def _show(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= SHOWN else text[:SHOWN] + f"... ({len(text)} characters)"


def diff_recordings(plain: Sequence[Exchange], run: Sequence[Exchange]) -> list[Difference]:
    """The differences between two recordings, requests paired by (method, path, body) in order."""
    queues: dict[tuple[str, str, bytes], list[Exchange]] = defaultdict(list)
    for exchange in run:
        queues[(exchange.method, exchange.path, exchange.body)].append(exchange)
    differences = []
    for index, p in enumerate(plain, start=1):
        queue = queues[(p.method, p.path, p.body)]
        if not queue:
            differences.append(Difference(index, p.request, "response", str(p.status), "none"))
            continue
        r = queue.pop(0)
        if p.status != r.status:
            differences.append(Difference(index, p.request, "status", str(p.status), str(r.status)))
        ph = {k: v for k, v in p.headers if k not in VOLATILE}
        rh = {k: v for k, v in r.headers if k not in VOLATILE}
        for name in sorted(ph.keys() | rh.keys()):
            if ph.get(name) != rh.get(name):
                differences.append(
                    Difference(
                        index,
                        p.request,
                        f"header {name}",
                        _show(ph.get(name, "(none)")),
                        _show(rh.get(name, "(none)")),
                    )
                )
        if p.response != r.response:
            differences.append(
                Difference(index, p.request, "body", _show(p.response), _show(r.response))
            )
    extra = sum(len(q) for q in queues.values())
    if extra:
        differences.append(Difference(len(plain) + 1, "(more)", "response", "none", f"{extra}"))
    return differences


async def _verify(options: VerifyOptions) -> VerifyResult:
    run_options = RunOptions(
        options.command, options.trace, options.workers, options.isolate, 0.0, options.env
    )
    decisions, document = plan(run_options)
    reasons = {d.name: d.reason for d in decisions if d.move}
    plain, _ = await _session(options, None)
    moved, stats = await _session(options, document)
    differences = diff_recordings(plain, moved)
    result = VerifyResult(len(plain), differences, stats, reasons, _evidence(options.trace))
    if not differences:
        return result
    ran = [name for name, s in stats.items() if s.get("worker_calls", 0) > 0]
    if len(ran) == 1:
        result.culprits = {d.index: ran for d in differences}
        return result
    # Several moves: each alone, to see which brings the difference back.
    for name in ran:
        alone = dict(document, fluxions=[f for f in document["fluxions"] if f["name"] == name])
        again, _ = await _session(options, alone)
        seen = {(d.index, d.what) for d in diff_recordings(plain, again)}
        for d in differences:
            if (d.index, d.what) in seen:
                result.culprits.setdefault(d.index, []).append(name)
    return result


def _evidence(trace: str | os.PathLike[str]) -> dict[str, str]:
    """What the trace says of each fluxion: its groups, its context, what it streams."""
    evidence = {}
    for f in fluxions_of(trace):
        parts = [f"groups {' '.join('&' + t for t in f.tags)}" if f.tags else "no group"]
        if f.context:
            parts.append(f"context {{{', '.join(f.context)}}}")
        for stream in f.streams:
            if stream.message:
                parts.append(f"streams [{', '.join(stream.message)}] to {', '.join(stream.to)}")
        if f.work is not None and f.work.count:
            parts.append(f"{per_call(f.work, f.calls):.3f} ms of work a call")
        origin = f" at {f.origin.file}:{f.origin.line}" if f.origin else ""
        evidence[f.name] = f"the trace: {'; '.join(parts)}{origin}"
    return evidence


def verify(options: VerifyOptions) -> VerifyResult:
    """Run the verification (a JitfluxError when an app cannot start or the input is bad)."""
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_verify(options))
    raise Interrupted("interrupted")


def outcome(result: VerifyResult, command: Sequence[str]) -> dict[str, Any]:
    """Verify's outcome as the trace's `meta.verify` holds it (the report shows it)."""
    return {
        "status": result.status,
        "command": list(command),
        "compared": result.compared,
        "moved": {
            name: int(s.get("worker_calls", 0))
            for name, s in sorted(result.stats.items())
            if s.get("worker_calls", 0) > 0
        },
        "not_moved": {
            name: str(s.get("reason"))
            for name, s in sorted(result.stats.items())
            if s.get("state") == "local" and s.get("reason")
        },
        "differences": [
            {
                "request": d.request,
                "what": d.what,
                "plain": d.plain,
                "run": d.run,
                "fluxions": result.culprits.get(d.index, []),
            }
            for d in result.differences
        ],
    }


def render(result: VerifyResult) -> str:
    """The text verify prints."""
    lines = []
    for name, s in sorted(result.stats.items()):
        if s.get("worker_calls", 0) > 0:
            fallback = f", {s['fallbacks']} run again here" if s.get("fallbacks") else ""
            own = s.get("own_worker") or []
            pinned = f"; its context ({', '.join(own)}) lives in a worker of its own" if own else ""
            lines.append(
                f"moved: {name} ({result.reasons.get(name, '')}{pinned}): "
                f"{s['worker_calls']} calls in the workers{fallback}"
            )
        elif s.get("state") == "local" and s.get("reason"):
            tie = " (a tie the trace did not show)" if "cannot be cloned" in s["reason"] else ""
            lines.append(f"not moved: {name}: {s['reason']}{tie}")
        else:
            lines.append(f"not exercised: {name}: the traffic never called it")
    if not result.stats:
        lines.append("moved: nothing (no fluxion of the trace is a candidate)")
    if not result.differences:
        lines.append(f"verified: all {result.compared} responses are the same")
        return "\n".join(lines) + "\n"
    lines.append(f"differences: {len(result.differences)} in {result.compared} responses")
    for d in result.differences:
        lines.append(f"request {d.index} ({_show(d.request)}): {d.what} differs")
        lines.append(f"  plain: {d.plain}")
        lines.append(f"  run:   {d.run}")
        names = result.culprits.get(d.index)
        if names:
            for name in names:
                stats = result.stats.get(name, {})
                lines.append(
                    f"  caused by moving `{name}` ({result.reasons.get(name, '')}; "
                    f"{stats.get('worker_calls', 0)} calls in the workers)"
                )
                if name in result.evidence:
                    lines.append(f"    {result.evidence[name]}")
        else:
            lines.append("  caused by the moves together: no single move brings it back")
    return "\n".join(lines) + "\n"
