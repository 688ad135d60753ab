"""Tests of the list of asynchronous callees and its extension file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.static import DEFAULT_CALLEES, Callee, compile_script, load_callees
from jitflux.static.callees import find_callee
from tests.static.helpers import points


@pytest.mark.parametrize(
    ("name", "type_", "callback"),
    [
        ("fs.readFile", "post", "last"),
        ("fs.watch", "start", "last"),
        ("app.get", "start", "all"),
        ("router.use", "start", "all"),
        ("route.post", "start", "all"),
        ("api.route('/x').put", "start", "all"),
        ("setTimeout", "post", "first"),
        ("setInterval", "start", "first"),
        ("process.nextTick", "post", "first"),
        ("http.createServer", "start", "last"),
        ("server.listen", "post", "last"),
        ("crypto.pbkdf2", "post", "last"),
        ("child_process.execFile", "post", "last"),
        ("fetch(url).then", "post", "all"),
        ("req.on", "start", "last"),
        ("socket.once", "post", "last"),
        ("raw-body", "post", "last"),
    ],
)
def test_default_list_types_and_callback_places(name: str, type_: str, callback: str) -> None:
    """Listeners are start points, one-shot continuations post points, callbacks where Node
    APIs put them."""
    callee = find_callee([name], DEFAULT_CALLEES)
    assert callee is not None
    assert (callee.type, callee.callback) == (type_, callback)


@pytest.mark.parametrize("name", ["fs", "map.get", "arr.forEach", "readFile", "app.set"])
def test_other_calls_are_not_asynchronous_callees(name: str) -> None:
    """Synchronous or unknown callees are not in the list."""
    assert find_callee([name], DEFAULT_CALLEES) is None


def test_canonical_names_match_whatever_the_app_calls_them(make_app: Callable[..., Path]) -> None:
    """`readFile` from `require('fs')` and a router made by `express.Router()` under another
    name are recognised."""
    script = make_app(
        server_js=(
            "const { readFile } = require('fs');\n"
            "const express = require('express');\n"
            "const api = express.Router();\n"
            "const body = require('raw-body');\n"
            "api.get('/', function list(req, res) {\n"
            "  readFile(__filename, function done(err, data) {});\n"
            "  body(req, function got(err, buf) {});\n"
            "});\n"
        )
    )
    assert points(compile_script(script)) == {
        ("start", "api.get", "main", "list"),
        ("post", "readFile", "list", "done"),
        ("post", "body", "list", "got"),
    }


def test_extension_file_adds_callees(make_app: Callable[..., Path], tmp_path: Path) -> None:
    """Names and patterns from a callees file are rupture points; without it they are not."""
    script = make_app(
        server_js=(
            "var db = require('./db');\n"
            "db.query('select 1', function rows(err, r) {});\n"
            "bus.subscribe('news', function onNews(msg) {});\n"
            "cache.get('k', function hit(v) {});\n"
        ),
        db_js="exports.query = function query(sql, cb) { setImmediate(cb); };\n",
    )
    assert points(compile_script(script)) == set()
    extra = tmp_path / "callees.json"
    extra.write_text(
        json.dumps(["db.query", "cache.*", {"callee": "bus.subscribe", "type": "start"}])
    )
    assert points(compile_script(script, load_callees(extra))) == {
        ("post", "db.query", "main", "rows"),
        ("start", "bus.subscribe", "main", "onNews"),
        ("post", "cache.get", "main", "hit"),
    }


def test_extension_entries_come_before_the_defaults(make_app: Callable[..., Path]) -> None:
    """An entry from the extension overrides a default one for the same callee."""
    script = make_app(server_js="setTimeout(function tick() {}, 10);\n")
    override = [Callee("setTimeout", "start", "first")]
    assert points(compile_script(script, override)) == {("start", "setTimeout", "main", "tick")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "expected a JSON list of callee names or patterns"),
        ("[1]", "item 0: expected a callee name or an object"),
        ('[{"callee": "x", "type": "later"}]', 'item 0: "type" must be "start" or "post"'),
        ('[{"callee": "x", "callback": "middle"}]', '"callback" must be one of first, last, all'),
        ('[{"name": "x"}]', "item 0: unknown key 'name'"),
        ("[", "not valid JSON at line 1"),
    ],
)
def test_bad_extension_file_is_bad_input(content: str, message: str, tmp_path: Path) -> None:
    """A malformed callees file is a one-line error with exit status 2."""
    path = tmp_path / "callees.json"
    path.write_text(content)
    with pytest.raises(JitfluxError) as caught:
        load_callees(path)
    assert caught.value.status == EXIT_BAD_INPUT
    assert message in caught.value.message
    assert "\n" not in caught.value.message
