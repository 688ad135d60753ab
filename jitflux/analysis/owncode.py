"""The code of one function itself, to tell in which part a function a library called ran."""

from __future__ import annotations

from dataclasses import dataclass

from jitflux.analysis.fluxions import Fluxions
from jitflux.analysis.sources import SourceFile, Sources
from jitflux.trace import Effect, Function


@dataclass(frozen=True)
class OwnCode:
    """The code of one function itself: its text span, less the functions nested in it (a
    closure of it may run in any part; the function's own code runs in its call)."""

    file: str
    source: SourceFile
    span: tuple[int, int]
    nested: tuple[tuple[int, int], ...]

    @staticmethod
    def of(fn: Function | None, fluxions: Fluxions, sources: Sources) -> OwnCode | None:
        """The own code of `fn`; None for a top level or without its source."""
        if fn is None or fn.kind == "toplevel" or fn.range is None:
            return None
        source = sources.get(fn.file)
        if source is None:
            return None
        low, high = fn.range
        nested = tuple(
            (source.index(other.range[0]), source.index(other.range[1]))
            for other in fluxions.functions.values()
            if other.file == fn.file
            and other.range is not None
            and other.id != fn.id
            and low <= other.range[0]
            and other.range[1] <= high
        )
        return OwnCode(fn.file, source, (source.index(low), source.index(high)), nested)

    def holds(self, effect: Effect) -> bool:
        """Whether a sample of `effect` happened in this code."""
        for sample in effect.samples:
            if sample.file != self.file or sample.line is None:
                continue
            at = self.source.position(sample.line, sample.column or 0)
            if at is None or not self.span[0] <= at < self.span[1]:
                continue
            if not any(a <= at < b for a, b in self.nested):
                return True
        return False
