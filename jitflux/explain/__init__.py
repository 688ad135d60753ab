"""Why a fluxion is not isolated: every tie that holds it, with the proof, in a developer's words.

For each fluxion, `explain` gives what ties it (a variable, an object path, a closure it calls,
the network, an effect that could not be observed), to which fluxions, which rule fired, the
source locations that prove it, how often it was observed with a sample request id, and the
change that would free it. An isolated fluxion is said to be so, with what travels in its
messages. `report` builds the reports from the analysis; `text` and `jsonout` print them.
"""

from __future__ import annotations

from dataclasses import replace

from jitflux.analysis import Analysis, analyze
from jitflux.emit.program import build_program
from jitflux.errors import UsageError
from jitflux.explain.jsonout import FORMAT, render_json, to_dict
from jitflux.explain.report import Label, Observation, Report, Tie, reports
from jitflux.explain.text import WIDTH, render_text
from jitflux.trace import Trace


def explain(source: Trace | Analysis, fluxion: str | None = None) -> list[Report]:
    """The reports of every fluxion, or of `fluxion` only (UsageError if there is none),
    from a trace or from its analysis."""
    analysis = source if isinstance(source, Analysis) else analyze(source)
    program = build_program(analysis, code=False)
    names = [spec.name for spec in program.fluxions]
    if fluxion is not None and fluxion not in names:
        raise UsageError(f"no fluxion named {fluxion!r}; valid names: {', '.join(names)}")
    found = reports(analysis, program, [fluxion] if fluxion is not None else names)
    if isinstance(source, Trace):
        found = _verified(found, source)
    return found


def _verified(found: list[Report], trace: Trace) -> list[Report]:
    """The reports with what a recorded `verify --record` outcome says of each fluxion."""
    from jitflux.run.outcome import refutations

    said = refutations(trace.meta.get("verify"))
    return [replace(r, notes=r.notes + tuple(said[r.name])) if r.name in said else r for r in found]


__all__ = [
    "FORMAT",
    "WIDTH",
    "Label",
    "Observation",
    "Report",
    "Tie",
    "explain",
    "render_json",
    "render_text",
    "to_dict",
]
