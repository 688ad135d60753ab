"""A handler made by a factory (`app.use(stamp('x-app'))`, a call's result) and dispatched by a
framework in node_modules (koa-compose), traced for real without and with `--include` of the
dispatcher: a start point of main either way, its continuation a post point of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.apps import trace_app
from tests.e2e.test_frameworks import named

APPS = ROOT / "tests" / "apps"
MODULES = APPS / "frameworks" / "node_modules"


@pytest.mark.parametrize("include", [(), ("koa-compose",)], ids=["plain", "include"])
def test_a_factory_made_handler_is_a_start_point_whoever_dispatches_it(
    tmp_path: Path, include: tuple[str, ...]
) -> None:
    """stamper and reply are started by main (app.use); statted is stamper's continuation."""
    traced = trace_app(
        APPS / "dispatched-factory", ["GET /", "GET /"], 5, tmp_path, include, MODULES
    )
    ruptures = named(traced.trace)
    for handler in ("stamper", "reply"):
        assert {r[:3] for r in ruptures if r[3] == handler} == {("start", "app.use", "main")}
    assert {r[:3] for r in ruptures if r[3] == "statted"} == {("post", "fs.stat", "stamper")}
