"""Shared fixtures: where the examples are, and copies of them wired to Express 4 or 5."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from jitflux.emit import render
from jitflux.errors import JitfluxError
from jitflux.trace import Trace, load
from jitflux.tracing import session as tracer
from tests.isolation import isolation_leaks

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NODE_SHIM = ROOT / "node_shim"
# node_modules folders holding each Express major version (installed by `make setup`).
EXPRESS_MODULES = {
    5: EXAMPLES / "node_modules",
    4: EXAMPLES / "express4" / "node_modules",
}


def express_env(version: int) -> dict[str, str]:
    """An environment whose `require('express')` finds Express `version` (for apps out of tree)."""
    env = dict(os.environ)
    env["NODE_PATH"] = str(EXPRESS_MODULES[version])
    return env


def copy_app(source: Path, tmp_path: Path) -> Path:
    """Copy an app folder into tmp_path (so it resolves modules through NODE_PATH only)."""
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("trace.json", "node_modules"))
    return target


@pytest.fixture(params=[4, 5], ids=["express4", "express5"])
def express_version(request: pytest.FixtureRequest) -> int:
    """Run the test once on Express 4 and once on Express 5."""
    return request.param


# Every trace the suite makes in this process, with the test that made it: the isolation check
# (tests/isolation.py) runs over all of them when the session ends.
TRACES: list[tuple[str, Trace]] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep every real trace made through the library (jitflux.tracing) during the session."""
    run = tracer._Session.run

    async def keep(self: tracer._Session) -> tracer.TraceResult:
        result = await run(self)
        TRACES.append((os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0], result.trace))
        return result

    tracer._Session.run = keep  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when a trace it made has a fluxion called isolated whose writes reach
    another fluxion outside the messages of the emitted program."""
    leaks = []
    for test, trace in TRACES + _written_traces(session):
        try:
            program = json.loads(render(trace, "json"))
        except JitfluxError:
            continue  # a trace the tests make invalid on purpose: emit refuses it
        leaks += [f"{test}: {leak}" for leak in isolation_leaks(trace, program)]
    checked = len(TRACES) + len(_written_traces(session))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and checked:
        reporter.write_sep("-", f"isolation check: {checked} traces, {len(leaks)} leaks")
        for leak in leaks:
            reporter.write_line(f"  {leak}")
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _written_traces(session: pytest.Session) -> list[tuple[str, Trace]]:
    """The traces written into the session's temporary folders by the `jitflux` command run
    as a child process (trace files, the corpus's runs), each loaded once."""
    cached = getattr(session, "_jitflux_written", None)
    if cached is not None:
        return cached
    found: list[tuple[str, Trace]] = []
    factory = getattr(session.config, "_tmp_path_factory", None)
    base = factory.getbasetemp() if factory is not None else None
    for path in sorted(base.rglob("*.json")) if base is not None else []:
        try:
            with path.open("rb") as file:
                if b'"jitflux.trace/' not in file.read(200):
                    continue
            found.append((str(path.relative_to(base)), load(path)))
        except (JitfluxError, OSError, ValueError):
            continue  # a file the tests made unreadable or invalid on purpose
    session._jitflux_written = found  # type: ignore[attr-defined]
    return found
