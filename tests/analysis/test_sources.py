"""Tests of jitflux.analysis.sources: lines and UTF-16 offsets of the original text."""

from jitflux.analysis.sources import SourceFile


def test_lines_are_numbered_from_one_without_terminators() -> None:
    """line(n) is the n-th line, 1-based, for \\n and \\r\\n alike; None past the end."""
    source = SourceFile("a = 1;\r\nb = 2;\nc = 3;")
    assert source.line(1) == "a = 1;"
    assert source.line(2) == "b = 2;"
    assert source.line(3) == "c = 3;"
    assert source.line(4) is None
    assert source.line(0) is None


def test_offsets_count_utf16_units_after_an_astral_character() -> None:
    """A UTF-16 offset after an emoji (two units) maps to the right Python index."""
    text = "var s = '😀'; function f() {}"
    source = SourceFile(text)
    utf16_start = text.index("function") + 1  # the emoji counts twice in UTF-16
    assert source.slice(utf16_start, utf16_start + len("function f() {}")) == "function f() {}"


def test_offsets_are_identity_for_bmp_text() -> None:
    """Without astral characters a UTF-16 offset is the Python index."""
    source = SourceFile("é = 'ü'; x")
    assert source.index(9) == 9
    assert source.slice(9, 10) == "x"


def test_position_and_column_follow_utf16_columns() -> None:
    """position(line, column) converts the column of a line holding an emoji."""
    text = "first\nlog('😀', count);"
    source = SourceFile(text)
    at = source.position(2, len("log('😀', ") + 1)
    assert at is not None and text[at:].startswith("count")
    assert source.line_of(at) == 2


def test_indentation_of_the_line_holding_an_index() -> None:
    """indentation_at gives the leading whitespace of the line an index falls in."""
    text = "a();\n    b(function () {});"
    source = SourceFile(text)
    assert source.indentation_at(text.index("function")) == "    "


def test_require_initialisers_are_recognised() -> None:
    """`fs = require('fs')` is a module import; `count = 0` and a mere mention are not."""
    source = SourceFile("var app = require('express')(),\n  fs = require ('fs'),\n  count = 0;")
    assert source.initialised_with_require("fs", 2, 2)
    assert source.initialised_with_require("app", 1, 4)
    assert not source.initialised_with_require("count", 3, 2)
    assert not source.initialised_with_require("fs", 3, 2)  # not at that place
