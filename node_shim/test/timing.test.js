'use strict';
// Time per part (lib/timing.js) with a clock the test moves: each part's own time, nested parts
// taken out of the part around them, deltas between drains and totals in the dump.

const test = require('node:test');
const assert = require('node:assert');
const { createTiming } = require('../lib/timing');

test('a part begun inside another counts for itself, not for the part around it', () => {
  let clock = 0;
  const timing = createTiming(() => clock);
  timing.begin(0); // f1 at 0
  clock = 2;
  timing.begin(1); // f2 at 2, inside f1
  clock = 7;
  timing.end(1, 'f2'); // f2: 5 ms
  clock = 10;
  timing.end(0, 'f1'); // f1: 10 ms, 5 of them its own
  assert.deepStrictEqual(timing.drain(), [ // in the order the parts ended
    { function: 'f2', count: 1, total_ms: 5, max_ms: 5 },
    { function: 'f1', count: 1, total_ms: 5, max_ms: 5 },
  ]);
});

test('a batch holds the parts ended since the last drain; the dump holds them all', () => {
  let clock = 0;
  const timing = createTiming(() => clock);
  const part = (id, ms) => {
    timing.begin(0);
    clock += ms;
    timing.end(0, id);
  };
  part('f1', 1.5);
  part('f1', 0.25);
  assert.deepStrictEqual(timing.drain(), [{ function: 'f1', count: 2, total_ms: 1.75, max_ms: 1.5 }]);
  assert.deepStrictEqual(timing.drain(), []);
  part('f1', 0.5);
  part('f3', 2);
  assert.deepStrictEqual(timing.drain(), [
    { function: 'f1', count: 1, total_ms: 0.5, max_ms: 0.5 },
    { function: 'f3', count: 1, total_ms: 2, max_ms: 2 },
  ]);
  assert.deepStrictEqual(timing.total(), [
    { function: 'f1', count: 3, total_ms: 2.25, max_ms: 1.5 },
    { function: 'f3', count: 1, total_ms: 2, max_ms: 2 },
  ]);
});
