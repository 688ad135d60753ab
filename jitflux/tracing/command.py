"""The command to trace: `node [NODE OPTIONS] SCRIPT [ARGS]`, checked before anything starts."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jitflux.errors import NodeNotFound, UsageError

_NODE_NAME = re.compile(r"^(node|nodejs)(\d+(\.\d+)*)?(\.exe)?$")
# Node options whose value may come as the next argument (`-r mod`); others need `--opt=value`.
_OPTIONS_WITH_VALUE = frozenset(
    {
        "-r",
        "--require",
        "--import",
        "--loader",
        "--experimental-loader",
        "-C",
        "--conditions",
        "--title",
        "--input-type",
        "--env-file",
        "--disable-warning",
        "--redirect-warnings",
        "--icu-data-dir",
        "--openssl-config",
        "--diagnostic-dir",
        "--watch-path",
    }
)
# Node options that do not run a script, or that fight over the inspector.
_NO_SCRIPT_OPTIONS = frozenset(
    {
        "-e",
        "--eval",
        "-p",
        "--print",
        "-i",
        "--interactive",
        "-c",
        "--check",
        "-v",
        "--version",
        "-h",
        "--help",
        "--test",
        "--run",
        "-",
    }
)



@dataclass(frozen=True)
class NodeCommand:
    """`node [NODE OPTIONS] SCRIPT [ARGS]` as the user gave it."""

    node: str
    node_options: tuple[str, ...]
    script: str
    args: tuple[str, ...]

    @property
    def argv(self) -> list[str]:
        """The command as given."""
        return [self.node, *self.node_options, self.script, *self.args]


def parse_command(argv: Sequence[str]) -> NodeCommand:
    """Split a COMMAND into node, its options, the script and the script's arguments; a
    UsageError when it is not `node SCRIPT [ARGS]`."""
    usage = "COMMAND must be `node [NODE OPTIONS] SCRIPT [ARGS]`"
    if not argv:
        raise UsageError(f"no command to trace: {usage}")
    node = argv[0]
    if not _NODE_NAME.match(Path(node).name):
        raise UsageError(f"jitflux traces Node.js apps: {usage}, not {node!r}")
    options: list[str] = []
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        option = argv[i]
        name = option.split("=", 1)[0]
        if option == "--":
            i += 1
            break
        if name.startswith(("--inspect", "--debug")):
            raise UsageError(
                f"{option}: jitflux opens the inspector itself; leave the option out"
            )
        if name in _NO_SCRIPT_OPTIONS:
            raise UsageError(f"node {option} runs no script: {usage}")
        options.append(option)
        if option in _OPTIONS_WITH_VALUE:
            if i + 1 >= len(argv):
                raise UsageError(f"node option {option} needs a value")
            options.append(argv[i + 1])
            i += 1
        i += 1
    if i >= len(argv):
        raise UsageError(f"no script to trace: {usage}")
    return NodeCommand(node, tuple(options), argv[i], tuple(argv[i + 1 :]))


def find_node(name: str, env: Mapping[str, str]) -> str:
    """The node executable to run, looked up on the PATH of `env` unless given as a path."""
    if os.sep in name:
        if os.path.isfile(name) and os.access(name, os.X_OK):
            return name
        raise NodeNotFound(f"node not found: {name} is not an executable file")
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    if found is None:
        raise NodeNotFound(f"node not found: no {name!r} on the PATH")
    return found


def find_script(script: str) -> Path:
    """The file Node will run for `script` (it may leave out `.js`, or name a folder)."""
    path = Path(script)
    candidates = [path, *(Path(script + ext) for ext in (".js", ".cjs", ".mjs"))]
    candidates.append(path / "index.js")
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise UsageError(f"script not found: {script}")


def inspector_options(node_options: str) -> list[str]:
    """The inspector options in a NODE_OPTIONS value (they would fight jitflux's own)."""
    return [word for word in node_options.split() if word.startswith(("--inspect", "--debug"))]


def es_module(script: Path) -> bool:
    """True when Node runs `script` as an ES module: a `.mjs` file, or a `.js` file whose
    nearest package.json says `"type": "module"`."""
    if script.suffix == ".mjs":
        return True
    if script.suffix != ".js":
        return False
    for folder in script.parents:
        package = folder / "package.json"
        if package.is_file():
            try:
                data = json.loads(package.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return False
            return isinstance(data, dict) and data.get("type") == "module"
    return False


def app_root(script: Path) -> Path:
    """The folder the app's own files are under: the script's folder, or the package folder
    above it when the package declares the script as its entry point (`"bin": "bin/server"`,
    `"main"`, or the start script), as in packages that keep the executable in `bin/`."""
    for folder in script.parents:
        if folder.name == "node_modules":
            break
        try:
            manifest = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if folder != script.parent and _declares(manifest, script.relative_to(folder)):
            return folder
        break
    return script.parent


def _declares(manifest: Any, entry: Path) -> bool:
    """Whether a package.json names `entry` (relative to its folder) as bin, main or start."""
    if not isinstance(manifest, dict):
        return False
    named: list[str] = []
    for key in ("bin", "main"):
        value = manifest.get(key)
        if isinstance(value, str):
            named.append(value)
        elif isinstance(value, dict):
            named.extend(v for v in value.values() if isinstance(v, str))
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        named.extend(scripts["start"].split())
    wanted = {entry.as_posix(), entry.with_suffix("").as_posix()}
    return any(Path(name).as_posix().removeprefix("./") in wanted for name in named)
