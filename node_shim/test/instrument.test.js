'use strict';
// The instrumentation transform (lib/instrument.js, lib/effects.js, lib/edits.js): code means the
// same once instrumented, written without semicolons or not, with values, evaluation order and
// `this` of calls unchanged.

const test = require('node:test');
const assert = require('node:assert');
const { transform, run, parse, walk } = require('./helpers');

// Programs without semicolons whose lines would join if an inserted `(` started a statement.
// Calls and method calls of free variables and parameters are where effects insert code.
const ASI = {
  'call after a declaration': `
    const list = []
    function add (x) { return x + 1 }
    function handle (req, res) {
      const n = add(req.url)
      res.end(String(n))
    }
    handle({ url: 3 }, { end: (s) => log('end', s) })`,
  'push after a conditional throw': `
    const list = []
    function remember (item) {
      if (list.includes(item)) throw new Error('duplicate')
      list.push(item)
    }
    remember('a'); remember('b')
    try { remember('a') } catch (e) { log(e.message) }
    log(list)`,
  'member call after a member call': `
    const out = []
    function f (o) {
      o.a()
      o.b()
      out.push(1)
      out.push(2)
    }
    f({ a: () => log('a'), b: () => log('b') })
    log(out)`,
  'array and paren after an update': `
    let n = 0
    let a = 1
    let b = 2
    function f () {
      n++
      [a, b] = [b, a]
      n--
      (function () { log('iife') })()
      n++
      \`\${log('template')}\`
    }
    f()
    log(n, a, b)`,
  'unary statements': `
    const out = []
    function f (g) {
      out.push(0)
      !g() && out.push('not')
      void out.push('void')
      typeof g()
      -out.push('minus')
      +g()
    }
    f(() => 0)
    log(out)`,
  'bodies without braces': `
    const out = []
    function f (k, cb) {
      for (let i = 0; i < k; i++) out.push(i)
      cb('for')
      while (k-- > 1) cb('while')
      out.push('after while')
      if (k) cb('then')
      else cb('else')
      out.push('after if')
      do out.push('do')
      while (false)
      cb('after do')
    }
    f(2, (x) => out.push(x))
    log(out)`,
  'labels and switch': `
    const out = []
    let n = 0
    function f (k) {
      outer: for (const a of [1, 2]) {
        for (const b of [1, 2]) {
          if (b === 2) continue outer
          out.push(a + '' + b)
        }
      }
      lbl: out.push('label')
      switch (k) {
        case 1:
          out.push('one')
          n++
          [n] = [n + 10]
          break
        default:
          out.push('default')
      }
    }
    f(1)
    log(out, n)`,
  'return and throw of calls': `
    const out = []
    function f (x, g) {
      if (x) return out.push('early')
      out.push('late')
      throw g('thrown')
    }
    f(true)
    try { f(false, (m) => new Error(m)) } catch (e) { log(e.message) }
    log(out)`,
  'arrow bodies and class bodies': `
    const out = []
    let n = 0
    function make () {
      return class {
        a = out.push('field')
        b = n++
        ['c'] = 'computed'
        static { out.push('static') }
        m () { this.n() }
        n () { out.push('method') }
      }
    }
    const push = (x) => out.push(x)
    const C = make()
    new C().m()
    push('arrow')
    log(out, n)`,
};

for (const [name, source] of Object.entries(ASI)) {
  test(`no semicolons: ${name}`, () => {
    const plain = run(source);
    assert.ok(plain.length > 0 && !plain.some((l) => l.startsWith('threw')), plain.join('\n'));
    assert.deepStrictEqual(run(transform(source)), plain);
    assert.deepStrictEqual(run(transform(source, false)), plain);
  });
}

