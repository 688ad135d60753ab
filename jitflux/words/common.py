"""The small pieces every sentence uses: quoted names, lists of names, function labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jitflux.analysis.findings import SHOWN
from jitflux.trace import Location

# How many names a list in a reason shows before "and N more".
SHOWN_NAMES = SHOWN

# Where the paper's language says a fluxion sends nothing (`-> null`).
NO_STREAM = "null"


def q(name: str) -> str:
    """A name as code: `name`."""
    return f"`{name}`"


def names(items: Sequence[str], shown: int | None = None, more: int = 0) -> str:
    """`a`, `b` and `c`; with `shown`, at most that many then "and N more"; `more` says how many
    the caller already left out. Only the names shown are read: a group of n fluxions costs
    the same as one of ten."""
    if shown is not None and len(items) > shown:
        more += len(items) - shown
        items = items[:shown]
    quoted = [q(n) for n in items]
    if more:
        return ", ".join(quoted) + f" and {more:,} more"
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def pick(count: int, one: str, several: str) -> str:
    """The word for one thing or for several."""
    return one if count == 1 else several


class Named(Protocol):
    """What labels a function: a trace's Function, or compare's view of one."""

    name: str
    file: str
    line: int


def function_label(fn: Named) -> str:
    """How every output names a function: its name, or `<anonymous server.js:12>`.

    Fluxions keep their own names (`anonymous_12` in the fluxions contract); this labels a
    function as such (a helper, a callback in a comparison, code that was not instrumented).
    """
    if fn.name:
        return fn.name
    if fn.file:
        return f"<anonymous {fn.file}:{fn.line}>"
    known = getattr(fn, "id", None)  # a trace's function has an id even with no place
    return f"<anonymous {known}>" if known else "<anonymous>"


def place(location: Location | None) -> str:
    """`file:line:column`, or "an unknown place"."""
    if location is None or not location.file:
        return "an unknown place"
    return str(location)


def arrow(kind: str) -> str:
    """The paper's arrow of a stream type: `>>` for start, `->` for post."""
    return ">>" if kind == "start" else "->"
