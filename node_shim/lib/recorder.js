'use strict';
// What the shim has recorded, aggregated so that its size follows the code, not the traffic, and
// handed over as batches (PROTOCOL.md): deltas since the last drain, or everything at once for the
// dump. Nothing here runs on the app's hot path except `recordRupture`, once per part.

const MAX_SAMPLES = 3;
const MAX_WARNINGS = 200;

const functions = []; // function table entries, in id order
let sentFunctions = 0;
const externals = []; // {id, name, slot}
const externalFns = []; // slot -> function object
let sentExternals = 0;
const sources = new Map(); // file -> original text
let sentSources = 0;
const sourceOrder = [];
const ruptures = []; // every rupture record, in first-seen order
const rupturesByCallback = new Map(); // callback id -> records
const warnings = [];
const warningSet = new Set();
let sentWarnings = 0;
const listening = [];
let sentListening = 0;
let requests = 0;
let sentRequests = 0;
const drainers = [];
const effectTotals = new Map(); // merge key -> effect (totals, for the dump)
let nextFunction = 0;

/** A fresh function number (the n of `fn`), shared by instrumented and external functions. */
function allocateFunctions(count) {
  const first = nextFunction;
  nextFunction += count;
  return first;
}

function addFunction(entry) {
  functions.push(entry);
}

function addSource(file, text) {
  if (sources.has(file)) return;
  sources.set(file, text);
  sourceOrder.push(file);
}

function addExternal(fn, id) {
  const slot = externalFns.length;
  externalFns.push(fn);
  let name = '';
  try {
    name = typeof fn.name === 'string' ? fn.name : '';
  } catch (e) {
    // a hostile getter: keep the empty name
  }
  externals.push({ id, name, slot });
  return slot;
}

function externalFunction(slot) {
  return externalFns[slot];
}

/**
 * Count one run of `callback` reached from `caller` through `callee` (a rupture point).
 * `site` is {file, line, column} or null; `request` is the request id or null.
 */
function recordRupture(type, callee, caller, callback, site, request) {
  let list = rupturesByCallback.get(callback);
  if (list === undefined) {
    list = [];
    rupturesByCallback.set(callback, list);
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
      dirty: false,
    };
    list.push(rec);
    ruptures.push(rec);
  } else if (type === 'start' && rec.type !== 'start') {
    rec.type = 'start';
    rec.dirty = true;
  }
  rec.count++;
  rec.delta++;
  if (rec.site === null && site !== null) rec.site = site;
  if (rec.batchSamples.length < MAX_SAMPLES || rec.samples.length < MAX_SAMPLES) {
    const sample = sampleOf(request, site);
    if (rec.batchSamples.length < MAX_SAMPLES) rec.batchSamples.push(sample);
    if (rec.samples.length < MAX_SAMPLES) rec.samples.push(sample);
  }
}

function sampleOf(request, site) {
  if (site === null) return { request, file: null, line: null, column: null };
  return { request, file: site.file, line: site.line, column: site.column };
}

function warn(message) {
  const text = String(message);
  if (warningSet.has(text) || warnings.length >= MAX_WARNINGS) return;
  warningSet.add(text);
  warnings.push(text);
  if (process.env.JITFLUX_DEBUG) process._rawDebug(`jitflux: ${text}`);
}

function addListening(port, address) {
  listening.push({ port, address });
}

function countRequest() {
  requests++;
}

function addDrainer(fn) {
  if (typeof fn === 'function') drainers.push(fn);
}

/** Effect deltas from the drainers, folded into the totals on the way. */
function drainEffects() {
  const out = [];
  for (const drainer of drainers) {
    let deltas;
    try {
      deltas = drainer();
    } catch (e) {
      warn(`effects drainer failed: ${e && e.message}`);
      continue;
    }
    if (!Array.isArray(deltas)) continue;
    for (const effect of deltas) {
      if (!effect || typeof effect !== 'object') continue;
      out.push(effect);
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
  const total = effectTotals.get(key);
  if (total === undefined) {
    const copy = Object.assign({}, effect);
    copy.samples = Array.isArray(effect.samples) ? effect.samples.slice(0, MAX_SAMPLES) : [];
    effectTotals.set(key, copy);
    return;
  }
  total.count += typeof effect.count === 'number' ? effect.count : 0;
  if (Array.isArray(effect.samples)) {
    for (const s of effect.samples) {
      if (total.samples.length >= MAX_SAMPLES) break;
      total.samples.push(s);
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
  };
}

/** One batch of everything new since the last drain (PROTOCOL.md). */
function drain() {
  const batch = {
    functions: functions.slice(sentFunctions),
    external: externals.slice(sentExternals),
    sources: {},
    rupture_points: [],
    effects: drainEffects(),
    listening: listening.slice(sentListening),
    requests: requests - sentRequests,
    warnings: warnings.slice(sentWarnings),
  };
  sentFunctions = functions.length;
  sentExternals = externals.length;
  for (let i = sentSources; i < sourceOrder.length; i++) {
    batch.sources[sourceOrder[i]] = sources.get(sourceOrder[i]);
  }
  sentSources = sourceOrder.length;
  for (const rec of ruptures) {
    if (rec.delta === 0 && !rec.dirty) continue;
    batch.rupture_points.push(ruptureOut(rec, rec.delta, rec.batchSamples));
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
  for (const file of sourceOrder) all[file] = sources.get(file);
  return {
    functions: functions.slice(),
    external: externals.slice(),
    sources: all,
    rupture_points: ruptures.map((rec) => ruptureOut(rec, rec.count, rec.samples)),
    effects: Array.from(effectTotals.values()),
    listening: listening.slice(),
    requests,
    warnings: warnings.slice(),
  };
}

module.exports = {
  MAX_SAMPLES,
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
