"""The variable an ES module's import names, read from the trace's sources for the isolation
check (tests/isolation.py), independently of the shim's own resolution: an effect whose
declaration is an import binding of a relative module (`import { items }`, `import { a as b }`,
a default import, a namespace import `import * as s` with `s.items`), followed through
re-exports (`export * from`, `export { x } from`), is keyed to the declaration of the exported
variable in the module that declares it, owned by that module's top level."""

from __future__ import annotations

import posixpath
import re

from jitflux.trace import Effect, Location, Trace

IMPORT = re.compile(r"import\s+(?P<clause>[^;]*?)\s*from\s*['\"](?P<spec>\.{1,2}/[^'\"?#]+)['\"]")
NAME = r"[A-Za-z_$][\w$]*"
DECLARED = r"(?:async\s+)?function\*?\s+|class\s+"  # `export default function f`


class ModuleBindings:
    """Resolves the import bindings of one trace's ES modules to exported declarations."""

    def __init__(self, trace: Trace) -> None:
        self.sources = trace.sources
        self.toplevels = {f.file: f.id for f in trace.functions if f.kind == "toplevel"}

    def resolve(self, effect: Effect) -> tuple[Location, str] | None:
        """The declaration and owner of the exported variable an effect's root is imported
        from; None when its root is no import binding of a module the trace holds."""
        declared = effect.declared
        if declared is None or declared.file not in self.sources:
            return None
        lines = self.sources[declared.file].splitlines()
        if not 0 < declared.line <= len(lines):
            return None
        line = lines[declared.line - 1]
        at = declared.column
        found = next((m for m in IMPORT.finditer(line) if m.start() <= at < m.end()), None)
        if found is None:
            return None
        local = line[declared.column :].split()[0].rstrip(",}")
        name = _imported(found.group("clause"), local, effect.target)
        if name is None:
            return None
        spec = found.group("spec")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(declared.file), spec))
        return self._declaration(file, name, set())

    def _declaration(self, file: str, name: str, seen: set[str]) -> tuple[Location, str] | None:
        """Where module `file` declares what it exports as `name`, following re-exports."""
        text = self.sources.get(file)
        if text is None or file in seen or file not in self.toplevels:
            return None
        seen.add(file)
        local = name
        if name == "default":
            m = re.search(rf"export\s+default\s+(?:{DECLARED})?({NAME})", text)
            if m is None:
                return None
            local = m.group(1)
        else:
            for m in re.finditer(r"export\s*\{([^}]*)\}\s*(from\s*['\"]([^'\"]+)['\"])?", text):
                for item in m.group(1).split(","):
                    parts = item.split()
                    if not parts or parts[-1] != name:
                        continue
                    if m.group(2):
                        target = posixpath.join(posixpath.dirname(file), m.group(3))
                        return self._declaration(posixpath.normpath(target), parts[0], seen)
                    local = parts[0]
        where = re.search(
            rf"(?:\b(?:const|let|var|class)|\bfunction\*?)\s+{re.escape(local)}(?![\w$])|"
            rf"\b(?:const|let|var)\s+[^;=]*?(?<![\w$.]){re.escape(local)}(?![\w$])",
            text,
        )
        if where is not None:
            at = where.end() - len(local)
            line = text.count("\n", 0, at) + 1
            column = at - (text.rfind("\n", 0, at) + 1)
            return Location(file, line, column), self.toplevels[file]
        for m in re.finditer(r"export\s*\*\s*from\s*['\"]([^'\"]+)['\"]", text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(file), m.group(1)))
            found = self._declaration(target, name, seen)
            if found is not None:
                return found
        return None


def _imported(clause: str, local: str, target: str) -> str | None:
    """The name exported by the module for the local binding `local` of an import clause
    (`items`, `{ a as b }`, `* as s` with target `s.items`); None when it is not there."""
    star = re.search(rf"\*\s*as\s+({NAME})", clause)
    if star is not None and star.group(1) == local:
        member = re.match(rf"{re.escape(local)}\.({NAME})", target)
        return member.group(1) if member else None
    braces = re.search(r"\{([^}]*)\}", clause)
    if braces is not None:
        for item in braces.group(1).split(","):
            parts = item.split()
            if parts and parts[-1] == local:
                return parts[0]
    default = re.match(rf"\s*({NAME})\s*(,|$)", clause)
    if default is not None and default.group(1) == local:
        return "default"
    return None
