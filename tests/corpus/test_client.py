"""corpus/client.py: the requests it sends are the ones jitflux's driver sends."""

from __future__ import annotations

import pytest

from corpus.client import Answer, content_type
from jitflux.tracing.drive import _content_type


@pytest.mark.parametrize(
    "body", ['{"a": 1}', "[[0,0,0,255]]", "hello there", "{not json", "[1, 2", "", "42"]
)
def test_content_type_is_jitflux_drivers(body: str) -> None:
    """A body gets the content type that `jitflux trace --requests` gives it."""
    assert content_type(body) == _content_type(body)


def test_stable_headers_drop_the_volatile_ones() -> None:
    """Date, ETag, Last-Modified and connection headers are left out, the others kept in order."""
    answer = Answer(
        "GET /",
        200,
        [["Date", "x"], ["Content-Type", "text/html"], ["ETag", "W/1"], ["Keep-Alive", "5"]],
    )
    assert answer.stable_headers() == [("content-type", "text/html")]
