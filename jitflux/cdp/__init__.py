"""A small Chrome DevTools Protocol client for Node's inspector: a core without I/O and an
asyncio connection over it."""

from jitflux.cdp.connection import Connection, ConnectionClosed
from jitflux.cdp.protocol import (
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

__all__ = [
    "BindingCalled",
    "Connection",
    "ConnectionClosed",
    "ContextDestroyed",
    "EvaluationError",
    "Event",
    "FunctionLocation",
    "MessageError",
    "Paused",
    "Protocol",
    "ProtocolError",
    "Reply",
    "ScriptParsed",
    "WorkerAttached",
]
