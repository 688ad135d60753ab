"""compare's outputs: three aligned sections per kind of finding, or the JSON object."""

from __future__ import annotations

import json

from jitflux.compare.model import SECTIONS, Comparison, RuptureEntry, VariableEntry
from jitflux.words import compare as say


def render_json(comparison: Comparison) -> str:
    """The JSON output, indented, ending with a newline."""
    return json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_text(comparison: Comparison) -> str:
    """Three aligned sections with counts for rupture points, then for variables."""
    lines = [say.title(comparison.trace_name, comparison.script)]
    titles = say.SECTION_TITLES
    lines += ["", say.RUPTURE_POINTS]
    for section in SECTIONS:
        entries = comparison.rupture_points[section]
        lines.append(f"  {titles[section]}: {len(entries)}")
        lines += _table([_rupture_row(e, section) for e in entries])
        for entry in entries:
            notes = _rupture_notes(entry)
            if notes:
                lines.append(f"    {entry.callback.label} ({entry.callback.where}): {notes}")
    lines += ["", say.VARIABLES]
    for section in SECTIONS:
        variables = comparison.variables[section]
        lines.append(f"  {titles[section]}: {len(variables)}")
        lines += _table([_variable_row(v) for v in variables])
    return "\n".join(lines) + "\n"


def _rupture_row(entry: RuptureEntry, section: str) -> list[str]:
    arrow = ">>" if entry.type == "start" else "->"
    if entry.trace_callees == entry.static_callees or not entry.static_callees:
        callees = ", ".join(entry.trace_callees)
    elif not entry.trace_callees:
        callees = ", ".join(entry.static_callees)
    else:
        callees = f"{', '.join(entry.trace_callees)} | static: {', '.join(entry.static_callees)}"
    count = f"x{entry.count}" if section != "static_only" else ""
    return [
        entry.type,
        entry.caller.label,
        arrow,
        entry.callback.label,
        callees,
        entry.callback.where,
        count,
    ]


def _rupture_notes(entry: RuptureEntry) -> str:
    notes = []
    if "caller" in entry.differences:
        callers = entry.differences["caller"]
        notes.append(say.other_caller(callers["trace"].label, callers["static"].label))
    if "type" in entry.differences:
        types = entry.differences["type"]
        notes.append(say.other_type(types["trace"], types["static"]))
    if entry.skipped:
        notes.append(say.skipped(entry.skipped))
    return "; ".join(notes)


def _variable_row(variable: VariableEntry) -> list[str]:
    declared = (
        f"{variable.declared.file}:{variable.declared.line}:{variable.declared.column}"
        if variable.declared
        else say.GLOBAL
    )

    def side(name: str, seen: dict[str, list[str]] | None) -> str:
        if not seen:
            return ""
        return f"{name}: {', '.join(seen['fluxions'])} ({', '.join(seen['kinds'])})"

    return [variable.name, declared, side("trace", variable.trace), side("static", variable.static)]


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned columns, indented under their section."""
    if not rows:
        return [f"    {say.NONE}"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        ("    " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        .rstrip()
        for row in rows
    ]
