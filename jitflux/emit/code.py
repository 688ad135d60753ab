"""The code of each fluxion, as listings 2 and 4 show it.

A fluxion's code is its function's original text (the whole file for `main`), with the text of
every fluxion nested in it replaced by a stream placeholder (`>> handler`, `-> reply`), and,
in a fluxion the merge frees, each observed call of Express's `next(...)` replaced by
`-> express_dispatcher`. Lines are dedented as a block.
"""

from __future__ import annotations

import re
import textwrap

from jitflux.analysis import DISPATCHER, EXPRESS_NEXT, Fluxion, SourceFile
from jitflux.emit.program import FluxionSpec, Program
from jitflux.words import code as comments

# A replacement of the text between two Python indices of a file.
Replacement = tuple[int, int, str]


def fluxion_code(program: Program, spec: FluxionSpec) -> list[str]:
    """The lines of a fluxion's code, dedented (not yet indented under its header)."""
    fluxion = spec.fluxion
    if fluxion.role == "dispatcher":
        return _dispatcher_code(program)
    fn = fluxion.function
    sources = program.analysis.trace.sources
    if fn is None:
        return comments.no_toplevel()
    if fn.file not in sources:
        return comments.not_recorded(fn, fluxion.external)
    source = SourceFile(sources[fn.file])
    if fn.range is not None:
        start, end = source.index(fn.range[0]), source.index(fn.range[1])
    elif fluxion.role == "main":
        start, end = 0, len(source.text)
    else:
        return comments.no_range(fn)
    replacements = _nested(program, fluxion, source, start, end)
    replacements += _next_calls(program, fluxion, source, start, end, replacements)
    text = source.text[start:end]
    for rstart, rend, placeholder in sorted(replacements, reverse=True):
        text = text[: rstart - start] + placeholder + text[rend - start :]
    # Give the first line the indentation of its source line, so the block dedents as a whole.
    text = source.indentation_at(start) + text
    lines = textwrap.dedent(text).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return [line.rstrip() for line in lines]


def _nested(
    program: Program, outer: Fluxion, source: SourceFile, start: int, end: int
) -> list[Replacement]:
    """Placeholders for the outermost fluxions whose text lies inside [start, end)."""
    inner = []
    for spec in program.fluxions:
        fn = spec.fluxion.function
        if spec.fluxion is outer or spec.fluxion.role != "callback" or fn is None:
            continue
        if fn.range is None or outer.function is None or fn.file != outer.function.file:
            continue
        fstart, fend = source.index(fn.range[0]), source.index(fn.range[1])
        if start <= fstart and fend <= end and (fstart, fend) != (start, end):
            arrow = ">>" if spec.fluxion.entry == "start" else "->"
            inner.append((fstart, fend, f"{arrow} {spec.name}"))
    outermost = [
        r for r in inner if not any(o is not r and o[0] <= r[0] and r[1] <= o[1] for o in inner)
    ]
    return sorted(outermost)


def _next_calls(
    program: Program,
    fluxion: Fluxion,
    source: SourceFile,
    start: int,
    end: int,
    nested: list[Replacement],
) -> list[Replacement]:
    """`next(...)` calls a merge replaced by a stream to express_dispatcher."""
    merged = [
        f
        for f in program.analysis.findings
        if f.rule == "merge" and f.fluxions[:1] == (fluxion.name,) and f.edges
    ]
    found: list[Replacement] = []
    if fluxion.function is None:
        return found
    for finding in merged:
        for use in finding.evidence:
            if use.kind != "call" or use.effect.callee != EXPRESS_NEXT:
                continue
            for sample in use.effect.samples:
                if sample.file != fluxion.function.file or sample.line is None:
                    continue
                call = _call_span(source, sample.line, sample.column or 0, use.effect.target)
                if call is None or not (start <= call[0] and call[1] <= end):
                    continue
                if any(n[0] <= call[0] < n[1] for n in nested) or call in [f[:2] for f in found]:
                    continue
                found.append((call[0], call[1], f"-> {DISPATCHER}"))
    return found


def _call_span(source: SourceFile, line: int, column: int, name: str) -> tuple[int, int] | None:
    """The span of the call `name(...)` that starts at (line, column), if the text shows one."""
    at = source.position(line, column)
    if at is None:
        return None
    match = re.compile(re.escape(name) + r"\s*\(").match(source.text, at)
    if match is None:
        return None
    depth, index, text = 0, match.end() - 1, source.text
    quote: str | None = None
    while index < len(text):
        ch = text[index]
        if quote:
            if ch == "\\":
                index += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return (at, index + 1)
        index += 1
    return None


def _dispatcher_code(program: Program) -> list[str]:
    """The code jitflux adds for express_dispatcher (paper, section 4.2.2)."""
    merges = [f for f in program.analysis.findings if f.rule == "merge" and f.edges]
    paths: list[str] = []
    for finding in merges:
        paths.extend(p for p in finding.message if p not in paths)
    lines = comments.dispatcher([f.fluxions[0] for f in merges])
    lines.append("function express_dispatcher(message) {")
    for path in paths:
        lines.append(f"  {_assignable(path)} = message[{_js_string(path)}];")
    lines += ["  next();", "}"]
    return lines


def _assignable(path: str) -> str:
    """A path as an assignment target: `cache[*]` stands for a key the message holds."""
    return path.replace("[*]", "[message.key]")


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
