"""What each part does to memory it does not own, read from the scopes (paper, section 3.2).

The pipeliner of the paper decides from escope's scopes; here the same facts are written as the
tracer's effects, so that the emit engine applies the same rules to both. For each function and
each part its code runs in (see `analyzer`), with `function` = the part:
- `read` / `write`: a Reference (escope's READ / WRITE flags) to a variable declared outside the
  part (not in the part's function nor in a function nested in it); `owner` = the declaring
  function. A write to an undeclared global has `declared` null; reads of globals and of the
  CommonJS wrapper (`require`, `module`, `exports`, `__filename`, `__dirname`) are left out.
- `write` of an object path (`req.body`, `cache[*]`, `log[*]` for `log.push(x)`, `this.count`):
  assignments, `++`, `delete` and mutating method calls on an object whose root is a parameter
  (always: the object came from elsewhere), a variable of another part, `this` (except in a
  class constructor, which builds it), or a local alias of those (`const r = req`); `declared`
  / `owner` are the root variable's.
- `call`: a call of a parameter or of a variable of another part (`next()`); `callee` is the id
  of the function called when the compiler can tell, else null (`next` is Express's).
- `network`: a method call on, or a property write to, the request or response of an Express
  route handler or `http.createServer` listener (or a variable holding them), from any part.
- `unknown`: a direct `eval(...)` or a `with` statement, whose accesses nobody can tell.
Counts are 0 (nothing was observed) and there are no samples.
"""

from __future__ import annotations

from jitflux.static.analyzer import StaticAnalysis
from jitflux.static.parse import Unit
from jitflux.static.scope_analysis import ScopeManager
from jitflux.static.scopes import Binding, Reference
from jitflux.static.syntax import Node, member_name, own_nodes
from jitflux.static.values import FunctionValue
from jitflux.trace.model import Effect, EffectKind, Location

COMMONJS = frozenset({"require", "module", "exports", "__filename", "__dirname"})
MUTATORS = frozenset(
    {
        "push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin",
        "set", "add", "delete", "clear",
    }
)  # fmt: skip
_KIND_ORDER = {"read": 0, "write": 1, "call": 2, "network": 3, "unknown": 4}

_Key = tuple[str, str, str, Location | None, str | None, str | None]


def find_effects(analysis: StaticAnalysis) -> list[Effect]:
    """Every effect of every part, deduplicated, in a stable order."""
    return _Collector(analysis).run()


