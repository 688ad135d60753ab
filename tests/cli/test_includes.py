"""`jitflux trace --include NAME` warns when NAME matches no package the script can load."""

from __future__ import annotations

from pathlib import Path

import pytest

from jitflux.cli import main
from jitflux.cli.includes import unmatched_includes
from tests.conftest import EXAMPLES, copy_app


def test_installed_packages_match() -> None:
    """Packages in the examples' node_modules (and NODE_PATH) match; others do not."""
    script = str(EXAMPLES / "paper-counter" / "server.js")
    names = ["express", "no-such-package-here", "raw-body,nor-this-one"]
    assert unmatched_includes(["node", script], names, {}) == [
        "no-such-package-here",
        "nor-this-one",
    ]


def test_node_path_is_searched(tmp_path: Path) -> None:
    """A package found only through NODE_PATH matches."""
    script = str(tmp_path / "server.js")
    env = {"NODE_PATH": str(EXAMPLES / "node_modules")}
    assert unmatched_includes(["node", script], ["express"], env) == []
    assert unmatched_includes(["node", script], ["express"], {}) == ["express"]


def test_trace_warns_and_still_traces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real trace with an unmatched --include prints one warning line and succeeds."""
    app = copy_app(EXAMPLES / "paper-counter", tmp_path)
    (app / "node_modules").symlink_to(EXAMPLES / "node_modules")
    output = tmp_path / "trace.json"
    argv = ["trace", "-q", "--include", "expres", "--request", "GET /", "-o", str(output)]
    assert main([*argv, "node", str(app / "server.js")]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "jitflux: warning: --include expres: no package 'expres' in node_modules next to the "
        "script or above it, nor in NODE_PATH: nothing will be instrumented for it"
    ]
    assert output.is_file()
