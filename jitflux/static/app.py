"""The analysed app: its parsed files with their scopes and the function table, in one place."""

from __future__ import annotations

import sys
from pathlib import Path

from jitflux.static.functions import FunctionTable
from jitflux.static.parse import Unit, load_units
from jitflux.static.scope_analysis import ScopeManager
from jitflux.static.syntax import Node

_RECURSION_LIMIT = 20000


class App:
    """The files of an app (the main script first), their scopes and functions."""

    def __init__(self, units: list[Unit], warnings: list[str] | None = None) -> None:
        self.units = units
        self.main = units[0]
        self.warnings = list(warnings or [])
        self._scopes: dict[int, ScopeManager] = {}
        for unit in units:
            if unit.ast is not None:
                self._analyse_scopes(unit)
        self.functions = FunctionTable(units)
        # Each relative `require(...)` call, to the file it loads.
        self._required = {id(call): target for u in units for call, target in u.requires if call}

    def _analyse_scopes(self, unit: Unit) -> None:
        """The scopes of one file; a file nested too deeply for them is skipped, with a warning."""
        limit = sys.getrecursionlimit()
        # The scope walk recurses along the syntax tree: long `a + b + ...` chains need room.
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
        try:
            self._scopes[id(unit)] = ScopeManager(unit.ast)
        except RecursionError:
            unit.ast = None
            self.warnings.append(f"{unit.file}:1:0: too deeply nested to analyse; file skipped")
        finally:
            sys.setrecursionlimit(limit)

    @classmethod
    def load(cls, script: Path) -> App:
        """Read and parse the app whose main script is `script`."""
        units, warnings = load_units(script)
        return cls(units, warnings)

    def scopes(self, unit: Unit) -> ScopeManager:
        """The scope manager of a parsed file."""
        return self._scopes[id(unit)]

    def required_unit(self, call: Node) -> Unit | None:
        """The app file a `require('./x')` call loads, when it was analysed."""
        return self._required.get(id(call))

    def label(self, function_id: str) -> str:
        """How messages name a function: `saveBody`, `the top level of x.js`, `the function at
        server.js:12`."""
        fn = self.functions.functions[int(function_id[1:])]
        if fn.kind == "toplevel":
            return f"the top level of {fn.file}"
        if fn.name:
            return f"`{fn.name}`"
        return f"the function at {fn.file}:{fn.line}"

    def main_id(self) -> str:
        """The id of the main script's top level (`f0`)."""
        return self.functions.toplevel(self.main)
