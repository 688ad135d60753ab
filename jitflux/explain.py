"""Why a fluxion is not isolated: every tie that holds it, with the proof, in a developer's words.

For each fluxion, `explain` gives what ties it (a variable, an object path, a closure it calls,
the network, an effect that could not be observed), to which fluxions, which rule fired, the
source locations that prove it (as the Rust compiler's diagnostics: a headline, the primary
location with the line of code and a caret under the culprit, secondary labelled locations,
then `note:` and `help:` lines), how often it was observed with a sample request id, and the
change that would free it. An isolated fluxion is said to be so, with what travels in its
messages.

The lists about the other members of a group (the fluxions, the labels, the observations)
show at most `SHOWN` (10) items, then "and N more" in the text and a count under `more` in
the JSON: each member of a group of n fluxions would otherwise list all the others, and the
explanation of a big app would grow with n squared. The group itself is in every member's
`tags`.

`render_text` prints a summary table (fluxion, isolated, group, ties, first reason) then the
details; `render_json` prints this object:

    {
      "format": "jitflux.explain/1",
      "fluxions": [
        {
          "name": "reply",
          "isolated": false,
          "tags": ["network"],
          "context": ["count", "template"],
          "origin": {"file": "server.js", "line": 11, "column": 26},   # null if none
          "receives": [{"from": "handler", "type": "post", "message": ["res"]}],
          "sends": [{"to": "null", "type": "post", "message": []}],
          "ties": [
            {
              "rule": "network",           # share | network | merge | unknown
              "tag": "network",            # the group it puts the fluxion in
              "what": "network",           # variable | path | closure | network | unknown
                                           # | merge
              "name": "res",               # the variable, path, effect or fluxion at stake
              "fluxions": ["main"],        # the other fluxions of that group
              "reason": "...",             # the headline, one sentence
              "summary": "...",            # a few words, as in the summary table
              "labels": [                  # primary first; line 1-based, column 0-based
                {"file": "server.js", "line": 13, "column": 4, "text": "...",
                 "primary": true}
              ],
              "observed": [{"fluxion": "reply", "count": 3, "request": "r1"}],
              "notes": ["..."],
              "help": "...",               # the change that would free it, or null
              "more": {"fluxions": 0, "labels": 1990, "observed": 1990}
                                           # only when a list above was cut: how many
                                           # items each one leaves out
            }
          ],
          "notes": ["..."]                 # scope, stream and merge facts about it
        }
      ]
    }
"""

from __future__ import annotations

import itertools
import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jitflux.analysis import MAIN, Finding, SourceFile, Use
from jitflux.analysis.findings import SHOWN
from jitflux.emit import Program, build
from jitflux.emit.program import FluxionSpec
from jitflux.errors import EXIT_BAD_INPUT, JitfluxError
from jitflux.trace import Location, RupturePoint, Trace
from jitflux.words import help_text, reason

FORMAT = "jitflux.explain/1"
WIDTH = 80

_VERBS = {
    "read": "reads",
    "write": "writes",
    "mutate": "writes",
    "call": "calls",
    "network": "uses the socket of",
    "unknown": "runs",
}


@dataclass(frozen=True)
class Label:
    """A source location with what happened there."""

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
    # How many items each list leaves out: at most SHOWN are kept, so that a report stays the
    # same size whatever the size of the group (the others, the labels, the observations).
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
    sends: tuple[tuple[str, str, tuple[str, ...]], ...]  # (to, type, message)
    ties: tuple[Tie, ...]
    notes: tuple[str, ...]


def explain(trace: Trace, fluxion: str | None = None) -> list[Report]:
    """The reports of every fluxion, or of `fluxion` only (JitfluxError if there is none)."""
    program = build(trace)
    names = [spec.name for spec in program.fluxions]
    if fluxion is not None and fluxion not in names:
        raise JitfluxError(
            f"no fluxion named {fluxion!r}; valid names: {', '.join(names)}", EXIT_BAD_INPUT
        )
    wanted = [fluxion] if fluxion is not None else names
    shared = _share(program)
    return [_report(program, shared, program.get(name)) for name in wanted]


