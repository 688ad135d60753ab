"""The reports explain gives: built from the analysis, each tie with its facts and proof.

The lists about the other members of a group (the fluxions, the labels, the observations)
keep at most `SHOWN` (10) items and count the rest: each member of a group of n fluxions would
otherwise list all the others, and the explanation of a big app would grow with n squared.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jitflux.analysis import MAIN, Analysis, Finding, Link, Placement, Use
from jitflux.analysis.findings import SHOWN
from jitflux.emit.program import FluxionSpec, Program, TieSpec, use_location
from jitflux.trace import Location, RupturePoint
from jitflux.words import explain as say
from jitflux.words import help_text, reason


@dataclass(frozen=True)
class Label:
    """A source location with what happened there; `code` and `at` come with the source."""

    location: Location
    text: str
    primary: bool
    width: int = 1  # how many characters the caret underlines
    code: str | None = None  # the line of code there, when the trace has the source
    at: int = 0  # where the caret starts in `code`


@dataclass(frozen=True)
class Observation:
    """How often a fluxion was seen doing what a tie says, and one request it served."""

    fluxion: str
    count: int
    request: str | None


@dataclass(frozen=True)
class Tie:
    """One finding that holds a fluxion in a group, told from that fluxion's side."""

    rule: str
    tag: str
    what: str
    name: str
    others: tuple[str, ...]
    reason: str
    summary: str  # a few words for the summary table
    labels: tuple[Label, ...]
    observed: tuple[Observation, ...]
    notes: tuple[str, ...]
    help: str | None
    facts: TieSpec  # the tie as data: finding id, case, variable, with, at, evidence
    placement: Placement | None = None
    # How many items each list leaves out (at most SHOWN are kept).
    more_others: int = 0
    more_labels: int = 0
    more_observed: int = 0


@dataclass(frozen=True)
class Report:
    """Everything explain says about one fluxion."""

    name: str
    isolated: bool
    tags: tuple[str, ...]
    context: tuple[str, ...]
    origin: Location | None
    receives: tuple[tuple[str, str, tuple[str, ...]], ...]  # (from, type, message)
    sends: tuple[tuple[str | None, str, tuple[str, ...]], ...]  # (to or None, type, message)
    ties: tuple[Tie, ...]
    notes: tuple[str, ...]
    # The placements of the variables this fluxion holds or passes on (the facts of `notes`).
    placements: tuple[tuple[str, Placement], ...] = ()


def reports(analysis: Analysis, program: Program, wanted: list[str]) -> list[Report]:
    """The report of each fluxion of `wanted`."""
    builder = _Builder(analysis, program)
    return [builder.report(program.get(name)) for name in wanted]


@dataclass(frozen=True)
class _Group:
    """What every fluxion a finding ties is told alike, gathered once for the finding."""

    counts: dict[str, int]  # how many times each fluxion is listed in the finding
    uses: dict[tuple[str, str], tuple[Use, Location]]  # the use shown per (fluxion, kind)
    own_uses: dict[str, list[tuple[str, str]]]  # the keys of `uses` by fluxion
    observed: dict[str, Observation]
    observed_names: list[str]  # the fluxions of `observed`, sorted
    static: bool  # every use found by the static analysis only (no count)


def _group(finding: Finding) -> _Group:
    """What the members of `finding`'s group are told alike: its uses and observations."""
    counts: dict[str, int] = {}
    for name in finding.fluxions:
        counts[name] = counts.get(name, 0) + 1
    # One use per fluxion, a write first; for a merge, one per kind (the write into the
    # request and the call of next are both what it takes over).
    uses: dict[tuple[str, str], tuple[Use, Location]] = {}
    for use in sorted(finding.evidence, key=lambda u: not u.writes):
        kind = use.kind if finding.rule == "merge" else ""
        if (use.fluxion, kind) in uses:
            continue
        location = use_location(use)
        if location is not None:
            uses[(use.fluxion, kind)] = (use, location)
    own_uses: dict[str, list[tuple[str, str]]] = {}
    for key in uses:
        own_uses.setdefault(key[0], []).append(key)
    observed: dict[str, Observation] = {}
    for use in finding.evidence:
        request = next((s.request for s in use.effect.samples if s.request), None)
        seen = observed.get(use.fluxion)
        if seen is None or use.effect.count > seen.count:
            observed[use.fluxion] = Observation(
                use.fluxion, use.effect.count, request or (seen.request if seen else None)
            )
    static = all(o.count == 0 for o in observed.values())
    return _Group(counts, uses, own_uses, observed, sorted(observed), static)


