'use strict';
// lib/async-context.js: what is stored on a promise (its parent, the part that settled it) and the
// step of a promise chain a callback continues from.

const test = require('node:test');
const assert = require('node:assert');
const A = require('../lib/async-context');

test('in p.then(a).then(b), b continues from the part that settled the promise a ran on', () => {
  const ctx = { part: 'f0', request: null };
  const parent = { [A.kCtx]: ctx, [A.kSettled]: 'f2' };
  assert.strictEqual(A.previousStep({ [A.kParent]: parent }, ctx, 'f0'), 'f2');
  // A promise made by another part invocation is no step of this chain.
  assert.strictEqual(A.previousStep({ [A.kParent]: parent }, { part: 'f0', request: null }, 'f0'), 'f0');
  assert.strictEqual(A.previousStep({}, ctx, 'f0'), 'f0');
});

test('promise hooks keep a promise\'s parent and the running part that settled it', () => {
  const rt = { part: 'f4' };
  const hooks = A.createPromiseHooks(rt);
  const parent = {};
  const child = {};
  hooks.onPromiseInit(child, parent);
  hooks.onPromiseSettled(child);
  assert.strictEqual(child[A.kParent], parent);
  assert.strictEqual(child[A.kSettled], 'f4');
});
