'use strict';
// lib/identity.js: the id of a function object: its own number for an instrumented function (the
// smallest in its text), a new external id otherwise; a bound function is its target.

const test = require('node:test');
const assert = require('node:assert');
const { createIdentity, instrumentedNumber, numberOf } = require('../lib/identity');
const { createRecorder } = require('../lib/recorder');

// Instrumented text as the transform writes it: the outer function's hook, then a nested one's.
function outer() {
  /* __jf.E(12) */
  return function inner() { /* __jf.E(13) */ };
}

test('an instrumented function is numbered by the smallest entry hook in its text', () => {
  assert.strictEqual(instrumentedNumber(outer), 12);
  assert.strictEqual(instrumentedNumber(outer()), 13);
  assert.strictEqual(instrumentedNumber(Math.max), -1);
  assert.strictEqual(numberOf('f12'), 12);
});

test('another function gets a new id once, and an external entry in the recorder', () => {
  const recorder = createRecorder();
  recorder.allocateFunctions(20);
  const identity = createIdentity({ recorder });
  const library = function send() {};
  assert.strictEqual(identity.functionId(outer), 'f12');
  assert.strictEqual(identity.functionId(library), 'f20');
  assert.strictEqual(identity.functionId(library), 'f20');
  assert.strictEqual(identity.functionId('not a function'), null);
  assert.deepStrictEqual(recorder.drain().external, [{ id: 'f20', name: 'send', slot: 0 }]);
});

test('once bind is hooked, a bound function is its target, through any number of binds', () => {
  const identity = createIdentity({ recorder: createRecorder() });
  identity.installBind();
  const self = {};
  const once = outer.bind(self);
  const twice = once.bind(null);
  assert.strictEqual(identity.targetOf(twice), outer);
  assert.strictEqual(identity.functionId(twice), 'f12');
  // bind keeps its name and behaviour.
  assert.strictEqual(Function.prototype.bind.name, 'bind');
  assert.strictEqual(twice().name, 'inner');
});
