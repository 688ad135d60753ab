"""`--include` names that match no package the traced script can load."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from jitflux.tracing.command import parse_command


def unmatched_includes(
    command: list[str], include: Iterable[str], env: Mapping[str, str] = os.environ
) -> list[str]:
    """The names of `include` with no `node_modules/NAME/package.json` in the script's folder
    or a folder above it, nor in NODE_PATH (where Node would look)."""
    names = [name.strip() for item in include for name in item.split(",") if name.strip()]
    if not names:
        return []
    script = Path(parse_command(command).script).resolve()
    folders = [folder / "node_modules" for folder in script.parents]
    folders += [Path(p) for p in env.get("NODE_PATH", "").split(os.pathsep) if p]
    return [
        name
        for name in dict.fromkeys(names)
        if not any((folder / name / "package.json").is_file() for folder in folders)
    ]
