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


def dispatcher(senders: list[str]) -> list[str]:
    """The head of the code jitflux adds for express_dispatcher (paper, section 4.2.2)."""
    return [
        f"// added by jitflux (paper, section 4.2.2): receives the changes that "
        f"{', '.join(senders)}",
        "// made to the Express request, merges them back into the request of the same",
        "// chain, then calls Express's next() to go on with the next handler",
    ]
