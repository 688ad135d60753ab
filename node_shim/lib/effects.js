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

// The CommonJS wrapper's parameters: module plumbing, not shared state.
const CJS_NAMES = new Set(['require', 'module', 'exports', '__filename', '__dirname']);
const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const EVAL_REASON = 'direct eval can read and write any variable in scope';
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
    this.stack.push({ node: this.ctx.ast, id: this.ctx.toplevelId });
    this.visit(this.ctx.ast, null);
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

  call(node) {
    const callee = node.callee;
    if (callee.type === 'Identifier') {
      this.identifierCall(node, callee);
    } else if (callee.type === 'MemberExpression') {
      this.methodCall(node, callee);
    }
    this.sinkArguments(node);
    this.handedArguments(node);
  }

  /**
   * `router.get('/', routes.index)`, `app.use(counter.bump.bind(counter))`: a function named by
   * a member expression (or bound) is handed over like a literal (runtime.js's L), once the
   * runtime has told which function it is (`RT.l(7,routes.index)`); so are the functions of an
   * options object (`RT.o(7,{url, handler() {...}})`).
   */
  handedArguments(node) {
    if (this.chainDepth) return;
    let callee = null;
    for (const arg of node.arguments) {
      if (arg.type === 'Identifier') {
        this.handedParameter(arg);
        continue;
      }
      const member = arg.type === 'MemberExpression' && !hasOptional(arg) && chainRoot(arg) !== null;
      const bound = arg.type === 'CallExpression' && arg.callee.type === 'MemberExpression' &&
        !arg.callee.computed && arg.callee.property.type === 'Identifier' && arg.callee.property.name === 'bind' &&
        !arg.optional && !hasOptional(arg.callee);
      // `fastify.route({url, handler() {...}})`: the functions of an options object.
      const options = arg.type === 'ObjectExpression' && arg.properties.some((p) => p.type === 'Property' &&
        (p.method || (!p.computed && FUNCTION_TYPES.has(p.value.type))));
      if (!member && !bound && !options) continue;
      if (callee === null) callee = calleeText(this.ctx.source, node);
      const where = this.loc(arg.start);
      const id = this.ctx.addSite({
        kind: 'handed', target: callee, declared: null, owner: null, function: this.current.id,
        file: where.file, line: where.line, column: where.column, v: null, m: null, callee,
      });
      this.edits.wrap(arg, `${this.rt}.${options ? 'o' : 'l'}(${id},`, ')');
    }
  }

  /**
   * `setTimeout(next, 5)`, `req.on('end', next)`: a parameter handed to a call may be Express's
   * `next`, handed on instead of called; the runtime counts it as a call of it
   * (`RT.h(7,next)`), and as a read of the variable otherwise.
   */
  handedParameter(arg) {
    if (this.handled.has(arg)) return;
    const ref = this.refs.get(arg);
    const v = ref ? this.variable(ref) : null;
    if (!v || v.undeclared || !v.param) return;
    const owner = this.rootOf(arg, false);
    if (!owner) return;
    this.handled.add(arg);
    const id = this.site('call', arg, {
      v: owner.v,
      m: { op: 'call', path: owner.name, call: owner.name, ...owner.m },
    });
    this.edits.wrap(arg, `${this.rt}.h(${id},`, ')');
  }

  /**
   * `src.pipe(res)`, `pipeline(src, res, cb)`: a stream handed the response writes to the socket
   * later, from library code. Each named argument goes through the runtime (`RT.a(7,res)`),
   * which records a use of the network when the object is socket-backed.
   */
  sinkArguments(node) {
    const callee = node.callee;
    let name = null;
    if (callee.type === 'Identifier') name = callee.name;
    else if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
      name = callee.property.name;
    }
    if (name !== 'pipe' && name !== 'pipeline') return;
    for (const arg of node.arguments) {
      if (arg.type !== 'Identifier' || this.handled.has(arg)) continue;
      const owner = this.rootOf(arg, false);
      if (!owner) continue;
      this.handled.add(arg);
      const id = this.site('sink', arg, { v: owner.v, m: { op: 'sink', path: owner.name, ...owner.m } });
      this.edits.wrap(arg, `${this.rt}.a(${id},`, ')');
    }
  }

  /** `cb(err)`, `next()`: a call of a closure from elsewhere, and a read of its variable. */
  identifierCall(node, callee) {
    const ref = this.refs.get(callee);
    if (!ref) return;
    const v = this.variable(ref);
    if (!v) return;
    if (v.undeclared) {
      if (v.name === 'eval') this.unknown(node, 'eval', EVAL_REASON);
      return;
    }
    const owner = this.rootOf(callee, false);
    if (!owner) return;
    this.handled.add(callee);
    const id = this.site('call', callee, {
      v: owner.v,
      m: { op: 'call', path: owner.name, call: owner.name, ...owner.m },
    });
    // Record before the call, leaving the call as written: V8 prints the callee's text in
    // "x is not a function", and a wrapped callee would change that message.
    if (this.chainDepth) this.edits.wrap(callee, `${this.rt}.c(${id},`, ')');
    else if (this.printed.has(node)) this.argumentHook(node, 'c', `${id},${callee.name}`);
    else this.edits.wrap(node, `(${this.rt}.c(${id},${callee.name}),`, ')');
  }

  /** `res.send(x)`, `log.push(x)`, `store.bump()`: the receiver goes through the runtime. */
  methodCall(node, callee) {
    const object = callee.object;
    const root = chainRoot(object);
    if (!root || hasOptional(object)) return;
    const owner = this.rootOf(root, false);
    if (!owner) return;
    let prop = null;
    if (!callee.computed) {
      prop = callee.property.type === 'PrivateIdentifier' ? `#${callee.property.name}` : callee.property.name;
    }
    const path = pathOf(object, owner.name);
    const plain = object.type === 'Identifier' || object.type === 'ThisExpression';
    // `a.b.c(x)`: the receiver `a.b` is found again from `a` by the runtime, through data
    // properties only (keys), so that the call stays as written.
    const keys = this.chainDepth || plain ? null : staticKeys(object);
    const id = this.site('method', callee, {
      v: owner.v,
      // What it counts as depends on the receiver: `log[*]` written by `log.push(x)`, a call of
      // `store.bump`, or a use of the network through `res`.
      m: { op: 'method', path: `${path}[*]`, call: `${path}.${prop === null ? '[*]' : prop}`, prop, keys, ...owner.m },
    });
    if (root.type === 'Identifier') this.handled.add(root);
    const rootText = root.type === 'Identifier' ? root.name : 'this';
    if (!this.chainDepth && (plain || keys !== null)) {
      // A plain receiver (or the root of a chain) can be read twice safely: record it before the
      // call and leave the call as written, so that "res.sendd is not a function" and
      // "res.locals.x is not a function" name the code as the app wrote it.
      const hook = plain ? 'm' : 'mp';
      if (this.printed.has(node)) this.argumentHook(node, hook, `${id},${rootText}`);
      else this.edits.wrap(node, `(${this.rt}.${hook}(${id},${rootText}),`, ')');
    } else {
      this.edits.wrap(object, `${this.rt}.m(${id},`, `${this.instanceRoot(owner, root, object)})`);
    }
  }

  // --- instances: where an object is made, and `this` ---------------------------------------

  /**
   * `var counter = new Counter()`, `x = new X()`: the object's birth, named by the variable it
   * is stored in (`RT.n(7,new Counter())`), so that effects through `this` land on `counter`.
   */
  birth(node, parent) {
    let id = null;
    if (!parent || this.chainDepth) return;
    if (parent.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') {
      id = parent.id;
    } else if (parent.type === 'AssignmentExpression' && parent.right === node && parent.operator === '=' &&
        parent.left.type === 'Identifier') {
      id = parent.left;
    }
    if (id === null) return;
    const ref = this.refs.get(id);
    const v = ref ? this.variable(ref) : null;
    if (!v || v.undeclared) return;
    const m = {
      op: 'new', path: v.name, root: v.name, declared: v.declared, owner: v.owner, chain: this.chain(v.owner),
    };
    const site = this.site('new', node, { v: null, m });
    this.edits.wrap(node, `${this.rt}.n(${site},`, ')');
  }

  /**
   * `this.count` read (not written, not called, not the object of a longer path): a read of
   * the instance, which the runtime resolves to where the object was made (`RT.t(7,this).count`).
   */
  thisRead(node, parent) {
    if (this.freshThis || this.chainDepth || !parent) return;
    if (parent.type === 'MemberExpression' && parent.object === node) return;
    if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) return;
    if (parent.type === 'AssignmentExpression' && parent.left === node) return;
    if (parent.type === 'UpdateExpression') return;
    if (parent.type === 'UnaryExpression' && parent.operator === 'delete') return;
    if ((parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === node) return;
    if (parent.type === 'TaggedTemplateExpression' && parent.tag === node) return;
    const root = this.rootOf(node.object, false);
    if (!root) return;
    const id = this.site('this', node, { v: null, m: { op: 'this', path: pathOf(node, 'this'), ...root.m } });
    this.edits.wrap(node.object, `${this.rt}.t(${id},`, `${this.newTarget()})`);
  }

  /**
   * `,this` (or `,self` for `const self = this`) when a path through `this` goes deeper than
   * `this` itself (`this.items.set(k, v)`): the runtime finds the instance's home from it.
   */
  instanceRoot(owner, root, object) {
    if (owner.m.root !== 'this' || object === root) return '';
    return root.type === 'ThisExpression' ? ',this' : `,${root.name}`;
  }

  /** `,new.target` where `this` may be an object being built by this very call, else ''. */
  newTarget() {
    const fn = this.current.node;
    return fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression' ? ',new.target' : '';
  }

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

  // --- resolution --------------------------------------------------------------------------

  /**
   * What a reference names: null when it cannot be told statically (inside `with`, implicit
   * `arguments`), {undeclared, name} for a global, else the variable, its declaration, the
   * function that owns it and whether it is local to the function being walked.
   */
  variable(ref) {
    const name = ref.identifier.name;
    let variable = ref.resolved;
    for (let s = ref.from; s; s = s.upper) {
      if (s.type === 'with') return null;
      if (variable ? s === variable.scope : false) break;
      // A direct eval makes eslint-scope leave every name of the enclosing scopes unresolved;
      // the eval itself is recorded as unknown, the static answer is still right for the rest.
      if (!variable && s.type !== 'global' && s.set.has(name)) {
        variable = s.set.get(name);
        break;
      }
    }
    if (!variable || variable.scope.type === 'global') return { undeclared: true, name };
    if (variable.defs.length === 0) return null;
    const ownerNode = ownerFunction(variable.scope);
    const ownerId = ownerNode.type === 'Program' ? this.ctx.toplevelId : this.ctx.functionIdOf(ownerNode);
    const def = variable.defs[0];
    return {
      undeclared: false,
      name,
      variable,
      declared: this.loc(def.name.start),
      owner: ownerId,
      local: ownerNode === this.current.node,
      param: def.type === 'Parameter',
    };
  }

  /**
   * The root of an object path or a called name: `this`, a parameter, a free variable, an
   * undeclared global (only when `globals`), or a local alias of one of those. Returns the name
   * to print, the variable part (a read of the root when it is free) and the member part's
   * declaration, owner and ownership rule; null when the object is the function's own.
   */
  rootOf(node, globals) {
    if (node.type === 'ThisExpression') {
      if (this.freshThis) return null;
      return { name: 'this', v: null, m: { root: 'this', declared: null, owner: null, always: true, chain: null } };
    }
    const ref = this.refs.get(node);
    if (!ref) return null;
    const v = this.variable(ref);
    if (!v) return null;
    if (v.undeclared) {
      if (!globals || CJS_NAMES.has(v.name)) return null;
      return { name: v.name, v: null, m: { root: v.name, declared: null, owner: null, always: true, chain: null } };
    }
    if (v.local && !v.param) return this.aliasOf(v);
    const m = { root: v.name, declared: v.declared, owner: v.owner, always: v.param, chain: this.chain(v.owner) };
    return { name: v.name, v: v.local ? null : this.varPart(v, true, false), m };
  }

  /** `const r = req`: a local never written again, initialised with a root; else null. */
  aliasOf(v) {
    const variable = v.variable;
    const def = variable.defs[0];
    if (variable.defs.length !== 1 || def.type !== 'Variable' || def.node.id !== def.name) return null;
    const init = def.node.init;
    if (!init || (init.type !== 'Identifier' && init.type !== 'ThisExpression')) return null;
    if (variable.references.some((r) => r.isWrite() && !r.init)) return null;
    const target = this.rootOf(init, false);
    if (!target) return null;
    // The alias itself is local: only the member part is kept, under the aliased root's name.
    return { name: target.name, v: null, m: target.m };
  }

  /** A read and/or write of variable `v`, with what the runtime needs to decide ownership. */
  varPart(v, read, write) {
    return {
      name: v.name,
      read,
      write,
      declared: v.undeclared ? null : v.declared,
      owner: v.undeclared ? null : v.owner,
      chain: v.undeclared ? null : this.chain(v.owner),
    };
  }

  /** The owner's id and those of the functions around it: a part owns what any of them owns. */
  chain(ownerId) {
    let chain = this.chains.get(ownerId);
    if (!chain) {
      const at = this.stack.findIndex((f) => f.id === ownerId);
      chain = this.stack.slice(0, at + 1).map((f) => f.id).reverse();
      this.chains.set(ownerId, chain);
    }
    return chain;
  }

  // --- sites -------------------------------------------------------------------------------

  site(kind, node, parts) {
    const where = this.loc(node.start);
    const main = parts.m || parts.v;
    return this.ctx.addSite({
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

/** The callee of a call as the app wrote it, on one line, at most 80 characters. */
function calleeText(source, call) {
  let text = source.slice(call.callee.start, call.callee.end);
  text = text.replace(/\s*\.\s*/g, '.').replace(/\s+/g, ' ').trim();
  if (call.type === 'NewExpression') text = `new ${text}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The calls and `new` expressions whose text V8 may print in an error message: inside the callee
 * of another call, `new` or tag (`f(x)(y)`: "f(...) is not a function"), the iterable of a
 * `for of`, a spread, or an array pattern (`for (x of f(y))`: "f is not a function or its
 * return value is not iterable"). Their hooks go into their arguments, not around them.
 */
function printedCalls(ast) {
  const printed = new Set();
  const mark = (node, on) => {
    if (on && (node.type === 'CallExpression' || node.type === 'NewExpression')) printed.add(node);
    if (FUNCTION_TYPES.has(node.type) || node.type === 'ClassBody') on = false;
    for (const key of KEYS[node.type] || []) {
      const child = node[key];
      if (child === null || child === undefined) continue;
      let childOn = on;
      if ((node.type === 'CallExpression' || node.type === 'NewExpression')) childOn = key === 'callee';
      else if (node.type === 'TaggedTemplateExpression') childOn = key === 'tag';
      else if (node.type === 'ForOfStatement') childOn = key === 'right';
      else if (node.type === 'SpreadElement' || (node.type === 'YieldExpression' && node.delegate)) childOn = true;
      else if (node.type === 'VariableDeclarator') childOn = key === 'init' && node.id.type === 'ArrayPattern';
      else if (node.type === 'AssignmentExpression') childOn = key === 'right' && node.left.type === 'ArrayPattern';
      else if (/Statement|Declaration$/.test(node.type)) childOn = false;
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item.type === 'string') mark(item, childOn);
      } else if (typeof child.type === 'string') {
        mark(child, childOn);
      }
    }
  };
  mark(ast, false);
  return printed;
}

function lineStarts(source) {
  const starts = [0];
  const re = /\r\n?|\n|\u2028|\u2029/g;
  let match;
  while ((match = re.exec(source)) !== null) starts.push(match.index + match[0].length);
  return starts;
}

/** The function node (or Program) whose scope holds the variables of `scope`. */
function ownerFunction(scope) {
  let s = scope;
  while (s.upper && !FUNCTION_TYPES.has(s.block.type) && s.block.type !== 'Program') s = s.upper;
  return s.block;
}

/** The Identifier or ThisExpression a pure member chain (`a.b[c].d`) starts from, else null. */
function chainRoot(node) {
  let n = node;
  while (n.type === 'MemberExpression') n = n.object;
  return n.type === 'Identifier' || n.type === 'ThisExpression' ? n : null;
}

/**
 * The property keys from the root of a member chain to its end (`a.b[0].c` -> ['b', '0', 'c']),
 * or null when one is computed from an expression or private (the runtime could not follow it).
 */
function staticKeys(node) {
  const keys = [];
  for (let n = node; n.type === 'MemberExpression'; n = n.object) {
    if (!n.computed && n.property.type === 'Identifier') keys.unshift(n.property.name);
    else if (n.computed && n.property.type === 'Literal' && typeof n.property.value !== 'object') keys.unshift(String(n.property.value));
    else return null;
  }
  return keys;
}

/** Whether a member chain short-circuits inside (`a?.b`): wrapping it would change that. */
function hasOptional(node) {
  for (let n = node; n.type === 'MemberExpression'; n = n.object) if (n.optional) return true;
  return false;
}

/**
 * `req.body`, `cache[*]`, `this.items`: the path as written, computed keys as `[*]`, from the
 * root's name (a local alias by the name of what it aliases: `r.body` of `const r = req` is
 * `req.body`).
 */
function pathOf(node, rootName) {
  if (node.type !== 'MemberExpression') return rootName;
  const base = pathOf(node.object, rootName);
  if (node.computed) return `${base}[*]`;
  const p = node.property;
  return `${base}.${p.type === 'PrivateIdentifier' ? '#' : ''}${p.name}`;
}

/** The identifiers and member expressions a destructuring pattern writes to. */
function patternTargets(p, ids, members) {
  switch (p.type) {
    case 'Identifier':
      ids.push(p);
      break;
    case 'MemberExpression':
      members.push(p);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternTargets(prop.type === 'RestElement' ? prop.argument : prop.value, ids, members);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) patternTargets(el, ids, members);
      break;
    case 'RestElement':
      patternTargets(p.argument, ids, members);
      break;
    case 'AssignmentPattern':
      patternTargets(p.left, ids, members);
      break;
    default:
  }
}

module.exports = { instrument };
