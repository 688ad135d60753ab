'use strict';
// Ownership (lib/decide/ownership.js): which variables a part owns, as a rule on its inputs and as
// the effects runtime applies it to instrumented code run in this process.

const test = require('node:test');
const assert = require('node:assert');
const { owns } = require('../../lib/decide/ownership');
const { instrumented, run, recorder } = require('../helpers');

test('a part owns what its function or a function around it declares, nothing undeclared', () => {
  const chain = ['f3', 'f1', 'f0']; // f3 nested in f1, in the module's top level f0
  assert.strictEqual(owns('f3', chain), true);
  assert.strictEqual(owns('f0', chain), true);
  assert.strictEqual(owns('f2', chain), false);
  assert.strictEqual(owns('f3', null), false);
  assert.strictEqual(owns(null, chain), false);
});

test("a nested function's write of its enclosing function's variable is the part's own", async () => {
  const out = instrumented(`
    let count = 0
    function outer () {
      let local = 0
      function inner () { local++; count++ }
      inner()
      return local
    }
    globalThis.__unitOuter = outer`);
  const names = new Map(out.functions.map((f) => [f.id, f.name]));
  assert.deepStrictEqual(run(out.code), []);
  recorder.drain();
  await new Promise((resolve) => setImmediate(() => resolve(globalThis.__unitOuter())));
  const effects = recorder.drain().effects.map((e) => `${names.get(e.function)} ${e.kind} ${e.target}`);
  assert.deepStrictEqual(effects.sort(), ['outer read count', 'outer write count']);
});
