"""The one adapter between the report and the rest of jitflux: the documents a page is made of.

Everything the report knows comes through `gather`, from four stable documents: the
`jitflux.fluxions/1` object (what `emit --format json` prints), explain's report of each
fluxion (its JSON object and its text), the flx text of each fluxion (what `emit` prints), and
the trace's own facts (meta, rupture points, effects, sources). When the analysis changes shape,
this module alone follows it; the page reads only the plain JSON-ready dict built here.

Keys that the fluxions document gains in 0.2 (`fluxions[].ties`, `variables[].placement`) are
used when present; without them the ties come from explain's report.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jitflux.emit import build, jsonout
from jitflux.emit import flx as flx_printer
from jitflux.explain import explain
from jitflux.explain import to_dict as explain_dict
from jitflux.trace import Location, Sample, Trace

FORMAT = "jitflux.report/1"
# At most this many sample request ids and effects are kept per fluxion.
SAMPLES = 5
EFFECTS = 20

Json = dict[str, Any]


def gather(trace: Trace, trace_path: str | os.PathLike[str] | None = None) -> Json:
    """The report document of a trace (read from `trace_path`, whose time dates it if the
    trace's meta has no date)."""
    program = build(trace)
    document = jsonout.to_dict(program)
    flx_blocks = split_flx(flx_printer.render(program), document["fluxions"])
    reports = explain(trace)
    explained = {r["name"]: r for r in explain_dict(reports)["fluxions"]}
    runs = _Runs(trace)
    fluxions = []
    for entry in document["fluxions"]:
        name = entry["name"]
        report = explained.get(name, {})
        function = _function_id(entry, trace)
        fluxions.append(
            {
                "name": name,
                "tags": list(entry.get("tags", [])),
                "context": list(entry.get("context", [])),
                "streams": list(entry.get("streams", [])),
                "origin": entry.get("origin"),
                "isolated": bool(entry.get("isolated")),
                "flx": flx_blocks.get(name, ""),
                "ties": _ties(entry, report),
                "receives": report.get("receives", []),
                "notes": report.get("notes", []),
                **runs.of(function),
            }
        )
    return {
        "format": FORMAT,
        "app": _app(trace.meta),
        "traffic": _traffic(trace.meta),
        "date": _date(trace.meta, trace_path),
        "verify": trace.meta.get("verify"),
        "warnings": list(trace.meta.get("warnings", [])),
        "fluxions": fluxions,
        "variables": list(document.get("variables", [])),
        "sources": _sources(trace.sources, fluxions),
    }


def split_flx(text: str, fluxions: Sequence[Json]) -> dict[str, str]:
    """The flx text of each fluxion, cut from the whole program at each fluxion's header."""
    headers = [(f["name"], _header(f)) for f in fluxions]
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    position = 0
    for line in text.splitlines():
        if position < len(headers) and line == headers[position][1]:
            current = blocks.setdefault(headers[position][0], [])
            position += 1
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines).rstrip() + "\n" for name, lines in blocks.items()}


def _header(fluxion: Json) -> str:
    """`flx name & tags {context}`, as the flx printer writes it (the paper's figure 1)."""
    line = f"flx {fluxion['name']}"
    if fluxion.get("tags"):
        line += " & " + ", ".join(fluxion["tags"])
    if fluxion.get("context"):
        line += " {" + ", ".join(fluxion["context"]) + "}"
    return line


def _ties(entry: Json, report: Json) -> list[Json]:
    """The ties of a fluxion: the facts (rule, variable, with, at) with explain's words and
    labelled locations. The document's `ties` come first when it has them."""
    told = list(report.get("ties", []))
    ties = []
    for fact in entry.get("ties") or []:
        words = next(
            (
                t
                for t in told
                if t.get("rule") == fact.get("rule") and t.get("name") == fact.get("variable")
            ),
            None,
        )
        if words is not None:
            told.remove(words)
        ties.append(
            _tie(fact.get("rule"), fact.get("variable"), fact.get("with"), fact.get("at"), words)
        )
    for words in told:
        primary = next((lb for lb in words.get("labels", []) if lb.get("primary")), None)
        at = {k: primary[k] for k in ("file", "line", "column")} if primary else None
        ties.append(_tie(words.get("rule"), words.get("name"), words.get("fluxions"), at, words))
    return ties


