'use strict';
// lib/effect-handover.js: a function of the app handed to a call by name or in an options object
// is handed over like a literal, at one core site per (effect site, function); other functions
// and calls outside any part are left alone.

const test = require('node:test');
const assert = require('node:assert');
const { createHandOver } = require('../lib/effect-handover');
const { instrumentedNumber } = require('../lib/identity');

/** A hand-over made with a stand-in runtime that lists the core sites it defines and hands. */
function standIn() {
  const defined = [];
  const handed = [];
  const runtime = {
    rt: { part: 'f0', L: (fn, s) => handed.push([fn.name, s]) },
    defineSite: (n, callee, loc) => defined.push([n, callee, loc.line]) - 1,
  };
  const warnings = [];
  const recorder = { warn: (text) => warnings.push(text) };
  const identity = { instrumentedNumber, targetOf: (fn) => fn };
  const sites = [{ callee: 'router.get', file: 'app.js', line: 7, column: 2 }];
  return { hooks: createHandOver({ runtime, recorder, identity, sites }), runtime, defined, handed, warnings };
}

// An app function carries its number in its entry hook; `index` is function 5.
function index() { /* __jf.E(5) */ }
function helper() { /* __jf.E(8) */ }

test('an app function handed by name gets one core site, handed over at every call', () => {
  const { hooks, defined, handed, warnings } = standIn();
  assert.strictEqual(hooks.l(0, index), index);
  assert.strictEqual(hooks.l(0, index), index);
  assert.deepStrictEqual(defined, [[5, 'router.get', 7]]);
  assert.deepStrictEqual(handed, [['index', 0], ['index', 0]]);
  assert.deepStrictEqual(warnings, []);
});

test("an options object's functions are handed over, each with its own core site", () => {
  const { hooks, defined, handed } = standIn();
  const options = { url: '/', handler: index, onRequest: helper };
  assert.strictEqual(hooks.o(0, options), options);
  assert.deepStrictEqual(defined, [[5, 'router.get', 7], [8, 'router.get', 7]]);
  assert.deepStrictEqual(handed, [['index', 0], ['helper', 1]]);
});

test('a library function, a non-function and a hand-over outside any part are left alone', () => {
  const { hooks, runtime, defined, handed } = standIn();
  hooks.l(0, Math.max);
  hooks.l(0, 'index');
  hooks.o(0, null);
  runtime.rt.part = null;
  hooks.l(0, index);
  hooks.o(0, { handler: index });
  assert.deepStrictEqual(defined, []);
  assert.deepStrictEqual(handed, []);
});

test('an options object whose keys throw is warned about, and returned as it is', () => {
  const { hooks, warnings } = standIn();
  const hostile = new Proxy({}, { ownKeys() { throw new Error('no keys'); } });
  assert.strictEqual(hooks.o(0, hostile), hostile);
  assert.deepStrictEqual(warnings, ['effects: cannot tell which function is handed over: no keys']);
});