class _Builder:
    """Builds reports, gathering each finding's group once for all its members."""

    def __init__(self, analysis: Analysis, program: Program) -> None:
        self.analysis = analysis
        self.program = program
        self.network = tuple(s.name for s in program.fluxions if "network" in s.tags)
        self.groups: dict[str, _Group] = {}
        self.held: dict[str, list[tuple[str, Placement]]] = {}
        for var in program.variables:
            if var.placement is not None:
                for name in var.fluxions:
                    self.held.setdefault(name, []).append((var.name, var.placement))

    def report(self, spec: FluxionSpec) -> Report:
        """Everything about one fluxion."""
        name = spec.name
        findings = self.analysis.ties(name)
        notes = tuple(
            reason(f, self.analysis.stream_type)
            for f in self.analysis.about(name)
            if f.tag is None and f.rule != "network"
        )
        return Report(
            name=name,
            isolated=spec.isolated,
            tags=spec.tags,
            context=spec.context,
            origin=spec.origin,
            receives=tuple((src, s.type, s.message) for src, s in self.program.incoming(name)),
            sends=tuple((to, s.type, s.message) for s in spec.streams for to in s.to or (None,)),
            ties=tuple(
                self._tie(spec, f, facts) for f, facts in zip(findings, spec.ties, strict=True)
            ),
            notes=notes,
            placements=tuple(self.held.get(name, [])),
        )

    def _tie(self, spec: FluxionSpec, finding: Finding, facts: TieSpec) -> Tie:
        name = spec.name
        group = self.groups.get(finding.id)
        if group is None:
            group = self.groups[finding.id] = _group(finding)
        if finding.tag == "network":
            # The network group, whichever rule put the fluxion in it (network or merge).
            members = self.network
            total = len(members) - (name in members)
        else:
            members = finding.fluxions
            total = len(members) - group.counts.get(name, 0)
        others = tuple(_first((n for n in members if n != name), SHOWN))
        more_others = total - len(others)
        labels, more_labels = self._labels(spec, group, finding)
        observed, more_observed = _observed(group, name)
        notes = [say.rule_note(finding, name, others, more_others)]
        if observed:
            counts = [(o.fluxion, o.count, o.request) for o in observed]
            notes.append(say.observed_note(counts, more_observed, group.static))
        return Tie(
            rule=finding.rule,
            tag=finding.tag or "",
            what=finding.what,
            name=finding.name,
            others=others,
            reason=facts.reason,
            summary=say.summary(finding, name, others, more_others),
            labels=labels,
            observed=observed,
            notes=tuple(notes),
            help=help_text(finding),
            facts=facts,
            placement=finding.placement,
            more_others=more_others,
            more_labels=more_labels,
            more_observed=more_observed,
        )

    def _labels(
        self, spec: FluxionSpec, group: _Group, finding: Finding
    ) -> tuple[tuple[Label, ...], int]:
        """The primary label (in the fluxion when it can) then one per other fluxion, then
        where the variable is declared: at most SHOWN, and how many more there are."""
        name = spec.name
        graph = self.analysis.graph
        own = group.own_uses.get(name, [])
        room = max(0, SHOWN - len(own))
        keys = own + _first((key for key in group.uses if key[0] != name), room)
        more = len(group.uses) - len(keys)
        labels: list[Label] = []
        for key in keys:
            use, location = group.uses[key]
            subject = use.path or use.effect.target
            text = say.use_label(use, finding.rule, say.dispatcher_of(finding))
            labels.append(self.label(location, text, not labels, subject))
        sites: list[tuple[Location, str, str]] = []  # (where, text, subject) past the uses
        if finding.rule == "network" and name == MAIN:
            for target in graph.successors(MAIN):
                site = _site(graph.link((MAIN, target)))
                if site is not None:
                    point, where = site
                    sites.append((where, say.hands_label(target, point.callee), point.callee))
        if finding.rule == "unknown" and finding.case == "external":
            fn = spec.fluxion.function
            if fn is not None and fn.file:
                sites.append((Location(fn.file, fn.line, fn.column), say.starts_label(name), ""))
            for source in graph.predecessors(name):
                site = _site(graph.link((source, name)))
                if site is not None:
                    point, where = site
                    sites.append((where, say.registered_label(point.callee), ""))
        for where, text, subject in sites:
            if len(labels) < SHOWN:
                labels.append(self.label(where, text, not labels, subject))
            else:
                more += 1
        variable = finding.variable
        if variable is not None and variable.declared is not None and len(labels) < 4:
            text = say.declared_label(variable.name, variable.home if variable.parameter else None)
            labels.append(self.label(variable.declared, text, not labels, variable.name))
        if not labels and spec.origin is not None:
            # Uses seen only inside code that was not instrumented (a library the part
            # called): point at the part itself.
            labels.append(self.label(spec.origin, say.origin_label(name), True, ""))
        return tuple(labels), more


    def label(self, location: Location, text: str, primary: bool, subject: str) -> Label:
        """A label with its line of code, the caret under `subject` when the line shows it."""
        source = self.analysis.sources.get(location.file)
        line = source.line(location.line) if source is not None else None
        if source is None or line is None:
            return Label(location, text, primary)
        at = source.column_index(location.line, location.column)
        width = 1
        # The subject as written, its root (`req` of `req.body`), or its last name (`post` of
        # `app.post`, where a registration's site points).
        for candidate in (subject, subject.split(".")[0].split("[")[0], subject.split(".")[-1]):
            if candidate and line.startswith(candidate, at):
                width = len(candidate)
                break
        return Label(location, text, primary, width, line, at)


def _first(items: Iterable[Any], count: int) -> list[Any]:
    """The first `count` items, reading no further."""
    return list(itertools.islice(items, count))


def _site(link: Link | None) -> tuple[RupturePoint, Location] | None:
    """The first rupture point of a link with a known site, and the site."""
    for point in link.points if link is not None else ():
        if point.site is not None:
            return point, point.site
    return None


def _observed(group: _Group, name: str) -> tuple[tuple[Observation, ...], int]:
    """`name`'s observation first, then the others by name: at most SHOWN, and how many more."""
    first = [group.observed[name]] if name in group.observed else []
    rest = _first((n for n in group.observed_names if n != name), SHOWN - len(first))
    shown = first + [group.observed[n] for n in rest]
    return tuple(shown), len(group.observed) - len(shown)
