"""The Chrome DevTools Protocol core: command ids, pending replies and event decoding, no I/O.

A `Protocol` turns commands into message texts and message texts into replies and events; the
connection that owns it moves the texts. The typed events and result readers below cover only the
few parts of the Runtime and Debugger domains that jitflux uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from jitflux.errors import InspectorError


class ProtocolError(InspectorError):
    """The inspector answered a command with an error: `reason` is its message, `code` and
    `data` the rest of it; `message` is the whole line."""

    def __init__(self, code: int, reason: str, data: str | None = None) -> None:
        super().__init__(f"{reason} (code {code})" + (f": {data}" if data else ""))
        self.code = code
        self.reason = reason
        self.data = data


class MessageError(InspectorError):
    """A message that is not valid protocol: not JSON, or a reply to no pending command."""


class EvaluationError(InspectorError):
    """An expression evaluated in the app threw; `text` is V8's description of the exception."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Event:
    """An event of any method, with its params as sent."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class BindingCalled:
    """`Runtime.bindingCalled`: the app called a binding added with `Runtime.addBinding`."""

    METHOD: ClassVar[str] = "Runtime.bindingCalled"
    name: str
    payload: str
    execution_context_id: int


@dataclass(frozen=True)
class ScriptParsed:
    """`Debugger.scriptParsed`: a script the inspector knows, by id, with its url."""

    METHOD: ClassVar[str] = "Debugger.scriptParsed"
    script_id: str
    url: str


@dataclass(frozen=True)
class Paused:
    """`Debugger.paused`: the app stopped on a breakpoint, a `debugger` statement or at start."""

    METHOD: ClassVar[str] = "Debugger.paused"
    reason: str


@dataclass(frozen=True)
class ContextDestroyed:
    """`Runtime.executionContextDestroyed`: the app's JavaScript context is gone (it is exiting)."""

    METHOD: ClassVar[str] = "Runtime.executionContextDestroyed"
    execution_context_id: int


@dataclass(frozen=True)
class WorkerAttached:
    """`NodeWorker.attachedToWorker`: a worker thread started; `session_id` talks to it."""

    METHOD: ClassVar[str] = "NodeWorker.attachedToWorker"
    session_id: str
    worker_id: str = field(metadata={"within": "workerInfo"})
    title: str = field(metadata={"within": "workerInfo"})
    url: str = field(metadata={"within": "workerInfo"})


TypedEvent = BindingCalled | ScriptParsed | Paused | ContextDestroyed | WorkerAttached


@dataclass(frozen=True)
class Reply:
    """The answer to command `id`: a result, or the error the inspector sent instead."""

    id: int
    method: str
    result: dict[str, Any] | None = None
    error: ProtocolError | None = None

    def value(self) -> dict[str, Any]:
        """The result; raises the ProtocolError when the inspector answered with an error."""
        if self.error is not None:
            raise self.error
        return self.result or {}


@dataclass(frozen=True)
class FunctionLocation:
    """Where a function starts (V8's `[[FunctionLocation]]`): 0-based line and column."""

    script_id: str
    line_number: int
    column_number: int


class Protocol:
    """Command ids and pending replies of one inspector session.

    `send` queues a command and gives its id, `data_to_send` hands the queued texts to whoever
    writes them, `receive` decodes one incoming text into a `Reply` (and forgets the command) or
    an event.
    """

    def __init__(self) -> None:
        self._next_id = 1
        self._pending: dict[int, str] = {}
        self._outgoing: list[str] = []

    @property
    def pending(self) -> Mapping[int, str]:
        """Commands sent and not answered yet: id -> method."""
        return self._pending

    def send(self, method: str, params: Mapping[str, Any] | None = None) -> int:
        """Queue the command `method` and return its id."""
        command_id = self._next_id
        self._next_id += 1
        self._pending[command_id] = method
        message = {"id": command_id, "method": method, "params": dict(params or {})}
        self._outgoing.append(json.dumps(message, separators=(",", ":")))
        return command_id

    def data_to_send(self) -> list[str]:
        """The message texts queued since the last call, in order."""
        out, self._outgoing = self._outgoing, []
        return out

    def receive(self, text: str | bytes) -> Reply | TypedEvent | Event:
        """Decode one message from the inspector."""
        try:
            message = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MessageError(f"not a JSON message: {exc}") from None
        if not isinstance(message, dict):
            raise MessageError("not a JSON object")
        if "id" in message:
            return self._reply(message)
        method = message.get("method")
        if not isinstance(method, str):
            raise MessageError("neither a reply (no id) nor an event (no method)")
        params = message.get("params")
        return decode_event(method, params if isinstance(params, dict) else {})

    def abandon(self) -> list[int]:
        """Forget every pending command (the connection is gone); returns their ids."""
        ids = list(self._pending)
        self._pending.clear()
        return ids

    def _reply(self, message: dict[str, Any]) -> Reply:
        command_id = message["id"]
        method = self._pending.pop(command_id, None) if isinstance(command_id, int) else None
        if method is None:
            raise MessageError(f"reply to unknown command id {command_id!r}")
        error = message.get("error")
        if error is not None:
            if not isinstance(error, dict):
                error = {"message": str(error)}
            return Reply(
                id=command_id,
                method=method,
                error=ProtocolError(
                    int(error.get("code", 0)), str(error.get("message", "")), error.get("data")
                ),
            )
        result = message.get("result")
        if not isinstance(result, dict):
            result = {}
        return Reply(id=command_id, method=method, result=result)


_TYPED = {
    event.METHOD: event
    for event in (BindingCalled, ScriptParsed, Paused, ContextDestroyed, WorkerAttached)
}


def decode_event(method: str, params: dict[str, Any]) -> TypedEvent | Event:
    """A typed event for the methods jitflux uses, a generic `Event` for the others. A field is
    the param of its name in camelCase (`execution_context_id`: `executionContextId`), inside the
    object its metadata's `within` names if any; a missing one is empty (0 or "")."""
    typed = _TYPED.get(method)
    if typed is None:
        return Event(method=method, params=params)
    values: dict[str, Any] = {}
    for spec in fields(typed):
        source = params
        if "within" in spec.metadata:
            inner = params.get(spec.metadata["within"])
            source = inner if isinstance(inner, dict) else {}
        head, *rest = spec.name.split("_")
        raw = source.get(head + "".join(word.title() for word in rest))
        convert = int if spec.type == "int" else str
        values[spec.name] = convert(raw) if raw is not None else convert()
    return typed(**values)


def evaluation_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The RemoteObject of a `Runtime.evaluate` result; EvaluationError when the code threw."""
    details = result.get("exceptionDetails")
    if details:
        exception = details.get("exception") or {}
        text = exception.get("description") or details.get("text") or "exception"
        raise EvaluationError(str(text).splitlines()[0])
    return dict(result.get("result") or {})


def function_location(properties: Mapping[str, Any]) -> FunctionLocation | None:
    """The `[[FunctionLocation]]` in a `Runtime.getProperties` result; None when there is none
    (not a function, or a bound or native function)."""
    for prop in properties.get("internalProperties") or []:
        if prop.get("name") != "[[FunctionLocation]]":
            continue
        value = (prop.get("value") or {}).get("value") or {}
        try:
            return FunctionLocation(
                script_id=str(value["scriptId"]),
                line_number=int(value["lineNumber"]),
                column_number=int(value["columnNumber"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
    return None
