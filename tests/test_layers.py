"""The layout: every package of jitflux imports only packages of the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

# From the bottom up; a package may import the packages of the layers below its own.
LAYERS = [
    {"errors", "version"},
    {"cdp", "trace"},
    {"analysis", "static", "tracing", "schemas"},
    {"words"},
    {"emit"},
    {"run"},  # `jitflux run` and `verify`; explain reads the outcome verify recorded
    {"explain", "compare"},
    {"report"},
    {"api"},
    {"cli"},
    {"__init__", "__main__"},
]


def _imports(tree: ast.Module) -> set[str]:
    """The jitflux packages a module imports, leaving out imports made for type checking."""
    found: set[str] = set()
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "jitflux":
                names = [f"jitflux.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found.update(n.split(".")[1] for n in names if n.startswith("jitflux.") and "." in n)
    return found


def test_no_package_imports_upward() -> None:
    """No module imports a package of its own layer or above (its own package aside)."""
    layer_of = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    upward = []
    for path in sorted((ROOT / "jitflux").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        parts = path.relative_to(ROOT / "jitflux").with_suffix("").parts
        package = parts[0]
        assert package in layer_of, f"{package} is in no layer"
        for imported in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if imported != package and layer_of[imported] >= layer_of[package]:
                upward.append(f"{Path(*parts)} -> {imported}")
    assert upward == []
