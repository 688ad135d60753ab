"""The asyncio connection: against a small fake inspector, then against a real node."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from jitflux.cdp import (
    BindingCalled,
    Connection,
    ConnectionClosed,
    EvaluationError,
    FunctionLocation,
    ProtocolError,
    ScriptParsed,
)
from tests.node_helpers import leftover_nodes


@pytest.fixture(autouse=True)
def _no_node_left() -> None:
    """No node process outlives a test of this module."""
    yield
    assert leftover_nodes() == []


async def _fake_inspector(ws: ServerConnection) -> None:
    """Answers like Node's inspector: `Test.*` methods script the odd cases."""
    held: list[dict[str, Any]] = []
    async for text in ws:
        message = json.loads(text)
        method, params = message["method"], message["params"]
        if method == "Test.fail":
            error = {"code": -32601, "message": "'Test.fail' wasn't found", "data": "x"}
            await ws.send(json.dumps({"id": message["id"], "error": error}))
        elif method == "Test.hold":
            held.append(message)  # answered after the next command's reply
            continue
        elif method == "Test.events":
            for n in range(3):
                payload = {"name": "__jitfluxNotify", "payload": str(n), "executionContextId": 1}
                await ws.send(json.dumps({"method": "Runtime.bindingCalled", "params": payload}))
            script = {"scriptId": "7", "url": "file:///x.js"}
            await ws.send(json.dumps({"method": "Debugger.scriptParsed", "params": script}))
            await ws.send(json.dumps({"id": message["id"], "result": {}}))
        elif method == "Test.close":
            await ws.close()
            return
        elif method == "Runtime.evaluate" and params["expression"] == "throw":
            details = {"text": "Uncaught", "exception": {"description": "Error: thrown\n  at x"}}
            result = {"result": {"type": "object"}, "exceptionDetails": details}
            await ws.send(json.dumps({"id": message["id"], "result": result}))
        elif method == "Runtime.evaluate":
            value = {"type": "string", "value": params["expression"]}
            await ws.send(json.dumps({"id": message["id"], "result": {"result": value}}))
        else:
            result = {"method": method, "params": params}
            await ws.send(json.dumps({"id": message["id"], "result": result}))
        for waiting in held:
            result = {"method": waiting["method"]}
            await ws.send(json.dumps({"id": waiting["id"], "result": result}))
        held.clear()


