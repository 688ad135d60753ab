'use strict';
// lib/trampoline.js: the app's own Function.prototype.apply or Array.prototype.pop, which Node's
// callback trampoline calls, is told from the app's parts and warned about once.

const test = require('node:test');
const assert = require('node:assert');
const { createTrampolineCheck } = require('../lib/trampoline');
const { instrumentedNumber } = require('../lib/identity');

function standIn() {
  const warnings = [];
  const drainers = [];
  const recorder = { warn: (text) => warnings.push(text), addDrainer: (fn) => drainers.push(fn) };
  const check = createTrampolineCheck({ recorder, identity: { instrumentedNumber } });
  return { check, warnings, drain: () => drainers.forEach((d) => d()) };
}

test('without replacements no function is a trampoline helper, and nothing is said', () => {
  const { check, warnings, drain } = standIn();
  assert.strictEqual(check(4), false);
  drain();
  assert.deepStrictEqual(warnings, []);
});

test("the app's replacement of apply is a helper by its number, and is warned about once", () => {
  const { check, warnings, drain } = standIn();
  const original = Function.prototype.apply;
  const replaced = function apply(self, args) {
    /* __jf.E(4) */
    return Reflect.apply(original, this, [self, args]);
  };
  Object.defineProperty(Function.prototype, 'apply', { value: replaced, writable: true, configurable: true });
  try {
    assert.strictEqual(check(4), true);
    assert.strictEqual(check(5), false);
    drain();
    drain();
  } finally {
    Object.defineProperty(Function.prototype, 'apply', { value: original, writable: true, configurable: true });
  }
  assert.strictEqual(warnings.length, 1);
  assert.match(warnings[0], /^the app replaced Function\.prototype\.apply: /);
});
