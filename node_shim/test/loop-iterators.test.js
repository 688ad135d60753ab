'use strict';
// lib/loop-iterators.js: the iterable of a `for await` loop keeps its values, and the runtime is
// told right after each implicit next() and return() call.

const test = require('node:test');
const assert = require('node:assert');
const { loopIterable } = require('../lib/loop-iterators');

test('an async iterable yields the same values; each next() and return() suspends once', async () => {
  const calls = [];
  const state = { p: null, s: -1 };
  async function* source() {
    yield 1;
    yield 2;
    yield 3;
  }
  const seen = [];
  for await (const x of loopIterable(source(), 7, state, (s, st) => calls.push([s, st === state]))) {
    seen.push(x);
    if (x === 2) break; // return() is called
  }
  assert.deepStrictEqual(seen, [1, 2]);
  assert.deepStrictEqual(calls, [[7, true], [7, true], [7, true]]);
});

test('a sync iterable is iterated through its own iterator', async () => {
  let suspended = 0;
  const seen = [];
  for await (const x of loopIterable(new Set(['a', 'b']), 1, {}, () => suspended++)) seen.push(x);
  assert.deepStrictEqual(seen, ['a', 'b']);
  assert.strictEqual(suspended, 3); // two values, then done
});

test('what is not iterable is handed back as it is, for the loop to throw as untraced', () => {
  const plain = { a: 1 };
  assert.strictEqual(loopIterable(plain, 0, {}, () => {}), plain);
  assert.strictEqual(loopIterable(null, 0, {}, () => {}), null);
  assert.strictEqual(loopIterable(undefined, 0, {}, () => {}), undefined);
});
