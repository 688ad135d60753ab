"""Fluxion programs from traces, printed as `flx` (the paper's language), `json` or `dot`."""

from __future__ import annotations

from collections.abc import Callable

from jitflux.analysis import Analysis, analyze
from jitflux.emit import dot, flx, jsonout
from jitflux.emit.program import FluxionSpec, Program, Stream, VariableSpec, build_program
from jitflux.errors import UsageError
from jitflux.trace import Trace

PRINTERS: dict[str, Callable[[Program], str]] = {
    "flx": flx.render,
    "json": jsonout.render,
    "dot": dot.render,
}
FORMATS = tuple(PRINTERS)


def build(trace: Trace | Analysis, code: bool = True) -> Program:
    """Lay a trace (or its analysis) out as a fluxion program; `code` adds each fluxion's
    code, which only the flx format prints."""
    analysis = trace if isinstance(trace, Analysis) else analyze(trace)
    return build_program(analysis, code)


def render(trace: Trace | Analysis, fmt: str = "flx") -> str:
    """The fluxion program of a trace as text in format `fmt` ("flx", "json" or "dot")."""
    printer = PRINTERS.get(fmt)
    if printer is None:
        raise UsageError(
            f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    return printer(build(trace, code=fmt == "flx"))


__all__ = [
    "FORMATS",
    "FluxionSpec",
    "Program",
    "Stream",
    "VariableSpec",
    "build",
    "build_program",
    "render",
]
