"""The trace model, its JSON Schema, load and dump."""

from jitflux.trace.io import check_output, dump, dumps, from_dict, load, loads, schema, to_dict
from jitflux.trace.model import (
    FORMAT,
    MAX_SAMPLES,
    Effect,
    Function,
    Location,
    RupturePoint,
    Sample,
    Trace,
)

__all__ = [
    "FORMAT",
    "MAX_SAMPLES",
    "Effect",
    "Function",
    "Location",
    "RupturePoint",
    "Sample",
    "Trace",
    "check_output",
    "dump",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "schema",
    "to_dict",
]
