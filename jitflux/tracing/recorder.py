"""Turn what the shim records into a `Trace`: fetch its batches, locate external functions, merge.

`TraceBuilder` merges batches (no I/O): counts add up, at most `MAX_SAMPLES` samples are kept, a
rupture point seen once as `start` stays `start`. `Recorder` fetches the batches from the running
app through the inspector and finds where external functions live.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jitflux.cdp import (
    Connection,
    ConnectionClosed,
    EvaluationError,
    FunctionLocation,
    ProtocolError,
    ScriptParsed,
)
from jitflux.trace import (
    MAX_SAMPLES,
    Effect,
    Function,
    Location,
    RupturePoint,
    Sample,
    Trace,
    location_from,
    samples_from,
)

DRAIN = "globalThis.__jitflux ? globalThis.__jitflux.drain() : null"
# Objects fetched to locate external functions are held under this group until released.
OBJECT_GROUP = "jitflux-external"
# Where express was loaded from, if it was: its folder, read from the CommonJS module cache.
EXPRESS_DIR = """(() => {
  const main = process.mainModule;
  if (!main) return null;
  for (const file of Object.keys(main.constructor._cache)) {
    const m = /^(.*[\\\\/]node_modules[\\\\/]express)[\\\\/]index\\.js$/.exec(file);
    if (m) return m[1];
  }
  return null;
})()"""

_ID = re.compile(r"^(\D*)(\d+)$")


def id_key(function_id: str) -> tuple[str, int, str]:
    """Sort key of a function id: `f2` before `f10`."""
    match = _ID.match(function_id)
    if match:
        return (match.group(1), int(match.group(2)), "")
    return (function_id, -1, function_id)


def _location_key(location: Location | None) -> tuple[str, int, int]:
    return (location.file, location.line, location.column) if location else ("", 0, 0)


class TraceBuilder:
    """Merges the shim's batches into the parts of a trace."""

    def __init__(self) -> None:
        self.functions: dict[str, Function] = {}
        self.rupture_points: dict[tuple[str, str, str], RupturePoint] = {}
        self.effects: dict[tuple[Any, ...], Effect] = {}
        self.sources: dict[str, str] = {}
        self.warnings: list[str] = []
        self.partless = 0  # rupture points and effects recorded outside any part
        self.requests = 0

    def add_batch(self, batch: Mapping[str, Any]) -> list[tuple[str, int]]:
        """Merge one batch; returns the external functions it introduced, as (id, slot)."""
        externals: list[tuple[str, int]] = []
        for key, add in (
            ("functions", self._add_function),
            ("external", lambda entry: self._add_external(entry, externals)),
            ("rupture_points", self._add_rupture_point),
            ("effects", self._add_effect),
        ):
            for entry in batch.get(key) or []:
                if not isinstance(entry, Mapping):
                    continue
                try:
                    add(entry)
                except (KeyError, TypeError, ValueError) as exc:
                    self.warnings.append(f"ignored a malformed {key} entry from the shim: {exc!r}")
        self.sources.update({str(k): str(v) for k, v in (batch.get("sources") or {}).items()})
        if isinstance(batch.get("requests"), int):
            self.requests += batch["requests"]
        self.warnings.extend(str(w) for w in batch.get("warnings") or [])
        return externals

    def add_process(self, dump: Mapping[str, Any], prefix: str) -> None:
        """Merge the whole record of another process (a traced child's dump), its function and
        request ids prefixed with `prefix` so that they stay apart from this process's."""
        ids = set()
        for key in ("functions", "external"):
            for entry in dump.get(key) or []:
                if isinstance(entry, Mapping) and "id" in entry:
                    ids.add(str(entry["id"]))

        def rename(value: Any) -> Any:
            return f"{prefix}{value}" if isinstance(value, str) and value in ids else value

        def samples(entry: Mapping[str, Any]) -> list[Any]:
            return [
                {**s, "request": f"{prefix}{s['request']}" if s.get("request") else None}
                for s in entry.get("samples") or []
                if isinstance(s, Mapping)
            ]

        def renamed(entry: Any, keys: tuple[str, ...]) -> Any:
            if not isinstance(entry, Mapping):
                return entry
            out = {**entry, **{k: rename(entry[k]) for k in keys if k in entry}}
            if "samples" in entry:
                out["samples"] = samples(entry)
            return out

        batch = {
            **dump,
            "functions": [renamed(e, ("id",)) for e in dump.get("functions") or []],
            # No inspector in a child: its external functions cannot be located.
            "external": [renamed(e, ("id",)) for e in dump.get("external") or []],
            "rupture_points": [
                renamed(e, ("caller", "callback", "registrar"))
                for e in dump.get("rupture_points") or []
            ],
            "effects": [
                renamed(e, ("function", "owner", "callee")) for e in dump.get("effects") or []
            ],
        }
        self.add_batch(batch)

    def _add_external(self, entry: Mapping[str, Any], externals: list[tuple[str, int]]) -> None:
        fid = str(entry["id"])
        if fid not in self.functions:
            # Where it lives is unknown until `locate` says so.
            name = str(entry.get("name") or "")
            self.functions[fid] = Function(fid, name, file="", line=1, column=0, kind="external")
        if isinstance(entry.get("slot"), int):
            externals.append((fid, entry["slot"]))

    def locate(self, function_id: str, location: Location) -> None:
        """Set where an external function starts."""
        fn = self.functions[function_id]
        fn.file, fn.line, fn.column = location.file, location.line, location.column

    def build(self, meta: Mapping[str, Any]) -> Trace:
        """The trace, every list in a deterministic order. Rupture points and effects that the
        shim recorded with no function (code that runs in no part: the top level of a module
        the shim could not instrument) are left out and counted in a warning: the trace stays
        valid."""
        meta = dict(meta)
        if self.partless:
            meta["warnings"] = [
                *(meta.get("warnings") or []),
                f"{self.partless} rupture points or effects of code that was not instrumented "
                "(such as the top level of a module the shim could not parse) were left out",
            ]
        return Trace(
            meta=meta,
            functions=sorted(self.functions.values(), key=lambda f: id_key(f.id)),
            rupture_points=sorted(
                self.rupture_points.values(),
                key=lambda r: (id_key(r.caller), id_key(r.callback), r.callee, r.type),
            ),
            effects=sorted(
                self.effects.values(),
                key=lambda e: (
                    id_key(e.function),
                    e.kind,
                    e.target,
                    _location_key(e.declared),
                    e.callee or "",
                ),
            ),
            sources=dict(sorted(self.sources.items())),
        )

    def _add_function(self, entry: Mapping[str, Any]) -> None:
        rng = entry.get("range")
        fn = Function(
            id=str(entry["id"]),
            name=str(entry.get("name") or ""),
            file=str(entry.get("file") or ""),
            line=max(1, int(entry.get("line") or 1)),
            column=max(0, int(entry.get("column") or 0)),
            kind=str(entry.get("kind") or "function"),
            range=(int(rng[0]), int(rng[1])) if isinstance(rng, list) and len(rng) == 2 else None,
            params=[str(p) for p in entry.get("params") or []],
        )
        self.functions[fn.id] = fn

    def _add_rupture_point(self, entry: Mapping[str, Any]) -> None:
        if entry.get("caller") is None or entry.get("callback") is None:
            self.partless += 1
            return
        # Keyed without the type: a point first seen as `post` may turn out to be a `start`.
        key = (
            str(entry.get("callee", "")),
            str(entry.get("caller", "")),
            str(entry.get("callback", "")),
        )
        kind = "start" if entry.get("type") == "start" else "post"
        count = int(entry.get("count") or 0)  # first: a bad entry must change nothing
        point = self.rupture_points.get(key)
        if point is None:
            point = self.rupture_points[key] = RupturePoint(
                type=kind,
                callee=key[0],
                caller=key[1],
                callback=key[2],
                count=0,
                site=location_from(entry.get("site")),
            )
        elif kind == "start":
            point.type = "start"
        point.count += count
        point.site = point.site or location_from(entry.get("site"))
        registrar = entry.get("registrar")
        if point.registrar is None and isinstance(registrar, str):
            point.registrar = registrar
        _keep_samples(point.samples, samples_from(entry.get("samples")))

    def _add_effect(self, entry: Mapping[str, Any]) -> None:
        if entry.get("function") is None:
            self.partless += 1
            return
        declared = location_from(entry.get("declared"))
        callee = entry.get("callee")
        count = int(entry.get("count") or 0)  # first: a bad entry must change nothing
        key = (
            str(entry.get("function", "")),
            str(entry.get("kind", "unknown")),
            str(entry.get("target", "")),
            _location_key(declared),
            callee,
        )
        effect = self.effects.get(key)
        if effect is None:
            effect = self.effects[key] = Effect(
                function=key[0],
                kind=key[1],  # type: ignore[arg-type]
                target=key[2],
                declared=declared,
                count=0,
                callee=callee,
                owner=entry.get("owner"),
                reason=entry.get("reason"),
            )
        effect.count += count
        effect.owner = effect.owner or entry.get("owner")
        effect.reason = effect.reason or entry.get("reason")
        _keep_samples(effect.samples, samples_from(entry.get("samples")))


