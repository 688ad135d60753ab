"""Fluxion programs from traces, printed as `flx` (the paper's language), `json` or `dot`."""

from __future__ import annotations

from collections.abc import Callable

from jitflux.analysis import analyze
from jitflux.emit import dot, flx, jsonout
from jitflux.emit.program import FluxionSpec, Program, Stream, VariableSpec, build_program
from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.trace import Trace

PRINTERS: dict[str, Callable[[Program], str]] = {
    "flx": flx.render,
    "json": jsonout.render,
    "dot": dot.render,
}
FORMATS = tuple(PRINTERS)


def build(trace: Trace) -> Program:
    """Analyse a trace and lay it out as a fluxion program."""
    return build_program(analyze(trace))


def render(trace: Trace, fmt: str = "flx") -> str:
    """The fluxion program of a trace as text in format `fmt` ("flx", "json" or "dot")."""
    printer = PRINTERS.get(fmt)
    if printer is None:
        raise JitfluxError(
            f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})", EXIT_BAD_INPUT
        )
    return printer(build(trace))


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
