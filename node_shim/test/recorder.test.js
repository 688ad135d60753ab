'use strict';
// lib/recorder.js: what one recorder keeps and hands over: batches of what is new since the last
// drain (counts as deltas), the whole record with totals for the dump, and nothing shared between
// two recorders.

const test = require('node:test');
const assert = require('node:assert');
const { createRecorder, MAX_SAMPLES } = require('../lib/recorder');

const SITE = { file: 'app.js', line: 3, column: 4 };

test('a batch holds what is new since the last drain; the total holds everything', () => {
  const recorder = createRecorder();
  recorder.addFunction({ id: 'f0', name: '' });
  recorder.recordRupture('post', 'fs.readFile', 'f0', 'f1', SITE, 'r1');
  recorder.recordRupture('post', 'fs.readFile', 'f0', 'f1', SITE, 'r2');
  const first = recorder.drain();
  assert.deepStrictEqual(first.functions, [{ id: 'f0', name: '' }]);
  assert.strictEqual(first.rupture_points.length, 1);
  assert.strictEqual(first.rupture_points[0].count, 2);
  assert.deepStrictEqual(first.rupture_points[0].samples.map((s) => s.request), ['r1', 'r2']);
  recorder.recordRupture('post', 'fs.readFile', 'f0', 'f1', SITE, 'r3');
  const second = recorder.drain();
  assert.deepStrictEqual(second.functions, []);
  assert.strictEqual(second.rupture_points[0].count, 1);
  assert.deepStrictEqual(second.rupture_points[0].samples.map((s) => s.request), ['r3']);
  assert.deepStrictEqual(recorder.drain().rupture_points, []);
  const total = recorder.total();
  assert.strictEqual(total.rupture_points[0].count, 3);
  assert.strictEqual(total.rupture_points[0].samples.length, MAX_SAMPLES);
});

test('a rupture point seen once as start stays start, and is sent again when it turns', () => {
  const recorder = createRecorder();
  recorder.recordRupture('post', 'emitter.on', 'f0', 'f1', SITE, null);
  recorder.drain();
  recorder.recordRupture('start', 'emitter.on', 'f0', 'f1', SITE, null);
  recorder.recordRupture('post', 'emitter.on', 'f0', 'f1', SITE, null);
  const batch = recorder.drain();
  assert.deepStrictEqual(batch.rupture_points.map((r) => [r.type, r.count]), [['start', 2]]);
});

test('effects from the drainers come as deltas and add up in the total', () => {
  const recorder = createRecorder();
  let count = 2;
  recorder.addDrainer(() => [{ function: 'f1', kind: 'write', target: 'x', declared: null, count, samples: [] }]);
  recorder.addDrainer(() => {
    throw new Error('broken');
  });
  const first = recorder.drain();
  assert.strictEqual(first.effects[0].count, 2);
  assert.deepStrictEqual(first.warnings, ['effects drainer failed: broken']);
  count = 5;
  const second = recorder.drain();
  assert.strictEqual(second.effects[0].count, 5);
  assert.deepStrictEqual(second.warnings, []); // said once
  // The dump drains once more (5) and adds every delta up.
  assert.strictEqual(recorder.total().effects[0].count, 2 + 5 + 5);
});

test('two recorders share nothing: function numbers, warnings, requests', () => {
  const a = createRecorder();
  const b = createRecorder();
  assert.strictEqual(a.allocateFunctions(3), 0);
  assert.strictEqual(a.allocateFunctions(1), 3);
  assert.strictEqual(b.allocateFunctions(1), 0);
  a.warn('once');
  a.warn('once');
  a.countRequest();
  a.addListening(8080, '::');
  assert.deepStrictEqual(a.drain().warnings, ['once']);
  const other = b.drain();
  assert.deepStrictEqual([other.warnings, other.requests, other.listening], [[], 0, []]);
});

test('an external function gets a slot that gives the function object back', () => {
  const recorder = createRecorder();
  const fn = function writeTextToImages() {};
  const slot = recorder.addExternal(fn, 'f9');
  assert.strictEqual(recorder.externalFunction(slot), fn);
  assert.deepStrictEqual(recorder.drain().external, [{ id: 'f9', name: 'writeTextToImages', slot }]);
});
