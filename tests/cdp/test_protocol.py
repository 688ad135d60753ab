"""The protocol core, without any I/O."""

from __future__ import annotations

import json

import pytest

from jitflux.cdp import (
    BindingCalled,
    ContextDestroyed,
    EvaluationError,
    Event,
    FunctionLocation,
    MessageError,
    Paused,
    Protocol,
    ProtocolError,
    Reply,
    ScriptParsed,
    WorkerAttached,
)
from jitflux.cdp.protocol import evaluation_result, function_location


def test_send_numbers_commands_and_queues_their_text() -> None:
    """Each command gets the next id and is queued as a JSON message with its method and params."""
    protocol = Protocol()
    first = protocol.send("Runtime.enable")
    second = protocol.send("Runtime.evaluate", {"expression": "1+1"})
    assert (first, second) == (1, 2)
    texts = protocol.data_to_send()
    assert [json.loads(t) for t in texts] == [
        {"id": 1, "method": "Runtime.enable", "params": {}},
        {"id": 2, "method": "Runtime.evaluate", "params": {"expression": "1+1"}},
    ]
    assert protocol.data_to_send() == []
    assert dict(protocol.pending) == {1: "Runtime.enable", 2: "Runtime.evaluate"}


def test_reply_resolves_its_pending_command() -> None:
    """A result reply names its command's method, gives the result and is no longer pending."""
    protocol = Protocol()
    protocol.send("Runtime.enable")
    command = protocol.send("Runtime.evaluate", {"expression": "6*7"})
    reply = protocol.receive(json.dumps({"id": command, "result": {"result": {"value": 42}}}))
    assert isinstance(reply, Reply)
    assert reply.method == "Runtime.evaluate"
    assert reply.value() == {"result": {"value": 42}}
    assert dict(protocol.pending) == {1: "Runtime.enable"}


def test_error_reply_raises_protocol_error_with_code_message_and_data() -> None:
    """An error reply carries a ProtocolError with the inspector's code, message and data."""
    protocol = Protocol()
    command = protocol.send("Runtime.getProperties", {"objectId": "nope"})
    error = {"code": -32000, "message": "Invalid remote object id", "data": "nope"}
    reply = protocol.receive(json.dumps({"id": command, "error": error}))
    assert isinstance(reply, Reply)
    with pytest.raises(ProtocolError) as caught:
        reply.value()
    assert (caught.value.code, caught.value.reason, caught.value.data) == (
        -32000,
        "Invalid remote object id",
        "nope",
    )
    assert not protocol.pending


def test_reply_to_unknown_id_is_a_message_error() -> None:
    """A reply to a command never sent (or already answered) is rejected."""
    protocol = Protocol()
    command = protocol.send("Runtime.enable")
    protocol.receive(json.dumps({"id": command, "result": {}}))
    with pytest.raises(MessageError, match="unknown command id"):
        protocol.receive(json.dumps({"id": command, "result": {}}))


@pytest.mark.parametrize(
    "text",
    ["not json", "[1, 2]", '{"params": {}}', b"\xff\xfe"],
    ids=["not-json", "not-object", "no-id-no-method", "not-utf8"],
)
def test_malformed_messages_are_message_errors(text: str | bytes) -> None:
    """Text that is not a JSON object with an id or a method is rejected."""
    with pytest.raises(MessageError):
        Protocol().receive(text)


def test_events_used_by_jitflux_are_decoded_to_typed_events() -> None:
    """bindingCalled, scriptParsed, paused and executionContextDestroyed get typed classes."""
    protocol = Protocol()
    messages = [
        {
            "method": "Runtime.bindingCalled",
            "params": {"name": "__jitfluxNotify", "payload": "{}", "executionContextId": 1},
        },
        {"method": "Debugger.scriptParsed", "params": {"scriptId": "42", "url": "file:///a.js"}},
        {"method": "Debugger.paused", "params": {"reason": "Break on start", "callFrames": []}},
        {"method": "Runtime.executionContextDestroyed", "params": {"executionContextId": 1}},
    ]
    events = [protocol.receive(json.dumps(m)) for m in messages]
    assert events == [
        BindingCalled(name="__jitfluxNotify", payload="{}", execution_context_id=1),
        ScriptParsed(script_id="42", url="file:///a.js"),
        Paused(reason="Break on start"),
        ContextDestroyed(execution_context_id=1),
    ]


def test_worker_events_read_the_nested_worker_info_and_missing_params_are_empty() -> None:
    """attachedToWorker's worker id, title and url come from its workerInfo; a missing param is
    0 or the empty string."""
    protocol = Protocol()
    info = {"workerId": "1", "type": "worker", "title": "[worker 1]", "url": "file:///w.js"}
    attached = {"sessionId": "s7", "workerInfo": info, "waitingForDebugger": True}
    messages = [
        {"method": "NodeWorker.attachedToWorker", "params": attached},
        {"method": "NodeWorker.attachedToWorker", "params": {"sessionId": "s8"}},
        {"method": "Runtime.executionContextDestroyed", "params": {}},
    ]
    events = [protocol.receive(json.dumps(m)) for m in messages]
    assert events == [
        WorkerAttached(session_id="s7", worker_id="1", title="[worker 1]", url="file:///w.js"),
        WorkerAttached(session_id="s8", worker_id="", title="", url=""),
        ContextDestroyed(execution_context_id=0),
    ]


def test_other_events_stay_generic() -> None:
    """An event jitflux has no class for comes as an Event with its method and params."""
    text = json.dumps({"method": "Runtime.consoleAPICalled", "params": {"type": "log"}})
    assert Protocol().receive(text) == Event("Runtime.consoleAPICalled", {"type": "log"})


def test_abandon_forgets_every_pending_command() -> None:
    """When the connection is gone, the pending commands are returned and forgotten."""
    protocol = Protocol()
    ids = [protocol.send("Runtime.enable"), protocol.send("Debugger.enable")]
    assert protocol.abandon() == ids
    assert not protocol.pending


def test_evaluation_result_raises_the_apps_exception() -> None:
    """An evaluation that threw raises EvaluationError with the first line of the description."""
    result = {
        "result": {"type": "object", "subtype": "error"},
        "exceptionDetails": {
            "text": "Uncaught",
            "exception": {"description": "TypeError: x is not a function\n    at <anonymous>:1:1"},
        },
    }
    with pytest.raises(EvaluationError) as caught:
        evaluation_result(result)
    assert caught.value.text == "TypeError: x is not a function"
    assert evaluation_result({"result": {"type": "number", "value": 3}}) == {
        "type": "number",
        "value": 3,
    }


def test_function_location_is_read_from_internal_properties() -> None:
    """[[FunctionLocation]] gives the script id and 0-based position; no such property, None."""
    properties = {
        "result": [],
        "internalProperties": [
            {"name": "[[Scopes]]", "value": {"type": "object"}},
            {
                "name": "[[FunctionLocation]]",
                "value": {
                    "type": "object",
                    "subtype": "internal#location",
                    "value": {"scriptId": "89", "lineNumber": 4, "columnNumber": 31},
                },
            },
        ],
    }
    assert function_location(properties) == FunctionLocation("89", 4, 31)
    assert function_location({"result": [], "internalProperties": []}) is None