def render_text(reports: list[Report], summary: bool = True) -> str:
    """The reports as text for an 80-column terminal: a summary table, then the details."""
    out: list[str] = []
    if summary:
        out += _table(reports)
        out.append("")
    for report in reports:
        out += _details(report)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_json(reports: list[Report]) -> str:
    """The reports as the JSON object documented in this module."""
    return json.dumps(to_dict(reports), indent=2, ensure_ascii=False) + "\n"


def to_dict(reports: list[Report]) -> dict[str, Any]:
    """The JSON object of the reports."""
    return {"format": FORMAT, "fluxions": [_report_dict(r) for r in reports]}


# ----------------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _Group:
    """What every fluxion a finding ties is told alike, gathered once for the finding.

    Each member's tie is then built from the first few entries, so that explaining every
    member of a group of n fluxions costs n, not n squared.
    """

    counts: dict[str, int]  # how many times each fluxion is listed in the finding
    uses: dict[tuple[str, str], tuple[Use, Location]]  # the use shown per (fluxion, kind)
    own_uses: dict[str, list[tuple[str, str]]]  # the keys of `uses` by fluxion
    observed: dict[str, Observation]
    observed_names: list[str]  # the fluxions of `observed`, sorted
    static: bool  # every use found by the static analysis only (no count)


@dataclass(frozen=True)
class _Shared:
    """What the reports of one program share: the network group and each finding's group."""

    network: tuple[str, ...]
    groups: dict[int, _Group]  # by id of the finding


def _share(program: Program) -> _Shared:
    """The network group and the group of every finding that ties, each gathered once."""
    network = tuple(s.name for s in program.fluxions if "network" in s.tags)
    groups = {id(f): _group(program, f) for f in program.analysis.findings if f.tag is not None}
    return _Shared(network, groups)


def _group(program: Program, finding: Finding) -> _Group:
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
        location = _use_location(program, use)
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


def _report(program: Program, shared: _Shared, spec: FluxionSpec) -> Report:
    analysis = program.analysis
    receives = tuple((src, s.type, s.message) for src, s in program.incoming(spec.name))
    sends = tuple((to, s.type, s.message) for s in spec.streams for to in s.to)
    ties = tuple(_tie(program, shared, spec.name, f) for f in analysis.ties(spec.name))
    notes = tuple(
        reason(f, analysis.stream_type)
        for f in analysis.about(spec.name)
        if f.tag is None and f.rule != "network"
    )
    return Report(
        name=spec.name,
        isolated=spec.isolated,
        tags=spec.tags,
        context=spec.context,
        origin=spec.origin,
        receives=receives,
        sends=sends,
        ties=ties,
        notes=notes,
    )


def _tie(program: Program, shared: _Shared, name: str, finding: Finding) -> Tie:
    group = shared.groups[id(finding)]
    if finding.tag == "network":
        # The network group, whichever rule put the fluxion in it (network or merge).
        members = shared.network
        total = len(members) - (name in members)
    else:
        members = finding.fluxions
        total = len(members) - group.counts.get(name, 0)
    others = tuple(_first((n for n in members if n != name), SHOWN))
    more_others = total - len(others)
    labels, more_labels = _labels(program, group, name, finding)
    observed, more_observed = _observed(group, name)
    notes = list(_rule_notes(finding, name, others, more_others))
    if observed:
        if group.static:
            notes.append("found in the source by the static analysis, not observed at run time")
        else:
            texts = [_observation_text(o) for o in observed]
            if more_observed:
                texts.append(f"and in {more_observed:,} more fluxions")
            notes.append("observed " + "; ".join(texts))
    return Tie(
        rule=finding.rule,
        tag=finding.tag or "",
        what=finding.what,
        name=finding.name,
        others=others,
        reason=reason(finding, program.analysis.stream_type),
        summary=_summary(finding, name, others, more_others),
        labels=labels,
        observed=observed,
        notes=tuple(notes),
        help=help_text(finding),
        more_others=more_others,
        more_labels=more_labels,
        more_observed=more_observed,
    )


def _first(items: Iterable[Any], count: int) -> list[Any]:
    """The first `count` items, reading no further."""
    return list(itertools.islice(items, count))


