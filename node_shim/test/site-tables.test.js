'use strict';
// lib/site-tables.js: the runtime's static tables of functions and core call sites.

const test = require('node:test');
const assert = require('node:assert');
const { createSiteTables } = require('../lib/site-tables');

const loc = (line) => ({ file: 'app.js', line, column: 0 });

test('functions and sites are registered in the tables the hooks read', () => {
  const t = createSiteTables();
  t.defineFunction(3, loc(1));
  assert.deepStrictEqual([t.fnId[3], t.fnLoc[3], t.fnSite[3]], ['f3', loc(1), -1]);
  const s0 = t.defineSite(3, 'setTimeout', loc(5));
  const s1 = t.defineSite(3, 'await', loc(6));
  assert.deepStrictEqual([s0, s1], [0, 1]);
  assert.deepStrictEqual([t.siteFn, t.siteCallee, t.sitePart], [[3, 3], ['setTimeout', 'await'], [null, null]]);
  assert.strictEqual(t.siteOfFunction(3), null); // handed over by name only, not as a literal
  t.markLiteralSite(3, s0);
  assert.deepStrictEqual(t.siteOfFunction(3), loc(5));
  assert.strictEqual(t.siteOfFunction(4), null);
});

test('a literal site marked before its function is defined is kept', () => {
  const t = createSiteTables();
  const s = t.defineSite(7, 'fs.readFile', loc(2));
  t.markLiteralSite(7, s);
  t.defineFunction(7, loc(2));
  assert.strictEqual(t.fnSite[7], s);
});

test('two tables share nothing', () => {
  const a = createSiteTables();
  const b = createSiteTables();
  a.defineSite(0, 'x', loc(1));
  assert.strictEqual(b.defineSite(0, 'y', loc(1)), 0);
  assert.notStrictEqual(a.siteFn, b.siteFn);
});
