"""Traffic for the traced app: requests written as `METHOD /path [BODY]`, or a shell command."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from yarl import URL

from jitflux.errors import UsageError
from jitflux.tracing.groups import DIE_WITH_PARENT, stop_process_group

if TYPE_CHECKING:
    import aiohttp

# A request line: an HTTP method, a path that starts with `/`, and the rest of the line as body.
_REQUEST = re.compile(r"^([A-Za-z]+)\s+(/\S*)(?:\s+(.*))?$")
# Characters of a path sent as they are; others (non-ASCII, controls) are percent-encoded.
_AS_WRITTEN = "".join(chr(c) for c in range(0x21, 0x7F))
# No request may hang the trace: one that takes longer fails.
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Request:
    """One request to send: method, path (with its query) and an optional body."""

    method: str
    path: str
    body: str | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" {self.body}" if self.body is not None else "")


@dataclass
class DriveResult:
    """What the requests gave: how many were sent and how many of them failed."""

    sent: int = 0
    failed: int = 0


def parse_request(text: str, where: str) -> Request:
    """Parse `METHOD /path [BODY]`; a UsageError naming `where` when it is not."""
    match = _REQUEST.match(text.strip())
    if not match:
        raise UsageError(
            f"{where}: not a request: {text.strip()!r} (expected 'METHOD /path [BODY]')"
        )
    method, path, body = match.groups()
    return Request(method.upper(), path, body)


def read_requests(path: str | os.PathLike[str]) -> list[Request]:
    """The requests of a file, one a line; blank lines and `#` comments are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{path}: cannot read the requests: {reason}") from None
    requests = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            requests.append(parse_request(line, f"{path}:{number}"))
    return requests


def _content_type(body: str) -> str:
    # A body that parses as a JSON object or array is sent as JSON, anything else as text.
    if body[:1] in "{[":
        with contextlib.suppress(ValueError):
            json.loads(body)
            return "application/json"
    return "text/plain; charset=utf-8"


async def send_requests(
    port: int,
    requests: Sequence[Request],
    report: Callable[[str], None],
    result: DriveResult | None = None,
) -> DriveResult:
    """Send the requests in order to http://127.0.0.1:PORT; a request that gets no answer or a
    5xx answer is reported with one line and counted as failed. `result` is kept up to date as
    requests go, so that it still counts them when this is cancelled."""
    import aiohttp  # here: it takes a while to import, and `import jitflux` need not wait

    result = DriveResult() if result is None else result
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for number, request in enumerate(requests, start=1):
            result.sent += 1
            try:
                failure = await _send(session, target_url(port, request.path), request)
            except asyncio.CancelledError:
                # Tracing ended (the app exited, Ctrl-C) while this request waited.
                result.failed += 1
                report(f"request {number} ({request.method} {request.path}) got no answer")
                raise
            if failure is not None:
                result.failed += 1
                report(f"request {number} ({request.method} {request.path}) failed: {failure}")
    return result


def target_url(port: int, path: str) -> URL:
    """The URL of `path` on the traced app: http://127.0.0.1:PORT with `path` as the request
    target, byte for byte (`//host/x` is a path here, never another host)."""
    path, mark, query = urllib.parse.quote(path, safe=_AS_WRITTEN).partition("?")
    return URL.build(
        scheme="http",
        host="127.0.0.1",
        port=port,
        path=path,
        query_string=query if mark else "",
        encoded=True,
    )


async def _send(session: aiohttp.ClientSession, url: URL, request: Request) -> str | None:
    """Send one request; why it failed, or None."""
    import aiohttp
    headers = {}
    data = None
    if request.body is not None:
        data = request.body.encode("utf-8")
        headers["Content-Type"] = _content_type(request.body)
    try:
        async with session.request(request.method, url, data=data, headers=headers) as response:
            await response.read()
            if response.status >= 500:
                return f"{response.status} {response.reason or ''}".rstrip()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return str(exc) or type(exc).__name__
    return None


async def run_command(command: str, port: int, env: Mapping[str, str], grace: float = 2.0) -> int:
    """Run a shell command with PORT and JITFLUX_URL set and return its exit status (128 + N
    when killed by signal N). Cancelled, it stops the command's whole process group."""
    child_env = dict(env)
    child_env["PORT"] = str(port)
    child_env["JITFLUX_URL"] = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_shell(
        command,
        stdin=asyncio.subprocess.DEVNULL,
        env=child_env,
        start_new_session=True,
        preexec_fn=DIE_WITH_PARENT,
    )
    try:
        code = await process.wait()
    except BaseException:
        await stop_process_group(process, grace)
        raise
    return 128 - code if code < 0 else code
