"""A headless Chromium driven through jitflux's own CDP client, to test the report page for real.

Chromium is started with its DevTools endpoint on 127.0.0.1 and a random port (read back from
the DevToolsActivePort file of a fresh profile), and always stopped with its whole process
group. A `Page` collects what the tests check: console errors, uncaught exceptions, log
entries of level error, and every network request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jitflux.cdp import Connection, Event

NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
START_LIMIT = 30.0  # seconds: a guard against a browser that never opens its endpoint


def chromium() -> str | None:
    """The path of a Chromium binary, or None (make setup installs Debian's `chromium`)."""
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _event(method: str) -> type:
    """A marker type for Connection.on: events without a typed class arrive as `Event`."""
    return type(method.replace(".", "_"), (), {"METHOD": method})


@dataclass
class Page:
    """One tab, and what it reported since it was opened."""

    connection: Connection
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)

    def listen(self) -> None:
        """Collect console errors, exceptions, error log entries and requests."""
        on = self.connection.on
        on(_event("Runtime.consoleAPICalled"), self._console)
        on(_event("Runtime.exceptionThrown"), self._exception)
        on(_event("Log.entryAdded"), self._log)
        on(_event("Network.requestWillBeSent"), self._request)
        on(_event("Page.loadEventFired"), lambda _: self.loaded.set())

    def _console(self, event: Event) -> None:
        if event.params.get("type") in ("error", "assert"):
            args = event.params.get("args", [])
            self.errors.append("console: " + " ".join(str(a.get("value", a)) for a in args))

    def _exception(self, event: Event) -> None:
        details = event.params.get("exceptionDetails", {})
        text = details.get("exception", {}).get("description") or details.get("text")
        self.errors.append(f"exception: {text}")

    def _log(self, event: Event) -> None:
        entry = event.params.get("entry", {})
        if entry.get("level") == "error":
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())

    def _request(self, event: Event) -> None:
        self.requests.append(event.params.get("request", {}).get("url", ""))

    async def open(self, path: Path, fragment: str = "", timeout: float = 30.0) -> None:
        """Load a file (at `#fragment` if given) and wait for its load event."""
        self.loaded.clear()
        url = path.resolve().as_uri() + (f"#{fragment}" if fragment else "")
        await self.connection.send("Page.navigate", {"url": url})
        await asyncio.wait_for(self.loaded.wait(), timeout)

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of an expression in the page."""
        return await self.connection.evaluate(expression)

    async def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll until `expression` is truthy in the page; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            await asyncio.sleep(0.05)

    async def click(self, selector: str) -> None:
        """Click the middle of the element `selector` with real mouse events."""
        box = await self.evaluate(
            f"(function () {{ var e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center', inline: 'center'});"
            " var r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        assert box is not None, f"nothing matches {selector}"
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": box["x"], "y": box["y"], "button": "left"}
            if kind != "mouseMoved":
                params["clickCount"] = 1
            await self.connection.send("Input.dispatchMouseEvent", params)

    async def type(self, selector: str, text: str) -> None:
        """Focus the input `selector` and type `text` as key events."""
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        await self.connection.send("Input.insertText", {"text": text})

    async def press(self, key: str, code: int) -> None:
        """Press and release a key (`key` as the DOM names it, `code` its virtual key code)."""
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}
            await self.connection.send("Input.dispatchKeyEvent", params)

    async def screenshot(self, path: Path) -> bytes:
        """Write a PNG of the viewport to `path`; its bytes."""
        result = await self.connection.send("Page.captureScreenshot", {"format": "png"})
        data = base64.b64decode(result["data"])
        path.write_bytes(data)
        return data


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """The port Chromium chose, from the first line of DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromium exited with status {process.returncode}")
        if marker.exists():
            lines = marker.read_text().splitlines()
            if lines and lines[0].isdigit():
                return int(lines[0])
        time.sleep(0.05)
    raise AssertionError("chromium did not open its DevTools endpoint")


def _page_url(port: int) -> str:
    """The websocket URL of the first page target."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
        targets = json.load(reply)
    return next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")


@asynccontextmanager
async def browser_page(width: int = 1400, height: int = 900) -> AsyncIterator[Page]:
    """A headless Chromium with one page ready to drive; stopped on the way out."""
    binary = chromium()
    assert binary is not None
    profile = Path(tempfile.mkdtemp(prefix="jitflux-chromium-"))
    process = subprocess.Popen(
        [
            binary,
            "--headless=new",
            "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port = _devtools_port(profile, process)
        connection = await Connection.open(_page_url(port))
        try:
            page = Page(connection)
            page.listen()
            for domain in ("Runtime", "Log", "Network", "Page"):
                await connection.send(f"{domain}.enable")
            await connection.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            yield page
        finally:
            await connection.close()
    finally:
        _stop(process)
        shutil.rmtree(profile, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every process it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
