"""explain's sentences: summaries, rule notes, label texts, observations, headlines."""

from __future__ import annotations

from jitflux.analysis import DISPATCHER, MAIN, Finding, Use
from jitflux.analysis.findings import SHOWN
from jitflux.analysis.fluxions import FRAMEWORKS
from jitflux.words.common import arrow, callee_label, names, q

_VERBS = {
    "read": "reads",
    "write": "writes",
    "mutate": "writes",
    "call": "calls",
    "network": "uses the socket of",
    "unknown": "runs",
}
# What ties, in words, by the finding's `what`.
_WHAT = {
    "variable": "the variable",
    "path": "the object written through",
    "closure": "the closure",
}


def summary(finding: Finding, name: str, others: tuple[str, ...], more: int) -> str:
    """A few words saying what ties `name`, for the summary table."""
    if finding.rule == "share":
        return f"shares {q(finding.label)} with {names(others, more=more)}"
    if finding.rule == "network":
        if name == MAIN:
            return "receives the requests"
        if finding.case == "unmerged":
            return f"writes {q(finding.label)} for the next handler, unmerged"
        return f"uses the socket of {q(finding.label)}"
    if finding.rule == "merge":
        return "merges request changes"
    if finding.case == "effect":
        return f"runs {q(finding.label)}: effects unknown"
    return "external code: effects not observed"


def rule_note(finding: Finding, name: str, others: tuple[str, ...], more: int) -> str:
    """The rule that fired, on what, and what it does to the fluxion."""
    if finding.rule == "share":
        tied = finding.fluxions
        return (
            f"rule share, on {_WHAT.get(finding.what, 'the variable')} {q(finding.label)}: the "
            f"tag {q(finding.tag or '')} ties {names(tied, SHOWN)}, and {q(finding.label)} sits "
            "in each of their contexts"
        )
    if finding.rule == "network":
        group = f" with {names(others, more=more)}" if others else ""
        on = "the server's sockets" if name == MAIN else f"the socket behind {q(finding.label)}"
        if finding.case == "unmerged":
            on = f"the request object, through {q(finding.label)} (not merged back)"
        return f"rule network, on {on}: {q(name)} is in the group `network`{group}"
    if finding.rule == "merge":
        framework = FRAMEWORKS.get(dispatcher_of(finding), "Express")
        on = "the Express request" if framework == "Express" else f"{framework}'s request object"
        return f"rule merge, on {on} and its `next`: both stay in main's network group"
    if finding.case == "effect":
        on = f"an effect that cannot be known ({q(finding.label)})"
    else:
        on = "code whose effects were not observed"
    return f"rule unknown, on {on}: {q(name)} is never assumed independent"


def use_label(use: Use, rule: str, dispatcher: str = DISPATCHER) -> str:
    """What a use did, under its caret: "`add` reads `c`"."""
    subject = use.path or use.effect.target
    text = f"{q(use.fluxion)} {_VERBS.get(use.kind, use.kind)} {q(subject)}"
    if rule == "merge":
        now = "now a stream to" if use.kind == "call" else "now streamed to"
        text += f", {now} `{dispatcher}`"
    return text


def dispatcher_of(finding: Finding) -> str:
    """The dispatcher a merge finding is about: express_dispatcher, koa_dispatcher or
    fastify_dispatcher."""
    if finding.rule != "merge":
        return DISPATCHER
    return finding.name if finding.case == "dispatcher" else finding.fluxions[-1]


def hands_label(target: str, callee: str) -> str:
    """main handing the requests to a fluxion."""
    return f"`main` hands requests to {q(target)} through {q(callee_label(callee))}"


def starts_label(name: str) -> str:
    """Where code that was not observed starts."""
    return f"{q(name)} starts here"


def registered_label(callee: str) -> str:
    """Where the app handed over code that was not observed."""
    return f"registered here with {q(callee_label(callee))}"


def declared_label(variable: str, parameter_of: str | None) -> str:
    """Where a variable is declared."""
    text = f"{q(variable)} declared here"
    return text + (f", a parameter of {q(parameter_of)}" if parameter_of else "")


def origin_label(name: str) -> str:
    """The part itself, when its uses were seen only inside code not instrumented."""
    if name == MAIN:
        return "the script's top level, which starts the server"
    return f"in {q(name)}, through code that jitflux did not instrument"


def observed_note(counts: list[tuple[str, int, str | None]], more: int, static: bool) -> str:
    """How often each fluxion was seen doing it, with a sample request."""
    if static:
        return "found in the source by the static analysis, not observed at run time"
    texts = []
    for fluxion, count, request in counts:
        times = "once" if count == 1 else f"{count} times"
        text = f"{times} in {q(fluxion)}"
        if request:
            text += f" (e.g. request {request})"
        texts.append(text)
    if more:
        texts.append(f"and in {more:,} more fluxions")
    return "observed " + "; ".join(texts)


# The columns of explain's summary table.
TABLE_HEADER = ("fluxion", "isolated", "group", "ties", "first reason")


def context(names: tuple[str, ...]) -> str:
    """The variables a fluxion's context holds."""
    return f"context: {{{', '.join(names)}}}"


def headline(name: str, ties: int, tags: tuple[str, ...]) -> str:
    """Whether a fluxion is isolated, and what holds it."""
    if not ties:
        return f"{q(name)} is isolated: no tag ties it to another fluxion."
    held = "1 tie holds it" if ties == 1 else f"{ties} ties hold it"
    return f"{q(name)} is not isolated: {held} (group {', '.join(tags)})."


def receives(source: str, kind: str, message: tuple[str, ...]) -> str:
    """A stream into the fluxion."""
    return f"receives {_message(message)} from {q(source)} ({_kind(kind)})"


def sends(target: str | None, kind: str, message: tuple[str, ...]) -> str:
    """A stream out of the fluxion."""
    if target is None:
        return "sends nothing (-> null)"
    return f"sends {_message(message)} to {q(target)} ({_kind(kind)})"


def more_locations(count: int) -> str:
    """Labels left out."""
    return f"... and {count:,} more location{'' if count == 1 else 's'}"


def _message(message: tuple[str, ...]) -> str:
    return "[" + ", ".join(message) + "]" if message else "an empty message"


def _kind(kind: str) -> str:
    return f"{arrow(kind)} {kind}"
