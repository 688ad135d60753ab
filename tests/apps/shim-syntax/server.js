// Constructs the instrumentation must leave meaning the same: GET /sync and GET /async answer the
// results of small cases as JSON, to be compared with the untraced app byte for byte.
var http = require('http');

var results = {};
function check(name, fn) {
  try {
    results[name] = fn();
  } catch (e) {
    results[name] = 'threw ' + e.name + ': ' + e.message;
  }
}

check('hoisted', function () {
  return later();
  function later() { return 'declared after use'; }
});

// A var and a function of the same name: legal at the top of a function, not inside a block.
check('clash', function () {
  var twice = 1;
  function twice() { return 2; }
  return typeof twice;
});
check('duplicate functions', function () {
  function dup() { return 1; }
  function dup() { return 2; }
  return dup();
});

check('function named like a parameter', function () {
  function f(x) { function x() {} return typeof arguments[0]; }
  return f(1);
});

check('arrow bodies', function () {
  var obj = () => ({ a: 1 });
  var seq = (x) => (x, x + 1);
  var has = (k) => k in { a: 1 };
  var nested = (a) => (b) => (c) => a + b + c;
  return [obj().a, seq(1), has('a'), nested(1)(2)(3)];
});

check('asi', function () {
  var a = 1
  ;(function () { a += 1 })()
  var b = a
  ;[1, 2].forEach(function (x) { b += x })
  return [a, b]
});

check('strict inside', function () {
  'use strict';
  return (function () { return this; })() === undefined;
});

check('function shape', function () {
  function three(a, b, c) { return arguments.length; }
  var arrow = (x, y = 2, ...rest) => x;
  var named = function inner() { return typeof inner; };
  return [three.length, three.name, three(1), arrow.length, arrow.name, named(), named.name];
});

check('defaults and patterns', function () {
  function f(cb = () => 'default', { x, y: [z] = [3] } = {}, ...more) {
    return [cb(), x, z, more.length];
  }
  return f(undefined, { x: 1 }, 9, 9);
});

check('classes', function () {
  class Base {
    static created = 0;
    #secret = 'hidden';
    constructor(v) { this.v = v; Base.created += 1; }
    get secret() { return this.#secret; }
    set secret(s) { this.#secret = s; }
    #twice(x) { return x * 2; }
    twice(x) { return this.#twice(x); }
    static make(v) { return new this(v); }
    ['computed' + 1]() { return 'c1'; }
  }
  class Derived extends Base {
    field = () => this.v;
    constructor(v) { super(v + 1); this.kind = new.target.name; }
    twice(x) { return super.twice(x) + 1; }
  }
  var d = Derived.make(1);
  d.secret = 'changed';
  var Anon = class { static tag = 'anon'; };
  return [d.v, d.field(), d.kind, d.twice(5), d.secret, d.computed1(), Base.created, Anon.tag];
});

check('labels and loops', function () {
  var out = [];
  outer: for (var i = 0; i < 3; i++) {
    for (var j = 0; j < 3; j++) {
      if (j === 1) continue outer;
      if (i === 2) break outer;
      out.push(function () { return i + ':' + j; });
    }
  }
  return out.map(function (f) { return f(); });
});

check('finally wins', function () {
  function f() {
    try { return 'try'; } finally { return 'finally'; }
  }
  function g() {
    try { throw new Error('lost'); } finally { return 'finally after throw'; }
  }
  return [f(), g()];
});

check('eval', function () {
  var local = 'local';
  return eval('local + "!"');
});

check('generators', function () {
  function* gen(n) { for (var i = 0; i < n; i++) yield i * 10; return 'done'; }
  var it = gen(2);
  return [it.next().value, it.next().value, it.next().value, Array.from(gen(3)).join(',')];
});

check('iife', function () {
  var a = (function () { return 1; })();
  var b = !function () { return 0; }();
  var c = (() => 3)();
  return [a, b, c];
});

check('throws', function () {
  function thrower() { throw new TypeError('thrown'); }
  try { thrower(); } catch (e) { return e instanceof TypeError && e.message; }
});

function wait(v) {
  return new Promise(function (resolve) { setImmediate(resolve, v); });
}

async function asyncCases() {
  var out = {};
  var a = await wait(1);
  out.assign = a;
  out.member = (await wait({ y: 2 })).y;
  out.nested = await await wait(3);
  out.args = [await wait(4), await wait(5)].join(',');
  out.paren = await (wait(0), wait(6));
  out.template = `${await wait(7)}`;
  out.cond = (await wait(true)) ? 'yes' : 'no';
  for (const x of await wait([8, 9])) out.loop = (out.loop || 0) + x;
  if (await wait(false)) out.never = true;
  try {
    await Promise.reject(new Error('rejected'));
  } catch (e) {
    out.caught = e.message;
    out.afterCatch = await wait('after');
  }
  try {
    try {
      await Promise.reject(new Error('inner'));
    } finally {
      out.finallyRan = true;
    }
  } catch (e) {
    out.rethrown = e.message;
  }
  var arrow = async (v) => await wait(v * 2);
  out.arrow = await arrow(21);
  out.all = (await Promise.all([1, 2, 3].map(async (v) => { await wait(0); return v; }))).join('');
  var obj = { async method() { return await wait('m'); } };
  out.method = await obj.method();
  async function* stream() { yield await wait('s1'); yield 's2'; }
  var seen = [];
  for await (const s of stream()) seen.push(s);
  out.stream = seen.join(',');
  try {
    await (async function () { await wait(0); throw new RangeError('from inside'); })();
  } catch (e) {
    out.asyncThrow = e.name;
  }
  out.returned = await (async () => { try { return await wait('r'); } finally { out.f2 = 1; } })();
  return out;
}

http.createServer(function (req, res) {
  if (req.url === '/sync') return res.end(JSON.stringify(results) + '\n');
  asyncCases().then(
    function (out) { res.end(JSON.stringify(out) + '\n'); },
    function (e) { res.end('failed ' + e.stack + '\n'); }
  );
}).listen(process.env.PORT || 0);
