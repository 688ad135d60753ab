"""A recording HTTP proxy on 127.0.0.1: verify points the traffic at it, it forwards each
request to the app and keeps the exchange (request, status, headers, body) for the comparison.
Whatever drives the traffic (request lines, a shell command) is recorded the same way."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from aiohttp import web

# Headers that belong to one connection, not to the response: never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"}
)


@dataclass(frozen=True)
class Exchange:
    """One request and the app's answer."""

    method: str
    path: str
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]  # names lower-cased, in the app's order
    response: bytes

    @property
    def request(self) -> str:
        """The request as a line: METHOD /path [BODY]."""
        text = self.body.decode("utf-8", "replace")
        return f"{self.method} {self.path}" + (f" {text}" if text else "")


class RecordingProxy:
    """Forwards to http://127.0.0.1:APP_PORT and records every exchange in arrival order."""

    def __init__(self, app_port: int) -> None:
        self.app_port = app_port
        self.exchanges: list[Exchange] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> int:
        """Listen on a free port of 127.0.0.1; returns it."""
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=60)
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self.port

    async def close(self) -> None:
        """Stop listening and close the connections to the app."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers.pop("Host", None)
        try:
            async with self._session.request(
                request.method,
                f"http://127.0.0.1:{self.app_port}{request.path_qs}",
                data=body or None,
                headers=headers,
                allow_redirects=False,
            ) as answer:
                payload = await answer.read()
                status = answer.status
                pairs = tuple((k.lower(), v) for k, v in answer.headers.items())
        except (aiohttp.ClientError, TimeoutError) as exc:
            payload = f"no answer from the app: {exc or type(exc).__name__}".encode()
            status = 0
            pairs = ()
        self.exchanges.append(
            Exchange(request.method, request.path_qs, body, status, pairs, payload)
        )
        response = web.Response(status=status or 502, body=payload)
        for name, value in pairs:
            if name not in HOP_BY_HOP:
                response.headers.add(name, value)
        return response
