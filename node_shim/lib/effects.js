'use strict';
// Side-effect instrumentation, the static half: find every access that may touch memory a part
// does not own, register it as a site, and insert a call of the runtime (effects-runtime.js)
// that counts it. What is decided here is decided once per file; what depends on the running
// part (who owns a variable, what class an object has, which function a call reaches) is left to
// the runtime, which gets everything it needs in the site object.
//
// Inserted code keeps evaluation order and values: every runtime call passes its last argument
// through (`count` -> `RT.r(7,count)`, `count += 1` -> `RT.r(8,count += 1)`), a call keeps its
// `this` (`res.send(x)` -> `RT.m(9,res).send(x)`). A wrapped call may start a statement with `(`
// (`(RT.m(9,res),res.send(x))`): instrument.js then puts a `;` before that statement, so that it
// is never joined to a previous line written without one.


const acorn = require('acorn');
const { KEYS } = require('eslint-visitor-keys');
const {
  FUNCTION_TYPES, printedCalls, lineStarts, chainRoot, hasOptional, pathOf, patternTargets,
} = require('./effect-syntax');
const { ScopeResolution, CJS_NAMES } = require('./effect-scopes');
const { CallVisitors } = require('./effect-calls');
const { InstanceVisitors } = require('./effect-instances');
const { linkModule } = require('./esm-exports');

const WITH_REASON = 'a with statement makes every name in its body resolve at run time';

/** Instrument one parsed file: register its access sites and add the insertions to ctx.edits. */
function instrument(ctx) {
  new Instrumenter(ctx).run();
}

class Instrumenter {
  constructor(ctx) {
    this.ctx = ctx;
    this.rt = ctx.runtimeName;
    this.edits = ctx.edits;
    this.lineStarts = lineStarts(ctx.source);
    this.refs = new Map(); // Identifier node -> its eslint-scope Reference
    for (const scope of ctx.scopeManager.scopes) {
      for (const ref of scope.references) this.refs.set(ref.identifier, ref);
    }
    this.handled = new Set(); // Identifier nodes already covered by a larger site
    this.stack = []; // enclosing functions, innermost last: {node, id}
    this.chains = new Map(); // function id -> [id, parent id, ..., toplevel id]
    this.freshThis = false; // `this` is an object being built here (constructor, class field)
    this.newRoots = new Map(); // Identifier a `new` callee starts with -> the NewExpression
    this.printed = printedCalls(ctx.ast);
  }

  run() {
    // An ES module's imports of the app's modules name the exporters' variables (esm-exports.js).
    this.links = linkModule(this.ctx, (offset) => this.loc(offset));
    this.stack.push({ node: this.ctx.ast, id: this.ctx.toplevelId });
    this.visit(this.ctx.ast, null);
    if (this.links) this.links.finish();
  }

  // --- traversal ---------------------------------------------------------------------------

