"""What the analysis concludes, as facts: a placement per variable and findings per rule.

No sentence is made here: `jitflux.words` turns these facts into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jitflux.analysis.graph import Edge
from jitflux.analysis.variables import Use, Variable
from jitflux.trace import Function

Rule = Literal["scope", "stream", "share", "network", "merge", "unknown"]
PlacementRule = Literal["scope", "stream", "share"]
# What ties: a variable, an object path written, a closure called, the socket, an effect that
# could not be observed, or the express_dispatcher merge.
Subject = Literal["variable", "path", "closure", "network", "unknown", "merge"]

# Why each rule fired (its case):
# - scope: `owned`, changed by one fluxion and read by no other; `readonly`, never changed.
# - stream: `downstream`, module state changed by one fluxion and read after it; `parameter`,
#   a callback's parameter arriving in its message; `handed`, a socket-backed object passed to
#   a helper; `chain`, a variable created in a chain and used downstream; `merge`, an object
#   path written into the request and streamed to express_dispatcher.
# - share: `writers`, changed by two fluxions; `upstream`, read before its writer runs;
#   `unrelated`, read by a fluxion that does not run after its writer; `outside`, a chain's
#   variable used outside the chain; `listener`, a chain's variable changed by a listener.
# - network: `server`, main's sockets; `socket`, a socket-backed object used by a fluxion;
#   `unmerged`, a write into the request object of a framework (Koa's ctx, Fastify's request)
#   for the handler after it that no dispatcher merges back (an async Fastify hook's).
# - merge: `next`, a fluxion calls Express's next (and streams its request writes), Koa's
#   next or a Fastify hook's done; `dispatcher`, the fluxion jitflux adds to merge them
#   (express_dispatcher, koa_dispatcher, fastify_dispatcher).
# - unknown: `external`, code not instrumented; `effect`, an effect that cannot be known.
ScopeCase = Literal["owned", "readonly"]
StreamCase = Literal["downstream", "parameter", "handed", "chain", "merge"]
ShareCase = Literal["writers", "upstream", "unrelated", "outside", "listener"]
NetworkCase = Literal["server", "socket", "unmerged"]
MergeCase = Literal["next", "dispatcher"]
UnknownCase = Literal["external", "effect"]
Case = ScopeCase | StreamCase | ShareCase | NetworkCase | MergeCase | UnknownCase

NETWORK = "network"
UNKNOWN = "unknown"
# How many items a list about the other members of a group shows: a report about one fluxion
# then stays the same size however big the app is.
SHOWN = 10


@dataclass(frozen=True)
class Placement:
    """Where the pipeliner puts one variable (paper, section 3.2) and why.

    `writer` creates or changes it and `reader` is the other fluxion its case is about (share:
    the two that conflict; stream: the source and the first reader; scope: the owner and None,
    or None and the first reader); `writers` and `readers` are all of each side, in print
    order; `evidence` the uses that prove it.
    """

    rule: PlacementRule
    case: ScopeCase | StreamCase | ShareCase
    writer: str | None
    reader: str | None
    writers: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    evidence: tuple[Use, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One conclusion of one rule about some fluxions, with the uses that prove it.

    A finding with a `tag` ties every fluxion of `fluxions` into that group (they lose their
    independence); `context` lists the fluxions whose context holds `name`; every stream of
    `edges` carries `message` in its messages. `id` is unique within an analysis.
    """

    rule: Rule
    case: Case
    what: Subject
    name: str
    fluxions: tuple[str, ...]
    id: str = ""
    tag: str | None = None
    context: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    message: tuple[str, ...] = ()
    evidence: tuple[Use, ...] = ()
    # Uses a merge takes over: they no longer tie their fluxion to the network.
    discharged: tuple[Use, ...] = ()
    variable: Variable | None = field(default=None, compare=False)
    placement: Placement | None = None
    # The fluxions it is about without tying them (the senders of express_dispatcher).
    peers: tuple[str, ...] = ()
    # For `unknown`: the code that was not instrumented, or what the trace says of the effect.
    function: Function | None = field(default=None, compare=False)
    detail: str | None = None
    # `name@file:line` when another variable of the analysis has the same name, else "".
    shown: str = ""

    @property
    def label(self) -> str:
        """The name as the words print it: kept apart from other variables of that name."""
        return self.shown or self.name

    def ties(self, fluxion: str) -> bool:
        """Whether this finding holds `fluxion` in a group."""
        return self.tag is not None and fluxion in self.fluxions
