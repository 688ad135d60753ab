"""explain advises `--include PKG` only where it would instrument the code (tests/apps/
include-advice, traced for real on Express 4 and 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.apps import Json, Traced, trace_app

APP = Path(__file__).resolve().parent.parent / "apps" / "include-advice"


@pytest.fixture(scope="module", params=[4, 5], ids=["express4", "express5"])
def traced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The app traced once per Express version."""
    return trace_app(APP, ["GET /api/hello"], request.param, tmp_path_factory.mktemp("include"))


def _help(report: Json) -> list[str]:
    return [tie["help"] for tie in report["ties"] if tie["rule"] == "unknown"]


def test_router_gets_no_include_advice(traced: Traced) -> None:
    """The mounted Router is Express's hooked code: no `--include` is advised for it."""
    (advice,) = _help(traced.explain()["router"])
    assert "--include" in advice and advice.startswith("none from tracing again:")
    assert "trace again with" not in advice


def test_package_middleware_gets_include_advice(traced: Traced) -> None:
    """body-parser's json middleware is instrumentable: `--include body-parser` is advised."""
    assert _help(traced.explain()["jsonParser"]) == [
        "trace again with `jitflux trace --include body-parser` so that its effects are observed"
    ]
