"""Tests of the escope-like scope analysis: declarations, hoisting, references and flags."""

from __future__ import annotations

import esprima

from jitflux.static.scope_analysis import ScopeManager
from jitflux.static.syntax import walk


def _analyse(source: str) -> tuple[ScopeManager, object]:
    ast = esprima.parseScript(source, {"loc": True, "range": True})
    return ScopeManager(ast), ast


def _refs(manager: ScopeManager, name: str) -> list:
    return [r for r in manager.references if r.identifier.name == name]


def test_var_is_hoisted_to_its_function() -> None:
    """A `var` used before its declaration, from a block, resolves to the function's variable."""
    manager, _ = _analyse("function f() { x = 1; if (true) { var x; } return x; }")
    refs = _refs(manager, "x")
    assert len(refs) == 2
    assert refs[0].resolved is refs[1].resolved
    assert refs[0].resolved.scope.kind == "function"


def test_let_in_a_block_shadows_the_outer_name() -> None:
    """A `let` inside a block is its own variable, distinct from the outer one."""
    manager, _ = _analyse("var a = 1; { let a = 2; a; } a;")
    inner, outer = [r for r in _refs(manager, "a") if not r.init]
    assert inner.resolved.scope.kind == "block"
    assert outer.resolved.scope.kind == "module"


def test_compound_assignment_and_update_read_and_write() -> None:
    """`count += 1` and `count++` are both READ and WRITE references; `count = 0` only WRITE."""
    manager, _ = _analyse("var count; count += 1; count++; count = 0;")
    flags = [(r.is_read, r.is_write) for r in _refs(manager, "count")]
    assert flags == [(True, True), (True, True), (False, True)]


def test_plain_writes_keep_the_value_written() -> None:
    """`var x = v` and `x = w` keep their value for walking back; `x += 1` keeps none."""
    manager, _ = _analyse("var x = f; x = g; x += 1;")
    values = [r.value.name if r.value else None for r in _refs(manager, "x")]
    assert values == ["f", "g", None]


def test_parameters_catch_and_function_names_are_declared() -> None:
    """Parameters, catch parameters and a function expression's own name are declarations."""
    manager, ast = _analyse(
        "var h = function again(req) { try { req(); } catch (e) { e; } again; };"
    )
    by_name = {r.identifier.name: r.resolved for r in manager.references if not r.init}
    assert by_name["req"].is_param
    assert by_name["e"].defs[0].kind == "catch"
    assert by_name["again"].defs[0].kind == "function-name"


def test_destructuring_keeps_the_property_path() -> None:
    """`const {readFile: rf} = require('fs')` records the path ('readFile',) to its value."""
    manager, ast = _analyse("const { readFile: rf, a: { b } } = require('fs');")
    names = {n.name: manager.declared(n) for n in walk(ast) if n.type == "Identifier"}
    assert names["rf"].defs[0].path == ("readFile",)
    assert names["b"].defs[0].path == ("a", "b")


def test_undeclared_names_stay_unresolved() -> None:
    """A global such as `setTimeout` resolves to no variable; a member name is no reference."""
    manager, _ = _analyse("setTimeout(function () {}, 1); var o = {}; o.count = 1;")
    assert _refs(manager, "setTimeout")[0].resolved is None
    assert _refs(manager, "count") == []


def test_references_know_their_function() -> None:
    """A reference's scope belongs to the function whose code contains it."""
    manager, ast = _analyse("var n = 0; function inc() { { n += 1; } }")
    ref = _refs(manager, "n")[1]
    assert ref.scope.function.type == "FunctionDeclaration"
    assert ref.resolved.scope.function is ast
