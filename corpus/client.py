"""The corpus's HTTP client: send a requests file to 127.0.0.1:PORT and record every answer.

It sends what `jitflux trace --requests` sends (the same file format, the same bodies and
content types, one keep-alive connection), but keeps status, headers and body bytes so that
the untraced and traced answers can be compared. A background request (a response that stays
open, such as a never-ending GIF) is opened first on a connection of its own, read while the
others run, and recorded last. `python corpus/client.py REQUESTS OUT [--background LINE]...`
reads the port from $PORT: that is how it runs as jitflux's `--drive` command.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jitflux.tracing.drive import Request, parse_request, read_requests

TIMEOUT = 15.0
# How long a background response is read before it is recorded as it stands.
BACKGROUND_LIMIT = 20.0
# Headers whose value changes from run to run whatever the app does.
VOLATILE = frozenset(
    {"date", "etag", "last-modified", "connection", "keep-alive", "x-response-time", "age"}
)


@dataclass
class Answer:
    """What one request got: status, headers in order, body (base64), or why there was none."""

    request: str
    status: int | None = None
    headers: list[list[str]] = field(default_factory=list)
    body: str = ""
    error: str | None = None

    def body_bytes(self) -> bytes:
        """The body as bytes."""
        return base64.b64decode(self.body)

    def stable_headers(self) -> list[tuple[str, str]]:
        """The headers that do not change between runs, names in lower case, in order."""
        return [(k.lower(), v) for k, v in self.headers if k.lower() not in VOLATILE]


def content_type(body: str) -> str:
    """The type jitflux gives a request body: JSON for an object or array, text otherwise."""
    if body[:1] in "{[":
        try:
            json.loads(body)
            return "application/json"
        except ValueError:
            pass
    return "text/plain; charset=utf-8"


def _send(conn: http.client.HTTPConnection, request: Request) -> Answer:
    headers = {"User-Agent": "jitflux-corpus"}
    data = None
    if request.body is not None:
        data = request.body.encode("utf-8")
        headers["Content-Type"] = content_type(request.body)
    conn.request(request.method, request.path, body=data, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return Answer(
        str(request),
        response.status,
        [[k, v] for k, v in response.getheaders()],
        base64.b64encode(body).decode("ascii"),
    )


class Background(threading.Thread):
    """A request whose response stays open: sent on its own connection, read until the app
    ends it or BACKGROUND_LIMIT passes; `started` is set once its headers came (or it failed)."""

    def __init__(self, port: int, request: Request) -> None:
        super().__init__(daemon=True)
        self.port, self.request = port, request
        self.started = threading.Event()
        self.answer = Answer(f"{request} (background)")

    def run(self) -> None:
        """Send, wait for the headers, then read the body in pieces until it ends."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=BACKGROUND_LIMIT)
        body = b""
        try:
            conn.request(
                self.request.method, self.request.path, headers={"User-Agent": "jitflux-corpus"}
            )
            response = conn.getresponse()
            self.answer.status = response.status
            self.answer.headers = [[k, v] for k, v in response.getheaders()]
            self.started.set()
            while piece := response.read1(65536):
                body += piece
        except TimeoutError:
            self.answer.error = f"still open after {BACKGROUND_LIMIT:.0f} s"
        except (OSError, http.client.HTTPException) as exc:
            self.answer.error = str(exc) or type(exc).__name__
        finally:
            self.answer.body = base64.b64encode(body).decode("ascii")
            self.started.set()
            conn.close()


def send_all(
    port: int, requests: list[Request], background: tuple[Request, ...] = ()
) -> list[Answer]:
    """Open the background requests, send the requests in order on one keep-alive connection
    (a new one when the app closed it), and return the answers, background ones last; a
    request that gets none is recorded with the error."""
    opened = [Background(port, request) for request in background]
    for thread in opened:
        thread.start()
        thread.started.wait(TIMEOUT)
    answers = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    for request in requests:
        for attempt in (1, 2):
            try:
                answers.append(_send(conn, request))
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if attempt == 2:
                    answers.append(Answer(str(request), error=type(exc).__name__))
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                answers.append(Answer(str(request), error=str(exc) or type(exc).__name__))
                break
    conn.close()
    for thread in opened:
        thread.join(BACKGROUND_LIMIT + TIMEOUT)
        answers.append(thread.answer)
    return answers


def write_answers(path: Path, answers: list[Answer]) -> None:
    """Write answers as JSON."""
    path.write_text(json.dumps([asdict(a) for a in answers], indent=1) + "\n", encoding="utf-8")


def read_answers(path: Path) -> list[Answer]:
    """Read answers written by write_answers."""
    return [Answer(**a) for a in json.loads(path.read_text(encoding="utf-8"))]


def main(argv: list[str]) -> int:
    """`client.py REQUESTS OUT [--background LINE]...`, port in $PORT: 0 when every request
    got an answer."""
    parser = argparse.ArgumentParser(description="Send REQUESTS to 127.0.0.1:$PORT, write OUT.")
    parser.add_argument("requests", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--background", action="append", default=[], metavar="LINE")
    args = parser.parse_args(argv)
    if not os.environ.get("PORT", "").isdigit():
        parser.error("$PORT must hold the app's port")
    background = tuple(parse_request(line, "--background") for line in args.background)
    answers = send_all(int(os.environ["PORT"]), read_requests(args.requests), background)
    write_answers(args.out, answers)
    return 1 if any(a.error for a in answers) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
