"""The trace model, its JSON Schema, load and dump."""

from jitflux.trace.codec import location_from, samples_from
from jitflux.trace.io import (
    check_output,
    dump,
    dumps,
    from_dict,
    load,
    loads,
    to_dict,
    trace_schema,
)
from jitflux.trace.model import (
    FORMAT,
    MAX_SAMPLES,
    Effect,
    Function,
    Location,
    Meta,
    RupturePoint,
    Sample,
    Skip,
    Timing,
    Trace,
)

__all__ = [
    "FORMAT",
    "MAX_SAMPLES",
    "Effect",
    "Function",
    "Location",
    "Meta",
    "RupturePoint",
    "Sample",
    "Skip",
    "Timing",
    "Trace",
    "check_output",
    "dump",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "location_from",
    "samples_from",
    "trace_schema",
    "to_dict",
]
