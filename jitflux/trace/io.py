"""Load and dump trace.json: JSON Schema checked on load, deterministic on dump."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from dataclasses import asdict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from jitflux.errors import InvalidTrace, OutputError, UsageError
from jitflux.trace.codec import location_from, samples_from
from jitflux.trace.model import (
    FORMAT,
    Effect,
    Function,
    Meta,
    RupturePoint,
    Timing,
    Trace,
)


@cache
def trace_schema() -> dict[str, Any]:
    """The JSON Schema of trace.json, as shipped in the package."""
    text = resources.files("jitflux.trace").joinpath("schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _fast_validator() -> Any:
    """The schema compiled to Python: 20 times faster than jsonschema on a big valid trace."""
    return fastjsonschema.compile(trace_schema())


def _check(data: dict[str, Any], name: str) -> None:
    """Raise an InvalidTrace naming the first place where `data` fails the schema."""
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException as fast_error:
        # Only a bad trace pays for jsonschema, whose messages name the place best.
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(trace_schema()).iter_errors(data)
        )
        if error is None:
            raise InvalidTrace(f"{name}: invalid trace: {fast_error.message}") from None
        where = _json_path(error.absolute_path)
        raise InvalidTrace(f"{name}: invalid trace at {where}: {error.message}") from None


def to_dict(trace: Trace) -> dict[str, Any]:
    """The JSON object of a trace, with keys in contract order."""
    return {
        "format": trace.format,
        "meta": trace.meta.to_dict(),
        "functions": [_function_dict(fn) for fn in trace.functions],
        "rupture_points": [_drop_none(asdict(rp), keep=("site",)) for rp in trace.rupture_points],
        "effects": [_drop_none(asdict(e), keep=("declared",)) for e in trace.effects],
        **({"timings": [asdict(t) for t in trace.timings]} if trace.timings else {}),
        "sources": trace.sources,
    }


def dumps(trace: Trace) -> str:
    """The text of trace.json."""
    return json.dumps(to_dict(trace), indent=1, ensure_ascii=False) + "\n"


def check_output(path: str | os.PathLike[str]) -> None:
    """Refuse, with one line (exit status 2), a place the trace cannot be written to: a
    directory, a socket, a missing folder, a folder or file that cannot be written. Checked
    before the app starts, so that a run is never lost for a typo."""
    where = f"cannot write the trace to {os.fspath(path)}"
    if not os.fspath(path):
        raise OutputError("cannot write the trace to '': no file named")
    try:
        info: os.stat_result | None = os.stat(path)  # through symlinks, like `dump`
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{where}: {exc.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{where}: it is a directory")
    if info is not None and stat.S_ISSOCK(info.st_mode):
        raise OutputError(f"{where}: it is a socket")
    if info is not None and not stat.S_ISREG(info.st_mode):
        # A device or a pipe is written through; opening a pipe now would wait for a reader.
        if not os.access(path, os.W_OK):
            raise OutputError(f"{where}: permission denied")
        return
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise OutputError(f"{where}: no such directory {folder}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        why = f"cannot create a file in {folder}: {exc.strerror}"
        raise OutputError(f"{where}: {why}") from None
    try:
        if info is not None:
            os.close(os.open(path, os.O_WRONLY))  # does not truncate: nothing changes yet
    except OSError as exc:
        raise OutputError(f"{where}: {exc.strerror}") from None


def dump(trace: Trace, path: str | os.PathLike[str]) -> None:
    """Write trace.json. A regular file is replaced atomically (a reader never sees half a file)
    and keeps its mode; a symlink is written through to its target; a device or a pipe
    (`/dev/stdout`, a FIFO) is written to, never replaced."""
    text = dumps(trace)
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if info is None:
            # mkstemp makes the file private; give it the mode an ordinary file would get.
            os.chmod(tmp, 0o666 & ~_umask())
        else:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path: str | os.PathLike[str]) -> Trace:
    """Read and check a trace.json; a UsageError (unreadable) or InvalidTrace names what is
    wrong and where."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a directory, not a trace file") from None
    except UnicodeDecodeError:
        raise InvalidTrace(f"{name}: not a text file (not UTF-8)") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror}") from None
    return loads(text, name)


def loads(text: str, name: str = "trace.json") -> Trace:
    """Parse and check the text of a trace.json."""
    if not text.strip():
        raise InvalidTrace(f"{name}: empty file, not a trace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        what = "truncated JSON" if exc.pos >= len(text.rstrip()) else "not valid JSON"
        raise InvalidTrace(
            f"{name}: {what} at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    return from_dict(data, name)


def from_dict(data: Any, name: str = "trace.json") -> Trace:
    """Check a decoded trace.json against the schema and build the model."""
    if not isinstance(data, dict):
        raise InvalidTrace(f"{name}: not a jitflux trace (a JSON object was expected)")
    fmt = data.get("format")
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("jitflux.trace/"):
            raise InvalidTrace(f"{name}: trace format {fmt!r} is not supported (expected {FORMAT})")
        raise InvalidTrace(f"{name}: not a jitflux trace (format is {fmt!r}, expected {FORMAT!r})")
    _check(data, name)
    return Trace(
        format=fmt,
        meta=Meta.from_dict(dict(data.get("meta") or {})),
        functions=[_function(f) for f in data["functions"]],
        rupture_points=[
            RupturePoint(
                type=r["type"],
                callee=r["callee"],
                caller=r["caller"],
                callback=r["callback"],
                count=r["count"],
                samples=samples_from(r.get("samples")),
                site=location_from(r.get("site")),
                registrar=r.get("registrar"),
            )
            for r in data["rupture_points"]
        ],
        effects=[
            Effect(
                function=e["function"],
                kind=e["kind"],
                target=e["target"],
                declared=location_from(e.get("declared")),
                count=e["count"],
                samples=samples_from(e.get("samples")),
                owner=e.get("owner"),
                callee=e.get("callee"),
                reason=e.get("reason"),
            )
            for e in data["effects"]
        ],
        sources=dict(data.get("sources") or {}),
        timings=[
            Timing(t["function"], t["count"], float(t["total_ms"]), float(t["max_ms"]))
            for t in data.get("timings") or []
        ],
    )


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _function(f: dict[str, Any]) -> Function:
    rng = f.get("range")
    return Function(
        id=f["id"],
        name=f["name"],
        file=f["file"],
        line=f["line"],
        column=f["column"],
        kind=f.get("kind", "function"),
        range=(rng[0], rng[1]) if rng else None,
        params=list(f.get("params") or []),
    )


def _function_dict(fn: Function) -> dict[str, Any]:
    out = asdict(fn)
    out["range"] = list(fn.range) if fn.range else None
    return out


def _drop_none(obj: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Leave out optional keys that are None, except the contract keys in `keep`."""
    return {k: v for k, v in obj.items() if v is not None or k in keep}