def _tie(rule: Any, variable: Any, others: Any, at: Any, words: Json | None) -> Json:
    words = words or {}
    return {
        "rule": rule,
        "variable": variable,
        "with": list(others or []),
        "at": at,
        "reason": words.get("reason", ""),
        "labels": list(words.get("labels", [])),
        "notes": list(words.get("notes", [])),
        "help": words.get("help"),
        "more": words.get("more"),
    }


def _sources(sources: dict[str, str], fluxions: list[Json]) -> dict[str, str]:
    """The text of the files the page shows lines of (origins and tie labels), once each."""
    files = {f["origin"]["file"] for f in fluxions if f.get("origin")}
    files |= {label["file"] for f in fluxions for tie in f["ties"] for label in tie["labels"]}
    return {name: text for name, text in sources.items() if name in files}


def source_line(sources: dict[str, str], where: Json | None) -> str | None:
    """The line of code at a location, when the document holds its file (as the page does)."""
    if not where or where.get("file") not in sources:
        return None
    lines = sources[where["file"]].splitlines()
    line = where.get("line") or 0
    return lines[line - 1] if 1 <= line <= len(lines) else None


def _function_id(entry: Json, trace: Trace) -> str | None:
    """The trace function of a fluxion: the document's `function` key, else found by origin."""
    if entry.get("function"):
        return str(entry["function"])
    origin = entry.get("origin")
    if not origin:
        return None
    where = Location(origin["file"], origin["line"], origin["column"])
    for fn in trace.functions:
        if Location(fn.file, fn.line, fn.column) == where:
            return fn.id
    return None


class _Runs:
    """How often each function ran, as which callback, with sample requests and effects."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.names = {
            fn.id: fn.name or f"<anonymous {fn.file}:{fn.line}>" for fn in trace.functions
        }
        self.points: dict[str, list[Any]] = {}
        for point in trace.rupture_points:
            self.points.setdefault(point.callback, []).append(point)
        self.effects: dict[str, list[Any]] = {}
        for effect in trace.effects:
            self.effects.setdefault(effect.function, []).append(effect)

    def of(self, function: str | None) -> Json:
        """`runs` (None when never seen as a callback), `requests`, `ruptures` and `effects`."""
        points = self.points.get(function or "", [])
        effects = self.effects.get(function or "", [])
        samples = [s for p in points for s in p.samples] + [s for e in effects for s in e.samples]
        return {
            "function": function,
            "runs": sum(p.count for p in points) if points else None,
            "requests": _requests(samples),
            "ruptures": [
                {
                    "type": p.type,
                    "callee": p.callee,
                    "caller": self.names.get(p.caller, p.caller),
                    "count": p.count,
                    "site": _location(p.site),
                }
                for p in points
            ],
            "effects": [
                {
                    "kind": e.kind,
                    "target": e.target,
                    "count": e.count,
                    "requests": _requests(e.samples),
                }
                for e in sorted(effects, key=lambda e: -e.count)[:EFFECTS]
            ],
            "more_effects": max(0, len(effects) - EFFECTS),
        }


def _requests(samples: Iterable[Sample]) -> list[str]:
    """The distinct request ids of samples, in order, at most SAMPLES."""
    ids = list(dict.fromkeys(s.request for s in samples if s.request))
    return ids[:SAMPLES]


def _location(location: Location | None) -> Json | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def _app(meta: Json) -> Json:
    command = meta.get("command")
    return {
        "script": meta.get("script"),
        "command": list(command) if isinstance(command, list) else None,
        "node_version": meta.get("node_version"),
        "express_version": meta.get("express_version"),
        "jitflux_version": meta.get("jitflux_version"),
    }


def _traffic(meta: Json) -> Json:
    keys = (
        "requests_sent",
        "requests_failed",
        "requests_received",
        "duration",
        "complete",
        "driver_status",
        "exit_status",
    )
    return {key: meta.get(key) for key in keys}


def _date(meta: Json, trace_path: str | os.PathLike[str] | None) -> Json:
    """When the trace was made: the meta's date if it has one, else the trace file's time."""
    for key in ("date", "started", "created"):
        if isinstance(meta.get(key), str):
            value = meta[key]
            try:  # the tracer writes ISO 8601 in UTC: shown as the file's time is
                parsed = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
                value = parsed.strftime("%Y-%m-%d %H:%M UTC")
            except ValueError:
                pass
            return {"value": value, "source": "trace"}
    if trace_path is not None:
        try:
            stamp = Path(trace_path).stat().st_mtime
        except OSError:
            return {"value": None, "source": None}
        when = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
        return {"value": when.strftime("%Y-%m-%d %H:%M UTC"), "source": "file"}
    return {"value": None, "source": None}