def _keep_samples(kept: list[Sample], new: Iterable[Sample]) -> None:
    for sample in new:
        if len(kept) >= MAX_SAMPLES:
            return
        kept.append(sample)


def script_file(url: str, root: Path) -> str:
    """The `file` of a script url: relative to `root` with `/` for a file, the url otherwise
    (`node:events`), "" when there is none."""
    if url.startswith("file://"):
        path = unquote(urlparse(url).path)
    elif url.startswith("/"):
        path = url
    else:
        return url
    return Path(os.path.relpath(path, root)).as_posix()


class Recorder:
    """Fetches the shim's batches from a running app and merges them into a `TraceBuilder`."""

    def __init__(self, connection: Connection, root: Path) -> None:
        self.connection = connection
        self.root = root
        self.builder = TraceBuilder()
        self.exit_code: int | None = None
        self.exited = asyncio.Event()  # the shim's `exit` notification arrived
        self._scripts: dict[str, str] = {}
        self._lock = asyncio.Lock()
        connection.on(ScriptParsed, self._on_script)

    def on_exit(self, message: Mapping[str, Any]) -> None:
        """Take the shim's `exit` notification: its last batch and the app's exit code. The
        app's context is going away: its external functions cannot be located any more."""
        batch = message.get("batch")
        if isinstance(batch, Mapping):
            self.builder.add_batch(batch)
        if isinstance(message.get("code"), int):
            self.exit_code = message["code"]
        self.exited.set()

    async def drain(self) -> bool:
        """Fetch and merge one batch; False when the app cannot be reached any more."""
        async with self._lock:
            if self.exited.is_set() or self.connection.closed:
                return False
            try:
                text = await self.connection.evaluate(DRAIN)
            except (ConnectionClosed, ProtocolError, EvaluationError):
                return False
            if not isinstance(text, str):
                return True  # the shim has not started yet
            try:
                batch = json.loads(text)
            except ValueError as exc:
                self.builder.warnings.append(f"a batch from the shim is not JSON: {exc}")
                return True
            externals = self.builder.add_batch(batch) if isinstance(batch, Mapping) else []
            if externals:
                await self._locate(externals)
            return True

    async def run(self, interval: float) -> None:
        """Drain every `interval` seconds until the app is gone or the task is cancelled.

        A drain under way when the task is cancelled still finishes: its batch is already out of
        the app, and its external functions can only be located now. A later `drain` waits for
        it (the lock).
        """
        while await asyncio.shield(self.drain()):
            await asyncio.sleep(interval)

    async def express_version(self) -> str | None:
        """The version of the express the app loaded, if it loaded one."""
        try:
            folder = await self.connection.evaluate(EXPRESS_DIR)
        except (ConnectionClosed, ProtocolError, EvaluationError):
            return None
        if not isinstance(folder, str):
            return None
        try:
            package = json.loads((Path(folder) / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        version = package.get("version") if isinstance(package, dict) else None
        return version if isinstance(version, str) else None

    async def _locate(self, externals: list[tuple[str, int]]) -> None:
        conn = self.connection
        found: dict[str, FunctionLocation] = {}
        try:
            for fid, slot in externals:
                try:
                    object_id = await conn.evaluate_object(
                        f"globalThis.__jitflux.external({slot})", OBJECT_GROUP
                    )
                    location = await conn.function_location(object_id) if object_id else None
                except (ProtocolError, EvaluationError):
                    location = None  # bound and native functions have no location
                if location is not None:
                    found[fid] = location
            if any(loc.script_id not in self._scripts for loc in found.values()):
                # The Debugger domain reports every script before `enable` returns. It is
                # turned off again: on, it would pause the app at each `debugger` statement
                # and send an event for each script loaded from then on.
                await conn.debugger_enable()
                await conn.debugger_disable()
            with contextlib.suppress(ProtocolError):
                await conn.release_object_group(OBJECT_GROUP)
        except ConnectionClosed:
            pass
        for fid, loc in found.items():
            url = self._scripts.get(loc.script_id)
            if url:
                file = script_file(url, self.root)
                self.builder.locate(fid, Location(file, loc.line_number + 1, loc.column_number))

    def _on_script(self, event: ScriptParsed) -> None:
        if event.url:
            self._scripts[event.script_id] = event.url
