"""Traffic for gifsockets-server (its README): open the never-ending GIF, draw a JSON frame into
it, then the home page, a 404 and a text frame (500: no PhantomJS here). Exit 0 when every answer
is the one the README gives; 1 otherwise. Reads the app's port from $PORT."""

from __future__ import annotations

import http.client
import os
import sys

FRAME = "[[0,0,0,255,255,255,255,255]]"


def request(port: int, method: str, path: str, body: str | None = None) -> int:
    """Send one request on a new connection and return the status (the body is read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"content-type": "application/json" if body == FRAME else "text/plain"}
    conn.request(method, path, body=body, headers=headers if body is not None else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def main() -> int:
    port = int(os.environ["PORT"])
    image = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    image.request("GET", "/image.gif")
    opened = image.getresponse()
    header = opened.read1(64)  # the GIF header, written when the image opens
    statuses = [opened.status, request(port, "POST", "/image/json", FRAME)]
    frame = opened.read1(65536)  # the frame drawn into the open image
    image.close()
    statuses += [
        request(port, "GET", "/"),
        request(port, "GET", "/nope"),
        request(port, "POST", "/image/text", "hello"),
    ]
    ok = statuses == [200, 204, 200, 404, 500] and header.startswith(b"GIF") and len(frame) > 0
    if not ok:
        print(f"unexpected answers: {statuses}, {header[:6]!r}, {len(frame)} frame bytes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
