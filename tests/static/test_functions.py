"""Tests of the function table: ids, names, kinds, places and parameters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jitflux.static.app import App


def test_ids_names_and_kinds_follow_the_source(make_app: Callable[..., Path]) -> None:
    """Ids go in source order after the top level; names as the dynamic trace gives them."""
    script = make_app(
        server_js=(
            "function decl(a, b = 1, ...rest) {}\n"
            "var expr = function () {};\n"
            "const arrow = (x) => x;\n"
            "var obj = { key: function () {}, method() {}, get prop() { return 1; } };\n"
            "class C { run({ opt }) {} }\n"
            "setTimeout(function () {}, 1);\n"
        )
    )
    fns = App.load(script).functions.functions
    assert [(f.id, f.name, f.kind, f.line) for f in fns] == [
        ("f0", "", "toplevel", 1),
        ("f1", "decl", "function", 1),
        ("f2", "expr", "function", 2),
        ("f3", "arrow", "arrow", 3),
        ("f4", "key", "function", 4),
        ("f5", "method", "method", 4),
        ("f6", "prop", "method", 4),
        ("f7", "run", "method", 5),
        ("f8", "", "function", 6),
    ]
    assert fns[1].params == ["a", "b", "rest"]
    assert fns[7].params == []


def test_places_are_one_based_lines_zero_based_columns_and_offsets(
    make_app: Callable[..., Path],
) -> None:
    """Line, column and range point at the function's first character in the file's text."""
    source = "var a = 1;\n  app.get('/', function handler(req, res) {});\n"
    script = make_app(server_js=source)
    fn = App.load(script).functions.functions[1]
    assert (fn.line, fn.column) == (2, 15)
    assert source[fn.range[0] : fn.range[1]] == "function handler(req, res) {}"
    top = App.load(script).functions.functions[0]
    assert top.range == (0, len(source))


def test_files_are_numbered_in_load_order(make_app: Callable[..., Path]) -> None:
    """Each file's top level comes first, then its functions, files in the order loaded."""
    script = make_app(
        server_js="var lib = require('./lib');\nfunction main() {}\n",
        lib_js="exports.f = function f() {};\n",
    )
    fns = App.load(script).functions.functions
    assert [(f.id, f.file, f.name, f.kind) for f in fns] == [
        ("f0", "server.js", "", "toplevel"),
        ("f1", "server.js", "main", "function"),
        ("f2", "lib.js", "", "toplevel"),
        ("f3", "lib.js", "f", "function"),
    ]
