"""The `flx` printer: the paper's language (figure 1), as listings 2 and 4 show it.

    flx reply & network {count, template}
    -> null
      function reply(err, data) { ... }

A header line `flx <name>` with ` & <tags>` when it has tags and ` {<context>}` when its context
is not empty; one line per output stream, `>> dest [message]` (start) or `-> dest [message]`
(post), the brackets left out when the message is empty, `-> null` when it has no stream; then
its code indented by two spaces. Fluxions are separated by a blank line.
"""

from __future__ import annotations

from jitflux.emit.program import FluxionSpec, Program, Stream
from jitflux.words import NO_STREAM

INDENT = "  "


def render(program: Program) -> str:
    """The whole program in the paper's language."""
    blocks = ["\n".join(_fluxion_lines(program, spec)) for spec in program.fluxions]
    return "\n\n".join(blocks) + "\n"


def fluxion_header(spec: FluxionSpec) -> str:
    """`flx name & tag1, tag2 {ctx1, ctx2}`."""
    line = f"flx {spec.name}"
    if spec.tags:
        line += " & " + ", ".join(spec.tags)
    if spec.context:
        line += " {" + ", ".join(spec.context) + "}"
    return line


def stream_line(stream: Stream) -> str:
    """`>> dest [msg]`, `-> dest [msg]` or `-> null`."""
    line = f"{stream.arrow} {', '.join(stream.to) or NO_STREAM}"
    if stream.message:
        line += " [" + ", ".join(stream.message) + "]"
    return line


def _fluxion_lines(program: Program, spec: FluxionSpec) -> list[str]:
    lines = [fluxion_header(spec)]
    lines += [stream_line(stream) for stream in spec.streams]
    lines += [(INDENT + line) if line else "" for line in spec.code]
    return lines
