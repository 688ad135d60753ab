"""Tracing a running app: the command (`command`), the launcher (`launch`, `relay`, `groups`),
the traffic (`drive`), the drain of the shim's batches into a trace (`recorder`, `processes`)
and the session that runs them together (`options`, `session`). It builds on `jitflux.cdp` and
`jitflux.trace`, and nothing below it imports it."""

from jitflux.tracing.session import TraceOptions, TraceResult, trace, trace_sync

__all__ = ["TraceOptions", "TraceResult", "trace", "trace_sync"]