  visit(node, parent) {
    switch (node.type) {
      case 'Identifier':
        this.identifier(node, parent);
        return;
      case 'AssignmentExpression':
        this.assignment(node);
        break;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') this.variableWrite(node.argument, true, node);
        else if (node.argument.type === 'MemberExpression') this.propertyWrite(node.argument);
        break;
      case 'UnaryExpression':
        if (node.operator === 'delete' && node.argument.type === 'MemberExpression') {
          this.propertyWrite(node.argument);
        }
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.left.type !== 'VariableDeclaration') this.loopHead(node);
        break;
      case 'CallExpression':
        this.call(node);
        break;
      case 'WithStatement':
        this.unknown(node, 'with', WITH_REASON);
        break;
      case 'NewExpression': {
        // `new a.B()` read as `new RT.r(7,a).B()` would call RT.r as the constructor.
        const root = chainRoot(node.callee);
        if (root && root.type === 'Identifier') this.newRoots.set(root, node);
        this.birth(node, parent);
        break;
      }
      case 'MemberExpression':
        if (node.object.type === 'ThisExpression') this.thisRead(node, parent);
        break;
      default:
    }
    if (FUNCTION_TYPES.has(node.type)) {
      this.enterFunction(node, parent);
      return;
    }
    if (node.type === 'ChainExpression') {
      // Parenthesizing a call inside `a?.b()...` would cut the chain's short-circuit.
      this.chainDepth = (this.chainDepth || 0) + 1;
      this.children(node);
      this.chainDepth--;
      return;
    }
    if (node.type === 'PropertyDefinition' || node.type === 'StaticBlock') {
      const saved = this.freshThis;
      this.freshThis = true;
      this.children(node);
      this.freshThis = saved;
      return;
    }
    this.children(node);
  }

  children(node) {
    for (const key of KEYS[node.type] || []) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item.type === 'string') this.visit(item, node);
      } else if (child && typeof child.type === 'string') {
        this.visit(child, node);
      }
    }
  }

  enterFunction(node, parent) {
    this.stack.push({ node, id: this.ctx.functionIdOf(node) });
    const saved = this.freshThis;
    // An arrow may run long after the object was built: only a constructor's own body is fresh.
    this.freshThis = parent !== null && parent.type === 'MethodDefinition' && parent.kind === 'constructor';
    this.children(node);
    this.freshThis = saved;
    this.stack.pop();
  }

  get current() {
    return this.stack[this.stack.length - 1];
  }

  // --- constructs --------------------------------------------------------------------------

  identifier(node, parent) {
    if (this.handled.has(node)) return;
    const ref = this.refs.get(node);
    if (!ref || !ref.isRead() || ref.isWrite()) return; // writes belong to their assignment
    if (parent && parent.type === 'UnaryExpression' && parent.operator === 'delete') return;
    const v = this.variable(ref);
    if (!v || v.undeclared || v.local) return;
    const id = this.site('read', node, { v: this.varPart(v, true, false), m: null });
    if (parent && parent.type === 'Property' && parent.shorthand && parent.value === node) {
      this.edits.wrap(node, `${node.name}: ${this.rt}.r(${id},`, ')');
    } else if (this.newRoots.has(node)) {
      // `new a.B()` read as `new RT.r(7,a).B()` would call RT.r as the constructor, and
      // `new (RT.r(7,a)).B()` would say "RT.r(...).B is not a constructor": the read is
      // recorded in the arguments instead, `new a.B(RT.ra(7,x))` or `new a.B(...RT.rn(7))`.
      this.argumentHook(this.newRoots.get(node), 'r', `${id}`);
    } else {
      this.edits.wrap(node, `${this.rt}.r(${id},`, ')');
    }
  }

  assignment(node) {
    const left = node.left;
    if (left.type === 'Identifier') {
      this.variableWrite(left, node.operator !== '=', node);
    } else if (left.type === 'MemberExpression') {
      this.propertyWrite(left);
    } else {
      const ids = [];
      const members = [];
      patternTargets(left, ids, members);
      for (const id of ids) this.variableWrite(id, false, node);
      for (const member of members) this.propertyWrite(member);
    }
  }

  /** `for (x of xs)`, `for ([a, o.b] in ys)`: a write at the start of every iteration. */
  loopHead(node) {
    const ids = [];
    const members = [];
    patternTargets(node.left, ids, members);
    for (const id of ids) this.variableWrite(id, false, null, node.body);
    for (const member of members) this.propertyWrite(member);
  }

  /**
   * A write (or, when `update`, a read and a write) of the variable named by `id`; the inserted
   * call wraps the whole expression `wrapNode`, or opens the loop body `body`.
   */
  variableWrite(id, update, wrapNode, body = null) {
    this.handled.add(id);
    const ref = this.refs.get(id);
    if (!ref) return;
    const v = this.variable(ref);
    if (!v || v.local) return;
    if (v.undeclared && CJS_NAMES.has(v.name)) return;
    // An undeclared global is never read as a variable effect, only written.
    const part = this.varPart(v, update && !v.undeclared, true);
    const site = this.site(part.read ? 'update' : 'write', id, { v: part, m: null });
    if (body) this.edits.wrap(body, `{${this.rt}.r(${site});`, '}');
    else this.edits.wrap(wrapNode, `${this.rt}.r(${site},`, ')');
  }

  /** `o.p = v`, `o[k] += v`, `o.p++`, `delete o.p`, `[o.p] = v`: a write into an object. */
  propertyWrite(member) {
    const root = chainRoot(member.object);
    if (!root || hasOptional(member.object)) return;
    const owner = this.rootOf(root, true);
    if (!owner) return;
    const path = pathOf(member, owner.name);
    const id = this.site('property', member, {
      v: owner.v,
      m: { op: 'write', path, ...owner.m },
    });
    if (root.type === 'Identifier') this.handled.add(root);
    const nt = root.type === 'ThisExpression' ? this.newTarget() : '';
    const tail = this.instanceRoot(owner, root, member.object);
    this.edits.wrap(member.object, `${this.rt}.w(${id},`, `${tail ? nt || ',undefined' : nt}${tail})`);
  }

  // --- calls, instances, scopes: effect-calls.js, effect-instances.js, effect-scopes.js ---

  /**
   * Record a call or `new` in its own arguments, so that the text V8 prints for its callee in an
   * error message is unchanged: the first argument goes through the hook (`f(RT.ca(7,f,x), y)`,
   * the hook returns it), or, without arguments, a spread of an empty iterable is its only
   * argument (`f(...RT.cn(7,f))`; a spread among other arguments would change V8's message).
   * `new X` without parentheses gets them.
   */
  argumentHook(node, name, args) {
    const first = node.arguments[0];
    if (first !== undefined) {
      const target = first.type === 'SpreadElement' ? first.argument : first;
      this.edits.wrap(target, `${this.rt}.${name}a(${args},`, ')');
      return;
    }
    const src = this.ctx.source;
    const from = node.callee.end;
    let open = -1;
    for (const token of acorn.tokenizer(src.slice(from, node.end), { ecmaVersion: 'latest' })) {
      if (token.type === acorn.tokTypes.parenL) {
        open = from + token.end;
        break;
      }
      if (token.type !== acorn.tokTypes.questionDot) break;
    }
    const hook = `...${this.rt}.${name}n(${args})`;
    const span = node.end - node.start + 1;
    if (open < 0) this.edits.after(node.end, `(${hook})`, span);
    else this.edits.before(open, hook, span);
  }

  /** A construct that hides what it touches: recorded as `unknown`, never dropped. */
  unknown(node, target, reason) {
    const id = this.site('unknown', node, {
      v: null,
      m: { op: 'unknown', path: target, root: target, reason, declared: null, owner: null, always: true, chain: null },
    });
    if (node.type === 'WithStatement') this.edits.wrap(node, `{${this.rt}.r(${id});`, '}');
    else this.edits.wrap(node, `${this.rt}.r(${id},`, ')');
  }

  // --- sites -------------------------------------------------------------------------------

  site(kind, node, parts) {
    const where = this.loc(node.start);
    const main = parts.m || parts.v;
    return this.addSite({
      kind,
      target: parts.m ? parts.m.call || parts.m.path : parts.v.name,
      declared: main.declared,
      owner: main.owner,
      function: this.current.id,
      file: where.file,
      line: where.line,
      column: where.column,
      v: parts.v,
      m: parts.m,
    });
  }

  /** Register a site (kept for the module's links too). */
  addSite(site) {
    if (this.links) this.links.site(site);
    return this.ctx.addSite(site);
  }

  loc(offset) {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.ctx.file, line: lo + 1, column: offset - this.lineStarts[lo] };
  }
}

// The visitors of calls and instances and the scope resolution live in their own modules, as
// methods of this class.
for (const part of [CallVisitors, InstanceVisitors, ScopeResolution]) {
  for (const name of Object.getOwnPropertyNames(part.prototype)) {
    if (name !== 'constructor') {
      Object.defineProperty(Instrumenter.prototype, name, Object.getOwnPropertyDescriptor(part.prototype, name));
    }
  }
}

module.exports = { instrument };
