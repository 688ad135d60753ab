"""Tests of walking back the AST to what an expression holds, and of canonical callee names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jitflux.static.app import App
from jitflux.static.syntax import source_text, walk
from jitflux.static.values import (
    DataValue,
    ExpressValue,
    FunctionValue,
    ModuleValue,
    Resolver,
    RuntimeValue,
)


def _call_arguments(script: Path) -> dict[str, list[object]]:
    """For each call of the main script, by callee text: the values of its arguments."""
    app = App.load(script)
    resolver = Resolver(app)
    unit = app.main
    out = {}
    for node in walk(unit.ast):
        if node.type == "CallExpression":
            at = node.range[0]
            out[source_text(unit.source, node.callee)] = [
                resolver.value(unit, arg, at) for arg in node.arguments
            ]
    return out


def test_values_of_names_properties_and_modules(make_app: Callable[..., Path]) -> None:
    """Names, object properties and another file's exports are followed to their functions."""
    script = make_app(
        server_js=(
            "var handlers = { home: function home() {} };\n"
            "var routes = require('./routes');\n"
            "var express = require('express');\n"
            "use(handlers.home, routes.list, routes.missing, express, 42);\n"
        ),
        routes_js="module.exports = { list: function list() {} };\n",
    )
    home, listed, missing, express, number = _call_arguments(script)["use"]
    assert isinstance(home, FunctionValue) and home.node.id.name == "home"
    assert isinstance(listed, FunctionValue) and listed.unit.file == "routes.js"
    assert isinstance(missing, RuntimeValue) and "routes.missing" in missing.reason
    assert express == ModuleValue("express")
    assert number == DataValue()


def test_runtime_values_say_why(make_app: Callable[..., Path]) -> None:
    """Calls, choices and parameters are known only at run time, each with its reason."""
    script = make_app(
        server_js=(
            "var one = function () {}, two = function () {};\n"
            "function register(cb) {\n"
            "  use(make(), flag ? one : two, cb);\n"
            "}\n"
        )
    )
    made, chosen, param = _call_arguments(script)["use"]
    assert made == RuntimeValue("`make()` is a call: what it returns exists only at run time")
    assert chosen == RuntimeValue("`flag ? one : two` is chosen at run time")
    assert param == RuntimeValue(
        "`cb` is a parameter of `register`: its value is known only at run time"
    )


def test_express_objects_and_canonical_names(make_app: Callable[..., Path]) -> None:
    """Objects made by Express are app / router / route; callees get their canonical names."""
    script = make_app(
        server_js=(
            "var e = require('express');\n"
            "var { readFile: rf } = require('node:fs');\n"
            "var web = e(), api = e.Router();\n"
            "web.route('/x').get(h);\n"
            "api.post(h);\n"
            "rf(f, h);\n"
        )
    )
    app = App.load(script)
    resolver = Resolver(app)
    unit = app.main
    calls = [n for n in walk(unit.ast) if n.type == "CallExpression"]
    by_text = {source_text(unit.source, c.callee): c for c in calls}
    assert resolver.value(unit, by_text["web.route"]) == ExpressValue("route")
    canonical = {t: resolver.canonical(unit, c.callee, c.range[0]) for t, c in by_text.items()}
    assert canonical["web.route('/x').get"] == "route.get"
    assert canonical["api.post"] == "router.post"
    assert canonical["rf"] == "fs.readFile"
