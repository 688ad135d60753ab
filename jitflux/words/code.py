"""The comments jitflux writes into the code it emits."""

from __future__ import annotations

from jitflux.trace import Function
from jitflux.words.common import function_label


def no_toplevel() -> list[str]:
    """main, when the trace has no top level for the main script."""
    return ["// no code: the trace has no top level for the main script"]


def not_recorded(fn: Function, external: bool) -> list[str]:
    """A fluxion whose source the trace does not hold."""
    where = f"{fn.file}:{fn.line}:{fn.column}" if fn.file else "an unknown place"
    if external:
        return [
            f"// {function_label(fn)} is external code at {where}:",
            "// it was not instrumented, so its code and effects were not observed",
        ]
    return [f"// {function_label(fn)} at {where}: its source was not recorded"]


def no_range(fn: Function) -> list[str]:
    """A fluxion whose function's range the trace does not hold."""
    where = f"{fn.file}:{fn.line}:{fn.column}"
    return [f"// {function_label(fn)} at {where}: its range was not recorded"]


def from_file(fn: Function) -> str:
    """The first line of the code of a fluxion whose function is in another file than main's."""
    return f"// from {fn.file}:{fn.line}"


def to_dispatcher(dispatcher: str, item: str, argument: str | None) -> str:
    """The placeholder of a call of Express's `next` in a fluxion the merge frees; the
    argument of `next(err)` is what the message item `item` carries."""
    if argument is None:
        return f"-> {dispatcher}"
    return f"-> {dispatcher} /* {item} = {argument} */"


def dispatcher(
    senders: list[str], framework: str = "Express", called: str = "next", request: str = "req"
) -> list[str]:
    """The head of the code jitflux adds for express_dispatcher, koa_dispatcher or
    fastify_dispatcher (paper, section 4.2.2); `called` is the name of the `next` it calls,
    `request` the object it merges into."""
    if framework != "Express":
        lines = [
            f"// added by jitflux (paper, section 4.2.2): receives the changes that "
            f"{', '.join(senders)}",
            f"// made to {framework}'s {request} for the handlers after them, merges each one a",
            f"// message holds back into that {request}, then calls {called}()",
            "// and hands back what it returns",
        ]
        if framework == "Koa":
            lines[-1] += " (the promise of the rest of the chain: code after"
            lines.append("// `await next()` runs when the rest is done)")
        return lines
    return [
        f"// added by jitflux (paper, section 4.2.2): receives the changes that "
        f"{', '.join(senders)}",
        "// made for the next handler (the request, res.locals, deletes, next's error), merges",
        "// each one a message holds back into the request and response of the same chain,",
        "// then calls Express's next() (with the error, when one came) to go on",
    ]
