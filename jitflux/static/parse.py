"""Read and parse the app with esprima: the script, then the app's own files it `require`s.

Files are parsed the way the paper's compiler did, with `esprima.parseScript` (esprima 4.0.1,
ES2017). A file esprima cannot parse (optional chaining, `??`, class fields, ...) is reported in
one line naming the file, line, column (0-based, as everywhere in jitflux) and, when the text at
that place tells, the construct; it is skipped and the others are still analysed. A hashbang
line is blanked before parsing (Node strips it too), keeping every offset.

Only files under the script's folder and outside `node_modules` are analysed, as the tracer
instruments only those; they are loaded depth first in the order of their `require` calls, which
is the order Node first runs them in for the usual top-level requires.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import esprima

from jitflux.errors import JitfluxError, UsageError
from jitflux.static.syntax import Node, string_literal, walk

PARSE_OPTIONS = {"loc": True, "range": True, "tolerant": False}

# `require('./x')` in a file esprima could not parse: found in the text instead.
_REQUIRE_TEXT = re.compile(r"""\brequire\s*\(\s*(['"])(\.\.?(?:/[^'"]*)?)\1\s*\)""")

# File names Node tries for `require('./x')`, in its order; only JavaScript is analysed.
_SUFFIXES = ("", ".js", ".cjs", ".json", ".node")
_CODE_SUFFIXES = (".js", ".cjs")


@dataclass(eq=False)
class Unit:
    """One file of the app: its name relative to the script's folder, text and syntax tree.

    `ast` is None when esprima could not parse the file. `required_at` is the unit and the
    `require(...)` call that first loaded it (None for the main script).
    """

    file: str
    path: Path
    source: str = field(repr=False)
    ast: Node | None = field(repr=False)
    required_at: tuple[Unit, Node | None] | None = field(default=None, repr=False)
    requires: list[tuple[Node | None, Unit]] = field(default_factory=list, repr=False)


def load_units(script: Path) -> tuple[list[Unit], list[str]]:
    """The units of the app whose main script is `script` (first), and one-line warnings."""
    if not script.exists():
        raise UsageError(f"{script}: no such file")
    if script.is_dir():
        raise UsageError(f"{script}: is a directory, not a script")
    root = script.resolve().parent
    units: list[Unit] = []
    problems: list[str] = []
    seen: dict[Path, Unit] = {}

    def load(path: Path, required_at: tuple[Unit, Node | None] | None) -> Unit | None:
        file = path.relative_to(root).as_posix()
        try:
            source = _read(path, file if required_at else str(script))
        except JitfluxError as exc:
            if required_at is None:
                raise
            problems.append(f"{exc.message}; not analysed")
            return None
        ast, problem = parse(file, source)
        if problem:
            problems.append(problem)
        unit = Unit(file=file, path=path, source=source, ast=ast, required_at=required_at)
        units.append(unit)
        seen[path] = unit
        for call, spec, (line, column) in _relative_requires(unit):
            target = _resolve(path.parent, spec)
            if target is None:
                where = f"{file}:{line}:{column}"
                problems.append(f"{where}: cannot find module '{spec}'; not analysed")
                continue
            if not _is_app_file(target, root):
                continue
            loaded = seen.get(target) or load(target, (unit, call))
            if loaded is not None:
                unit.requires.append((call, loaded))
        return unit

    load(script.resolve(), None)
    return units, problems


def parse(file: str, source: str) -> tuple[Node | None, str | None]:
    """The syntax tree of a file, or None and the one-line message saying why esprima failed."""
    try:
        with warnings.catch_warnings():
            # esprima compiles regular expressions of the app with Python's `re`, which warns
            # about syntax that means something else in JavaScript; that is no news for users.
            warnings.simplefilter("ignore")
            return esprima.parseScript(_blank_hashbang(source), PARSE_OPTIONS), None
    except esprima.Error as exc:
        return None, describe_parse_error(file, source, exc)
    except RecursionError:
        return None, f"{file}:1:0: too deeply nested for esprima; file skipped"


def describe_parse_error(file: str, source: str, exc: esprima.Error) -> str:
    """`server.js:3:14: esprima cannot parse optional chaining (?.); file skipped`."""
    index = min(max(exc.index or 0, 0), len(source))
    description = str(exc.message or exc)
    description = re.sub(r"^Line \d+: ", "", description)
    construct, start = _construct_at(source, index, description)
    what = construct if construct else f"this file ({description})"
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1)
    return f"{file}:{line}:{column}: esprima cannot parse {what}; file skipped"


def _construct_at(source: str, index: int, description: str) -> tuple[str | None, int]:
    """The recent syntax at `index` that esprima choked on, and where it starts."""
    before = source[:index]
    at = source[index:]
    if index == 0 and at.startswith("#!"):
        return "a hashbang line (#!)", 0
    if at.startswith("?.") and not at[2:3].isdigit():
        return "optional chaining (?.)", index
    if before.endswith("?") and at.startswith(".") and not at[1:2].isdigit():
        return "optional chaining (?.)", index - 1
    if at.startswith("??") or (before.endswith("?") and at.startswith("?")):
        start = index if at.startswith("??") else index - 1
        if source.startswith("??=", start):
            return "logical assignment (??=)", start
        return "nullish coalescing (??)", start
    logical = re.search(r"(\|\||&&)$", before)
    if logical and at.startswith("="):
        return f"logical assignment ({logical.group(1)}=)", logical.start()
    if at.startswith(("||=", "&&=")):
        return f"logical assignment ({at[:3]})", index
    if at.startswith("#"):
        name = re.match(r"#[\w$]*", at)
        return f"a private class member ({name.group() if name else '#'})", index
    token_start = index - len(re.search(r"[\w$.]*$", before).group())
    token = source[token_start:index] + re.match(r"[\w$.]*", at).group()
    if re.fullmatch(r"(0[xXoObB])?[\da-fA-F_]+n", token):
        return f"a BigInt literal ({token})", token_start
    if token[:1].isdigit() and "_" in token:
        return f"a numeric separator ({token})", token_start
    if at.startswith("await") and re.search(r"\bfor\s*$", before):
        return "for await...of", re.search(r"\bfor\s*$", before).start()
    if at.startswith("{") and re.search(r"\bstatic\s*$", before):
        return "a class static block (static {)", re.search(r"\bstatic\s*$", before).start()
    if at.startswith("{") and re.search(r"\bcatch\s*$", before):
        return "optional catch binding (catch {)", re.search(r"\bcatch\s*$", before).start()
    if re.search(r"\bawait\s*$", before):
        return "await outside an async function", re.search(r"\bawait\s*$", before).start()
    field_name = re.search(r"(?:^|[{;}\n])\s*((?:static\s+)?[A-Za-z_$][\w$]*)\s*$", before)
    if at.startswith(("=", ";")) and field_name and re.search(r"\bclass\b", before):
        return f"a class field ({field_name.group(1)})", field_name.start(1)
    if "Invalid regular expression" in description:
        return "this regular expression (named group, lookbehind or a newer flag)", index
    return None, index


def _read(path: Path, name: str) -> str:
    """The text of a file; `name` is how messages call it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{name}: not a text file (not UTF-8)") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror}") from None
    # Node drops a byte order mark before compiling; offsets count from after it.
    return text[1:] if text.startswith("\ufeff") else text


def _blank_hashbang(source: str) -> str:
    """The source with a leading `#!` line turned into spaces (same length, same offsets)."""
    if not source.startswith("#!"):
        return source
    end = source.find("\n")
    end = len(source) if end < 0 else end
    return " " * end + source[end:]


def _relative_requires(unit: Unit) -> list[tuple[Node | None, str, tuple[int, int]]]:
    """Each `require('./x')` of a unit: the call (None when found in the text), the path
    and where it is (line, column)."""
    out: list[tuple[Node | None, str, tuple[int, int]]] = []
    if unit.ast is None:
        for match in _REQUIRE_TEXT.finditer(unit.source):
            line = unit.source.count("\n", 0, match.start()) + 1
            column = match.start() - (unit.source.rfind("\n", 0, match.start()) + 1)
            out.append((None, match.group(2), (line, column)))
        return out
    for node in walk(unit.ast):
        if (
            node.type == "CallExpression"
            and node.callee.type == "Identifier"
            and node.callee.name == "require"
            and len(node.arguments) == 1
        ):
            spec = string_literal(node.arguments[0])
            if spec is not None and _is_relative(spec):
                start = node.loc.start
                out.append((node, spec, (start.line, start.column)))
    return out


def _is_relative(spec: str) -> bool:
    return spec in (".", "..") or spec.startswith(("./", "../"))


def _resolve(folder: Path, spec: str) -> Path | None:
    """The file Node loads for `require(spec)` from `folder` (None when there is none)."""
    base = (folder / spec).resolve()
    for suffix in _SUFFIXES:
        candidate = base.with_name(base.name + suffix) if suffix else base
        if candidate.is_file():
            return candidate
    if base.is_dir():
        main = _package_main(base)
        candidates = [main] if main else []
        candidates += [base / f"index{suffix}" for suffix in _SUFFIXES[1:]]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    return None


def _package_main(folder: Path) -> Path | None:
    try:
        data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    main = data.get("main") if isinstance(data, dict) else None
    if not isinstance(main, str):
        return None
    target = (folder / main).resolve()
    if target.is_file():
        return target
    for suffix in _SUFFIXES[1:]:
        if target.with_name(target.name + suffix).is_file():
            return target.with_name(target.name + suffix)
    return None


def _is_app_file(path: Path, root: Path) -> bool:
    """Whether a file is the app's own JavaScript: under the script's folder, no node_modules."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return False
    # Node runs a file with no extension as JavaScript too.
    return "node_modules" not in relative.parts and path.suffix in ("", *_CODE_SUFFIXES)
