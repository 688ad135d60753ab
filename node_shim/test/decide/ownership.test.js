'use strict';
// Ownership (lib/decide/ownership.js): which variables a part owns, as a rule on its inputs and as
// the effects runtime applies it to instrumented code run in this process; an object's home.

const test = require('node:test');
const assert = require('node:assert');
const { owns, movesHome } = require('../../lib/decide/ownership');
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

test("a library's variable gives an object's home up to the app's, never the other way", () => {
  const lowdb = { file: 'node_modules/lowdb/lib/main.js', line: 13, column: 6 };
  const outside = { file: '../../lib/node_modules/once/once.js', line: 22, column: 6 };
  const app = { file: 'server.js', line: 13, column: 6 };
  const other = { file: 'lib/store.js', line: 2, column: 4 };
  assert.strictEqual(movesHome(lowdb, app), true);
  assert.strictEqual(movesHome(outside, app), true);
  assert.strictEqual(movesHome(app, lowdb), false);
  assert.strictEqual(movesHome(app, other), false);
  assert.strictEqual(movesHome(lowdb, outside), false);
  assert.strictEqual(movesHome(null, app), false);
  assert.strictEqual(movesHome(lowdb, null), false);
});
