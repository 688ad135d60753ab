"""`jitflux report`: one self-contained HTML page that shows a trace's fluxion pipeline.

    from jitflux.report import write_report
    write_report(load("trace.json"), "report.html", trace_path="trace.json")

`facts.gather` is the one adapter to the analysis (the fluxions document, explain, the flx text
and the trace's facts); `page.render` turns its document into HTML; `graph.to_dot` draws it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from jitflux.errors import JitfluxError, OutputError
from jitflux.report.facts import gather
from jitflux.report.page import render
from jitflux.trace import Trace

if TYPE_CHECKING:
    from jitflux.tracer import TraceResult


def report_html(trace: Trace, trace_path: str | os.PathLike[str] | None = None) -> str:
    """The HTML text of the report page of a trace."""
    return render(gather(trace, trace_path))


def write_report(
    trace: Trace, output: str | os.PathLike[str], trace_path: str | os.PathLike[str] | None = None
) -> Path:
    """Write the report page of a trace to `output`; JitfluxError (bad input) if it cannot."""
    text = report_html(trace, trace_path)
    path = Path(output)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    return path


def write_report_of(
    result: TraceResult, output: str | os.PathLike[str], quiet: bool = False
) -> int:
    """After `jitflux trace --report`: write the page of the trace just made; the exit status
    (the trace's, or the report's own error status when the trace went well)."""
    try:
        path = write_report(result.trace, output, trace_path=result.output)
    except JitfluxError as exc:
        print(f"jitflux: {exc.message}", file=sys.stderr)
        return result.status or exc.status
    if not quiet:
        print(f"report written to {path}")
    return result.status


__all__ = ["gather", "render", "report_html", "write_report", "write_report_of"]
