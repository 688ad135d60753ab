"""Scope analysis of one file: the walk that builds the scopes of `scopes.py`, declares names and
records references, and the ScopeManager that resolves them and answers questions by node.

References are resolved after the walk, so hoisting needs no second pass.
"""

from __future__ import annotations

from jitflux.static.scopes import READ, READ_WRITE, WRITE, Binding, Definition, Reference, Scope
from jitflux.static.syntax import Node, children, property_key


class ScopeManager:
    """The scopes of one file and every reference in it, resolved."""

    def __init__(self, program: Node) -> None:
        self.scopes: list[Scope] = []
        self.references: list[Reference] = []
        self._by_node: dict[int, Scope] = {}
        self._by_identifier: dict[int, Reference] = {}
        self._declared: dict[int, Binding] = {}
        _ScopeWalk(self).program(program)
        for ref in self.references:
            ref.resolved = ref.scope.lookup(ref.identifier.name)
            if ref.resolved is not None:
                ref.resolved.references.append(ref)
            self._by_identifier[id(ref.identifier)] = ref

    def acquire(self, node: Node) -> Scope | None:
        """The scope a node (Program, function, block...) creates, if any."""
        return self._by_node.get(id(node))

    def reference(self, identifier: Node) -> Reference | None:
        """The reference an Identifier node is, if it is one."""
        return self._by_identifier.get(id(identifier))

    def declared(self, identifier: Node) -> Binding | None:
        """The variable an Identifier declares (a parameter, a `var` name, a function's id)."""
        return self._declared.get(id(identifier))

    def variable(self, identifier: Node) -> Binding | None:
        """The variable an Identifier means, whether it declares it or refers to it."""
        ref = self.reference(identifier)
        if ref is not None:
            return ref.resolved
        return self.declared(identifier)

    def _add_scope(self, scope: Scope) -> Scope:
        self.scopes.append(scope)
        self._by_node[id(scope.node)] = scope
        return scope


