"""Where a promise chain's step continues from: the step before it, or the part that handed it.

For a `then` step the shim records the step before it as the caller (`p.then(a).then(b)`: `b`
runs with `a`'s result, so `a -> b` is the chain, issue 11) and, when that is another part, the
part that handed the step over as its registrar. A chain written in one function goes from step
to step. A step added to a promise that a helper made (`book.load().then(loaded)` in `reload`,
where `load` ends its own chain) continues from the registrar: the paper's rupture point is the
caller of the asynchronous call and its callback (section 3.1.1), and the helper's steps are
the helper's chain, run for other callers too.
"""

from __future__ import annotations

from jitflux.analysis.sources import Sources
from jitflux.trace import Function, Location, RupturePoint, Trace


def continued_from(trace: Trace, sources: Sources) -> dict[int, str]:
    """For each rupture point (by position in the trace) that continues from its registrar
    rather than from the step before it: the registrar's function id."""
    functions = trace.functions_by_id()
    by_file: dict[str, list[Function]] = {}
    for fn in functions.values():
        if fn.range is not None:
            by_file.setdefault(fn.file, []).append(fn)
    sites: dict[str, list[Location]] = {}
    for point in trace.rupture_points:
        if point.site is not None:
            sites.setdefault(point.callback, []).append(point.site)
    found = {}
    for index, point in enumerate(trace.rupture_points):
        if point.registrar is None or point.site is None:
            continue
        here = _holder(point.site, by_file, sources)
        if here is None:
            continue  # nothing tells where it was written: the recorded caller stands
        before = {_holder(site, by_file, sources) for site in sites.get(point.caller, [])}
        if here not in before:
            found[index] = point.registrar
    return found


def source_function(point: RupturePoint, index: int, registrars: dict[int, str]) -> str:
    """The function id a rupture point's stream starts from."""
    return registrars.get(index, point.caller)


def _holder(site: Location, by_file: dict[str, list[Function]], sources: Sources) -> str | None:
    """The function whose code holds `site` (a function literal starting at the site is the one
    handed over there, not its holder); None without the source."""
    source = sources.get(site.file)
    if source is None:
        return None
    at = source.position(site.line, site.column)
    if at is None:
        return None
    best: tuple[int, str] | None = None
    for fn in by_file.get(site.file, []):
        assert fn.range is not None
        start, end = source.index(fn.range[0]), source.index(fn.range[1])
        if start < at < end or (start == at and fn.kind == "toplevel"):
            if best is None or end - start < best[0]:
                best = (end - start, fn.id)
    return best[1] if best else None
