"""The app's original source text as a trace keeps it: lines, and offsets as V8 counts them.

The shim parses with acorn and V8 reports positions in UTF-16 code units, while a Python string
counts code points: the two differ only after a character outside the Basic Multilingual Plane
(an emoji), so the conversion table is built only for such texts.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

# JavaScript's line terminators (ECMA-262 11.3), as acorn counts lines.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
# What follows a declared name initialised with require(): `fs = require('fs')`.
_REQUIRE_INIT = re.compile(r"\s*=\s*require\s*\(")
# An arrow function's single parameter written without parentheses: `res => ...`.
_BARE_PARAMETER = re.compile(r"(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>")
# The tokens of a parameter list that matter to find a parameter: strings and comments are
# skipped whole (they may hold brackets or commas), identifiers, brackets and commas kept.
_PARAMETER_TOKEN = re.compile(
    r"""'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/"""
    r"|\.\.\.|[A-Za-z_$][\w$]*|[()\[\]{},]|\S",
    re.DOTALL,
)


class SourceFile:
    """One source file's text, with positions given in UTF-16 units converted to Python ones."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[int, str | None] = {}

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    @cached_property
    def _wide(self) -> bool:
        """Whether the text has a character outside the BMP (two UTF-16 units)."""
        return not all(ord(ch) < 0x10000 for ch in self.text)

    @cached_property
    def _utf16_to_index(self) -> list[int] | None:
        """For each UTF-16 offset, the Python index; None when both count alike."""
        if not self._wide:
            return None
        table: list[int] = []
        for index, ch in enumerate(self.text):
            table.extend([index] * (2 if ord(ch) >= 0x10000 else 1))
        table.append(len(self.text))
        return table

    @cached_property
    def _index_to_utf16(self) -> list[int] | None:
        """For each Python index (and the end), its UTF-16 offset; None when both count alike."""
        if not self._wide:
            return None
        table = [0]
        for ch in self.text:
            table.append(table[-1] + (2 if ord(ch) >= 0x10000 else 1))
        return table

    def index(self, utf16_offset: int) -> int:
        """The Python index of a UTF-16 offset (clamped to the text)."""
        table = self._utf16_to_index
        if table is None:
            return max(0, min(utf16_offset, len(self.text)))
        return table[max(0, min(utf16_offset, len(table) - 1))]

    def slice(self, start: int, end: int) -> str:
        """The text between two UTF-16 offsets."""
        return self.text[self.index(start) : self.index(end)]

    def line_count(self) -> int:
        """How many lines the text has."""
        return len(self._line_starts)

    def line(self, number: int) -> str | None:
        """Line `number` (1-based) without its terminator; None past the end (kept once
        cut: a label asks for the same long line again and again)."""
        if number not in self._lines:
            self._lines[number] = self._cut_line(number)
        return self._lines[number]

    def _cut_line(self, number: int) -> str | None:
        if not 1 <= number <= len(self._line_starts):
            return None
        start = self._line_starts[number - 1]
        end = self._line_starts[number] if number < len(self._line_starts) else len(self.text)
        return _LINE_BREAK.sub("", self.text[start:end])

    def column_index(self, number: int, column: int) -> int:
        """The Python index within line `number` of a UTF-16 `column` (clamped to the line),
        in constant time."""
        if not 1 <= number <= len(self._line_starts):
            return 0
        start = self._line_starts[number - 1]
        end = self._line_starts[number] if number < len(self._line_starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n\u2028\u2029":
            end -= 1  # the terminator is not part of the line
        to_utf16 = self._index_to_utf16
        if to_utf16 is None:
            return max(0, min(column, end - start))
        target = to_utf16[start] + max(0, column)
        if target >= to_utf16[end]:
            return end - start
        return self.index(target) - start

    def position(self, number: int, column: int) -> int | None:
        """The Python index in the whole text of (line, UTF-16 column); None past the end."""
        if not 1 <= number <= len(self._line_starts):
            return None
        return self._line_starts[number - 1] + self.column_index(number, column)

    def line_of(self, index: int) -> int:
        """The 1-based line holding Python index `index`."""
        return max(1, bisect.bisect_right(self._line_starts, index))

    def indentation_at(self, index: int) -> str:
        """The leading whitespace of the line holding Python index `index`."""
        line = self.line(self.line_of(index)) or ""
        return line[: len(line) - len(line.lstrip(" \t"))]

    def parameter_position(self, start: int, name: str) -> tuple[int, int] | None:
        """(line, UTF-16 column) of the simple parameter `name` of the function whose text
        starts at UTF-16 offset `start`; None when its parameter list does not show one."""
        at = self.index(start)
        bare = _BARE_PARAMETER.match(self.text, at)
        if bare is not None:
            return self._line_column(bare.start(1)) if bare.group(1) == name else None
        opening = self.text.find("(", at)
        if opening < 0:
            return None
        depth = 0
        expecting = False  # at the start of a parameter (after `(`, `,` or `...`)
        for token in _PARAMETER_TOKEN.finditer(self.text, opening):
            text = token.group(0)
            if text in ("(", "[", "{"):
                depth += 1
                expecting = depth == 1
            elif text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return None
                expecting = False
            elif depth == 1 and text == ",":
                expecting = True
            elif text.startswith(("//", "/*")) or (text == "..." and depth == 1):
                continue  # a comment or a rest parameter's dots: still at its start
            elif depth == 1 and expecting and text == name:
                return self._line_column(token.start())
            else:
                expecting = False
        return None

    def _line_column(self, index: int) -> tuple[int, int]:
        """(1-based line, UTF-16 column) of Python index `index`."""
        number = self.line_of(index)
        start = self._line_starts[number - 1]
        to_utf16 = self._index_to_utf16
        if to_utf16 is None:
            return number, index - start
        return number, to_utf16[index] - to_utf16[start]

    def initialised_with_require(self, name: str, line: int, column: int) -> bool:
        """Whether the declaration of `name` at (line, column) reads `name = require(...)`."""
        at = self.position(line, column)
        if at is None or not self.text.startswith(name, at):
            return False
        return _REQUIRE_INIT.match(self.text, at + len(name)) is not None


class Sources:
    """The source files of a trace, each indexed once (on first use) and shared by all."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._files: dict[str, SourceFile] = {}

    def get(self, file: str) -> SourceFile | None:
        """The indexed source of `file`; None when the trace did not record it."""
        found = self._files.get(file)
        if found is None and file in self._texts:
            found = self._files[file] = SourceFile(self._texts[file])
        return found

    def __contains__(self, file: object) -> bool:
        return file in self._texts
