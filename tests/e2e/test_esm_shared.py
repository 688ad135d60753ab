"""A variable exported by one ES module and imported by two others is one variable
(tests/apps/esm-shared, Express 5): `items` of lib/store.mjs, pushed to by addItem
(routes/add.mjs) and read by listItems (routes/list.mjs), is shared by the two handlers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXPRESS_MODULES, copy_app
from tests.e2e.apps import Json, Traced, by_name, trace_app
from tests.isolation import isolation_leaks
from tests.shim.shimrun import NodeApp, app_dir

APP = app_dir("esm-shared")
REQUESTS = [line for line in (APP / "requests.txt").read_text().splitlines() if line.strip()]


def _modules(tmp_path: Path) -> None:
    """Express 5 for the copies made in tmp_path (ES modules ignore NODE_PATH: a node_modules
    folder above the app is found)."""
    (tmp_path / "node_modules").symlink_to(EXPRESS_MODULES[5])


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The app traced once with its requests."""
    tmp = tmp_path_factory.mktemp("esm-shared")
    _modules(tmp)
    return trace_app(APP, REQUESTS, 5, tmp)


def _entries(program: Json, name: str) -> list[Json]:
    """The variable entries called `name`."""
    return [v for v in program["variables"] if v["name"] == name]


def test_imported_variable_is_one_shared_variable(traced: Traced) -> None:
    """`items`, written by addItem and read by listItems through their own imports, is one
    variable declared in lib/store.mjs, shared by the two handlers."""
    program = traced.emit()
    [items] = [v for v in _entries(program, "items") if v["declared"]["file"] == "lib/store.mjs"]
    assert items["rule"] == "share"
    assert sorted(items["fluxions"]) == ["addItem", "listItems"]
    assert items["declared"] == traced.at(r"export const items", "items", "lib/store.mjs")


def test_neither_handler_is_isolated(traced: Traced) -> None:
    """Neither handler is isolated: each has `items` in its context."""
    fluxions = by_name(traced.emit())
    for name in ("addItem", "listItems"):
        assert not fluxions[name]["isolated"], name
        assert "items" in fluxions[name]["context"], name


def test_renamed_export_is_the_exported_variable(traced: Traced) -> None:
    """The limit, exported as `limit as maxItems` and read by addItem under that name, written
    by changeLimit through setLimit in lib/store.mjs: one variable, declared where `limit` is,
    shared by the two handlers."""
    program = traced.emit()
    [limit] = [v for v in program["variables"] if v["name"] in ("limit", "maxItems")]
    assert limit["rule"] == "share"
    assert sorted(limit["fluxions"]) == ["addItem", "changeLimit"]
    assert limit["declared"] == traced.at(r"let limit", "limit", "lib/store.mjs")


def test_app_answers_as_untraced(tmp_path: Path) -> None:
    """The app answers the same bytes traced and untraced."""
    answers = []
    for traced in (False, True):
        work = tmp_path / ("traced" if traced else "plain")
        work.mkdir()
        _modules(work)
        app = copy_app(APP, work)
        with NodeApp(app, work / "run", traced=traced, probe=False) as node:
            answers.append([node.request(*r.split(" ", 2)[:2], b"{}" if r.startswith("POST")
                                         else None).text for r in REQUESTS])
    assert answers[0] == [
        '{"added":1}', '{"added":2}', '{"limit":2}', '{"added":2}', '{"items":["item1","item2"]}',
        '{"count":2,"first":"item1"}',
    ]
    assert answers[1] == answers[0]


def test_namespace_and_reexport_readers_are_not_resolved(traced: Traced) -> None:
    """countItems reads the list through `import * as store` and through a re-export of
    lib/index.mjs: not resolved, each is a variable of its own (the import's), and countItems
    is not isolated."""
    program = traced.emit()
    reads = {(v["name"], v["declared"]["file"]) for v in program["variables"]
             if "countItems" in v["fluxions"] and v["name"] != "res"}  # fmt: skip
    assert reads == {("store", "routes/count.mjs"), ("items", "routes/count.mjs")}
    assert not by_name(program)["countItems"]["isolated"]


def test_isolation_check_follows_namespace_and_reexport(traced: Traced) -> None:
    """The isolation check keys the namespace and re-export reads to the exported list: with
    addItem called isolated, its write reaches listItems and countItems in no message."""
    program = traced.emit()
    by_name(program)["addItem"]["isolated"] = True
    leaks = isolation_leaks(traced.trace, program)
    assert [leak for leak in leaks if leak.startswith("addItem writes items")] == [
        f"addItem writes {target} that {reader} uses, in no message"
        for target in sorted({e.target for e in traced.trace.effects
                              if e.kind == "write" and e.target.startswith("items")})
        for reader in ("countItems", "listItems")
    ]  # fmt: skip
