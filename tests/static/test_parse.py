"""Tests of reading and parsing an app's files with esprima."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.static.parse import load_units, parse

APPS = Path(__file__).resolve().parent.parent / "apps"

# Syntax Node 20 runs but esprima 4 cannot parse: (source, construct named, line:column).
MODERN = {
    "optional chaining": ("var a = {};\nvar b = a?.c;\n", "optional chaining (?.)", "2:9"),
    "nullish": ("var a = null;\nvar b = a ?? 1;\n", "nullish coalescing (??)", "2:10"),
    "logical assignment": ("var a = 0;\na ||= 1;\n", "logical assignment (||=)", "2:2"),
    "nullish assignment": ("var a = null;\na ??= 1;\n", "logical assignment (??=)", "2:2"),
    "class field": ("class A {\n  count = 1;\n}\n", "a class field (count)", "2:2"),
    "private member": ("class A {\n  #n = 1;\n}\n", "a private class member (#n)", "2:2"),
    "static block": ("class A {\n  static {}\n}\n", "a class static block (static {)", "2:2"),
    "optional catch": ("try {} catch {}\n", "optional catch binding (catch {)", "1:7"),
    "bigint": ("var big = 10n;\n", "a BigInt literal (10n)", "1:10"),
    "numeric separator": ("var n = 1_000;\n", "a numeric separator (1_000)", "1:8"),
    "for await": (
        "async function f(xs) {\n  for await (const x of xs) {}\n}\n",
        "for await...of",
        "2:2",
    ),
}


@pytest.mark.parametrize("name", sorted(MODERN))
def test_modern_syntax_is_named_in_one_line(name: str, tmp_path: Path) -> None:
    """Each construct esprima cannot parse is named, with file:line:column, in one line."""
    source, construct, where = MODERN[name]
    ast, message = parse("lib.js", source)
    assert ast is None
    assert message == f"lib.js:{where}: esprima cannot parse {construct}; file skipped"
    # Node itself accepts the file: the failure is esprima's limit, not a broken test input.
    script = tmp_path / "lib.js"
    script.write_text(source, encoding="utf-8")
    subprocess.run(["node", "--check", str(script)], check=True, capture_output=True)


def test_plain_syntax_error_keeps_esprima_description() -> None:
    """A real syntax error is reported with esprima's own words."""
    ast, message = parse("bad.js", "var x = ;\n")
    assert ast is None
    assert message == (
        "bad.js:1:8: esprima cannot parse this file (Unexpected token ;); file skipped"
    )


def test_hashbang_is_blanked_keeping_offsets() -> None:
    """A hashbang line does not stop the parse and offsets still point into the original text."""
    source = "#!/usr/bin/env node\nvar answer = 42;\n"
    ast, message = parse("cli.js", source)
    assert message is None
    declarator = ast.body[0].declarations[0]
    start, end = declarator.id.range
    assert source[start:end] == "answer"
    assert declarator.id.loc.start.line == 2


def test_relative_requires_are_followed_depth_first() -> None:
    """The app's own files load in the order Node first runs them; packages are not read."""
    units, warnings = load_units(APPS / "static-callbacks" / "server.js")
    assert [u.file for u in units] == ["server.js", "routes.js", "store.js"]
    assert warnings == []
    assert units[1].required_at is not None and units[1].required_at[0] is units[0]
    assert units[2].required_at is not None and units[2].required_at[0] is units[1]


def test_unparsable_file_is_skipped_and_others_analysed() -> None:
    """A required file esprima cannot parse gives one warning; the other files are parsed."""
    units, warnings = load_units(APPS / "static-modern" / "server.js")
    assert [(u.file, u.ast is not None) for u in units] == [
        ("server.js", True),
        ("format.js", False),
    ]
    assert warnings == [
        "format.js:3:24: esprima cannot parse optional chaining (?.); file skipped"
    ]


def test_requires_of_an_unparsable_main_script_are_found_in_its_text(tmp_path: Path) -> None:
    """When the main script cannot be parsed, the files it requires are still analysed."""
    (tmp_path / "server.js").write_text(
        "const lib = require('./lib');\nconst port = process.env.PORT ?? 0;\n", encoding="utf-8"
    )
    (tmp_path / "lib.js").write_text("exports.x = function x() {};\n", encoding="utf-8")
    units, warnings = load_units(tmp_path / "server.js")
    assert [(u.file, u.ast is not None) for u in units] == [("server.js", False), ("lib.js", True)]
    assert warnings == [
        "server.js:2:30: esprima cannot parse nullish coalescing (??); file skipped"
    ]


def test_missing_relative_module_is_a_warning(tmp_path: Path) -> None:
    """A `require('./x')` that leads to no file is reported with its place."""
    (tmp_path / "server.js").write_text("var x = require('./nowhere');\n", encoding="utf-8")
    units, warnings = load_units(tmp_path / "server.js")
    assert len(units) == 1
    assert warnings == ["server.js:1:8: cannot find module './nowhere'; not analysed"]


def test_node_modules_and_folders_outside_the_app_are_not_read(tmp_path: Path) -> None:
    """Only files under the script's folder and outside node_modules are the app's own."""
    app = tmp_path / "app"
    (app / "node_modules" / "dep").mkdir(parents=True)
    (app / "node_modules" / "dep" / "index.js").write_text("module.exports = 1;\n")
    (tmp_path / "shared.js").write_text("module.exports = 2;\n")
    (app / "lib").mkdir()
    (app / "lib" / "index.js").write_text("module.exports = 3;\n")
    (app / "server.js").write_text(
        "require('./node_modules/dep');\nrequire('../shared');\nrequire('./lib');\n"
    )
    units, _ = load_units(app / "server.js")
    assert [u.file for u in units] == ["server.js", "lib/index.js"]


def test_missing_script_is_bad_input(tmp_path: Path) -> None:
    """A script that does not exist is an error with exit status 2."""
    with pytest.raises(JitfluxError) as caught:
        load_units(tmp_path / "absent.js")
    assert caught.value.status == EXIT_BAD_INPUT
    assert "absent.js: no such file" in caught.value.message
