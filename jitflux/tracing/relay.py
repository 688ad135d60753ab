"""Relay the traced app's stdout and stderr to the user's, byte for byte, until the app exits.

Node's inspector writes a few lines of its own on the app's stderr (the websocket URL among them):
those are jitflux's business and are left out; every other byte goes through in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import BinaryIO

_LISTENING = re.compile(rb"Debugger listening on (ws://127\.0\.0\.1:\d+/\S+)")
# Node's line once the app's JavaScript is over and the process waits for jitflux to let go.
_ENDED = b"Waiting for the debugger to disconnect..."
# Lines Node's inspector writes on stderr: jitflux's business, not the user's.
_BANNERS = (
    b"Debugger listening on ",
    b"For help, see: https://nodejs.org/en/docs/inspector",
    b"Debugger attached.",
    b"Waiting for the debugger to disconnect...",
    b"Debugger ending on ",
)
# A chunk holding none of these words has no banner line: it goes through as it is.
_BANNER_WORDS = (b"Debugger ", b"For help, see: ", b"Waiting for the debugger")
CHUNK = 1 << 16


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


def copy(sink: BinaryIO, data: bytes) -> None:
    """Write `data` to the user's stream; a closed terminal or pipe must never stop the trace."""
    if not data:
        return
    with contextlib.suppress(OSError, ValueError):
        sink.write(data)
        sink.flush()


class Relay:
    """Copies one of the app's pipes to the user's stream until end of file, counting bytes.

    For stderr (`inspector=True`) it leaves out the inspector's banner lines, remembers the
    inspector URL and the app's last error line, and sets `app_ended` when Node says that the
    app's JavaScript is over.
    """

    def __init__(self, sink: BinaryIO, inspector: bool = False) -> None:
        self._sink = sink
        self._inspector = inspector
        self._partial = b""
        self.url: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.last_error: str | None = None
        self.received = 0  # bytes read from the app so far
        self.done = asyncio.Event()  # end of file reached
        self.app_ended = asyncio.Event()

    async def run(self, stream: asyncio.StreamReader) -> None:
        """Copy until end of file."""
        try:
            while chunk := await stream.read(CHUNK):
                self.received += len(chunk)
                if self._inspector:
                    self._filter(chunk)
                else:
                    copy(self._sink, chunk)
            if self._partial:
                self._pass([self._partial], newline=False)
                self._partial = b""
        finally:
            self.done.set()

    def _filter(self, chunk: bytes) -> None:
        data = self._partial + chunk
        end = data.rfind(b"\n")
        if end < 0:
            self._partial = data
            return
        self._partial = data[end + 1 :]
        whole = data[: end + 1]
        if any(word in whole for word in _BANNER_WORDS):
            self._pass(whole[:-1].split(b"\n"), newline=True)
            return
        # The common case, and the one that must be fast (megabytes of logging): no banner.
        copy(self._sink, whole)
        self._remember_error(whole[:-1].split(b"\n"))

    def _pass(self, lines: list[bytes], newline: bool) -> None:
        out = []
        for line in lines:
            match = _LISTENING.search(line)
            if match and not self.url.done():
                self.url.set_result(match.group(1).decode())
            if line.strip() == _ENDED:
                self.app_ended.set()
            if is_banner(line):
                continue
            out.append(line + (b"\n" if newline else b""))
        copy(self._sink, b"".join(out))
        self._remember_error([line for line in lines if not is_banner(line)])

    def _remember_error(self, lines: list[bytes]) -> None:
        for line in reversed(lines):
            found = error_line(line.decode(errors="replace"))
            if found:
                self.last_error = found
                return


async def drain(relays: list[Relay], idle: float) -> None:
    """Wait until every relay reached end of file, as long as bytes keep coming: give up once
    none came for `idle` seconds (a process that escaped the app's group may hold a pipe)."""
    loop = asyncio.get_running_loop()
    last = sum(r.received for r in relays)
    quiet_since = loop.time()
    while not all(r.done.is_set() for r in relays):
        await asyncio.sleep(0.02)
        now = sum(r.received for r in relays)
        if now != last:
            last, quiet_since = now, loop.time()
        elif loop.time() - quiet_since > idle:
            return
