"""The rules that tie a fluxion by what it does rather than by a variable's placement.

- *network*: `main` and every fluxion that uses a socket-backed object (`req`, `res`).
- *unknown*: an effect that cannot be known (eval, with) or a fluxion whose code was not
  instrumented ties its fluxion: it is never assumed independent.
- *merge* (in `jitflux.analysis.merge`): a fluxion that calls Express's `next` streams the
  changes it (and its chain) made for the next handler to `express_dispatcher`, which merges
  them back and calls `next`; the fluxion is then free of the request and of `next`, and the
  dispatcher joins main's network group (paper, section 4.2.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jitflux.analysis.findings import NETWORK, UNKNOWN, Case, Finding, Rule
from jitflux.analysis.fluxions import MAIN, Fluxions
from jitflux.analysis.merge import merge_rule
from jitflux.analysis.variables import Use, Variable

__all__ = ["merge_rule", "network_rule", "unknown_rule"]


def network_rule(
    fluxions: Fluxions,
    variables: Iterable[Variable],
    loose: Iterable[Use],
    merges: Iterable[Finding] = (),
) -> list[Finding]:
    """`main` and every fluxion using a socket-backed object join the network group."""
    discharged = {id(use) for finding in merges for use in finding.discharged}
    variables = list(variables)
    owner_of = {id(u): v for v in variables for u in v.uses}
    uses = [u for v in variables for u in v.uses] + list(loose)
    network = [u for u in uses if u.kind == "network" and id(u) not in discharged]
    network_by_fluxion: dict[str, list[Use]] = {}
    for use in network:
        network_by_fluxion.setdefault(use.fluxion, []).append(use)
    findings = [
        _finding(
            "network",
            "server",
            name="network",
            fluxions=(MAIN,),
            evidence=tuple(u for u in network if u.fluxion == MAIN),
        )
    ]
    for fluxion in fluxions.names:
        if fluxion == MAIN:
            continue
        roots: dict[str, list[Use]] = {}
        for use in network_by_fluxion.get(fluxion, []):
            roots.setdefault(use.effect.path.root or use.effect.target, []).append(use)
        for root, evidence in roots.items():
            behind = {id(owner_of[id(u)]): owner_of[id(u)] for u in evidence if id(u) in owner_of}
            findings.append(
                _finding(
                    "network",
                    "socket",
                    name=root,
                    fluxions=(fluxion,),
                    evidence=tuple(evidence),
                    variable=next(iter(behind.values())) if len(behind) == 1 else None,
                )
            )
    return findings


def unknown_rule(fluxions: Fluxions, loose: Iterable[Use]) -> list[Finding]:
    """Effects that could not be known, and code that was not observed, tie their fluxion."""
    findings = []
    unknown: dict[str, list[Use]] = {}
    for use in loose:
        if use.effect.kind == "unknown":
            unknown.setdefault(use.fluxion, []).append(use)
    for fluxion in fluxions.ordered:
        fn = fluxion.function
        if fluxion.external and fn is not None:
            findings.append(
                _finding(
                    "unknown",
                    "external",
                    name=fn.name or fluxion.name,
                    fluxions=(fluxion.name,),
                    function=fn,
                    detail=HOOKED if hooked_only(fn.file) else None,
                )
            )
        targets: dict[str, list[Use]] = {}
        for use in unknown.get(fluxion.name, []):
            targets.setdefault(use.effect.target, []).append(use)
        for target, evidence in targets.items():
            findings.append(
                _finding(
                    "unknown",
                    "effect",
                    name=target,
                    fluxions=(fluxion.name,),
                    evidence=tuple(evidence),
                    detail=next((u.effect.reason for u in evidence if u.effect.reason), None),
                )
            )
    return findings


# The detail of an `unknown` external finding whose code is in an Express file the shim hooks
# and never instruments, even under `--include express`.
HOOKED = "hooked"
# The files of Express (and of `router`, Express 5's) that node_shim/lib/express.js hooks.
_HOOKED_FILES = (
    "node_modules/express/lib/router/layer.js",
    "node_modules/router/lib/layer.js",
    "node_modules/express/lib/router/route.js",
    "node_modules/router/lib/route.js",
    "node_modules/express/lib/router/index.js",
    "node_modules/router/index.js",
    "node_modules/express/lib/application.js",
)


def hooked_only(file: str) -> bool:
    """Whether `file` is one the shim hooks rather than instruments (`--include` cannot help)."""
    return file.replace("\\", "/").endswith(_HOOKED_FILES)


def _finding(rule: Rule, case: Case, **facts: Any) -> Finding:
    """A finding of one of these rules: what ties is the rule itself (the network, the merge,
    an unknown effect), and so is the group for the network and unknown rules."""
    # The network and unknown rules always tie: their group is the rule's.
    facts.setdefault("tag", {"network": NETWORK, "unknown": UNKNOWN}.get(rule))
    return Finding(rule, case, rule, **facts)  # type: ignore[arg-type]
