'use strict';
// Time per part: how long each part runs synchronously, aggregated per function id (the part's
// callback) like the other counters, and handed over in the batches as `timings` (PROTOCOL.md).
// A part's time is its own: a part begun inside it (an Express handler that `next()` dispatches,
// a callback a framework calls synchronously) counts for itself and not for the part around it,
// since it is another fluxion. `jitflux run` reads it to move a fluxion only when its work is
// worth a round trip to a worker.
//
// Cost: one clock read when a part begins and one when it ends (performance.now, about 45 ns
// each here), a Map lookup and a few number updates; no allocation once a function was timed.

const { performance } = require('perf_hooks');
const {
  uncurryThis, ArrayPrototypePush, MapPrototypeGet, MapPrototypeSet, SafeMap,
} = require('./primordials');

const PerformanceNow = uncurryThis(performance.now);
const MathRound = Math.round;
const performanceNow = () => PerformanceNow(performance);
const round = (ms) => MathRound(ms * 1000) / 1000; // to the microsecond

/**
 * The timings of one traced process. The runtime calls `begin(level)` when a part begins at
 * stack level `level` and `end(level, id)` when it ends; the recorder drains them. `now` (ms) is
 * the clock, replaceable for tests.
 */
function createTiming(now = performanceNow) {
  const startedAt = []; // stack level -> when its part began (ms)
  const nested = []; // stack level -> the time of the parts begun inside it (ms)
  const byFunction = new SafeMap(); // function id -> record
  const records = []; // in first-seen order

  function begin(level) {
    startedAt[level] = now();
    nested[level] = 0;
  }

  function end(level, id) {
    const ms = now() - startedAt[level];
    if (level > 0) nested[level - 1] += ms;
    let own = ms - nested[level];
    if (own < 0) own = 0; // rounding
    let rec = MapPrototypeGet(byFunction, id);
    if (rec === undefined) {
      rec = { function: id, count: 0, totalMs: 0, maxMs: 0, delta: 0, deltaMs: 0, deltaMax: 0 };
      MapPrototypeSet(byFunction, id, rec);
      ArrayPrototypePush(records, rec);
    }
    rec.count++;
    rec.totalMs += own;
    if (own > rec.maxMs) rec.maxMs = own;
    rec.delta++;
    rec.deltaMs += own;
    if (own > rec.deltaMax) rec.deltaMax = own;
  }

  /** The timings since the last drain: count, total_ms and max_ms are those of this batch. */
  function drain() {
    const out = [];
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      if (rec.delta === 0) continue;
      ArrayPrototypePush(out, { function: rec.function, count: rec.delta, total_ms: round(rec.deltaMs),
        max_ms: round(rec.deltaMax) });
      rec.delta = 0;
      rec.deltaMs = 0;
      rec.deltaMax = 0;
    }
    return out;
  }

  /** Every timing since the start (for the dump). */
  function total() {
    const out = [];
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      ArrayPrototypePush(out, { function: rec.function, count: rec.count, total_ms: round(rec.totalMs),
        max_ms: round(rec.maxMs) });
    }
    return out;
  }

  return { begin, end, drain, total };
}

module.exports = { createTiming };
