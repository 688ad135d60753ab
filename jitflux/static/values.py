"""What an expression holds, found by walking back the AST (the paper's section 3.1.2).

A function written in place is trivially a function. For a name, the analyzer looks for its
last value: the last plain assignment (`x = ...`, `var x = ...`) before the place it is used,
in source order, or when there is none before, the first one after (the use is then in code
that runs later, such as a function body); a function declaration is hoisted. A property is
followed into an object literal or into the exports of an app file loaded by `require('./x')`.
Anything that depends on a call, a parameter or a change made at run time is a `Runtime` value,
with the reason in words: the paper's compiler skips such callbacks.

`canonical` names callees for matching the list of asynchronous callees: `readFile` taken from
`require('fs')` is `fs.readFile`, an object made by `express()` is `app`, by `express.Router()`
is `router`, `getRawBody = require('raw-body')` is `raw-body`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jitflux.static.app import App
from jitflux.static.parse import Unit
from jitflux.static.scopes import Binding
from jitflux.static.syntax import FUNCTION_TYPES, Node, member_name, property_key, source_text

# Values that are plainly not functions.
_DATA_TYPES = frozenset(
    {
        "Literal",
        "TemplateLiteral",
        "ArrayExpression",
        "BinaryExpression",
        "UnaryExpression",
        "UpdateExpression",
        "ClassExpression",
        "ThisExpression",
        "TaggedTemplateExpression",
    }
)


@dataclass(frozen=True, eq=False)
class FunctionValue:
    """A function of the app."""

    unit: Unit
    node: Node = field(repr=False)


@dataclass(frozen=True, eq=False)
class ObjectValue:
    """An object literal of the app."""

    unit: Unit
    node: Node = field(repr=False)


@dataclass(frozen=True)
class ModuleValue:
    """A module from `require`, or a property of one: `fs`, `fs.readFile`, `./routes`.

    `unit` is the app file for a relative require that was analysed.
    """

    name: str
    unit: Unit | None = None


@dataclass(frozen=True)
class ExpressValue:
    """An object made by Express: "app" (`express()`), "router" (`express.Router()`) or
    "route" (`app.route(path)`)."""

    kind: str


@dataclass(frozen=True)
class GlobalValue:
    """A global of Node not declared in the app (`setTimeout`, `process.nextTick`)."""

    name: str


@dataclass(frozen=True)
class DataValue:
    """A value that is not a function (a literal, an array, `undefined`...)."""


@dataclass(frozen=True)
class RuntimeValue:
    """A value known only at run time; `reason` says why, in words."""

    reason: str


Value = (
    FunctionValue
    | ObjectValue
    | ModuleValue
    | ExpressValue
    | GlobalValue
    | DataValue
    | RuntimeValue
)

_MAX_DEPTH = 24


class Resolver:
    """Finds the values of expressions across the app's files (memoized)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._memo: dict[tuple[int, int, int | None], Value] = {}
        self._active: set[tuple[int, int, int | None]] = set()
        self._exports: dict[int, tuple[Node | None, dict[str, Node]]] = {}

    def value(self, unit: Unit, node: Node, at: int | None = None) -> Value:
        """The value of expression `node` of `unit` when the code at offset `at` runs
        (None: once the file has been loaded)."""
        key = (id(unit), id(node), at)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return RuntimeValue(f"`{self.text(unit, node)}` is defined in terms of itself")
        if len(self._active) > _MAX_DEPTH:
            return RuntimeValue(f"`{self.text(unit, node)}` is too long a chain to follow")
        self._active.add(key)
        try:
            result = self._value(unit, node, at)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def variable_value(self, unit: Unit, variable: Binding, at: int | None) -> Value:
        """The last value of a variable before offset `at`."""
        # Each candidate: (offset, expression written there, or the value when already known).
        candidates: list[tuple[int, Node | None, Value | None]] = []
        name = variable.name
        for d in variable.defs:
            if d.kind in ("function", "function-name"):
                # Hoisted: the function is there before any code of its scope runs.
                candidates.append((-1, None, FunctionValue(unit, d.node)))
            elif d.kind == "param":
                owner = self.app.label(self.app.functions.id_of(d.node))
                reason = f"`{name}` is a parameter of {owner}: its value is known only at run time"
                candidates.append((-1, None, RuntimeValue(reason)))
            elif d.kind == "catch":
                candidates.append((-1, None, RuntimeValue(f"`{name}` is a caught exception")))
            elif d.kind == "class":
                candidates.append((-1, None, DataValue()))
            elif d.init is not None and d.path == ():
                candidates.append((d.node.range[0], d.init, None))
            elif d.init is not None:
                value = self._destructured(unit, d.init, d.path)
                candidates.append((d.node.range[0], None, value))
        for ref in variable.references:
            if not ref.is_write or ref.init:
                continue
            position = ref.identifier.range[0]
            if ref.value is not None:
                candidates.append((position, ref.value, None))
            else:
                line = ref.identifier.loc.start.line
                reason = f"`{name}` is changed at run time ({unit.file}:{line})"
                candidates.append((position, None, RuntimeValue(reason)))
        if not candidates:
            return DataValue()
        before = [c for c in candidates if at is None or c[0] < at]
        offset, expression, value = (
            max(before, key=lambda c: c[0]) if before else min(candidates, key=lambda c: c[0])
        )
        if value is not None:
            return value
        return self.value(unit, expression, offset)

    def canonical(self, unit: Unit, node: Node, at: int | None = None) -> str | None:
        """The name a callee is known by whatever the app calls it (`fs.readFile`, `app.get`,
        `raw-body`), or None."""
        value = self.value(unit, node, at)
        if isinstance(value, ModuleValue) and value.unit is None:
            return value.name
        if isinstance(value, ExpressValue):
            return value.kind
        if isinstance(value, GlobalValue):
            return value.name
        if node.type == "MemberExpression":
            name = member_name(node)
            base = self.canonical(unit, node.object, at)
            if name is not None and base is not None:
                return f"{base}.{name}"
        return None

    def text(self, unit: Unit, node: Node) -> str:
        """The source text of a node, on one line, shortened for messages."""
        text = source_text(unit.source, node)
        return text if len(text) <= 60 else text[:57] + "..."

    def exports(self, unit: Unit) -> tuple[Node | None, dict[str, Node]]:
        """What an app file exports: `module.exports = X` and each `exports.NAME = X`."""
        if id(unit) not in self._exports:
            self._exports[id(unit)] = _exports_of(unit)
        return self._exports[id(unit)]

    # The cases

    def _value(self, unit: Unit, node: Node, at: int | None) -> Value:
        kind = node.type
        if kind in FUNCTION_TYPES:
            return FunctionValue(unit, node)
        if kind == "Identifier":
            variable = self.app.scopes(unit).variable(node)
            if variable is None:
                if node.name == "undefined":
                    return DataValue()
                return GlobalValue(node.name)
            return self.variable_value(unit, variable, node.range[0] if at is None else at)
        if kind == "MemberExpression":
            name = member_name(node)
            if name is None:
                return RuntimeValue(f"`{self.text(unit, node)}` has a key computed at run time")
            return self.property(self.value(unit, node.object, at), name, unit, node)
        if kind == "CallExpression":
            return self._call(unit, node, at)
        if kind == "NewExpression":
            callee = self.value(unit, node.callee, at)
            if isinstance(callee, ModuleValue) and callee.name == "express.Router":
                return ExpressValue("router")
            return DataValue()
        if kind == "ObjectExpression":
            return ObjectValue(unit, node)
        if kind in ("ConditionalExpression", "LogicalExpression"):
            branches = (
                (node.consequent, node.alternate)
                if kind == "ConditionalExpression"
                else (node.left, node.right)
            )
            values = [self.value(unit, b, at) for b in branches]
            if all(isinstance(v, DataValue | GlobalValue) for v in values):
                return DataValue()
            return RuntimeValue(f"`{self.text(unit, node)}` is chosen at run time")
        if kind == "AssignmentExpression" and node.operator == "=":
            return self.value(unit, node.right, at)
        if kind == "SequenceExpression":
            return self.value(unit, node.expressions[-1], at)
        if kind in _DATA_TYPES:
            return DataValue()
        return RuntimeValue(f"`{self.text(unit, node)}` is evaluated at run time")

    def _call(self, unit: Unit, node: Node, at: int | None) -> Value:
        callee = node.callee
        if callee.type == "Identifier" and callee.name == "require" and node.arguments:
            if self.app.scopes(unit).variable(callee) is None:
                spec = node.arguments[0]
                if spec.type == "Literal" and isinstance(spec.value, str):
                    name = spec.value.removeprefix("node:")
                    return ModuleValue(name, self.app.required_unit(node))
        value = self.value(unit, callee, at)
        if isinstance(value, ModuleValue) and value.unit is None:
            if value.name == "express":
                return ExpressValue("app")
            if value.name == "express.Router":
                return ExpressValue("router")
        if callee.type == "MemberExpression" and member_name(callee) == "route":
            owner = self.value(unit, callee.object, at)
            if isinstance(owner, ExpressValue) and owner.kind in ("app", "router"):
                return ExpressValue("route")
        return RuntimeValue(
            f"`{self.text(unit, node)}` is a call: what it returns exists only at run time"
        )

    def property(self, owner: Value, name: str, unit: Unit, node: Node) -> Value:
        """The value of property `name` of a value (`node` is the member expression)."""
        if isinstance(owner, ObjectValue):
            for prop in reversed(owner.node.properties):
                if prop.type == "Property" and property_key(prop) == name:
                    return self.value(owner.unit, prop.value, None)
            return RuntimeValue(f"`{self.text(unit, node)}` is not set where its object is made")
        if isinstance(owner, ModuleValue):
            if owner.unit is None:
                return ModuleValue(f"{owner.name}.{name}")
            whole, names = self.exports(owner.unit)
            if name in names:
                return self.value(owner.unit, names[name], None)
            if whole is not None:
                exported = self.value(owner.unit, whole, None)
                return self.property(exported, name, unit, node)
            return RuntimeValue(f"`{self.text(unit, node)}` is not exported by {owner.unit.file}")
        if isinstance(owner, GlobalValue):
            return GlobalValue(f"{owner.name}.{name}")
        if isinstance(owner, RuntimeValue):
            return owner
        if isinstance(owner, DataValue):
            return DataValue()
        return RuntimeValue(f"`{self.text(unit, node)}` is evaluated at run time")

    def _destructured(self, unit: Unit, init: Node, path: tuple[str, ...] | None) -> Value:
        """The value of a name bound by destructuring `init` along `path`."""
        if path is None:
            return RuntimeValue(f"destructured from `{self.text(unit, init)}` at run time")
        value = self.value(unit, init, None)
        for key in path:
            value = self.property(value, key, unit, init)
        return value


def _exports_of(unit: Unit) -> tuple[Node | None, dict[str, Node]]:
    """`module.exports = X` (the last one) and `exports.NAME = X` / `module.exports.NAME = X`
    at a file's top level."""
    whole: Node | None = None
    names: dict[str, Node] = {}
    if unit.ast is None:
        return whole, names
    for statement in unit.ast.body:
        if statement.type != "ExpressionStatement":
            continue
        expression = statement.expression
        while expression.type == "AssignmentExpression" and expression.operator == "=":
            target = expression.left
            value = expression.right
            # `module.exports = exports = fn`: the value is at the end of the chain.
            while value.type == "AssignmentExpression" and value.operator == "=":
                value = value.right
            if _is_module_exports(target):
                whole = value
            elif target.type == "MemberExpression" and member_name(target) is not None:
                if _is_module_exports(target.object) or (
                    target.object.type == "Identifier" and target.object.name == "exports"
                ):
                    names[member_name(target)] = value
            expression = expression.right
    return whole, names


def _is_module_exports(node: Node) -> bool:
    return (
        node.type == "MemberExpression"
        and node.object.type == "Identifier"
        and node.object.name == "module"
        and member_name(node) == "exports"
    )
