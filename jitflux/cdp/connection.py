"""A thin asyncio connection to a Node inspector over `websockets`, around the protocol core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed as _WebsocketClosed
from websockets.exceptions import InvalidHandshake, InvalidURI

from jitflux.cdp.protocol import (
    Event,
    FunctionLocation,
    Protocol,
    Reply,
    TypedEvent,
    evaluation_result,
    function_location,
)
from jitflux.errors import InspectorError

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=TypedEvent | Event)


class ConnectionClosed(InspectorError):
    """The inspector connection is closed: the app exited, or the connection was closed here."""


def _quick_ack(sock: Any) -> None:
    # Linux only: without TCP_QUICKACK the kernel delays the ACK of Node's replies, and since
    # Node's inspector socket does not set TCP_NODELAY, every round trip waits about 40 ms.
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if sock is not None and quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


class _LowLatencyConnection(ClientConnection):
    """A websocket client connection that sets TCP_NODELAY and re-arms TCP_QUICKACK (which the
    kernel clears again) each time data arrives."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _quick_ack(sock)

    def data_received(self, data: bytes) -> None:
        _quick_ack(self.transport.get_extra_info("socket"))
        super().data_received(data)


class Connection:
    """One inspector session: commands return their result or raise `ProtocolError`; events go
    to the handlers registered with `on`."""

    def __init__(self, websocket: ClientConnection) -> None:
        self._ws = websocket
        self._protocol = Protocol()
        self._waiters: dict[int, asyncio.Future[Reply]] = {}
        self._handlers: dict[str, list[Callable[[Any], None]]] = {}
        self._closed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str, timeout: float = 10.0) -> Connection:
        """Connect to the inspector websocket at `url` (ws://127.0.0.1:PORT/ID)."""
        try:
            websocket = await connect(
                url,
                max_size=None,  # script sources and coverage replies exceed 1 MB
                compression=None,
                proxy=None,
                ping_interval=None,  # a busy app must not look like a dead connection
                close_timeout=2,  # Node's inspector answers a close at once, or never
                open_timeout=timeout,
                create_connection=_LowLatencyConnection,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise ConnectionClosed(f"cannot connect to the inspector at {url}: {exc}") from None
        return cls(websocket)

    @property
    def closed(self) -> bool:
        """True once the connection is closed, from either side."""
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        """Wait until the connection is closed."""
        await self._closed.wait()

    def on(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Call `handler(event)` for each event of this type; handlers must not block."""
        method = getattr(event_type, "METHOD", None)
        if method is None:
            raise TypeError(f"{event_type.__name__} is not a typed event")
        self._handlers.setdefault(method, []).append(handler)

    async def send(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send a command and return its result; ProtocolError when the inspector refuses it."""
        if self.closed:
            raise ConnectionClosed(f"{method}: the inspector connection is closed")
        command_id = self._protocol.send(method, params)
        waiter: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiters[command_id] = waiter
        try:
            for text in self._protocol.data_to_send():
                await self._ws.send(text)
        except _WebsocketClosed:
            self._waiters.pop(command_id, None)
            raise ConnectionClosed(f"{method}: the inspector connection is closed") from None
        try:
            reply = await waiter
        finally:
            self._waiters.pop(command_id, None)
        return reply.value()

    async def close(self) -> None:
        """Close the connection; pending commands fail with ConnectionClosed."""
        await self._ws.close()
        # The reader ends once the socket is closed; asyncio.wait does not raise its errors.
        await asyncio.wait([self._reader])

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # The few commands jitflux uses.

    async def runtime_enable(self) -> None:
        """Runtime.enable: report execution contexts, bindings called and exceptions."""
        await self.send("Runtime.enable")

    async def run_if_waiting_for_debugger(self) -> None:
        """Runtime.runIfWaitingForDebugger: let a process started with --inspect-brk run."""
        await self.send("Runtime.runIfWaitingForDebugger")

    async def add_binding(self, name: str) -> None:
        """Runtime.addBinding: a global function `name` whose calls arrive as BindingCalled."""
        await self.send("Runtime.addBinding", {"name": name})

    async def evaluate(self, expression: str) -> Any:
        """Runtime.evaluate by value: the JSON value of `expression` in the app's global scope;
        EvaluationError when it throws."""
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "silent": True}
        )
        return evaluation_result(result).get("value")

    async def evaluate_object(self, expression: str, object_group: str) -> str | None:
        """Runtime.evaluate by reference: the object id of the value of `expression`, None when
        it is not an object; EvaluationError when it throws."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "objectGroup": object_group, "silent": True},
        )
        return evaluation_result(result).get("objectId")

    async def get_properties(self, object_id: str, own_properties: bool = False) -> dict[str, Any]:
        """Runtime.getProperties: the raw result, internal properties included."""
        return await self.send(
            "Runtime.getProperties", {"objectId": object_id, "ownProperties": own_properties}
        )

    async def function_location(self, object_id: str) -> FunctionLocation | None:
        """Where the function `object_id` starts; None for a bound or native function."""
        return function_location(await self.get_properties(object_id, own_properties=False))

    async def release_object_group(self, object_group: str) -> None:
        """Runtime.releaseObjectGroup: let the app collect the objects held for `object_group`."""
        await self.send("Runtime.releaseObjectGroup", {"objectGroup": object_group})

    async def debugger_enable(self) -> None:
        """Debugger.enable: every known script is reported (ScriptParsed) before this returns."""
        await self.send("Debugger.enable")

    async def debugger_disable(self) -> None:
        """Debugger.disable."""
        await self.send("Debugger.disable")

    async def resume(self) -> None:
        """Debugger.resume: continue a paused app."""
        await self.send("Debugger.resume")

    async def _read(self) -> None:
        try:
            async for text in self._ws:
                self._dispatch(text)
        except _WebsocketClosed:
            pass
        finally:
            self._closed.set()
            self._protocol.abandon()
            for waiter in self._waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionClosed("the inspector connection closed"))
            self._waiters.clear()

    def _dispatch(self, text: str | bytes) -> None:
        try:
            item = self._protocol.receive(text)
        except Exception as exc:  # a bad message must not end the session
            logger.warning("ignored a message from the inspector: %s", exc)
            return
        if isinstance(item, Reply):
            waiter = self._waiters.pop(item.id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(item)
            return
        method = item.method if isinstance(item, Event) else item.METHOD
        for handler in self._handlers.get(method, ()):
            try:
                handler(item)
            except Exception:
                logger.exception("handler of %s failed", method)
