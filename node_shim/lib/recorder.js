'use strict';
// What the shim has recorded, aggregated so that its size follows the code, not the traffic, and
// handed over as batches (PROTOCOL.md): deltas since the last drain, or everything at once for the
// dump. Nothing here runs on the app's hot path except `recordRupture`, once per part.

const P = require('./primordials');

const {
  ArrayPrototypePush, ArrayPrototypeSlice, ArrayIsArray, MapPrototypeGet, MapPrototypeSet,
  MapPrototypeHas, SetPrototypeHas, SetPrototypeAdd, ObjectAssign, SafeMap, SafeSet,
} = P;
const rawDebug = process._rawDebug;
const MAX_SAMPLES = 3;
const MAX_WARNINGS = 200;

/**
 * A recorder: the function table, the sources, the rupture points and the warnings of one traced
 * process, the drainers that hand it effects, and the batches made of them. The shim makes one at
 * preload (index.js) and passes it to every part that records.
 */
function createRecorder() {
  const functions = []; // function table entries, in id order
  let sentFunctions = 0;
  const externals = []; // {id, name, slot}
  const externalFns = []; // slot -> function object
  let sentExternals = 0;
  const sources = new SafeMap(); // file -> original text
  let sentSources = 0;
  const sourceOrder = [];
  const ruptures = []; // every rupture record, in first-seen order
  const rupturesByCallback = new SafeMap(); // callback id -> records
  const warnings = [];
  const warningSet = new SafeSet();
  let sentWarnings = 0;
  const listening = [];
  let sentListening = 0;
  let requests = 0;
  let sentRequests = 0;
  const drainers = [];
  const effectTotals = new SafeMap(); // merge key -> effect (totals, for the dump)
  let nextFunction = 0;

  /** A fresh function number (the n of `fn`), shared by instrumented and external functions. */
  function allocateFunctions(count) {
    const first = nextFunction;
    nextFunction += count;
    return first;
  }

  function addFunction(entry) {
    ArrayPrototypePush(functions, entry);
  }

  function addSource(file, text) {
    if (MapPrototypeHas(sources, file)) return;
    MapPrototypeSet(sources, file, text);
    ArrayPrototypePush(sourceOrder, file);
  }

  function addExternal(fn, id) {
    const slot = externalFns.length;
    ArrayPrototypePush(externalFns, fn);
    let name = '';
    try {
      name = typeof fn.name === 'string' ? fn.name : '';
    } catch (e) {
      // a hostile getter: keep the empty name
    }
    ArrayPrototypePush(externals, { id, name, slot });
    return slot;
  }

  function externalFunction(slot) {
    return externalFns[slot];
  }

  /**
   * Count one run of `callback` reached from `caller` through `callee` (a rupture point).
   * `site` is {file, line, column} or null; `request` is the request id or null; `registrar`,
   * when given, is the part that handed the callback over where `caller` is the step before it
   * in a promise chain.
   */
  function recordRupture(type, callee, caller, callback, site, request, registrar = null) {
    let list = MapPrototypeGet(rupturesByCallback, callback);
    if (list === undefined) {
      list = [];
      MapPrototypeSet(rupturesByCallback, callback, list);
    }
    let rec = null;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r.caller === caller && r.callee === callee) {
        rec = r;
        break;
      }
    }
    if (rec === null) {
      rec = {
        type,
        callee,
        caller,
        callback,
        count: 0,
        delta: 0,
        samples: [],
        batchSamples: [],
        site,
        registrar,
        dirty: false,
      };
      ArrayPrototypePush(list, rec);
      ArrayPrototypePush(ruptures, rec);
    } else if (type === 'start' && rec.type !== 'start') {
      rec.type = 'start';
      rec.dirty = true;
    }
    rec.count++;
    rec.delta++;
    if (rec.site === null && site !== null) rec.site = site;
    if (rec.registrar === null && registrar !== null) rec.registrar = registrar;
    if (rec.batchSamples.length < MAX_SAMPLES || rec.samples.length < MAX_SAMPLES) {
      const sample = sampleOf(request, site);
      if (rec.batchSamples.length < MAX_SAMPLES) ArrayPrototypePush(rec.batchSamples, sample);
      if (rec.samples.length < MAX_SAMPLES) ArrayPrototypePush(rec.samples, sample);
    }
  }

  function sampleOf(request, site) {
    if (site === null) return { request, file: null, line: null, column: null };
    return { request, file: site.file, line: site.line, column: site.column };
  }

  function warn(message) {
    const text = typeof message === 'string' ? message : `${message}`;
    if (SetPrototypeHas(warningSet, text) || warnings.length >= MAX_WARNINGS) return;
    SetPrototypeAdd(warningSet, text);
    ArrayPrototypePush(warnings, text);
    if (process.env.JITFLUX_DEBUG) P.FunctionPrototypeCall(rawDebug, process, `jitflux: ${text}`);
  }

  function addListening(port, address) {
    ArrayPrototypePush(listening, { port, address });
  }

  function countRequest() {
    requests++;
  }

  function addDrainer(fn) {
    if (typeof fn === 'function') ArrayPrototypePush(drainers, fn);
  }

  /** Effect deltas from the drainers, folded into the totals on the way. */
  function drainEffects() {
    const out = [];
    for (let d = 0; d < drainers.length; d++) {
      let deltas;
      try {
        deltas = drainers[d]();
      } catch (e) {
        warn(`effects drainer failed: ${e && e.message}`);
        continue;
      }
      if (!ArrayIsArray(deltas)) continue;
      for (let i = 0; i < deltas.length; i++) {
        const effect = deltas[i];
        if (!effect || typeof effect !== 'object') continue;
        ArrayPrototypePush(out, effect);
        mergeEffect(effect);
      }
    }
    return out;
  }

  function effectKey(e) {
    const d = e.declared;
    const where = d ? `${d.file}:${d.line}:${d.column}` : '';
    return `${e.function}\u0000${e.kind}\u0000${e.target}\u0000${where}\u0000${e.callee == null ? '' : e.callee}`;
  }

  function mergeEffect(effect) {
    const key = effectKey(effect);
    const total = MapPrototypeGet(effectTotals, key);
    if (total === undefined) {
      const copy = ObjectAssign({}, effect);
      copy.samples = ArrayIsArray(effect.samples) ? ArrayPrototypeSlice(effect.samples, 0, MAX_SAMPLES) : [];
      MapPrototypeSet(effectTotals, key, copy);
      return;
    }
    total.count += typeof effect.count === 'number' ? effect.count : 0;
    if (ArrayIsArray(effect.samples)) {
      for (let i = 0; i < effect.samples.length; i++) {
        if (total.samples.length >= MAX_SAMPLES) break;
        ArrayPrototypePush(total.samples, effect.samples[i]);
      }
    }
  }

  function ruptureOut(rec, count, samples) {
    return {
      type: rec.type,
      callee: rec.callee,
      caller: rec.caller,
      callback: rec.callback,
      count,
      samples,
      site: rec.site,
      registrar: rec.registrar,
    };
  }

  /** One batch of everything new since the last drain (PROTOCOL.md). */
  function drain() {
    const batch = {
      functions: ArrayPrototypeSlice(functions, sentFunctions),
      external: ArrayPrototypeSlice(externals, sentExternals),
      sources: {},
      rupture_points: [],
      effects: drainEffects(),
      listening: ArrayPrototypeSlice(listening, sentListening),
      requests: requests - sentRequests,
      warnings: ArrayPrototypeSlice(warnings, sentWarnings),
    };
    sentFunctions = functions.length;
    sentExternals = externals.length;
    for (let i = sentSources; i < sourceOrder.length; i++) {
      batch.sources[sourceOrder[i]] = MapPrototypeGet(sources, sourceOrder[i]);
    }
    sentSources = sourceOrder.length;
    for (let i = 0; i < ruptures.length; i++) {
      const rec = ruptures[i];
      if (rec.delta === 0 && !rec.dirty) continue;
      ArrayPrototypePush(batch.rupture_points, ruptureOut(rec, rec.delta, rec.batchSamples));
      rec.delta = 0;
      rec.dirty = false;
      rec.batchSamples = [];
    }
    sentListening = listening.length;
    sentRequests = requests;
    sentWarnings = warnings.length;
    return batch;
  }

  /** Everything recorded since the start, as one batch with total counts (for JITFLUX_DUMP). */
  function total() {
    drainEffects();
    const all = {};
    for (let i = 0; i < sourceOrder.length; i++) all[sourceOrder[i]] = MapPrototypeGet(sources, sourceOrder[i]);
    const points = [];
    for (let i = 0; i < ruptures.length; i++) points[i] = ruptureOut(ruptures[i], ruptures[i].count, ruptures[i].samples);
    return {
      functions: ArrayPrototypeSlice(functions),
      external: ArrayPrototypeSlice(externals),
      sources: all,
      rupture_points: points,
      effects: P.mapValues(effectTotals),
      listening: ArrayPrototypeSlice(listening),
      requests,
      warnings: ArrayPrototypeSlice(warnings),
    };
  }

  return {
    allocateFunctions,
    addFunction,
    addSource,
    addExternal,
    externalFunction,
    recordRupture,
    warn,
    addListening,
    countRequest,
    addDrainer,
    drain,
    total,
  };
}

module.exports = { MAX_SAMPLES, createRecorder };
