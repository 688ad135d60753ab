"""Send each request given as arguments ('METHOD /path', in order) on a new connection that the
server is asked to close (no keep-alive). Exit 0 when every answer is below 500, else 1. Reads the
app's port from $PORT."""

from __future__ import annotations

import http.client
import os
import sys


def main(requests: list[str]) -> int:
    port = int(os.environ["PORT"])
    failed = 0
    for text in requests:
        method, path = text.split(" ", 1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(method, path, headers={"connection": "close"})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status >= 500:
            print(f"{text}: {response.status}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
