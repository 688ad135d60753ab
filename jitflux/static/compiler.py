"""The static compiler: from a script to a `Trace` of what its source shows (nothing observed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jitflux.static.analyzer import StaticAnalysis
from jitflux.static.app import App
from jitflux.static.callees import DEFAULT_CALLEES, Callee
from jitflux.static.effects import find_effects
from jitflux.trace.model import Meta, Skip, Trace
from jitflux.version import __version__

PARSER = "esprima 4.0.1"


def compile_script(script: str | Path, callees: Sequence[Callee] = ()) -> Trace:
    """The static Trace of the app whose main script is `script`.

    `callees` are extra asynchronous callees, matched before the defaults. The trace has
    `meta.source` "static", `count` 0 everywhere and no samples; `meta.warnings` holds a line per
    file esprima could not parse (or `require` that leads nowhere), `meta.skipped` each callback
    evaluated at run time that the compiler skipped. A missing script is a UsageError.
    """
    path = Path(script)
    app = App.load(path)
    analysis = StaticAnalysis(app, [*callees, *DEFAULT_CALLEES])
    meta = Meta(
        source="static",
        script=app.main.file,
        script_path=str(path),
        warnings=tuple(app.warnings),
        skipped=tuple(Skip.from_dict(skip) for skip in analysis.skipped()),
        extra={
            "jitflux": __version__,
            "parser": PARSER,
            "files": [unit.file for unit in app.units],
            "unparsed": [unit.file for unit in app.units if unit.ast is None],
        },
    )
    return Trace(
        functions=list(app.functions.functions),
        rupture_points=analysis.rupture_points(),
        effects=find_effects(analysis),
        sources={unit.file: unit.source for unit in app.units},
        meta=meta,
    )
