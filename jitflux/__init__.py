"""jitflux: watch a Node.js web application run and re-emit it as fluxions.

    from jitflux import trace, emit, explain
    recorded = trace(["node", "server.js"], requests=["GET /", "GET /"], output=None)
    print(emit(recorded))

The names below are the library; the modules behind them are not (their names may change).
`trace`, `emit` and `explain` are functions here: the subpackages of the same names are reached
with `from jitflux.trace import ...`.
"""

from jitflux.analysis import Analysis
from jitflux.api import TraceEvent, analyze, emit, explain, trace, trace_async
from jitflux.errors import (
    AppError,
    AppExited,
    DriverError,
    InspectorError,
    InstallationError,
    Interrupted,
    InvalidTrace,
    JitfluxError,
    NodeNotFound,
    NotListening,
    OutputError,
    UsageError,
)
from jitflux.trace.io import dump, load
from jitflux.trace.model import Trace
from jitflux.version import __version__

__all__ = [
    "Analysis",
    "AppError",
    "AppExited",
    "DriverError",
    "InspectorError",
    "InstallationError",
    "Interrupted",
    "InvalidTrace",
    "JitfluxError",
    "NodeNotFound",
    "NotListening",
    "OutputError",
    "Trace",
    "TraceEvent",
    "UsageError",
    "__version__",
    "analyze",
    "dump",
    "emit",
    "explain",
    "load",
    "trace",
    "trace_async",
]