class _Collector:
    """Walks each function's own code once and files its effects under its parts."""

    def __init__(self, analysis: StaticAnalysis) -> None:
        self.analysis = analysis
        self.app = analysis.app
        self.functions = analysis.app.functions
        self.effects: dict[_Key, Effect] = {}

    def run(self) -> list[Effect]:
        for unit in self.app.units:
            if unit.ast is None:
                continue
            scopes = self.app.scopes(unit)
            by_function: dict[int, list[Reference]] = {}
            for ref in scopes.references:
                by_function.setdefault(id(ref.scope.function), []).append(ref)
            for fn in self.functions.functions:
                fn_unit, node = self.functions.node_of(fn.id)
                if fn_unit is not unit or node is None:
                    continue
                parts = sorted(self.analysis.parts(fn.id), key=_number)
                self._function(unit, scopes, fn.id, node, parts, by_function.get(id(node), []))
        return sorted(self.effects.values(), key=_sort_key)

    def _function(
        self,
        unit: Unit,
        scopes: ScopeManager,
        function_id: str,
        node: Node,
        parts: list[str],
        refs: list[Reference],
    ) -> None:
        for ref in refs:
            self._reference(ref, function_id, parts)
        for inner in own_nodes(node):
            kind = inner.type
            if kind == "AssignmentExpression" and inner.left.type == "MemberExpression":
                self._member_write(unit, scopes, inner.left, function_id, parts)
            elif kind == "UpdateExpression" and inner.argument.type == "MemberExpression":
                self._member_write(unit, scopes, inner.argument, function_id, parts)
            elif (
                kind == "UnaryExpression"
                and inner.operator == "delete"
                and inner.argument.type == "MemberExpression"
            ):
                self._member_write(unit, scopes, inner.argument, function_id, parts)
            elif kind == "CallExpression":
                self._call(unit, scopes, inner, function_id, parts)
            elif kind == "WithStatement":
                reason = "a `with` statement: the names it reads and writes are known at run time"
                self._add_all(parts, "unknown", "with", None, None, reason=reason)

    # Variables

    def _reference(self, ref: Reference, function_id: str, parts: list[str]) -> None:
        variable = ref.resolved
        name = ref.identifier.name
        if variable is None:
            if ref.is_write and name not in COMMONJS:
                self._add_all(parts, "write", name, None, None)
            return
        owner = self.analysis.function_of_scope(variable)
        if owner == function_id:
            return
        declared = self._declared(variable)
        for part in parts:
            if self.functions.contains(part, owner):
                continue
            if ref.is_read:
                self._add(part, "read", name, declared, owner)
            if ref.is_write:
                self._add(part, "write", name, declared, owner)

    # Objects

    def _member_write(
        self,
        unit: Unit,
        scopes: ScopeManager,
        member: Node,
        function_id: str,
        parts: list[str],
        suffix: str = "",
    ) -> None:
        """A write into an object: `req.body = x`, `cache[k] = v`, `log.push(x)` (suffix)."""
        root, path = _path(member)
        if root is None:
            return
        target = path + suffix
        if root.type == "ThisExpression":
            if not self._constructor(function_id):
                self._add_all(parts, "write", target, None, None)
            return
        variable = scopes.variable(root)
        if variable is None:
            if root.name not in COMMONJS:
                self._add_all(parts, "write", target, None, None)
        else:
            owner = self.analysis.function_of_scope(variable)
            declared = self._declared(variable)
            for part in parts:
                if self._foreign_object(variable, owner, function_id, part):
                    self._add(part, "write", target, declared, owner)
        if member.object.type == "Identifier" and self.analysis.is_network(variable):
            self._network(variable, parts)

    def _constructor(self, function_id: str) -> bool:
        """Whether a function is a class constructor: its `this` is the object it builds."""
        fn = self.functions.functions[_number(function_id)]
        return fn.kind == "method" and fn.name == "constructor"

    def _foreign_object(self, variable: Binding, owner: str, function_id: str, part: str) -> bool:
        """Whether an object reached through `variable` may come from outside the part."""
        if variable.is_param:
            return True
        if owner != function_id:
            return not self.functions.contains(part, owner)
        # A local alias of something else: `const r = req`.
        return any(
            d.init is not None
            and d.path == ()
            and d.init.type in ("Identifier", "MemberExpression", "ThisExpression")
            for d in variable.defs
        )

    # Calls

    def _call(
        self, unit: Unit, scopes: ScopeManager, call: Node, function_id: str, parts: list[str]
    ) -> None:
        callee = call.callee
        if callee.type == "Identifier":
            variable = scopes.variable(callee)
            if variable is None:
                if callee.name == "eval":
                    reason = "a direct `eval`: the code it runs is known only at run time"
                    self._add_all(parts, "unknown", "eval", None, None, reason=reason)
                return
            owner = self.analysis.function_of_scope(variable)
            value = self.analysis.resolver.value(unit, callee, call.range[0])
            called = (
                self.functions.id_of(value.node) if isinstance(value, FunctionValue) else None
            )
            declared = self._declared(variable)
            for part in parts:
                foreign = owner != function_id and not self.functions.contains(part, owner)
                if variable.is_param or foreign:
                    self._add(part, "call", callee.name, declared, owner, callee=called)
            return
        if callee.type != "MemberExpression":
            return
        name = member_name(callee)
        if name in MUTATORS and callee.object.type in (
            "Identifier",
            "MemberExpression",
            "ThisExpression",
        ):
            self._member_object_write(unit, scopes, callee.object, function_id, parts)
        if callee.object.type == "Identifier":
            variable = scopes.variable(callee.object)
            if self.analysis.is_network(variable):
                self._network(variable, parts)

    def _member_object_write(
        self, unit: Unit, scopes: ScopeManager, obj: Node, function_id: str, parts: list[str]
    ) -> None:
        """`log.push(x)`: a write of `log[*]` (the object itself changes)."""
        if obj.type == "MemberExpression":
            self._member_write(unit, scopes, obj, function_id, parts, suffix="[*]")
            return
        if obj.type == "ThisExpression":
            if not self._constructor(function_id):
                self._add_all(parts, "write", "this[*]", None, None)
            return
        variable = scopes.variable(obj)
        if variable is None:
            if obj.name not in COMMONJS:
                self._add_all(parts, "write", f"{obj.name}[*]", None, None)
            return
        owner = self.analysis.function_of_scope(variable)
        declared = self._declared(variable)
        for part in parts:
            if self._foreign_object(variable, owner, function_id, part):
                self._add(part, "write", f"{obj.name}[*]", declared, owner)

    def _network(self, variable: Binding | None, parts: list[str]) -> None:
        if variable is None:
            return
        owner = self.analysis.function_of_scope(variable)
        self._add_all(parts, "network", variable.name, self._declared(variable), owner)

    # Recording

    def _declared(self, variable: Binding) -> Location | None:
        """Where a variable is declared: its first declaring identifier."""
        if not variable.defs:
            return None
        owner = self.analysis.function_of_scope(variable)
        unit, _ = self.functions.node_of(owner)
        start = variable.defs[0].name.loc.start
        return Location(unit.file, start.line, start.column)

    def _add_all(
        self,
        parts: list[str],
        kind: EffectKind,
        target: str,
        declared: Location | None,
        owner: str | None,
        reason: str | None = None,
    ) -> None:
        for part in parts:
            self._add(part, kind, target, declared, owner, reason=reason)

    def _add(
        self,
        part: str,
        kind: EffectKind,
        target: str,
        declared: Location | None,
        owner: str | None,
        callee: str | None = None,
        reason: str | None = None,
    ) -> None:
        key = (part, kind, target, declared, owner, callee)
        if key not in self.effects:
            self.effects[key] = Effect(
                part, kind, target, declared, 0, owner=owner, callee=callee, reason=reason
            )


def _path(member: Node) -> tuple[Node | None, str]:
    """The root (an Identifier or `this`) and the path text of a member chain: `req.body`,
    `cache[*]`; the root is None when the chain starts with anything else (`f().x`)."""
    keys: list[str] = []
    node = member
    while node.type == "MemberExpression":
        name = None if node.computed else member_name(node)
        keys.append(f".{name}" if name is not None else "[*]")
        node = node.object
    if node.type == "Identifier":
        return node, node.name + "".join(reversed(keys))
    if node.type == "ThisExpression":
        return node, "this" + "".join(reversed(keys))
    return None, ""


def _number(function_id: str) -> int:
    return int(function_id[1:])


def _sort_key(effect: Effect) -> tuple[object, ...]:
    declared = effect.declared
    return (
        _number(effect.function),
        _KIND_ORDER[effect.kind],
        effect.target,
        (declared.file, declared.line, declared.column) if declared else ("", 0, 0),
        effect.callee or "",
    )
