"""The code of each fluxion, as listings 2 and 4 show it.

A fluxion's code is its function's original text (the whole file for `main`), with the text of
every fluxion nested in it replaced by a stream placeholder (`>> handler`, `-> reply`), and,
in a fluxion the merge frees, each observed call of Express's `next(...)` replaced by
`-> express_dispatcher` (Koa's `await next()` by `-> koa_dispatcher`, a Fastify hook's `done()`
by `-> fastify_dispatcher`). Lines are dedented as a block.
"""

from __future__ import annotations

import re
import textwrap

from jitflux.analysis import DISPATCHER, EXPRESS_NEXT, Analysis, Finding, Fluxion, SourceFile
from jitflux.analysis.fluxions import FRAMEWORKS
from jitflux.analysis.merge import DELETED, ERROR_ITEM
from jitflux.words import arrow
from jitflux.words import code as comments

# `await ` right before a call: Koa's `await next()` is replaced whole.
_AWAIT = re.compile(r"(?<![\w$.])await\s+$")
# A replacement of the text between two Python indices of a file.
Replacement = tuple[int, int, str]


class CodeWriter:
    """Writes the code of each fluxion of an analysis.

    What every fluxion needs is gathered once: the nesting of the callbacks of each file (one
    sweep over their ranges, not a scan of every fluxion for every fluxion) and the merges by
    the fluxion that calls `next`.
    """

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.merges: dict[str, list[Finding]] = {}
        for finding in analysis.findings:
            if finding.rule == "merge" and finding.edges:
                self.merges.setdefault(finding.fluxions[0], []).append(finding)
        # For each callback: the outermost callbacks inside it; for each file: those inside
        # no callback (main's).
        self.children: dict[str, list[Replacement]] = {}
        self.roots: dict[str, list[Replacement]] = {}
        self._nest()

    def _nest(self) -> None:
        by_file: dict[str, list[tuple[int, int, int, Fluxion]]] = {}
        for position, fluxion in enumerate(self.analysis.fluxions.ordered):
            fn = fluxion.function
            if fluxion.role != "callback" or fn is None or fn.range is None:
                continue
            source = self.analysis.sources.get(fn.file)
            if source is None:
                continue
            start, end = source.index(fn.range[0]), source.index(fn.range[1])
            by_file.setdefault(fn.file, []).append((start, -end, position, fluxion))
        for file, spans in by_file.items():
            stack: list[tuple[int, int, str]] = []  # (start, end, name) of open callbacks
            for start, negative_end, _, fluxion in sorted(spans):
                end = -negative_end
                while stack and not (
                    stack[-1][0] <= start and end <= stack[-1][1] and (start, end) != stack[-1][:2]
                ):
                    stack.pop()
                placeholder = (start, end, f"{arrow(fluxion.entry or 'post')} {fluxion.name}")
                if stack:
                    self.children.setdefault(stack[-1][2], []).append(placeholder)
                else:
                    self.roots.setdefault(file, []).append(placeholder)
                stack.append((start, end, fluxion.name))

    def code(self, fluxion: Fluxion) -> tuple[str, ...]:
        """The lines of a fluxion's code, dedented (not yet indented under its header)."""
        if fluxion.role == "dispatcher":
            return tuple(self._dispatcher(fluxion.name))
        fn = fluxion.function
        if fn is None:
            return tuple(comments.no_toplevel())
        source = self.analysis.sources.get(fn.file)
        if source is None:
            return tuple(comments.not_recorded(fn, fluxion.external))
        if fn.range is not None:
            start, end = source.index(fn.range[0]), source.index(fn.range[1])
        elif fluxion.role == "main":
            start, end = 0, len(source.text)
        else:
            return tuple(comments.no_range(fn))
        if fluxion.role == "main":
            nested = [
                r
                for r in self.roots.get(fn.file, [])
                if start <= r[0] and r[1] <= end and (r[0], r[1]) != (start, end)
            ]
        else:
            nested = list(self.children.get(fluxion.name, []))
        replacements = nested + self._next_calls(fluxion, source, start, end, nested)
        pieces, at = [], start
        for rstart, rend, placeholder in sorted(replacements):
            pieces += [source.text[at:rstart], placeholder]
            at = rend
        pieces.append(source.text[at:end])
        # Give the first line the indentation of its source line, so the block dedents whole.
        text = source.indentation_at(start) + "".join(pieces)
        lines = textwrap.dedent(text).splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        main = self.analysis.fluxions.main_function
        if fluxion.role == "callback" and main is not None and fn.file != main.file:
            # Its name does not say which file it is in (`anonymous_14` is a line number).
            lines.insert(0, comments.from_file(fn))
        return tuple(line.rstrip() for line in lines)

    def _next_calls(
        self, fluxion: Fluxion, source: SourceFile, start: int, end: int, nested: list[Replacement]
    ) -> list[Replacement]:
        """`next(...)` calls a merge replaced by a stream to express_dispatcher."""
        found: list[Replacement] = []
        if fluxion.function is None:
            return found
        for finding in self.merges.get(fluxion.name, []):
            for use in finding.evidence:
                if use.kind != "call":
                    continue
                dispatcher = finding.fluxions[1]
                if dispatcher == DISPATCHER and use.effect.callee != EXPRESS_NEXT:
                    continue
                for sample in use.effect.samples:
                    if sample.file != fluxion.function.file or sample.line is None:
                        continue
                    call = _call_span(source, sample.line, sample.column or 0, use.effect.target)
                    if call is None or not (start <= call[0] and call[1] <= end):
                        continue
                    if any(n[0] <= call[0] < n[1] for n in nested):
                        continue
                    placeholder = _to_dispatcher(source.text, call, dispatcher)
                    awaited = _AWAIT.search(source.text, max(0, call[0] - 40), call[0])
                    if dispatcher != DISPATCHER and awaited is not None:
                        call = (awaited.start(), call[1])  # `await next()` as a whole
                    if call in [f[:2] for f in found]:
                        continue
                    found.append((call[0], call[1], placeholder))
        return found

    def _dispatcher(self, name: str) -> list[str]:
        """The code jitflux adds for express_dispatcher, koa_dispatcher or fastify_dispatcher
        (paper, section 4.2.2): each item a message may carry is merged only when it does (the
        senders carry different ones)."""
        merges = [f for found in self.merges.values() for f in found if f.fluxions[1] == name]
        merges.sort(key=lambda f: self.analysis.fluxions.order(f.fluxions[0]))
        paths: list[str] = []
        for finding in merges:
            paths.extend(p for p in finding.message if p not in paths)
        called = next((f.detail for f in merges if f.detail), "next")
        framework = FRAMEWORKS.get(name, "Express")
        request = paths[0].split(".")[0] if paths else "req"
        lines = comments.dispatcher([f.fluxions[0] for f in merges], framework, called, request)
        lines.append(f"function {name}(message) {{")
        for path in paths:
            if path == ERROR_ITEM:
                continue
            key = _js_string(path)
            merge = path if path.startswith(DELETED) else f"{path} = message[{key}]"
            # One sender sends every item (the paper's listing); several send their own.
            lines.append(f"  {merge};" if len(merges) == 1 else f"  if ({key} in message) {merge};")
        if ERROR_ITEM in paths:
            key = _js_string(ERROR_ITEM)
            lines.append(f"  if ({key} in message) return next(message[{key}]);")
        if name != DISPATCHER:
            # Koa's next returns the promise of the rest of the chain: handed back.
            return [*lines, f"  return {called}();", "}"]
        lines += ["  next();", "}"]
        return lines


def _to_dispatcher(text: str, call: tuple[int, int], dispatcher: str) -> str:
    """The placeholder of a `next(...)` call: the stream, and the error it passes, if any."""
    inside = text[call[0] : call[1]]
    argument = inside[inside.index("(") + 1 : -1].strip()
    return comments.to_dispatcher(dispatcher, ERROR_ITEM, argument or None)


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


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
