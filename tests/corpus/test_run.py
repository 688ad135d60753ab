"""corpus/run.py on real apps: the same answers untraced and traced, and differences found."""

from __future__ import annotations

import json

from corpus.run import free_port, run_app, run_untraced, script_folder
from tests.corpus.conftest import CORPUS, JITFLUX


def _transparency(app: str) -> list[tuple[str, bool, str]]:
    outcome = run_app(CORPUS / app, JITFLUX, transparency_only=True, keep=None)
    return [(name, ok, detail) for kind, name, ok, detail in outcome.rows]


def test_plain_http_answers_the_same_traced() -> None:
    """A plain node:http app answers its requests byte for byte the same traced."""
    rows = _transparency("plain-http")
    names = ["traced", "traced stdout", "traced stderr"]
    assert [(name, ok) for name, ok, _ in rows] == [(name, True) for name in names], rows


def test_koa_router_answers_the_same_traced_and_included() -> None:
    """Koa, @koa/router and koa-bodyparser answer the same traced, with and without --include."""
    rows = _transparency("koa-router")
    assert [ok for _, ok, _ in rows] == [True] * 6, rows


def test_gifsockets_server_answers_the_same_traced_and_included() -> None:
    """The paper's gifsockets-server, GIF stream included, answers the same traced and included."""
    rows = _transparency("gifsockets-server")
    assert [ok for _, ok, _ in rows] == [True] * 6, rows


def test_background_request_reads_the_gif_stream_to_its_end(tmp_path) -> None:
    """The GIF stream opened in the background gets its header, a frame and its end."""
    app = CORPUS / "gifsockets-server"
    spec = json.loads((app / "app.json").read_text(encoding="utf-8"))
    run = run_untraced(app, spec, free_port(), tmp_path)
    assert run.answers is not None, run.note
    gif = run.answers[-1]
    assert (gif.request, gif.status, gif.error) == ("GET /image.gif (background)", 200, None)
    body = gif.body_bytes()
    assert body.startswith(b"GIF89a") and body.endswith(b";")  # ';' is a GIF's trailer


def test_esm_express_answers_the_same_and_gets_its_verdicts() -> None:
    """The Express 5 app written as ES modules (top-level await) answers the same traced and
    included, and every expectation of its expect.json holds on both traces."""
    outcome = run_app(CORPUS / "esm-express", JITFLUX, transparency_only=False, keep=None)
    rows = [(kind, name, ok) for kind, name, ok, _ in outcome.rows]
    assert [row for row in rows if not row[2]] == [], outcome.rows
    assert sum(kind == "verdict" for kind, _, _ in rows) == 7, rows


def test_fastify_scaffold_answers_the_same_traced() -> None:
    """The scaffolded, semicolon-free Fastify app starts and answers the same traced."""
    rows = _transparency("fastify-standard")
    assert [ok for _, ok, _ in rows] == [True] * 6, rows


def test_script_folder_is_where_the_traced_script_lives() -> None:
    """The traced script's folder is read from the start command, options skipped."""
    assert script_folder({"start": ["node", "server.js"]}) == ""
    assert script_folder({"start": ["node", "--no-warnings", "bin/app", "-p", "{port}"]}) == "bin"
