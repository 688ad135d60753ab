"""A handler made by a factory (`app.use(stamp('x-app'))`, a call's result) and dispatched by a
framework in node_modules (koa-compose), traced for real without and with `--include` of the
dispatcher: a start point of main either way, its continuation a post point of it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from jitflux.tracing.drive import Request
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import ROOT, copy_app
from tests.e2e.test_frameworks import named

APPS = ROOT / "tests" / "apps"
MODULES = APPS / "frameworks" / "node_modules"


@pytest.mark.parametrize("include", [(), ("koa-compose",)], ids=["plain", "include"])
def test_a_factory_made_handler_is_a_start_point_whoever_dispatches_it(
    tmp_path: Path, include: tuple[str, ...]
) -> None:
    """stamper and reply are started by main (app.use); statted is stamper's continuation."""
    app = copy_app(APPS / "dispatched-factory", tmp_path)
    reports: list[str] = []
    result = trace_sync(
        TraceOptions(
            command=["node", str(app / "server.js")],
            output=None,
            requests=[Request("GET", "/"), Request("GET", "/")],
            env={**os.environ, "NODE_PATH": str(MODULES), "PORT": "0"},
            include=include,
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=reports.append,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error, reports) == (0, None, [])
    ruptures = named(result.trace)
    for handler in ("stamper", "reply"):
        assert {r[:3] for r in ruptures if r[3] == handler} == {("start", "app.use", "main")}
    assert {r[:3] for r in ruptures if r[3] == "statted"} == {("post", "fs.stat", "stamper")}
