"""What a pipeliner rule concludes, and why: the unit that emit prints and explain tells."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jitflux.analysis.graph import Edge
from jitflux.analysis.variables import Use, Variable

Rule = Literal["scope", "stream", "share", "network", "merge", "unknown"]
# What ties: a variable, an object path written, a closure called, the socket, an effect that
# could not be observed, or the express_dispatcher merge.
Subject = Literal["variable", "path", "closure", "network", "unknown", "merge"]

NETWORK = "network"
UNKNOWN = "unknown"
# How many items a list in words shows before "and N more": a reason or an explanation about
# one fluxion then stays the same size however big the app is.
SHOWN = 10


@dataclass(frozen=True)
class Finding:
    """One conclusion of one rule about some fluxions, with the uses that prove it.

    A finding with a `tag` ties every fluxion of `fluxions` into that group (they lose their
    independence); `context` lists the fluxions whose context holds `name`; every stream of
    `edges` carries `message` in its messages.
    """

    rule: Rule
    what: Subject
    name: str
    fluxions: tuple[str, ...]
    reason: str
    help: str | None = None
    tag: str | None = None
    context: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    message: tuple[str, ...] = ()
    evidence: tuple[Use, ...] = ()
    # Uses a merge takes over: they no longer tie their fluxion to the network.
    discharged: tuple[Use, ...] = ()
    variable: Variable | None = field(default=None, compare=False)

    def ties(self, fluxion: str) -> bool:
        """Whether this finding holds `fluxion` in a group."""
        return self.tag is not None and fluxion in self.fluxions
