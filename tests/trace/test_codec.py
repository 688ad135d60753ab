"""Tests of jitflux.trace.codec: one reading of locations and samples for loader and recorder."""

from __future__ import annotations

from typing import Any

import pytest

from jitflux.trace import Location, Sample, location_from, samples_from


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"file": "a.js", "line": 3, "column": 4}, Location("a.js", 3, 4)),
        ({"file": "a.js", "line": "3", "column": 4.0}, Location("a.js", 3, 4)),
        ({"file": "a.js", "line": 3}, None),
        ({"file": "a.js", "line": "x", "column": 0}, None),
        (None, None),
        (["a.js", 3, 4], None),
    ],
)
def test_location_from(value: Any, expected: Location | None) -> None:
    """A location from its JSON form; None when missing or malformed, never an exception."""
    assert location_from(value) == expected


def test_samples_from_skips_what_is_not_a_sample() -> None:
    """Samples keep their request and place; items that are not objects are skipped."""
    values = [{"request": "r1", "file": "a.js", "line": 2, "column": 0}, "junk", {}]
    assert samples_from(values) == [Sample("r1", "a.js", 2, 0), Sample(None)]
    assert samples_from(None) == []

