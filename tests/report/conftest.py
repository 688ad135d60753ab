"""Fixtures of the report tests: real traces of the paper's examples and of a generated app."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from jitflux.trace import Trace, load
from jitflux.tracing.drive import read_requests
from jitflux.tracing.session import TraceOptions, trace_sync
from tests.conftest import EXAMPLES, copy_app, express_env
from tests.report.bigapp import write_app

# Routes of the generated app: five fluxions each, plus main: 501 fluxions.
BIG_ROUTES = 100


def trace_file(script: Path, requests: Path, output: Path) -> Path:
    """Trace `node script` for real with the requests of a file; every request must succeed."""
    result = trace_sync(
        TraceOptions(
            command=["node", str(script)],
            output=str(output),
            requests=read_requests(str(requests)),
            env={**express_env(5), "PORT": "0"},
            stdout=io.BytesIO(),
            stderr=io.BytesIO(),
            report=lambda _: None,
            notice=None,
            handle_signals=False,
        )
    )
    assert (result.status, result.error, result.requests.failed) == (0, None, 0)
    return output


@pytest.fixture(scope="session")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The trace file of an example ("paper-counter", "paper-gifsockets") or of the generated
    app ("big"), each traced once per session with its requests."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            folder = tmp_path_factory.mktemp(name)
            if name == "big":
                script, requests = write_app(folder / "big", BIG_ROUTES)
            else:
                app = copy_app(EXAMPLES / name, folder)
                script, requests = app / "server.js", app / "requests.txt"
            made[name] = trace_file(script, requests, folder / "trace.json")
        return made[name]

    return get


@pytest.fixture(scope="session")
def loaded(traced: Callable[[str], Path]) -> Callable[[str], Trace]:
    """The loaded trace of an example or of the generated app."""
    return lambda name: load(traced(name))
