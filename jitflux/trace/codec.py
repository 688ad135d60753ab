"""The one reading of a trace's small parts, shared by the loader (trace.json) and the recorder
(the shim's batches): a location and a list of samples from their JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jitflux.trace.model import Location, Sample


def location_from(value: Any) -> Location | None:
    """The location of `{file, line, column}`; None when there is none or it is malformed (a
    loaded trace was checked against the schema; a shim batch is taken as it comes)."""
    if not isinstance(value, Mapping):
        return None
    try:
        return Location(str(value["file"]), int(value["line"]), int(value["column"]))
    except (KeyError, TypeError, ValueError):
        return None


def samples_from(values: Any) -> list[Sample]:
    """The samples of a list of `{request, file, line, column}`; other items are skipped."""
    return [
        Sample(
            request=value.get("request"),
            file=value.get("file"),
            line=value.get("line"),
            column=value.get("column"),
        )
        for value in values or []
        if isinstance(value, Mapping)
    ]