def _summary(finding: Finding, name: str, others: tuple[str, ...], more: int) -> str:
    """A few words saying what ties `name`, for the summary table."""
    if finding.rule == "share":
        return f"shares `{finding.name}` with {_names(others, more)}"
    if finding.rule == "network":
        if name == MAIN:
            return "receives the requests"
        return f"uses the socket of `{finding.name}`"
    if finding.rule == "merge":
        return "merges request changes"
    if finding.evidence:
        return f"runs `{finding.name}`: effects unknown"
    return "external code: effects not observed"


# What ties, in words, by the finding's `what`.
_WHAT = {
    "variable": "the variable",
    "path": "the object written through",
    "closure": "the closure",
}


def _rule_notes(finding: Finding, name: str, others: tuple[str, ...], more: int) -> list[str]:
    """The rule that fired, on what, and what it does to the fluxion."""
    if finding.rule == "share":
        tied = finding.fluxions
        return [
            f"rule share, on {_WHAT.get(finding.what, 'the variable')} `{finding.name}`: the "
            f"tag `{finding.tag}` ties {_names(tied[:SHOWN], max(0, len(tied) - SHOWN))}, and "
            f"`{finding.name}` sits in each of their contexts"
        ]
    if finding.rule == "network":
        group = f" with {_names(others, more)}" if others else ""
        on = "the server's sockets" if name == MAIN else f"the socket behind `{finding.name}`"
        return [f"rule network, on {on}: `{name}` is in the group `network`{group}"]
    if finding.rule == "merge":
        return [
            "rule merge, on the Express request and its `next`: both stay in main's network group"
        ]
    if finding.evidence:
        on = f"an effect that cannot be known (`{finding.name}`)"
    else:
        on = "code whose effects were not observed"
    return [f"rule unknown, on {on}: `{name}` is never assumed independent"]


def _labels(
    program: Program, group: _Group, name: str, finding: Finding
) -> tuple[tuple[Label, ...], int]:
    """The primary label (in `name` when it can) then one per other fluxion, then where the
    variable is declared: at most SHOWN, and how many more there are."""
    analysis = program.analysis
    own = group.own_uses.get(name, [])
    room = max(0, SHOWN - len(own))
    keys = own + _first((key for key in group.uses if key[0] != name), room)
    more = len(group.uses) - len(keys)
    labels: list[Label] = []
    for key in keys:
        use, location = group.uses[key]
        subject = use.path or use.effect.target
        text = f"`{use.fluxion}` {_VERBS.get(use.kind, use.kind)} `{subject}`"
        if finding.rule == "merge":
            text += (
                ", now a stream to `express_dispatcher`"
                if use.kind == "call"
                else ", now streamed to `express_dispatcher`"
            )
        labels.append(_label(program, location, text, not labels, subject))
    sites: list[tuple[Location, str, str]] = []  # (where, text, subject) past the uses
    if finding.rule == "network" and name == MAIN:
        for target in analysis.graph.successors(MAIN):
            site = _site(analysis.graph.edges[MAIN, target]["points"])
            if site is not None:
                point, where = site
                text = f"`main` hands requests to `{target}` through `{point.callee}`"
                sites.append((where, text, point.callee))
    if finding.rule == "unknown" and not finding.evidence:
        # Code that was not observed: where it is, and where the app handed it over.
        fn = program.get(name).fluxion.function
        if fn is not None and fn.file:
            sites.append((Location(fn.file, fn.line, fn.column), f"`{name}` starts here", ""))
        for source in analysis.graph.predecessors(name):
            site = _site(analysis.graph.edges[source, name]["points"])
            if site is not None:
                point, where = site
                sites.append((where, f"registered here with `{point.callee}`", ""))
    for where, text, subject in sites:
        if len(labels) < SHOWN:
            labels.append(_label(program, where, text, not labels, subject))
        else:
            more += 1
    variable = finding.variable
    if variable is not None and variable.declared is not None and len(labels) < 4:
        text = f"`{variable.name}` declared here"
        if variable.parameter:
            text += f", a parameter of `{variable.home}`"
        labels.append(_label(program, variable.declared, text, not labels, variable.name))
    if not labels:
        # Uses seen only inside code that was not instrumented (a library the part called):
        # point at the part itself.
        origin = program.get(name).origin
        if origin is not None:
            text = (
                "the script's top level, which starts the server"
                if name == MAIN
                else f"in `{name}`, through code that jitflux did not instrument"
            )
            labels.append(_label(program, origin, text, True, ""))
    return tuple(labels), more


