'use strict';
// lib/primordials.js: the built-ins saved at load keep working, and nothing of the app runs,
// when the app has replaced the originals. Each test replaces built-ins only for the time of its
// synchronous body (the test runner itself uses them).

const test = require('node:test');
const assert = require('node:assert');
const P = require('../lib/primordials');

/** Replace `object[name]` by a counting wrapper while `fn` runs; returns how often it ran. */
function counting(object, name, fn) {
  const original = object[name];
  let calls = 0;
  const wrapper = function () {
    calls++;
    return Reflect.apply(original, this, arguments);
  };
  Object.defineProperty(object, name, { value: wrapper, writable: true, configurable: true });
  try {
    fn();
  } finally {
    Object.defineProperty(object, name, { value: original, writable: true, configurable: true });
  }
  return calls;
}

test('uncurried methods do not call replaced built-ins', () => {
  const list = [];
  const map = new P.SafeMap();
  const calls = counting(Array.prototype, 'push', () => {
    counting(Map.prototype, 'set', () => {
      counting(Function.prototype, 'call', () => {
        P.ArrayPrototypePush(list, 1, 2);
        P.MapPrototypeSet(map, 'k', P.ArrayPrototypeSlice(list, 1));
        assert.strictEqual(P.FunctionPrototypeCall(function () { return this.v; }, { v: 3 }), 3);
      });
    });
  });
  assert.strictEqual(calls, 0);
  assert.deepStrictEqual(list, [1, 2]);
  assert.deepStrictEqual(P.MapPrototypeGet(map, 'k'), [2]);
});

test('the saved call survives a replaced Function.prototype.call', () => {
  let calls = 0;
  const original = Function.prototype.call;
  Function.prototype.call = function () {
    calls++;
    throw new Error('the app replacement ran');
  };
  try {
    assert.strictEqual(P.ArrayPrototypeJoin(['a', 'b'], '+'), 'a+b');
    assert.strictEqual(P.StringPrototypeSlice('abc', 1), 'bc');
    assert.notStrictEqual(P.RegExpPrototypeExec(/b/, 'abc'), null);
  } finally {
    Function.prototype.call = original;
  }
  assert.strictEqual(calls, 0);
});

test('toJSON writes what JSON.stringify writes, ignoring toJSON the app adds', () => {
  const data = { a: [1, 'two', null, true, { b: -0, c: 1.5e300, d: undefined }], e: 'quote " \\ \n \u2028', f: NaN };
  const expected = JSON.stringify(data);
  const original = Object.getOwnPropertyDescriptor(Object.prototype, 'toJSON');
  let calls = 0;
  let text;
  const stringifies = counting(JSON, 'stringify', () => {
    Object.defineProperty(Object.prototype, 'toJSON', { value: () => { calls++; return 'x'; }, configurable: true });
    Object.defineProperty(Array.prototype, 'toJSON', { value: () => { calls++; return 'y'; }, configurable: true });
    try {
      text = P.toJSON(data);
    } finally {
      delete Object.prototype.toJSON;
      delete Array.prototype.toJSON;
    }
  });
  assert.strictEqual(original, undefined);
  assert.strictEqual(calls + stringifies, 0);
  assert.strictEqual(text, expected);
});

test('pristine puts the saved built-ins back for its time, then the app ones', () => {
  const original = Array.prototype.push;
  const replaced = function push() { throw new Error('replaced'); };
  Array.prototype.push = replaced;
  Object.defineProperty(Object.prototype, 'added', { value: 1, enumerable: true, configurable: true });
  const hadMap = globalThis.Map;
  globalThis.Map = function NotAMap() {};
  let inside;
  try {
    inside = P.pristine(() => {
      const list = [];
      list.push(1);
      const keys = [];
      for (const k in {}) keys.push(k);
      return { list, keys, map: new Map([[1, 2]]).get(1), push: Array.prototype.push };
    });
    assert.strictEqual(Array.prototype.push, replaced);
    assert.strictEqual(Object.prototype.added, 1);
    assert.strictEqual(globalThis.Map.name, 'NotAMap');
  } finally {
    Array.prototype.push = original;
    delete Object.prototype.added;
    globalThis.Map = hadMap;
  }
  assert.deepStrictEqual(inside, { list: [1], keys: [], map: 2, push: original });
});

test('pristine returns what its function returns and rethrows what it throws', () => {
  assert.strictEqual(P.pristine(() => 7), 7);
  assert.throws(() => P.pristine(() => { throw new RangeError('inner'); }), /inner/);
});
