'use strict';
// The effect transform's visitors of calls (mixed into effects.js's Instrumenter): a call of a
// closure, a method call and its receiver, functions and parameters handed to a call, and
// streams handed the response.

const {
  FUNCTION_TYPES, calleeText, chainRoot, staticKeys, hasOptional, pathOf,
} = require('./effect-syntax');

const EVAL_REASON = 'direct eval can read and write any variable in scope';

/** The visitors of calls: methods of the Instrumenter (`this` is one). */
class CallVisitors {
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
      const id = this.addSite({
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
    const id = this.closureCallSite(arg);
    if (id === null) return;
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
    const id = this.closureCallSite(callee);
    if (id === null) return;
    // Record before the call, leaving the call as written: V8 prints the callee's text in
    // "x is not a function", and a wrapped callee would change that message.
    if (this.chainDepth) this.edits.wrap(callee, `${this.rt}.c(${id},`, ')');
    else if (this.printed.has(node)) this.argumentHook(node, 'c', `${id},${callee.name}`);
    else this.edits.wrap(node, `(${this.rt}.c(${id},${callee.name}),`, ')');
  }

  /**
   * The site of a call of the closure `node` names (a parameter or a free variable, or a local
   * alias of one), also a read of its variable; null when the function owns it.
   */
  closureCallSite(node) {
    const owner = this.rootOf(node, false);
    if (!owner) return null;
    this.handled.add(node);
    return this.site('call', node, {
      v: owner.v,
      m: { op: 'call', path: owner.name, call: owner.name, ...owner.m },
    });
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
}

module.exports = { CallVisitors };
