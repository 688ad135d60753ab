"""The function table: ids, names and places of every function, as the dynamic trace gives them.

Ids are `f0, f1, ...`: files in the order they are loaded (the main script first), and in each
file its top level (kind "toplevel") then its functions in source order, so that the main
script's top level is `f0`. A function's name is its own identifier, else its method or property
key, else the variable it initialises (`const h = () => ...`), else "". Line is 1-based, column
0-based, `range` is [start, end) in character offsets of the file's text.
"""

from __future__ import annotations

from jitflux.static.parse import Unit
from jitflux.static.syntax import Node, children, is_function, property_key
from jitflux.trace.model import Function


class FunctionTable:
    """Every function of the analysed files, with its node and its lexical parent."""

    def __init__(self, units: list[Unit]) -> None:
        self.functions: list[Function] = []
        self._ids: dict[int, str] = {}
        self._nodes: dict[str, tuple[Unit, Node | None]] = {}
        self._parent: dict[str, str | None] = {}
        self._toplevels: dict[int, str] = {}
        for unit in units:
            self._add_unit(unit)

    def id_of(self, node: Node) -> str:
        """The id of a function node or of a Program (its file's top level)."""
        return self._ids[id(node)]

    def has(self, node: Node) -> bool:
        """Whether a node is a function (or Program) of the table."""
        return id(node) in self._ids

    def node_of(self, function_id: str) -> tuple[Unit, Node | None]:
        """The unit and node of a function id (node None for a file esprima could not parse)."""
        return self._nodes[function_id]

    def toplevel(self, unit: Unit) -> str:
        """The id of a file's top level."""
        return self._toplevels[id(unit)]

    def parent(self, function_id: str) -> str | None:
        """The function lexically enclosing this one (a top level has none)."""
        return self._parent[function_id]

    def contains(self, outer: str, inner: str) -> bool:
        """Whether function `inner` is `outer` or lexically nested inside it."""
        current: str | None = inner
        while current is not None:
            if current == outer:
                return True
            current = self._parent[current]
        return False

    def _new_id(self) -> str:
        return f"f{len(self.functions)}"

    def _add_unit(self, unit: Unit) -> None:
        top = self._new_id()
        self.functions.append(
            Function(top, "", unit.file, 1, 0, kind="toplevel", range=(0, len(unit.source)))
        )
        self._nodes[top] = (unit, unit.ast)
        self._parent[top] = None
        self._toplevels[id(unit)] = top
        if unit.ast is None:
            return
        self._ids[id(unit.ast)] = top
        # An explicit stack keeps deep files from hitting Python's recursion limit.
        stack: list[tuple[Node, Node | None, str]] = [
            (child, unit.ast, top) for child in reversed(children(unit.ast))
        ]
        while stack:
            node, parent, enclosing = stack.pop()
            inner = enclosing
            if is_function(node):
                inner = self._add_function(unit, node, parent, enclosing)
            stack.extend((child, node, inner) for child in reversed(children(node)))

    def _add_function(self, unit: Unit, node: Node, parent: Node | None, enclosing: str) -> str:
        function_id = self._new_id()
        start = node.loc.start
        self.functions.append(
            Function(
                function_id,
                _name(node, parent),
                unit.file,
                start.line,
                start.column,
                kind=_kind(node, parent),
                range=(node.range[0], node.range[1]),
                params=_params(node),
            )
        )
        self._ids[id(node)] = function_id
        self._nodes[function_id] = (unit, node)
        self._parent[function_id] = enclosing
        return function_id


def _name(node: Node, parent: Node | None) -> str:
    if node.id is not None:
        return node.id.name
    if parent is None:
        return ""
    if parent.type in ("MethodDefinition", "Property") and parent.value is node:
        return property_key(parent) or ""
    if parent.type == "VariableDeclarator" and parent.init is node:
        return parent.id.name if parent.id.type == "Identifier" else ""
    return ""


def _kind(node: Node, parent: Node | None) -> str:
    if parent is not None and parent.value is node:
        if parent.type == "MethodDefinition":
            return "method"
        if parent.type == "Property" and (parent.method or parent.kind in ("get", "set")):
            return "method"
    if node.type == "ArrowFunctionExpression":
        return "arrow"
    return "function"


def _params(node: Node) -> list[str]:
    """The simple parameter names (`a`, `b = 1`, `...rest`); patterns are left out."""
    names = []
    for param in node.params:
        if param.type == "AssignmentPattern":
            param = param.left
        elif param.type == "RestElement":
            param = param.argument
        if param.type == "Identifier":
            names.append(param.name)
    return names
