"""explain's text, for an 80-column terminal, as the Rust compiler's diagnostics: a summary
table, then per fluxion a headline, its streams, and each tie with its labelled locations,
`note:` and `help:` lines."""

from __future__ import annotations

import re

from jitflux.explain.report import Label, Report, Tie
from jitflux.words import explain as say

WIDTH = 80
# A `quoted` span: never broken across lines.
_QUOTED = re.compile(r"`[^`\n]*`")


def render_text(reports: list[Report], summary: bool = True) -> str:
    """The reports as text: a summary table (when asked), then the details."""
    out: list[str] = []
    if summary:
        out += _table(reports)
        out.append("")
    for report in reports:
        out += _details(report)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _table(reports: list[Report]) -> list[str]:
    rows = [say.TABLE_HEADER]
    for r in reports:
        first = r.ties[0].summary if r.ties else "-"
        tags = ", ".join(r.tags) or "-"
        rows.append((r.name, "yes" if r.isolated else "no", tags, str(len(r.ties)), first))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  "
        room = max(WIDTH - len(head), 12)
        last = row[4] if len(row[4]) <= room else row[4][: room - 3].rstrip() + "..."
        lines.append((head + last).rstrip())
    return lines


def _details(report: Report) -> list[str]:
    out = _wrap(say.headline(report.name, len(report.ties), report.tags), "")
    for source, kind, message in report.receives:
        out += _wrap(say.receives(source, kind, message), "  ")
    for target, kind, message in report.sends:
        out += _wrap(say.sends(target, kind, message), "  ")
    if report.context:
        out.append("  " + say.context(report.context))
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
        out.append(f"{' ' * gutter}{say.more_locations(tie.more_labels)}")
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
    kept = _QUOTED.sub(lambda m: m.group(0).replace(" ", "\0"), text)
    words = kept.split()
    if not words:
        return [first.rstrip()]
    # Greedy filling, as textwrap does without breaking words (at a tenth of its cost: a big
    # app's explanation wraps tens of thousands of notes).
    lines: list[str] = []
    # Like textwrap, keep the whitespace that starts the text (the gutter of `= note:`).
    line = first + kept[: len(kept) - len(kept.lstrip())] + words[0]
    indent = first if rest is None else rest
    for word in words[1:]:
        if len(line) + 1 + len(word) <= WIDTH:
            line += " " + word
        else:
            lines.append(line)
            line = indent + word
    lines.append(line)
    return [text_line.replace("\0", " ") for text_line in lines]
