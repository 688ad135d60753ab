"""compare's sentences: the title, the section titles and the notes on a rupture point."""

from __future__ import annotations

RUPTURE_POINTS = "Rupture points"
VARIABLES = "Variables that cross a fluxion boundary"
GLOBAL = "(global)"  # where an undeclared global is declared
NONE = "(none)"  # an empty section
SECTION_TITLES = {
    "both": "found by both",
    "trace_only": "found only by the trace",
    "static_only": "found only by the static compiler",
}


def title(trace: str, script: str) -> str:
    """The first line."""
    return f"jitflux compare: {trace} (trace) vs {script} (static)"


def other_caller(trace: str, static: str) -> str:
    """The two sides saw another caller."""
    return f"caller is {trace} in the trace, {static} for the static compiler"


def other_type(trace: str, static: str) -> str:
    """The two sides saw another type."""
    return f"type is {trace} in the trace, {static} statically"


def skipped(reason: str) -> str:
    """Why the static compiler missed a point."""
    return f"skipped by the static compiler: {reason}"
