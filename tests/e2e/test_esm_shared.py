"""A variable exported by one ES module and imported by two others is one variable
(tests/apps/esm-shared, Express 5): `items` of lib/store.mjs, pushed to by addItem
(routes/add.mjs) and read by listItems (routes/list.mjs), is shared by the two handlers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXPRESS_MODULES, copy_app
from tests.e2e.apps import Json, Traced, by_name, trace_app
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
    return [v for v in program["variables"] if v["name"] == name]


def test_imported_variable_is_one_shared_variable(traced: Traced) -> None:
    """`items`, written by addItem and read by listItems through their own imports, is one
    variable declared in lib/store.mjs, shared by the two handlers."""
    program = traced.emit()
    [items] = _entries(program, "items")
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
        '{"added":1}', '{"added":2}', '{"limit":2}', '{"added":2}', '{"items":["item1","item2"]}'
    ]
    assert answers[1] == answers[0]