def _site(points: list[RupturePoint]) -> tuple[RupturePoint, Location] | None:
    """The first rupture point with a known site, and the site."""
    for point in points:
        if point.site is not None:
            return point, point.site
    return None


def _label(program: Program, location: Location, text: str, primary: bool, subject: str) -> Label:
    """A label with its line of code, the caret under `subject` when the line shows it there."""
    raw = program.analysis.trace.sources.get(location.file)
    if raw is None:
        return Label(location, text, primary)
    source = _source(raw)
    line = source.line(location.line)
    if line is None:
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


@lru_cache(maxsize=16)
def _source(text: str) -> SourceFile:
    """One SourceFile per text, so that its line table is built once."""
    return SourceFile(text)


def _use_location(program: Program, use: Use) -> Location | None:
    for sample in use.effect.samples:
        if sample.line is not None:
            file = sample.file
            if file is None:
                fn = program.get(use.fluxion).fluxion.function
                file = fn.file if fn is not None else None
            if file is not None:
                return Location(file, sample.line, sample.column or 0)
    return None


def _observed(group: _Group, name: str) -> tuple[tuple[Observation, ...], int]:
    """`name`'s observation first, then the others by name: at most SHOWN, and how many more."""
    first = [group.observed[name]] if name in group.observed else []
    rest = _first((n for n in group.observed_names if n != name), SHOWN - len(first))
    shown = first + [group.observed[n] for n in rest]
    return tuple(shown), len(group.observed) - len(shown)


def _observation_text(observation: Observation) -> str:
    times = "once" if observation.count == 1 else f"{observation.count} times"
    text = f"{times} in `{observation.fluxion}`"
    if observation.request:
        text += f" (e.g. request {observation.request})"
    return text


# ----------------------------------------------------------------------------------- printing


