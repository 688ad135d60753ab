"""Check a corpus app's verdict expectations (its expect.json) against `jitflux emit --format json`.

An expectation names a fluxion, a stream or a variable and the facts that must hold about it.
Fluxions are named by `main`, `express_dispatcher`, or `FILE:LINE`, where their function starts
(FILE is matched as a suffix of the emitted origin, so `server/app.js:21` and
`gifsockets-middleware/lib/x.js:4` work whatever folder the trace was taken from); a plain name
matches the fluxion's name. Variables are named `NAME` or `NAME@FILE:LINE` (where declared).

    {"id": ..., "trace": "plain" | "include", "why": "...",
     "fluxion": SEL, "present": bool, "isolated": bool, "tags_include": [...],
     "context_exclude": [VSEL...],  # variables its context must not hold
     "writes_carried": [...]}    # if isolated, its messages carry these writes (the merge)
    {"stream": {"from": SEL, "to": SEL (optional), "type": "start" | "post",
                "message_include": [...]}}
    {"variable": VSEL, "rule": "share" | [...], "via": "merge", "fluxions_include": [SEL...],
     "fluxions_exclude": [SEL...], "optional": bool,
     "any": bool}                # several variables match: one of them must hold (default all)
"""

from __future__ import annotations

import posixpath
from typing import Any

Json = dict[str, Any]


def rebase(program: Json, folder: str) -> Json:
    """The program with every origin and declaration file made relative to the app's folder
    rather than to the traced script's `folder` (`../server/app.js` from `bin/` is
    `server/app.js`), so that selectors do not depend on where the script is."""
    places = [f.get("origin") for f in program["fluxions"]]
    places += [v.get("declared") for v in program["variables"]]
    for place in places:
        if place and place.get("file") and not posixpath.isabs(place["file"]):
            place["file"] = posixpath.normpath(posixpath.join(folder, place["file"]))
    return program


def _origin_matches(origin: Json | None, file: str, line: int) -> bool:
    if origin is None or origin.get("line") != line:
        return False
    name = str(origin.get("file", ""))
    return name == file or name.endswith("/" + file)


def _split_location(selector: str) -> tuple[str, int] | None:
    """`FILE:LINE` as (file, line), or None when the selector is not a location."""
    file, _, line = selector.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else None


def find_fluxions(program: Json, selector: str) -> list[Json]:
    """The fluxions of an emitted program that a selector names."""
    location = _split_location(selector)
    if location is None:
        return [f for f in program["fluxions"] if f["name"] == selector]
    return [f for f in program["fluxions"] if _origin_matches(f.get("origin"), *location)]


def _names(program: Json, selector: str) -> set[str]:
    if selector == "null":
        return {"null"}
    return {f["name"] for f in find_fluxions(program, selector)}


def _held_as(item: str, selector: str) -> bool:
    """Whether a context item (`ctx`, `ctx@server.js:14`, `ctx.state`) is the variable a
    selector names (`ctx`, or `ctx@server.js:14` for one declaration)."""
    name, _, where = item.partition("@")
    wanted, _, place = selector.partition("@")
    if name.split(".")[0].split("[")[0] != wanted:
        return False
    return not place or not where or where == place or where.endswith("/" + place)


def find_variables(program: Json, selector: str) -> list[Json]:
    """The variables of an emitted program that a selector names."""
    name, _, where = selector.partition("@")
    found = [v for v in program["variables"] if v["name"] == name]
    location = _split_location(where) if where else None
    if location is not None:
        found = [v for v in found if _origin_matches(v.get("declared"), *location)]
    return found


def _short(fluxion: Json) -> str:
    origin = fluxion.get("origin") or {}
    where = f"{origin.get('file')}:{origin.get('line')}" if origin else "-"
    tags = ",".join(fluxion["tags"]) or "-"
    return f"{fluxion['name']} ({where}; tags {tags}; isolated {fluxion['isolated']})"


