"""The list of common asynchronous callees: a call matching one is a rupture point (section 3.1.2).

A callee is matched by the name the app calls it (`fs.readFile`, `app.get`, `getRawBody`) or by
its canonical name (`readFile` destructured from `require('fs')` is `fs.readFile`; an object made
by `express()` is `app` whatever it is called, one made by `express.Router()` is `router`, and
`app.route(path)` is `route`). Patterns use `*` for any text: `fs.*`, `*.on`.

Express: route registration (`get post put delete patch all use options head`) is matched on
`app`, `router`, `route` and `X.route(path)`. That covers objects made by Express under any
name and, by the name as written, the usual `app` and `router` parameters of route modules
(`module.exports = function (app) { app.get(...) }`), whose origin the compiler cannot see.

Each entry says the rupture type (listeners are `start`: they are called again and again;
one-shot continuations are `post`), which arguments can be the callback (`first`, `last` or
`all`) and whether its listener receives an HTTP request and response (`network`: method calls
on those are network use). The first matching entry wins; entries from `--callees FILE` come
before these.

`--callees FILE` is a JSON list; each item is a pattern (a `post` callee whose callback is the
last argument) or an object:

    [
      "db.query",
      "cache.*",
      {"callee": "bus.subscribe", "type": "start"},
      {"callee": "retry", "type": "post", "callback": "first"},
      {"callee": "server.handle", "type": "start", "network": true}
    ]

To add a callee for every app, add an entry to `DEFAULT_CALLEES` below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jitflux.errors import UsageError
from jitflux.trace.model import RuptureType

CALLBACK_POSITIONS = ("first", "last", "all")
EXPRESS_METHODS = ("get", "post", "put", "delete", "patch", "all", "use", "options", "head")


@dataclass(frozen=True)
class Callee:
    """One entry of the list: a name pattern, the rupture type, where the callback is."""

    pattern: str
    type: RuptureType
    callback: str = "last"
    network: bool = False

    def matches(self, name: str) -> bool:
        """Whether a callee name matches the pattern."""
        return _compiled(self.pattern).fullmatch(name) is not None


def _express() -> list[Callee]:
    # `route` is what `app.route(path)` returns; `*.route(*)` the same on an unknown receiver.
    return [
        Callee(f"{owner}.{method}", "start", "all", network=True)
        for owner in ("app", "router", "route", "*.route(*)")
        for method in EXPRESS_METHODS
    ]


def _each(type_: RuptureType, callback: str, *patterns: str) -> list[Callee]:
    return [Callee(p, type_, callback) for p in patterns]


DEFAULT_CALLEES: tuple[Callee, ...] = (
    *_express(),
    # http, https, net, tls, http2: servers take a listener, clients a one-shot callback.
    Callee("http.createServer", "start", network=True),
    Callee("https.createServer", "start", network=True),
    Callee("http2.createServer", "start", network=True),
    Callee("http2.createSecureServer", "start", network=True),
    *_each("start", "last", "net.createServer", "tls.createServer"),
    *_each("post", "last", "http.get", "http.request", "https.get", "https.request"),
    *_each("post", "last", "net.connect", "net.createConnection", "tls.connect"),
    *_each("post", "last", "*.listen"),
    # Timers.
    Callee("setInterval", "start", "first"),
    *_each("post", "first", "setTimeout", "setImmediate", "process.nextTick", "queueMicrotask"),
    # The file system: watchers are listeners, the rest one-shot.
    *_each("start", "last", "fs.watch", "fs.watchFile"),
    *_each("post", "last", "fs.*"),
    # crypto, child_process, dns, zlib.
    *_each(
        "post",
        "last",
        "crypto.randomBytes",
        "crypto.randomFill",
        "crypto.randomInt",
        "crypto.pbkdf2",
        "crypto.scrypt",
        "crypto.hkdf",
        "crypto.generateKeyPair",
        "crypto.generatePrime",
    ),
    *_each("post", "last", "child_process.*", "dns.*", "zlib.*"),
    # Promises.
    *_each("post", "all", "*.then", "*.catch", "*.finally"),
    # Event emitters: listeners are start points, `once` is a one-shot.
    *_each("start", "last", "*.on", "*.addListener", "*.prependListener"),
    *_each("post", "last", "*.once", "*.prependOnceListener"),
    # Common packages: raw-body is listing 3's getRawBody.
    Callee("raw-body", "post"),
)


def find_callee(names: Iterable[str | None], callees: Sequence[Callee]) -> Callee | None:
    """The first entry matching any of the names a callee goes by, or None."""
    candidates = [n for n in names if n]
    for callee in callees:
        if any(callee.matches(name) for name in candidates):
            return callee
    return None


def load_callees(path: str | Path) -> list[Callee]:
    """Read a `--callees` file (see the module docstring); bad content is an exit-2 error."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{name}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, list):
        raise UsageError(f"{name}: expected a JSON list of callee names or patterns")
    return [_entry(item, f"{name}: item {index}") for index, item in enumerate(data)]


def _entry(item: Any, where: str) -> Callee:
    if isinstance(item, str) and item.strip():
        return Callee(item.strip(), "post")
    if not isinstance(item, dict):
        raise UsageError(f"{where}: expected a callee name or an object with \"callee\"")
    unknown = set(item) - {"callee", "type", "callback", "network"}
    if unknown:
        raise UsageError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    pattern = item.get("callee")
    if not isinstance(pattern, str) or not pattern.strip():
        raise UsageError(f"{where}: \"callee\" must be a non-empty string")
    type_ = item.get("type", "post")
    if type_ not in ("start", "post"):
        raise UsageError(f"{where}: \"type\" must be \"start\" or \"post\", not {type_!r}")
    callback = item.get("callback", "last")
    if callback not in CALLBACK_POSITIONS:
        allowed = ", ".join(CALLBACK_POSITIONS)
        raise UsageError(f"{where}: \"callback\" must be one of {allowed}, not {callback!r}")
    network = item.get("network", False)
    if not isinstance(network, bool):
        raise UsageError(f"{where}: \"network\" must be true or false")
    return Callee(pattern.strip(), type_, callback, network)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
