"""`jitflux report`: one self-contained HTML page that shows a trace's fluxion pipeline.

    from jitflux.report import write_report
    write_report(load("trace.json"), "report.html", trace_path="trace.json")

`facts.gather` is the one adapter to the analysis (the fluxions document, explain, the flx text
and the trace's facts); `page.render` turns its document into HTML; `graph.to_dot` draws it.
"""

from __future__ import annotations

import os
from pathlib import Path

from jitflux.errors import OutputError
from jitflux.report.facts import gather
from jitflux.report.page import render
from jitflux.trace import Trace


def report_html(trace: Trace, trace_path: str | os.PathLike[str] | None = None) -> str:
    """The HTML text of the report page of a trace."""
    return render(gather(trace, trace_path))


def write_report(
    trace: Trace, output: str | os.PathLike[str], trace_path: str | os.PathLike[str] | None = None
) -> Path:
    """Write the report page of a trace to `output`; OutputError if it cannot."""
    text = report_html(trace, trace_path)
    path = Path(output)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    return path


__all__ = ["gather", "render", "report_html", "write_report"]
