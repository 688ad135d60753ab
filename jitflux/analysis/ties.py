"""The rules that tie a fluxion by what it does rather than by a variable's placement.

- *network*: `main` and every fluxion that uses a socket-backed object (`req`, `res`).
- *unknown*: an effect that cannot be known (eval, with) or a fluxion whose code was not
  instrumented ties its fluxion: it is never assumed independent.
- *merge*: a fluxion that calls Express's `next` streams the changes it (and its chain) wrote
  into the request to `express_dispatcher`, which merges them back and calls `next`; the fluxion
  is then free of the request and of `next`, and the dispatcher joins main's network group
  (paper, section 4.2.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jitflux.analysis.findings import NETWORK, UNKNOWN, Case, Finding, Rule
from jitflux.analysis.fluxions import DISPATCHER, MAIN, Fluxions
from jitflux.analysis.graph import Pipeline
from jitflux.analysis.placement import in_order
from jitflux.analysis.variables import EXPRESS_NEXT, Use, Variable


def merge_rule(
    variables: Iterable[Variable], loose: Iterable[Use], graph: Pipeline
) -> list[Finding]:
    """Fluxions that call Express's `next` stream their request changes to express_dispatcher."""
    variables = list(variables)
    loose = list(loose)
    calls = [
        use
        for use in [u for v in variables for u in v.uses] + loose
        if use.kind == "call" and use.effect.callee == EXPRESS_NEXT and use.fluxion != MAIN
    ]
    callers = in_order({use.fluxion for use in calls}, graph)
    requests = [v for v in variables if v.request]
    findings = []
    merged: list[Use] = []  # the request writes every caller now streams
    for caller in callers:
        chain = {caller} | (graph.upstream(caller) - {MAIN})
        writes = [
            use
            for variable in requests
            for use in variable.uses
            if use.kind == "mutate" and use.fluxion in chain
        ]
        paths = tuple(dict.fromkeys(use.path for use in writes if use.path))
        own_calls = [use for use in calls if use.fluxion == caller]
        merged += [use for use in writes if use not in merged]
        findings.append(
            _finding(
                "merge",
                "next",
                name=", ".join(paths) or "next",
                fluxions=(caller, DISPATCHER),
                edges=((caller, DISPATCHER),),
                message=paths,
                evidence=tuple(own_calls + writes),
                discharged=tuple(_write_network_uses(writes, variables, loose)),
            )
        )
    if callers:
        findings.append(
            _finding(
                "merge",
                "dispatcher",
                name=DISPATCHER,
                fluxions=(DISPATCHER,),
                tag=NETWORK,
                peers=tuple(callers),
                # What it takes over: the writes into the request and the calls of next.
                evidence=tuple(merged + calls),
            )
        )
    return findings


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


def _finding(rule: Rule, case: Case, **facts: Any) -> Finding:
    """A finding of one of these rules: what ties is the rule itself (the network, the merge,
    an unknown effect), and so is the group for the network and unknown rules."""
    # The network and unknown rules always tie: their group is the rule's.
    facts.setdefault("tag", {"network": NETWORK, "unknown": UNKNOWN}.get(rule))
    return Finding(rule, case, rule, **facts)  # type: ignore[arg-type]


def _write_network_uses(
    writes: list[Use], variables: list[Variable], loose: list[Use]
) -> list[Use]:
    """Network uses that are the merged writes themselves: same fluxion, object and line."""
    lines: dict[tuple[str, str], set[tuple[str | None, int | None]]] = {}
    for use in writes:
        key = (use.fluxion, use.effect.path.root or "")
        lines.setdefault(key, set()).update((s.file, s.line) for s in use.effect.samples)
    found = []
    for use in [u for v in variables for u in v.uses] + loose:
        key = (use.fluxion, use.effect.path.root or "")
        if use.kind != "network" or key not in lines:
            continue
        samples = {(s.file, s.line) for s in use.effect.samples if s.line is not None}
        if samples and samples <= lines[key]:
            found.append(use)
    return found