class _ScopeWalk:
    """The walk that builds scopes, declares names and records references."""

    def __init__(self, manager: ScopeManager) -> None:
        self.manager = manager

    # Scopes and declarations

    def program(self, node: Node) -> None:
        scope = self.manager._add_scope(Scope("module", node, None, node))
        for statement in node.body:
            self.visit(statement, scope)

    def _child_scope(self, kind: str, node: Node, parent: Scope) -> Scope:
        return self.manager._add_scope(Scope(kind, node, parent, parent.function))

    def _declare(self, scope: Scope, definition: Definition) -> None:
        variable = scope.declare(definition)
        self.manager._declared[id(definition.name)] = variable

    def _declare_pattern(
        self,
        pattern: Node,
        scope: Scope,
        kind: str,
        node: Node,
        init: Node | None,
        at: Scope,
        path: tuple[str, ...] | None = (),
    ) -> list[Node]:
        """Declare every name bound by a pattern; returns their Identifiers. Default values are
        read in scope `at`."""
        if pattern is None:
            return []
        kind_of = pattern.type
        if kind_of == "Identifier":
            self._declare(scope, Definition(kind, pattern, node, init, path))
            return [pattern]
        names: list[Node] = []
        if kind_of == "ObjectPattern":
            for prop in pattern.properties:
                if prop.type == "RestElement":
                    names += self._declare_pattern(prop.argument, scope, kind, node, init, at, None)
                    continue
                if prop.computed:
                    self.visit(prop.key, at)
                key = property_key(prop)
                sub = path + (key,) if path is not None and key is not None else None
                names += self._declare_pattern(prop.value, scope, kind, node, init, at, sub)
        elif kind_of == "ArrayPattern":
            for element in pattern.elements:
                names += self._declare_pattern(element, scope, kind, node, init, at, None)
        elif kind_of == "AssignmentPattern":
            names += self._declare_pattern(pattern.left, scope, kind, node, init, at, path)
            self.visit(pattern.right, at)
        elif kind_of == "RestElement":
            names += self._declare_pattern(pattern.argument, scope, kind, node, init, at, None)
        return names

    def _reference(
        self,
        identifier: Node,
        scope: Scope,
        flags: int,
        value: Node | None = None,
        init: bool = False,
    ) -> None:
        ref = Reference(identifier, scope, flags, value, init)
        scope.references.append(ref)
        self.manager.references.append(ref)

    def _write_target(self, target: Node, scope: Scope, value: Node | None) -> None:
        """Record the writes of an assignment target (a name, a member or a pattern)."""
        kind = target.type
        if kind == "Identifier":
            self._reference(target, scope, WRITE, value)
        elif kind == "MemberExpression":
            self.visit(target, scope)
        elif kind == "ObjectPattern":
            for prop in target.properties:
                if prop.type == "RestElement":
                    self._write_target(prop.argument, scope, None)
                    continue
                if prop.computed:
                    self.visit(prop.key, scope)
                self._write_target(prop.value, scope, None)
        elif kind == "ArrayPattern":
            for element in target.elements:
                if element is not None:
                    self._write_target(element, scope, None)
        elif kind == "AssignmentPattern":
            self._write_target(target.left, scope, None)
            self.visit(target.right, scope)
        elif kind == "RestElement":
            self._write_target(target.argument, scope, None)
        else:
            self.visit(target, scope)

    # The walk

    def visit(self, node: Node | None, scope: Scope) -> None:
        if node is None:
            return
        handler = getattr(self, f"_{node.type}", None)
        if handler is not None:
            handler(node, scope)
        else:
            for child in children(node):
                self.visit(child, scope)

    def _Identifier(self, node: Node, scope: Scope) -> None:
        self._reference(node, scope, READ)

    def _function(self, node: Node, scope: Scope) -> None:
        inner = self.manager._add_scope(Scope("function", node, scope, node))
        if node.type == "FunctionExpression" and node.id is not None:
            self._declare(inner, Definition("function-name", node.id, node))
        for param in node.params:
            self._declare_pattern(param, inner, "param", node, None, inner)
        body = node.body
        if body.type == "BlockStatement":
            # The body block shares the function scope, as parameters and `var`s do.
            self.manager._by_node[id(body)] = inner
            for statement in body.body:
                self.visit(statement, inner)
        else:
            self.visit(body, inner)

    def _FunctionDeclaration(self, node: Node, scope: Scope) -> None:
        if node.id is not None:
            self._declare(scope, Definition("function", node.id, node))
        self._function(node, scope)

    _FunctionExpression = _ArrowFunctionExpression = _function

    def _BlockStatement(self, node: Node, scope: Scope) -> None:
        inner = self._child_scope("block", node, scope)
        for statement in node.body:
            self.visit(statement, inner)

    def _SwitchStatement(self, node: Node, scope: Scope) -> None:
        self.visit(node.discriminant, scope)
        inner = self._child_scope("block", node, scope)
        for case in node.cases:
            self.visit(case, inner)

    def _CatchClause(self, node: Node, scope: Scope) -> None:
        inner = self._child_scope("catch", node, scope)
        self._declare_pattern(node.param, inner, "catch", node, None, inner)
        self.visit(node.body, inner)

    def _VariableDeclaration(self, node: Node, scope: Scope) -> None:
        target = scope.variable_scope() if node.kind == "var" else scope
        for declarator in node.declarations:
            names = self._declare_pattern(
                declarator.id, target, node.kind, declarator, declarator.init, scope
            )
            if declarator.init is not None:
                plain = declarator.id.type == "Identifier"
                for name in names:
                    value = declarator.init if plain else None
                    self._reference(name, scope, WRITE, value, init=True)
                self.visit(declarator.init, scope)

    def _for_head(self, node: Node, scope: Scope) -> Scope:
        """A block scope for a `for (let ...)` head, else the current scope."""
        head = node.init if node.type == "ForStatement" else node.left
        if head is not None and head.type == "VariableDeclaration" and head.kind != "var":
            return self._child_scope("block", node, scope)
        return scope

    def _ForStatement(self, node: Node, scope: Scope) -> None:
        inner = self._for_head(node, scope)
        for part in (node.init, node.test, node.update, node.body):
            self.visit(part, inner)

    def _ForInStatement(self, node: Node, scope: Scope) -> None:
        inner = self._for_head(node, scope)
        self.visit(node.right, inner)
        left = node.left
        if left.type == "VariableDeclaration":
            target = inner.variable_scope() if left.kind == "var" else inner
            for declarator in left.declarations:
                names = self._declare_pattern(
                    declarator.id, target, left.kind, declarator, None, inner, None
                )
                # Each turn of the loop writes it: a change made at run time, not an initial value.
                for name in names:
                    self._reference(name, inner, WRITE, None)
        else:
            self._write_target(left, inner, None)
        self.visit(node.body, inner)

    _ForOfStatement = _ForInStatement

    def _class(self, node: Node, scope: Scope) -> None:
        self.visit(node.superClass, scope)
        inner = self._child_scope("class", node, scope)
        if node.id is not None:
            self._declare(inner, Definition("class", node.id, node))
        self.visit(node.body, inner)

    def _ClassDeclaration(self, node: Node, scope: Scope) -> None:
        if node.id is not None:
            self._declare(scope, Definition("class", node.id, node))
        self._class(node, scope)

    _ClassExpression = _class

    def _MethodDefinition(self, node: Node, scope: Scope) -> None:
        if node.computed:
            self.visit(node.key, scope)
        self.visit(node.value, scope)

    def _Property(self, node: Node, scope: Scope) -> None:
        if node.computed:
            self.visit(node.key, scope)
        self.visit(node.value, scope)

    def _MemberExpression(self, node: Node, scope: Scope) -> None:
        self.visit(node.object, scope)
        if node.computed:
            self.visit(node.property, scope)

    def _AssignmentExpression(self, node: Node, scope: Scope) -> None:
        if node.operator == "=":
            value = node.right if node.left.type == "Identifier" else None
            self._write_target(node.left, scope, value)
        elif node.left.type == "Identifier":
            self._reference(node.left, scope, READ_WRITE)
        else:
            self.visit(node.left, scope)
        self.visit(node.right, scope)

    def _UpdateExpression(self, node: Node, scope: Scope) -> None:
        if node.argument.type == "Identifier":
            self._reference(node.argument, scope, READ_WRITE)
        else:
            self.visit(node.argument, scope)

    def _LabeledStatement(self, node: Node, scope: Scope) -> None:
        self.visit(node.body, scope)

    def _BreakStatement(self, node: Node, scope: Scope) -> None:
        return None

    _ContinueStatement = _BreakStatement
    _MetaProperty = _BreakStatement

