"""The JSON Schema of each output format, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# Output format -> schema file in this package.
FILES = {
    "jitflux.fluxions/1": "fluxions.schema.json",
    "jitflux.explain/1": "explain.schema.json",
    "jitflux.compare/1": "compare.schema.json",
}


@cache
def schema(fmt: str) -> dict[str, Any]:
    """The JSON Schema of output format `fmt` (KeyError for an unknown format)."""
    text = resources.files(__name__).joinpath(FILES[fmt]).read_text(encoding="utf-8")
    return json.loads(text)


def validate(document: Any) -> None:
    """Check an output document against the schema of its `format`: a jsonschema
    ValidationError names the first problem."""
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (name, Resource.from_contents(schema(fmt))) for fmt, name in FILES.items()
    )
    fmt = document.get("format") if isinstance(document, dict) else None
    if fmt not in FILES:
        raise jsonschema.ValidationError(f"unknown output format {fmt!r}")
    validator = jsonschema.Draft202012Validator(schema(fmt), registry=registry)
    validator.validate(document)
