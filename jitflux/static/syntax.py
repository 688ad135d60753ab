"""Walking esprima's ESTree nodes: child keys in source order, parents, functions, source text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# esprima's nodes are plain objects; `Node` names them in signatures.
Node = Any

FUNCTION_TYPES = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})

# The child keys of every node type esprima 4 produces for a script (the ES2017 subset of
# eslint-visitor-keys), in source order.
VISITOR_KEYS: dict[str, tuple[str, ...]] = {
    "ArrayExpression": ("elements",),
    "ArrayPattern": ("elements",),
    "ArrowFunctionExpression": ("params", "body"),
    "AssignmentExpression": ("left", "right"),
    "AssignmentPattern": ("left", "right"),
    "AwaitExpression": ("argument",),
    "BinaryExpression": ("left", "right"),
    "BlockStatement": ("body",),
    "BreakStatement": ("label",),
    "CallExpression": ("callee", "arguments"),
    "CatchClause": ("param", "body"),
    "ClassBody": ("body",),
    "ClassDeclaration": ("id", "superClass", "body"),
    "ClassExpression": ("id", "superClass", "body"),
    "ConditionalExpression": ("test", "consequent", "alternate"),
    "ContinueStatement": ("label",),
    "DebuggerStatement": (),
    "DoWhileStatement": ("body", "test"),
    "EmptyStatement": (),
    "ExpressionStatement": ("expression",),
    "ForInStatement": ("left", "right", "body"),
    "ForOfStatement": ("left", "right", "body"),
    "ForStatement": ("init", "test", "update", "body"),
    "FunctionDeclaration": ("id", "params", "body"),
    "FunctionExpression": ("id", "params", "body"),
    "Identifier": (),
    "IfStatement": ("test", "consequent", "alternate"),
    "Import": (),
    "LabeledStatement": ("label", "body"),
    "Literal": (),
    "LogicalExpression": ("left", "right"),
    "MemberExpression": ("object", "property"),
    "MetaProperty": ("meta", "property"),
    "MethodDefinition": ("key", "value"),
    "NewExpression": ("callee", "arguments"),
    "ObjectExpression": ("properties",),
    "ObjectPattern": ("properties",),
    "Program": ("body",),
    "Property": ("key", "value"),
    "RestElement": ("argument",),
    "ReturnStatement": ("argument",),
    "SequenceExpression": ("expressions",),
    "SpreadElement": ("argument",),
    "Super": (),
    "SwitchCase": ("test", "consequent"),
    "SwitchStatement": ("discriminant", "cases"),
    "TaggedTemplateExpression": ("tag", "quasi"),
    "TemplateElement": (),
    "TemplateLiteral": ("quasis", "expressions"),
    "ThisExpression": (),
    "ThrowStatement": ("argument",),
    "TryStatement": ("block", "handler", "finalizer"),
    "UnaryExpression": ("argument",),
    "UpdateExpression": ("argument",),
    "VariableDeclaration": ("declarations",),
    "VariableDeclarator": ("id", "init"),
    "WhileStatement": ("test", "body"),
    "WithStatement": ("object", "body"),
    "YieldExpression": ("argument",),
}


def children(node: Node) -> list[Node]:
    """The child nodes of `node`, in source order."""
    out: list[Node] = []
    seen: set[int] = set()
    for key in VISITOR_KEYS.get(node.type, ()):
        value = getattr(node, key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            # A shorthand property `{a}` holds one Identifier as both key and value.
            if item is not None and id(item) not in seen:
                seen.add(id(item))
                out.append(item)
    out.sort(key=lambda child: child.range[0])
    return out


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node` (itself included), in source order (pre-order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def own_nodes(function: Node) -> Iterator[Node]:
    """The nodes of a function's own code (or a Program's), in source order: a nested function
    node is yielded but not entered (its code is its own)."""
    stack = list(reversed(children(function)))
    while stack:
        current = stack.pop()
        yield current
        if current.type in FUNCTION_TYPES:
            continue
        stack.extend(reversed(children(current)))


def parents(root: Node) -> dict[int, Node]:
    """The parent of every node under `root`, by `id(node)`."""
    out: dict[int, Node] = {}
    for node in walk(root):
        for child in children(node):
            out[id(child)] = node
    return out


def is_function(node: Node | None) -> bool:
    """Whether `node` is a function (declaration, expression or arrow)."""
    return node is not None and node.type in FUNCTION_TYPES


def property_key(prop: Node) -> str | None:
    """The name of a non-computed property or method key (`a` in `{a: 1}`, `'b'` in `{'b': 2}`)."""
    key = prop.key
    if prop.computed or key is None:
        return None
    if key.type == "Identifier":
        return key.name
    if key.type == "Literal" and isinstance(key.value, str | int | float):
        return str(key.value)
    return None


def member_name(member: Node) -> str | None:
    """The property name of `a.b` or `a['b']`; None for a computed key known only at run time."""
    prop = member.property
    if not member.computed and prop.type == "Identifier":
        return prop.name
    if member.computed and prop.type == "Literal" and isinstance(prop.value, str):
        return prop.value
    return None


def source_text(source: str, node: Node) -> str:
    """The source text of a node, on one line (whitespace around dots removed, runs collapsed)."""
    text = source[node.range[0] : node.range[1]]
    text = re.sub(r"\s*\.\s*", ".", text)
    return re.sub(r"\s+", " ", text).strip()


def string_literal(node: Node | None) -> str | None:
    """The value of a string literal (or of a template with no expressions), else None."""
    if node is None:
        return None
    if node.type == "Literal" and isinstance(node.value, str):
        return node.value
    if node.type == "TemplateLiteral" and not node.expressions and len(node.quasis) == 1:
        return node.quasis[0].value.cooked
    return None
