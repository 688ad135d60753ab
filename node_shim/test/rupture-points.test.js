'use strict';
// lib/rupture-points.js and lib/async-context.js: the rupture point a part begins with, from the
// runtime's tables and what is stored on the async resource it runs in.

const test = require('node:test');
const assert = require('node:assert');
const { createRupturePoints } = require('../lib/rupture-points');
const { createSiteTables } = require('../lib/site-tables');
const A = require('../lib/async-context');

const loc = (line) => ({ file: 'app.js', line, column: 0 });

/** Rupture points over fresh tables, reporting to a list; f0 hands f1 to fs.readFile at line 4. */
function standIn() {
  const recorded = [];
  const recorder = { recordRupture: (...args) => recorded.push(args) };
  const tables = createSiteTables();
  tables.defineFunction(0, loc(1));
  tables.defineFunction(1, loc(4));
  const s = tables.defineSite(1, 'fs.readFile', loc(4));
  tables.markLiteralSite(1, s);
  tables.sitePart[s] = 'f0';
  tables.siteInRequest[s] = true; // handed over while serving a request
  return { points: createRupturePoints({ recorder, tables }), tables, recorded };
}

test('a callback the loop calls continues the part that handed it over: a post', () => {
  const { points, recorded } = standIn();
  const res = {};
  const ctx = { part: 'f0', request: 'r1' };
  points.fromLoop(1, 'f1', res, ctx, 'r1');
  assert.deepStrictEqual(recorded, [['post', 'fs.readFile', 'f0', 'f1', loc(4), 'r1', null]]);
  assert.strictEqual(res[A.kRanPart], 'f1');
});

test('the same callback run again on the same resource and context is a start', () => {
  const { points, recorded } = standIn();
  const res = {};
  const ctx = { part: 'f0', request: 'r1' };
  points.fromLoop(1, 'f1', res, ctx, 'r1');
  points.fromLoop(1, 'f1', res, ctx, 'r1');
  assert.deepStrictEqual(recorded.map((r) => r[0]), ['post', 'start']);
});

test('a callback handed over outside any request and run for one is a listener: a start', () => {
  const { points, tables, recorded } = standIn();
  tables.siteInRequest[0] = undefined;
  points.fromLoop(1, 'f1', {}, undefined, 'r1');
  assert.deepStrictEqual(recorded, [['start', 'fs.readFile', 'f0', 'f1', loc(4), 'r1', null]]);
});

test('a registered listener starts from the part that registered it, wherever it runs', () => {
  const { points, tables, recorded } = standIn();
  tables.listenerPart[1] = 'f0';
  tables.listenerSite[1] = tables.defineSite(1, 'emitter.on', loc(9));
  points.fromLoop(1, 'f1', {}, undefined, 'r2');
  assert.deepStrictEqual(recorded, [['start', 'emitter.on', 'f0', 'f1', loc(9), 'r2']]);
});

test('after `await helper()` the code continues from the part that settled the helper', () => {
  const { points, tables, recorded } = standIn();
  const s = tables.defineSite(1, 'await', loc(6));
  const made = { part: 'f1', request: 'r1' };
  const awaited = { [A.kCtx]: made, [A.kSettled]: 'f7' };
  const res = { [A.kParent]: awaited };
  points.afterAwait('f1', s, 'f1', res, 'r1');
  points.afterAwait('f3', s, 'f1', {}, 'r1'); // nothing awaited: from the suspended part
  assert.deepStrictEqual(recorded, [
    ['post', 'await', 'f7', 'f1', loc(6), 'r1'],
    ['post', 'await', 'f3', 'f1', loc(6), 'r1'],
  ]);
});

test('in p.then(a).then(b), b continues from the part that settled the promise a ran on', () => {
  const ctx = { part: 'f0', request: null };
  const parent = { [A.kCtx]: ctx, [A.kSettled]: 'f2' };
  assert.strictEqual(A.previousStep({ [A.kParent]: parent }, ctx, 'f0'), 'f2');
  // A promise made by another part invocation is no step of this chain.
  assert.strictEqual(A.previousStep({ [A.kParent]: parent }, { part: 'f0', request: null }, 'f0'), 'f0');
  assert.strictEqual(A.previousStep({}, ctx, 'f0'), 'f0');
});

test('a then step that continues from the step before it names the part that handed it over', () => {
  const { points, recorded } = standIn();
  const ctx = { part: 'f0', request: 'r1' };
  const parent = { [A.kCtx]: ctx, [A.kSettled]: 'f2' }; // the step before, settled by f2
  points.fromLoop(1, 'f1', { [A.kParent]: parent }, ctx, 'r1');
  assert.deepStrictEqual(recorded, [['post', 'fs.readFile', 'f2', 'f1', loc(4), 'r1', 'f0']]);
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