@pytest.fixture
async def fake() -> AsyncIterator[Connection]:
    """A connection to a fake inspector on 127.0.0.1."""
    async with serve(_fake_inspector, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        connection = await Connection.open(f"ws://127.0.0.1:{port}/fake")
        try:
            yield connection
        finally:
            await connection.close()


async def test_command_returns_its_result(fake: Connection) -> None:
    """A command's result comes back to the caller that sent it."""
    assert await fake.send("Runtime.enable", {"x": 1}) == {
        "method": "Runtime.enable",
        "params": {"x": 1},
    }


async def test_error_reply_raises_protocol_error(fake: Connection) -> None:
    """An error reply raises ProtocolError with the inspector's code and message."""
    with pytest.raises(ProtocolError) as caught:
        await fake.send("Test.fail")
    assert caught.value.code == -32601
    assert caught.value.reason == "'Test.fail' wasn't found"
    assert caught.value.data == "x"
    # The connection is still usable afterwards.
    assert (await fake.send("Runtime.enable"))["method"] == "Runtime.enable"


async def test_replies_out_of_order_reach_their_own_callers(fake: Connection) -> None:
    """Concurrent commands get their own replies even when answered in another order."""
    held, plain = await asyncio.gather(fake.send("Test.hold"), fake.send("Runtime.enable"))
    assert held == {"method": "Test.hold"}
    assert plain["method"] == "Runtime.enable"


async def test_events_reach_typed_handlers_in_order(fake: Connection) -> None:
    """Events are decoded and handed to the handlers of their type, in arrival order."""
    bindings: list[BindingCalled] = []
    scripts: list[ScriptParsed] = []
    fake.on(BindingCalled, bindings.append)
    fake.on(ScriptParsed, scripts.append)
    await fake.send("Test.events")
    assert [b.payload for b in bindings] == ["0", "1", "2"]
    assert scripts == [ScriptParsed(script_id="7", url="file:///x.js")]


async def test_evaluate_returns_the_value_or_raises_the_exception(fake: Connection) -> None:
    """evaluate gives the value by value; an expression that throws raises EvaluationError."""
    assert await fake.evaluate("hello") == "hello"
    with pytest.raises(EvaluationError, match="^Error: thrown$"):
        await fake.evaluate("throw")


async def test_closed_connection_fails_pending_and_new_commands(fake: Connection) -> None:
    """When the inspector goes away, a pending command and later ones raise ConnectionClosed."""
    with pytest.raises(ConnectionClosed):
        await fake.send("Test.close")
    await fake.wait_closed()
    assert fake.closed
    with pytest.raises(ConnectionClosed):
        await fake.send("Runtime.enable")


async def test_client_socket_disables_nagle(fake: Connection) -> None:
    """The client socket has TCP_NODELAY set: small commands are not held back."""
    sock = fake._ws.transport.get_extra_info("socket")
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


async def test_refused_connection_is_connection_closed() -> None:
    """Connecting where no inspector listens raises ConnectionClosed, not a raw OSError."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectionClosed, match="cannot connect"):
        await Connection.open(f"ws://127.0.0.1:{port}/none", timeout=5)


async def test_against_real_node(tmp_path: Path) -> None:
    """Against node: bindings, evaluation, function locations and the script they map to."""
    module = tmp_path / "mod.js"
    source = "// a module\nmodule.exports = function named(a, b) {\n  return a + b;\n};\n"
    module.write_text(source)
    main = tmp_path / "main.js"
    main.write_text(
        "globalThis.f = require('./mod.js');\n"
        "__jitfluxNotify('started');\n"
        "setInterval(() => {}, 1000);\n"
    )
    process = await asyncio.create_subprocess_exec(
        "node", "--inspect-brk=127.0.0.1:0", str(main),
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        url = None
        while url is None:
            line = await process.stderr.readline()
            assert line, "node exited before its inspector opened"
            match = re.search(rb"ws://127\.0\.0\.1:\d+/\S+", line)
            url = match.group(0).decode() if match else None
        async with await Connection.open(url) as conn:
            started = asyncio.get_running_loop().create_future()
            conn.on(BindingCalled, lambda e: started.done() or started.set_result(e.payload))
            await conn.runtime_enable()
            await conn.add_binding("__jitfluxNotify")
            await conn.run_if_waiting_for_debugger()
            assert await started == "started"
            assert await conn.evaluate("[1, 'a', {b: null}]") == [1, "a", {"b": None}]
            with pytest.raises(EvaluationError, match="ReferenceError"):
                await conn.evaluate("noSuchVariable")
            object_id = await conn.evaluate_object("globalThis.f", "test")
            assert object_id is not None
            location = await conn.function_location(object_id)
            assert isinstance(location, FunctionLocation)
            # V8 places a function at the `(` of its parameters; lines are 0-based.
            line = source.splitlines()[1]
            assert (location.line_number, location.column_number) == (1, line.index("("))
            scripts: dict[str, str] = {}
            conn.on(ScriptParsed, lambda e: scripts.__setitem__(e.script_id, e.url))
            await conn.debugger_enable()
            assert scripts[location.script_id] == module.as_uri()
            await conn.debugger_disable()
            await conn.release_object_group("test")
            with pytest.raises(ProtocolError) as caught:
                await conn.get_properties("no-such-object")
            assert caught.value.code == -32000
    finally:
        process.kill()
        await process.wait()
