"""The scope model in the spirit of escope / eslint-scope: Scope, Binding, Reference, Definition.

Each file is a module scope (Node wraps it in a function, so its `var`s are its own). Functions
get a function scope (parameters, `var`s hoisted from anywhere in their body, the name of a named
function expression); blocks, `for` heads, `switch` bodies and `catch` clauses get block scopes
for `let`, `const`, `class` and function declarations (as eslint-scope does for ES2015+). Every
identifier used as a value is a Reference with READ and/or WRITE flags (`x += 1` and `x++` are
both). A write keeps the value written when it is a plain `x = value` or `var x = value`: that is
what the analyzer walks back to. `scope_analysis.ScopeManager` builds the model for a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jitflux.static.syntax import Node

READ = 1
WRITE = 2
READ_WRITE = READ | WRITE


@dataclass(eq=False)
class Definition:
    """Where a variable is declared.

    `kind` is "var", "let", "const", "function", "class", "param", "catch" or "function-name";
    `name` is the declaring Identifier, `node` the declaring node (declarator, function, class,
    catch clause); `init` the declarator's initial value, and `path` the property keys leading
    from `init` to this name in a destructuring pattern (() for a plain name, None when a key is
    computed or an array position).
    """

    kind: str
    name: Node
    node: Node
    init: Node | None = None
    path: tuple[str, ...] | None = ()


@dataclass(eq=False)
class Binding:
    """A declared name in one scope, with its definitions and the references resolved to it."""

    name: str
    scope: Scope
    defs: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def is_param(self) -> bool:
        """Whether the variable is a parameter of its function."""
        return any(d.kind == "param" for d in self.defs)


@dataclass(eq=False)
class Reference:
    """One use of a name: READ and/or WRITE; `value` is what a plain write stores there."""

    identifier: Node
    scope: Scope
    flags: int
    value: Node | None = None
    init: bool = False
    resolved: Binding | None = None

    @property
    def is_read(self) -> bool:
        """Whether the reference reads the variable."""
        return bool(self.flags & READ)

    @property
    def is_write(self) -> bool:
        """Whether the reference writes the variable."""
        return bool(self.flags & WRITE)


@dataclass(eq=False)
class Scope:
    """A scope: "module", "function", "block", "catch" or "class"; `function` is the function
    node (or the Program) whose code the scope belongs to."""

    kind: str
    node: Node
    parent: Scope | None
    function: Node
    variables: dict[str, Binding] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    def declare(self, definition: Definition) -> Binding:
        """Add a definition for a name, creating its variable on first sight."""
        name = definition.name.name
        variable = self.variables.get(name)
        if variable is None:
            variable = self.variables[name] = Binding(name, self)
        variable.defs.append(definition)
        return variable

    def lookup(self, name: str) -> Binding | None:
        """The variable this name means from here, through the enclosing scopes."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.variables:
                return scope.variables[name]
            scope = scope.parent
        return None

    def variable_scope(self) -> Scope:
        """The nearest function or module scope (where `var` goes)."""
        scope = self
        while scope.kind not in ("function", "module"):
            assert scope.parent is not None
            scope = scope.parent
        return scope
