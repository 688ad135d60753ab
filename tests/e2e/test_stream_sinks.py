"""Network use through streams (tests/apps/streams-pipe), traced for real on Express 4 and 5:
`fs.createReadStream(f).pipe(res)` and `stream.pipeline(src, res, cb)` hand the response to a
stream that writes to the socket later, so the handler uses the network and main hands it res."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.apps import by_name, streams, trace_app, variables

APP = Path(__file__).resolve().parent.parent / "apps" / "streams-pipe"


def test_piping_into_the_response_uses_the_network(tmp_path: Path, express_version: int) -> None:
    """Both handlers are in the network group, not isolated, and main >> each carries res."""
    run = trace_app(APP, ["GET /pipe", "GET /pipeline"], express_version, tmp_path)
    program = run.emit()
    fluxions = by_name(program)
    assert streams(fluxions["main"]) == [
        ("start", ["piped"], ["res"]),
        ("start", ["pipelined"], ["res"]),
    ]
    for name in ("piped", "pipelined"):
        assert "network" in fluxions[name]["tags"], name
        assert fluxions[name]["isolated"] is False, name
    assert ("res", "stream", ["main", "piped"]) in variables(program)
    assert ("res", "stream", ["main", "pipelined"]) in variables(program)