test('every statement of a list keeps its boundary', () => {
  const source = ASI['array and paren after an update'];
  /** The statements of function f, without empty ones, and those of an instrumented try block. */
  const statements = (code) => {
    let body = null;
    walk(parse(code), (node) => {
      if (node.type === 'FunctionDeclaration' && node.id.name === 'f') body = node.body.body;
      return body === null;
    });
    if (body.length === 2 && body[1].type === 'TryStatement') body = body[1].block.body;
    return body.filter((s) => s.type !== 'EmptyStatement').map((s) => s.type);
  };
  const original = statements(source);
  assert.strictEqual(original.length, 6);
  assert.deepStrictEqual(statements(transform(source)), original);
  assert.match(transform(source), /\n {6};\(function \(\) \{/);
});

// Evaluation order, values and `this`, where the effects transform wraps reads, writes and calls.
const ORDER = {
  'receiver, key, arguments, call': `
    const o = { m (x) { log('m', this === o, x) } }
    function f (p) {
      const t = (x) => { log('arg', x); return x }
      p.m(t(1))
      o[(log('key'), 'm')](t(2))
      o.m.call(o, t(3))
    }
    f(o)`,
  'getters run once': `
    let reads = 0
    const o = { get g () { reads++; return { h () { return reads } } } }
    function f () { return o.g.h() }
    log(f(), reads)`,
  'compound assignments and updates': `
    let n = 1
    const o = { k: 1 }
    function f () {
      const key = () => { log('key'); return 'k' }
      const val = () => { log('val'); return 2 }
      o[key()] += val()
      n *= val()
      log(n++, ++n, o.k--, delete o.k, o)
    }
    f()`,
  'destructuring and loop heads': `
    let a, b
    const o = {}
    function f () {
      [a, o.x, ...b] = [1, 2, 3, 4]
      ;({ a, y: o.y = 5 } = { a: 9 })
      for (o.z of [7, 8]) log(o.z)
      log(a, b, o)
    }
    f()`,
  'optional chains and new': `
    const ns = { B: class { constructor (x) { this.x = x } } }
    function f (o) {
      log(o?.m?.(), o?.a.b, new ns.B(1).x, new ns.B(2)?.x)
    }
    f(null)
    f({ a: { b: 3 }, m: () => 4 })`,
  'calls of free variables and parameters keep error messages': `
    let cb = null
    function f (g) {
      try { g() } catch (e) { log(e.message) }
      try { cb() } catch (e) { log(e.message) }
      try { g.sendd(1) } catch (e) { log(e.message) }
    }
    f({})`,
  'error messages print the callee as written': `
    const o = { a: { b: {} }, f () { return {} }, n: 1 }
    function g () { return 1 }
    const tries = [
      () => o.a.b.c(),
      () => o.a['b'].c(1),
      () => o.f().g(),
      () => g(1)(2),
      () => g()(),
      () => o.f(1)(),
      () => { for (const z of g(1)) log(z) },
      () => [...g(2)],
      () => new (g(3))(),
      () => new o.a.b(),
      () => new o.n,
      () => { const [q] = g(4); log(q) },
    ]
    function run () {
      for (const t of tries) { try { t() } catch (e) { log(e.message) } }
    }
    run()`,
  'async functions and awaits in expressions': `
    const out = []
    async function f (p) {
      out.push(await p + (await p) * 2)
      for await (const x of [p, 2]) out.push(x)
      try { await Promise.reject(new Error('r')) } catch (e) { out.push(e.message) }
      return out
    }
    f(Promise.resolve(1)).then((v) => log(v))`,
};

for (const [name, source] of Object.entries(ORDER)) {
  test(`values and order: ${name}`, async () => {
    const plain = await settled(source);
    assert.ok(plain.length > 0 && !plain.some((l) => l.startsWith('threw')), plain.join('\n'));
    assert.deepStrictEqual(await settled(transform(source)), plain);
  });
}

/** What the code logs, after its promises have settled. */
async function settled(code) {
  // run's array keeps receiving what is logged later.
  const logged = run(code);
  await new Promise((resolve) => setImmediate(resolve));
  return logged.slice();
}