def _check_fluxion(exp: Json, program: Json) -> tuple[bool, str]:
    selector = exp["fluxion"]
    found = find_fluxions(program, selector)
    if exp.get("present") is False:
        return (not found, "absent" if not found else f"present: {_short(found[0])}")
    if not found:
        names = ", ".join(f["name"] for f in program["fluxions"])
        return False, f"no fluxion at {selector} (fluxions: {names})"
    problems = []
    for fluxion in found:
        wrong = []
        if "isolated" in exp and fluxion["isolated"] != exp["isolated"]:
            wrong.append(f"isolated is {fluxion['isolated']}")
        missing = [t for t in exp.get("tags_include", []) if t not in fluxion["tags"]]
        if missing:
            wrong.append(f"tags {fluxion['tags']} lack {missing}")
        held = [
            item
            for item in fluxion["context"]
            for selector in exp.get("context_exclude", [])
            if _held_as(item, selector)
        ]
        if held:
            wrong.append(f"context holds {held}")
        if fluxion["isolated"]:
            sent = {m for stream in fluxion["streams"] for m in stream["message"]}
            dropped = [w for w in exp.get("writes_carried", []) if w not in sent]
            if dropped:
                wrong.append(f"isolated, but its messages do not carry {dropped}")
        if not wrong:
            return True, _short(fluxion)
        problems.append(f"{fluxion['name']}: " + "; ".join(wrong))
    return False, " | ".join(problems)


def _check_stream(exp: Json, program: Json) -> tuple[bool, str]:
    spec = exp["stream"]
    sources = find_fluxions(program, spec["from"])
    if not sources:
        return False, f"no fluxion at {spec['from']}"
    targets = _names(program, spec["to"]) if "to" in spec else None
    if targets is not None and not targets:
        return False, f"no fluxion at {spec['to']}"
    wanted = spec.get("message_include", [])
    seen = []
    for source in sources:
        for stream in source["streams"]:
            seen.append(f"{source['name']} {stream['type']} {stream['to']} {stream['message']}")
            if stream["type"] != spec["type"]:
                continue
            if targets is not None and not targets & set(stream["to"]):
                continue
            missing = [m for m in wanted if m not in stream["message"]]
            if missing:
                seen[-1] += f" (message lacks {missing})"
                continue
            return True, seen[-1]
    arrow = ">>" if spec["type"] == "start" else "->"
    want = f"{spec['from']} {arrow} {spec.get('to', 'any')}"
    return False, f"no stream {want}; streams seen: " + ("; ".join(seen) or "none")


def _check_variable(exp: Json, program: Json) -> tuple[bool, str]:
    found = find_variables(program, exp["variable"])
    if not found:
        if exp.get("optional"):
            return True, "not placed (no such variable crosses a fluxion)"
        same = [v for v in program["variables"] if v["name"] == exp["variable"].split("@")[0]]
        hint = "; ".join(f"{v['name']} {v['rule']} {v['fluxions']} {v['declared']}" for v in same)
        return False, f"no variable {exp['variable']}" + (f" (same name: {hint})" if hint else "")
    problems = []
    for variable in found:
        rules = exp.get("rule")
        if isinstance(rules, str):
            rules = [rules]
        wrong = []
        if rules and variable["rule"] not in rules:
            wrong.append(f"rule is {variable['rule']}, expected {'/'.join(rules)}")
        if "via" in exp and variable.get("via") != exp["via"]:
            wrong.append(f"via is {variable.get('via')}")
        for selector in exp.get("fluxions_include", []):
            if not _names(program, selector) & set(variable["fluxions"]):
                wrong.append(f"fluxions {variable['fluxions']} lack {selector}")
        for selector in exp.get("fluxions_exclude", []):
            if _names(program, selector) & set(variable["fluxions"]):
                wrong.append(f"fluxions {variable['fluxions']} include {selector}")
        if wrong:
            problems.append(f"{variable['name']} ({_where(variable)}): " + "; ".join(wrong))
        elif exp.get("any"):
            return True, f"{variable['name']} ({_where(variable)}) {variable['rule']} " + str(
                variable["fluxions"]
            )
    if problems:
        return False, " | ".join(problems)
    return True, "; ".join(f"{v['name']} {v['rule']} {v['fluxions']}" for v in found)


def _where(variable: Json) -> str:
    declared = variable.get("declared") or {}
    return f"{declared.get('file')}:{declared.get('line')}"


def check(exp: Json, program: Json) -> tuple[bool, str]:
    """Whether one expectation holds on an emitted program, and what was found."""
    if "fluxion" in exp:
        return _check_fluxion(exp, program)
    if "stream" in exp:
        return _check_stream(exp, program)
    if "variable" in exp:
        return _check_variable(exp, program)
    raise ValueError(f"expectation {exp.get('id')!r} names no fluxion, stream or variable")
