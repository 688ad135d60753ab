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


def test_parameter_position_in_a_parameter_list() -> None:
    """A parameter is found at its own place: not in a default value, a string or a comment."""
    text = "function f(a = g(res, ','), /* res */ {res}, res) {}"
    assert SourceFile(text).parameter_position(0, "res") == (1, text.rindex("res"))
    assert SourceFile("m(req, res) { res }").parameter_position(0, "res") == (1, 7)
    assert SourceFile("async res => res.end()").parameter_position(0, "res") == (1, 6)
    assert SourceFile("function f(...res) {}").parameter_position(0, "res") == (1, 14)


def test_parameter_position_of_a_name_that_is_no_parameter() -> None:
    """A name used in the body or only in a default value is no parameter: None."""
    assert SourceFile("function f(a = res) { res }").parameter_position(0, "res") is None
    assert SourceFile("req => res").parameter_position(0, "res") is None


def test_parameter_position_counts_utf16_columns_on_later_lines() -> None:
    """The function may start after an emoji and its parameter sit on a later line."""
    text = "var s = '😀'; function f(\n  x, res) {}"
    start = len(text[: text.index("function")].encode("utf-16-le")) // 2
    assert SourceFile(text).parameter_position(start, "res") == (2, 5)
    one_line = "var s = '😀'; function f(x, res) {}"
    # The emoji is two UTF-16 units: the column is one more than the Python index.
    assert SourceFile(one_line).parameter_position(start, "res") == (1, one_line.index("res") + 1)
