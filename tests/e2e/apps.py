"""Trace an app for real through the library, and read what emit and explain make of it."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jitflux.emit import render
from jitflux.explain import explain, render_json
from jitflux.trace import Trace
from jitflux.tracing.drive import Request
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import copy_app, express_env

Json = dict[str, Any]


@dataclass
class Traced:
    """One real trace of an app, and the copy of the app that ran."""

    trace: Trace
    app: Path

    def emit(self) -> Json:
        """The fluxion program, as `jitflux emit --format json` prints it."""
        return json.loads(render(self.trace, "json"))

    def flx(self) -> str:
        """The fluxion program in the paper's language."""
        return render(self.trace, "flx")

    def explain(self) -> dict[str, Json]:
        """What `jitflux explain --format json` prints, each fluxion's report by name."""
        reports = json.loads(render_json(explain(self.trace)))
        return {report["name"]: report for report in reports["fluxions"]}

    def line(self, pattern: str, file: str = "server.js") -> int:
        """The 1-based number of the only line of `file` matching `pattern`."""
        lines = (self.app / file).read_text(encoding="utf-8").splitlines()
        found = [n for n, text in enumerate(lines, 1) if re.search(pattern, text)]
        assert len(found) == 1, f"{pattern!r} matches lines {found}"
        return found[0]

    def at(self, pattern: str, word: str, file: str = "server.js") -> Json:
        """The location of `word` on the only line of `file` matching `pattern`, as the
        contracts write it (1-based line, 0-based column)."""
        number = self.line(pattern, file)
        text = (self.app / file).read_text(encoding="utf-8").splitlines()[number - 1]
        found = re.search(rf"(?<![\w$]){re.escape(word)}(?![\w$])", text)
        assert found is not None, f"{word!r} is not on line {number} of {file}"
        return {"file": file, "line": number, "column": found.start()}


def trace_app(
    source: Path,
    requests: list[str],
    express: int,
    tmp_path: Path,
    include: tuple[str, ...] = (),
    modules: Path | None = None,
) -> Traced:
    """Copy the app at `source` into tmp_path, trace `node server.js` with Express `express`
    (or the packages of the node_modules folder `modules`, for Koa and Fastify apps; and
    `include`, packages to instrument too) while sending `requests` ('METHOD /path [BODY]');
    every request must succeed, and no warning may be reported."""
    app = copy_app(source, tmp_path)
    reports: list[str] = []
    result = trace_sync(
        TraceOptions(
            command=["node", str(app / "server.js")],
            output=None,
            requests=[_request(text) for text in requests],
            env={
                **express_env(express),
                **({"NODE_PATH": str(modules)} if modules is not None else {}),
                "PORT": "0",
            },
            include=include,
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=reports.append,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error) == (0, None)
    assert (result.requests.sent, result.requests.failed) == (len(requests), 0)
    assert reports == []
    return Traced(result.trace, app)


def _request(text: str) -> Request:
    method, path, *body = text.split(" ", 2)
    return Request(method, path, body[0] if body else None)


def by_name(program: Json) -> dict[str, Json]:
    """The fluxions of an emit JSON (or explain JSON) by name."""
    return {fluxion["name"]: fluxion for fluxion in program["fluxions"]}


def streams(fluxion: Json) -> list[tuple[str, list[str], list[str]]]:
    """A fluxion's output streams as (type, destinations, message)."""
    return [(s["type"], s["to"], s["message"]) for s in fluxion["streams"]]


def variables(program: Json) -> list[tuple[str, str, list[str]]]:
    """The variables of an emit JSON as (name, rule, fluxions), in their order."""
    return [(v["name"], v["rule"], v["fluxions"]) for v in program["variables"]]


# The keys of a variable entry in the first fluxions contract (DESIGN.md).
CONTRACT_KEYS = ("name", "declared", "rule", "fluxions", "via")


def variable(program: Json, name: str) -> Json:
    """The only variable entry called `name`, with the keys of the first contract only (the
    placement's facts are checked on their own)."""
    found = [v for v in program["variables"] if v["name"] == name]
    assert len(found) == 1, found
    entry = found[0]
    assert entry["placement"]["rule"] == entry["rule"]
    return {k: entry[k] for k in CONTRACT_KEYS if k in entry}


def flx_blocks(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """Each fluxion of a flx program by name: its header and stream lines, and its code lines
    (stripped)."""
    blocks: dict[str, tuple[list[str], list[str]]] = {}
    head: list[str] = []
    code: list[str] = []
    for line in text.splitlines():
        if line.startswith("flx "):
            head, code = [line], []
            blocks[line.split()[1]] = (head, code)
        elif line.startswith((">> ", "-> ")):
            head.append(line)
        elif line.strip():
            code.append(line.strip())
    return blocks


def flx_heads(text: str) -> list[list[str]]:
    """The header and stream lines of each fluxion of a flx program, in order."""
    return [head for head, _ in flx_blocks(text).values()]