def _table(reports: list[Report]) -> list[str]:
    rows = [("fluxion", "isolated", "group", "ties", "first reason")]
    for r in reports:
        first = r.ties[0].summary if r.ties else "-"
        rows.append(
            (
                r.name,
                "yes" if r.isolated else "no",
                ", ".join(r.tags) or "-",
                str(len(r.ties)),
                first,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  "
        room = max(WIDTH - len(head), 12)
        last = row[4] if len(row[4]) <= room else row[4][: room - 3].rstrip() + "..."
        lines.append((head + last).rstrip())
    return lines


def _details(report: Report) -> list[str]:
    out: list[str] = []
    if report.isolated:
        out += _wrap(f"`{report.name}` is isolated: no tag ties it to another fluxion.", "")
    else:
        count = len(report.ties)
        ties = "1 tie holds it" if count == 1 else f"{count} ties hold it"
        out += _wrap(
            f"`{report.name}` is not isolated: {ties} (group {', '.join(report.tags)}).", ""
        )
    for source, kind, message in report.receives:
        out += _wrap(f"receives {_message(message)} from `{source}` ({_arrow(kind)})", "  ")
    for target, kind, message in report.sends:
        if target == "null":
            out.append("  sends nothing (-> null)")
        else:
            out += _wrap(f"sends {_message(message)} to `{target}` ({_arrow(kind)})", "  ")
    if report.context:
        out.append(f"  context: {{{', '.join(report.context)}}}")
    for note in report.notes:
        out += _wrap(f"note: {note}", "  ", "        ")
    for tie in report.ties:
        out.append("")
        out += _tie_lines(tie)
    return out


def _tie_lines(tie: Tie) -> list[str]:
    head = f"tie[{tie.rule}]: "
    out = _wrap(head + tie.reason, "", " " * len(head))
    gutter = max([len(str(label.location.line)) for label in tie.labels] + [1])
    bar = " " * (gutter + 1) + "|"
    for label in tie.labels:
        arrow = "-->" if label.primary else ":::"
        out.append(f"{' ' * gutter}{arrow} {label.location}")
        out.append(bar)
        out += _snippet(label, gutter)
        out.append(bar)
    if tie.more_labels:
        more = tie.more_labels
        out.append(f"{' ' * gutter}... and {more:,} more location{'' if more == 1 else 's'}")
    for note in tie.notes:
        out += _wrap(f"{' ' * (gutter + 1)}= note: {note}", "", " " * (gutter + 9))
    if tie.help:
        out += _wrap(f"{' ' * (gutter + 1)}= help: {tie.help}", "", " " * (gutter + 9))
    return out


def _snippet(label: Label, gutter: int) -> list[str]:
    """The code line of a label with a caret (primary) or dashes (secondary) under it."""
    mark = ("^" if label.primary else "-") * max(label.width, 1)
    if label.code is None:
        return [f"{' ' * (gutter + 1)}| {label.text}"]
    at = label.at
    # A tab would shift the code against the caret line: show it as one space.
    line = label.code.replace("\t", " ")
    room = WIDTH - gutter - 3
    shift = 0
    if len(line) > room:
        shift = max(0, min(at - room // 3, len(line) - room + 3))
        line = ("..." if shift else "") + line[shift + (3 if shift else 0) :]
        line = line[:room]
        at = at - shift
    number = str(label.location.line).rjust(gutter)
    under = " " * at + mark
    text_line = f"{' ' * (gutter + 1)}| {under} {label.text}"
    lines = [f"{number} | {line}".rstrip()]
    if len(text_line) <= WIDTH:
        lines.append(text_line)
    else:
        lines.append(f"{' ' * (gutter + 1)}| {under}")
        lines += _wrap(label.text, f"{' ' * (gutter + 1)}| ", f"{' ' * (gutter + 1)}| ")
    return lines


def _wrap(text: str, first: str, rest: str | None = None) -> list[str]:
    """Wrap to WIDTH, never inside a `quoted` span (`saveBody -> anonymous_12` stays whole)."""
    if text and len(first) + len(text) <= WIDTH and text.isprintable() and text[-1] != " ":
        return [first + text]  # fits on one line: what textwrap would give, without its cost
    kept = re.sub(r"`[^`\n]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    lines = textwrap.wrap(
        kept,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]
    return [line.replace("\0", " ") for line in lines]


def _message(message: tuple[str, ...]) -> str:
    return "[" + ", ".join(message) + "]" if message else "an empty message"


def _arrow(kind: str) -> str:
    return ">> start" if kind == "start" else "-> post"


def _names(names: tuple[str, ...] | list[str], more: int = 0) -> str:
    """`a`, `b` and `c`; `a`, `b` and N more when `more` were left out."""
    quoted = [f"`{n}`" for n in names]
    if more:
        return ", ".join(quoted) + f" and {more:,} more"
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _report_dict(report: Report) -> dict[str, Any]:
    return {
        "name": report.name,
        "isolated": report.isolated,
        "tags": list(report.tags),
        "context": list(report.context),
        "origin": _location(report.origin),
        "receives": [
            {"from": src, "type": kind, "message": list(msg)} for src, kind, msg in report.receives
        ],
        "sends": [{"to": to, "type": kind, "message": list(msg)} for to, kind, msg in report.sends],
        "ties": [
            {
                "rule": tie.rule,
                "tag": tie.tag,
                "what": tie.what,
                "name": tie.name,
                "fluxions": list(tie.others),
                "reason": tie.reason,
                "summary": tie.summary,
                "labels": [
                    {
                        **(_location(label.location) or {}),
                        "text": label.text,
                        "primary": label.primary,
                    }
                    for label in tie.labels
                ],
                "observed": [
                    {"fluxion": o.fluxion, "count": o.count, "request": o.request}
                    for o in tie.observed
                ],
                "notes": list(tie.notes),
                "help": tie.help,
                **_more(tie),
            }
            for tie in report.ties
        ],
        "notes": list(report.notes),
    }


def _more(tie: Tie) -> dict[str, Any]:
    """{"more": {...}} when a list of the tie was cut, else nothing."""
    more = {"fluxions": tie.more_others, "labels": tie.more_labels, "observed": tie.more_observed}
    return {"more": more} if any(more.values()) else {}


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}
