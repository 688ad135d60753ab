"""Random small JavaScript programs for the differential fuzzer (bench/fuzz.py).

A program is a CommonJS script that prints what it computes: closures over module variables,
async functions and awaits, promises, one kind of macrotask (setTimeout 0 or setImmediate, never
both: their relative order is not deterministic), objects, arrays, maps, try/catch/finally,
generators, classes with fields, getters and private members, labels, switch, destructuring,
templates, optional chaining; written with or without semicolons; sometimes with built-ins
replaced by counting wrappers, sometimes ending with an uncaught error. The same seed always
gives the same program.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Built-ins a program may replace (not Function.prototype.apply nor Array.prototype.pop: Node's
# async-hooks trampoline calls them while tracing, a documented difference).
PATCHABLE = [
    ("Array.prototype", "push"),
    ("Array.prototype", "map"),
    ("Array.prototype", "join"),
    ("Array.prototype", "slice"),
    ("Map.prototype", "set"),
    ("Map.prototype", "get"),
    ("Function.prototype", "call"),
    ("Function.prototype", "bind"),
    ("JSON", "stringify"),
    ("Promise.prototype", "then"),
    ("String.prototype", "slice"),
    ("Object", "keys"),
    ("Array.prototype", "Symbol.iterator"),
]

PRELUDE = """'use strict'
const util = require('util')
function log (...args) {
  const text = args.map((a) => typeof a === 'string' ? a : util.inspect(a, { depth: 3 }))
  process.stdout.write(text.join(' ') + '\\n')
}
log('start')
"""

PATCH = """const patchCounts = Object.create(null)
function patch (object, name, label) {
  const original = object[name]
  const wrapper = function (...args) {
    patchCounts[label] = (patchCounts[label] || 0) + 1
    if (new.target) return Reflect.construct(original, args, new.target)
    return Reflect.apply(original, this, args)
  }
  Object.defineProperty(object, name, { value: wrapper, writable: true, configurable: true })
}
process.on('exit', () => log('counts', Object.entries(patchCounts).sort().join(' ')))
"""


@dataclass
class Scope:
    """What a statement may do where it is generated."""

    in_async: bool = False
    in_loop: bool = False
    in_switch: bool = False
    in_function: bool = False
    labels: list[str] = field(default_factory=list)
    locals: list[str] = field(default_factory=list)


class Program:
    """One random program, built from a seed."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.semi = self.r.random() < 0.5
        self.later = self.r.choice(["setImmediate(", "setTimeout("])
        self.later_end = ")" if self.later == "setImmediate(" else ", 0)"
        self.vars = [f"v{i}" for i in range(self.r.randint(2, 4))]
        self.arrays = [f"a{i}" for i in range(self.r.randint(1, 2))]
        self.objects = [f"o{i}" for i in range(self.r.randint(1, 2))]
        self.maps = ["m0"]
        self.funcs: list[str] = []
        self.async_funcs: list[str] = []
        self.gens: list[str] = []
        self.classes: list[str] = []
        self.counter = 0
        self.lines: list[str] = []

    # --- output helpers -----------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        """A new identifier."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def end(self, text: str) -> str:
        """A statement with its terminator: `;`, or nothing in the no-semicolon style (where a
        statement starting with `(`, `[` or a template gets a leading `;`, as standard style
        writes it, only some of the time: the rest joins lines as JavaScript says)."""
        if self.semi:
            return f"{text};"
        if text[:1] in "([`" and self.r.random() < 0.7:
            return f";{text}"
        return text

    def close(self, text: str) -> str:
        """The last line of a statement that spans several."""
        return f"{text};" if self.semi else text

    def emit(self, indent: int, text: str) -> None:
        """Add lines (a statement may span several) at an indentation level."""
        for line in text.split("\n"):
            self.lines.append("  " * indent + line)

    # --- expressions --------------------------------------------------------------------------

    def expr(self, depth: int = 0, scope: Scope | None = None) -> str:
        """A number- or string-valued expression."""
        r = self.r
        scope = scope or Scope()
        leaves = [
            lambda: str(r.randint(0, 9)),
            lambda: r.choice(["'x'", "'yz'", "''"]),
            lambda: r.choice(self.vars),
            lambda: f"{r.choice(self.arrays)}.length",
            lambda: f"({r.choice(self.objects)}.k ?? 0)",
            lambda: f"({r.choice(self.objects)}?.n?.j ?? 'none')",
            lambda: f"({self.maps[0]}.get({r.randint(0, 3)}) || 0)",
        ]
        leaves += [lambda: r.choice(scope.locals)] * (2 if scope.locals else 0)
        if depth >= 2:
            return r.choice(leaves)()
        d = depth + 1
        nodes = [
            lambda: f"({self.expr(d, scope)} + {self.expr(d, scope)})",
            lambda: f"({self.expr(d, scope)} * {r.randint(1, 3)})",
            lambda: f"({self.expr(d, scope)} ? {self.expr(d, scope)} : {self.expr(d, scope)})",
            lambda: f"`t${{{self.expr(d, scope)}}}`",
            lambda: f"((x) => x + 1)({self.expr(d, scope)})",
            lambda: f"{r.choice(self.arrays)}.map((x) => x * 2).join(',')",
            lambda: f"JSON.stringify({r.choice(self.objects)}).length",
            lambda: f"typeof {self.expr(d, scope)}",
            lambda: f"(log('side', {self.expr(d, scope)}), {self.expr(d, scope)})",
            lambda: f"[...{r.choice(self.arrays)}].length",
        ]
        if self.funcs:
            nodes.append(lambda: f"{r.choice(self.funcs)}({self.expr(d, scope)})")
        if self.classes:
            nodes.append(lambda: f"new {r.choice(self.classes)}({self.expr(d, scope)}).g")
            nodes.append(lambda: f"{r.choice(self.classes)}.make({self.expr(d, scope)}).m(1)")
        if self.gens:
            nodes.append(lambda: f"[...{r.choice(self.gens)}(2)].join('+')")
        if scope.in_async:
            nodes.append(lambda: f"(await {self.expr(d, scope)})")
            nodes.append(lambda: f"(await Promise.resolve({self.expr(d, scope)}))")
            if self.async_funcs:
                nodes.append(lambda: f"(await {r.choice(self.async_funcs)}({self.expr(d, scope)}))")
        return r.choice(nodes + leaves)()

    # --- statements ---------------------------------------------------------------------------

    def block(self, indent: int, scope: Scope, count: int) -> None:
        """`count` random statements, in a block of their own: what they declare stays there."""
        inner = Scope(scope.in_async, scope.in_loop, scope.in_switch, scope.in_function,
                      list(scope.labels), list(scope.locals))  # fmt: skip
        for _ in range(count):
            self.stmt(indent, inner, 0)

    def stmt(self, indent: int, scope: Scope, depth: int) -> None:
        """One random statement (compound ones nest up to depth 2)."""
        r = self.r
        e = lambda: self.expr(0, scope)  # noqa: E731
        sync = Scope(locals=list(scope.locals))  # inside a function that is not async
        simple = [
            lambda: self.end(f"{r.choice(self.vars)} = {e()}"),
            lambda: self.end(f"{r.choice(self.vars)} += {e()}"),
            lambda: self.end(f"{r.choice(self.vars)}++"),
            lambda: self.end(f"{r.choice(self.arrays)}.push({e()})"),
            lambda: self.end(f"{r.choice(self.objects)}.k = {e()}"),
            lambda: self.end(f"{r.choice(self.objects)}[{e()}] = {e()}"),
            lambda: self.end(f"delete {r.choice(self.objects)}.k"),
            lambda: self.end(f"{self.maps[0]}.set({r.randint(0, 3)}, {e()})"),
            lambda: self.end(f"log({e()})"),
            lambda: self.end(f"log('a', {r.choice(self.arrays)})"),
            lambda: self.end(f"[{self.vars[0]}, {self.vars[-1]}] = [{self.vars[-1]}, 1]"),
            lambda: self.end(f"({{ k: {self.vars[0]} = 1 }} = {r.choice(self.objects)})"),
            lambda: self.end(f"`${{log('tpl', {e()})}}`"),
            lambda: self.end(f"(function () {{ log('iife', {self.expr(0, sync)}) }})()"),
        ]
        if self.funcs:
            simple.append(lambda: self.end(f"{r.choice(self.funcs)}({e()})"))
        if self.classes:
            simple.append(
                lambda: self.end(f"log('o', new {r.choice(self.classes)}({e()}).m({e()}))")
            )
        if scope.in_loop and r.random() < 0.15:
            word = r.choice(["break", "continue"])
            label = r.choice(scope.labels) if scope.labels and r.random() < 0.5 else ""
            self.emit(indent, f"if ({e()}) {self.end(f'{word} {label}'.strip())}")
            return
        if scope.in_function and r.random() < 0.05:
            self.emit(indent, f"if ({e()}) {self.end(f'return {e()}')}")
            return
        if depth >= 2 or r.random() < 0.6:
            self.emit(indent, r.choice(simple)())
            return
        self.compound(indent, scope, depth + 1)

    def compound(self, indent: int, scope: Scope, depth: int) -> None:
        """An if, loop, switch, try, label, later callback, or promise chain."""
        r = self.r
        kind = r.choice(["if", "for", "forof", "forin", "while", "switch", "try", "label", "later",
                         "then", "const"])  # fmt: skip
        if kind == "if":
            if r.random() < 0.4:  # a body without braces
                self.emit(indent, f"if ({self.expr(0, scope)}) log('then')")
                self.emit(indent, self.end("log('else-less')"))
                return
            self.emit(indent, f"if ({self.expr(0, scope)}) {{")
            self.block(indent + 1, scope, r.randint(1, 3))
            self.emit(indent, "} else {")
            self.block(indent + 1, scope, r.randint(1, 2))
            self.emit(indent, "}")
        elif kind in ("for", "forof", "forin", "while"):
            i = self.fresh("i")
            head = {
                "for": f"for (let {i} = 0; {i} < {r.randint(1, 3)}; {i}++)",
                "forof": f"for (const {i} of {r.choice(self.arrays)}.slice(0, 3))",
                "forin": f"for (const {i} in {r.choice(self.objects)})",
                "while": f"while ({i}-- > 0)",
            }[kind]
            if kind == "while":
                self.emit(indent, self.end(f"let {i} = {r.randint(1, 3)}"))
            # Loop variables are only read: the body never assigns them (no endless loop).
            body = Scope(scope.in_async, True, False, scope.in_function, list(scope.labels),
                         [*scope.locals, i] if kind != "forin" else list(scope.locals))  # fmt: skip
            self.emit(indent, f"{head} {{")
            self.block(indent + 1, body, r.randint(1, 3))
            self.emit(indent, "}")
        elif kind == "switch":
            self.emit(indent, f"switch ({self.expr(0, scope)} % 3) {{")
            for case in ["case 0:", "case 1:", "default:"]:
                self.emit(indent + 1, f"{case} {{")
                inner = Scope(scope.in_async, scope.in_loop, True, scope.in_function, [],
                              list(scope.locals))  # fmt: skip
                self.block(indent + 2, inner, r.randint(1, 2))
                self.emit(indent + 2, self.end("break") if r.random() < 0.7 else "")
                self.emit(indent + 1, "}")
            self.emit(indent, "}")
        elif kind == "try":
            self.emit(indent, "try {")
            self.block(indent + 1, scope, r.randint(1, 2))
            if r.random() < 0.6:
                self.emit(indent + 1, self.end(f"throw new Error('e' + {self.expr(0, scope)})"))
            self.emit(indent, "} catch (err) {")
            self.emit(indent + 1, self.end("log('caught', err.message, err.stack.split('\\n')[1])"))
            if r.random() < 0.5:
                self.emit(indent, "} finally {")
                self.block(indent + 1, scope, 1)
            self.emit(indent, "}")
        elif kind == "label":
            label = self.fresh("L")
            i = self.fresh("j")
            self.emit(indent, f"{label}: for (let {i} = 0; {i} < 2; {i}++) {{")
            body = Scope(scope.in_async, True, False, scope.in_function, [*scope.labels, label],
                         [*scope.locals, i])  # fmt: skip
            self.block(indent + 1, body, r.randint(1, 3))
            self.emit(indent, "}")
        elif kind == "later":
            self.emit(indent, f"{self.later}() => {{")
            self.block(indent + 1, Scope(), r.randint(1, 3))
            self.emit(indent, self.close(f"}}{self.later_end}"))
        elif kind == "then":
            v = self.fresh("p")
            self.emit(indent, f"Promise.resolve({self.expr(0, scope)}).then(({v}) => {{")
            self.block(indent + 1, Scope(locals=[v]), r.randint(1, 2))
            self.emit(indent, self.close("}).catch((err) => log('rejected', err.message))"))
        else:
            c = self.fresh("c")
            self.emit(indent, self.end(f"const {c} = {self.expr(0, scope)}"))
            scope.locals.append(c)

    # --- declarations -------------------------------------------------------------------------

    def declarations(self) -> None:
        """Module variables, functions, closures, generators, classes, async functions."""
        r = self.r
        for v in self.vars:
            self.emit(0, self.end(f"let {v} = {r.randint(0, 5)}"))
        for a in self.arrays:
            items = ", ".join(str(r.randint(0, 9)) for _ in range(3))
            self.emit(0, self.end(f"const {a} = [{items}]"))
        for o in self.objects:
            self.emit(0, self.end(f"const {o} = {{ k: {r.randint(0, 5)}, n: {{ j: 'deep' }} }}"))
        self.emit(0, self.end(f"const {self.maps[0]} = new Map()"))
        for _ in range(r.randint(1, 3)):
            name = self.fresh("f")
            self.emit(0, f"function {name} (p) {{")
            self.block(1, Scope(in_function=True, locals=["p"]), r.randint(1, 3))
            self.emit(1, self.end(f"return {self.expr(1, Scope(locals=['p']))}"))
            self.emit(0, "}")
            self.funcs.append(name)
        name = self.fresh("mk")
        self.emit(0, f"function {name} () {{\n  let count = 0\n"
                     "  return (x) => { count += x; return count }\n}")  # fmt: skip
        counter = self.fresh("f")
        self.emit(0, self.end(f"const {counter} = {name}()"))
        self.funcs.append(counter)
        if r.random() < 0.6:
            name = self.fresh("g")
            step = self.end(f"yield i * {r.randint(1, 3)} + {self.vars[0]}")
            self.emit(0, f"function * {name} (n) {{\n  for (let i = 0; i < n; i++) {{\n"
                         f"    {step}\n  }}\n}}")  # fmt: skip
            self.gens.append(name)
        if r.random() < 0.7:
            self.klass()
        for _ in range(r.randint(0, 2)):
            name = self.fresh("af")
            self.emit(0, f"async function {name} (p) {{")
            self.block(1, Scope(in_async=True, in_function=True, locals=["p"]), r.randint(1, 3))
            if r.random() < 0.3:
                loop = f"for await (const x of [p, Promise.resolve({self.vars[0]})]) log('fa', x)"
                self.emit(1, self.end(loop))
            self.emit(1, self.end(f"return {self.expr(1, Scope(in_async=True, locals=['p']))}"))
            self.emit(0, "}")
            self.async_funcs.append(name)

    def klass(self) -> None:
        """A class with a private field, a static counter, a getter and setter, methods, and
        sometimes a subclass."""
        r = self.r
        name = self.fresh("C")
        self.emit(0, f"""class {name} {{
  #secret = {r.randint(1, 9)}
  static made = 0
  constructor (x) {{
    this.x = x
    {name}.made++
  }}
  get g () {{ return `${{this.x}}/${{this.#secret}}` }}
  set g (v) {{ this.x = v }}
  m (y) {{
    {self.end('this.g = this.x + y')}
    {self.end(f'{self.arrays[0]}.push(this.#secret)')}
    return this.x
  }}
  static make (x) {{ return new {name}(x) }}
}}""")
        self.classes.append(name)
        if r.random() < 0.5:
            sub = self.fresh("D")
            self.emit(0, f"class {sub} extends {name} {{\n  m (y) {{ return super.m(y) * 2 }}\n}}")
            self.classes.append(sub)

    def text(self) -> str:
        """The whole program."""
        r = self.r
        self.lines = [PRELUDE.rstrip("\n")]
        if r.random() < 0.25:
            self.lines.append(PATCH.rstrip("\n"))
            for owner, name in r.sample(PATCHABLE, r.randint(1, 4)):
                key = f"[{name}]" if name.startswith("Symbol.") else f"'{name}'"
                self.emit(0, self.end(f"patch({owner}, {key}, '{owner}.{name}')"))
        self.declarations()
        main = Scope(in_async=True, in_function=True)
        self.emit(0, "async function main () {")
        self.block(1, main, r.randint(4, 10))
        self.emit(0, "}")
        for name in self.async_funcs:
            self.emit(0, self.end(f"{name}({r.randint(0, 5)}).then((v) => log('{name}', v))"))
        self.emit(0, self.end("main().then(() => log('end', v0, a0, o0, m0))"))
        if r.random() < 0.1:
            late = f"{self.later}() => {{ throw new Error('late ' + v0) }}{self.later_end}"
            self.emit(0, self.end(late))
        elif r.random() < 0.05:
            self.emit(0, self.end("Promise.reject(new Error('unhandled'))"))
        elif r.random() < 0.05:
            self.emit(0, self.end("null.boom"))
        return "\n".join(self.lines) + "\n"


def program(seed: int) -> str:
    """The program of a seed."""
    return Program(seed).text()
