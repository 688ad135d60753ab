'use strict';
// Instrument a piece of code as the loader would (the runtime set up as index.js sets it up) and
// run it, plain or instrumented, in this process: what it logs is the result to compare.

const vm = require('vm');
const { createRecorder } = require('../lib/recorder');
const { createIdentity } = require('../lib/identity');
const { createRuntime } = require('../lib/runtime');
const { createEffectsRuntime } = require('../lib/effects-runtime');
const stacks = require('../lib/stacks');
const instrument = require('../lib/instrument');
const syntax = require('../lib/syntax');
const effects = require('../lib/effects');

// The shim's parts for this test process, wired as index.js wires them (without Express).
const recorder = createRecorder();
const identity = createIdentity({ recorder });
const runtime = createRuntime({ recorder, stacks, identity });
const { rt } = runtime;
const effectSites = [];
if (globalThis.__jitflux === undefined) {
  const isExpressNext = () => false;
  Object.assign(rt, createEffectsRuntime({ runtime, recorder, identity, sites: effectSites, isExpressNext }));
  Object.defineProperty(globalThis, '__jitflux', { value: { rt }, enumerable: false });
}

let files = 0;

/** The instrumented text of `source` (with effects unless `withEffects` is false). */
function transform(source, withEffects = true) {
  return instrumented(source, withEffects).code;
}

/** What the loader gets for `source`: {code, functions (their ids and names), ...}. */
function instrumented(source, withEffects = true) {
  const out = instrument.instrumentSource(source, {
    file: `unit${files++}.js`,
    runtime,
    recorder,
    effects: withEffects ? effects : null,
    addEffectSite: (site) => effectSites.push(site) - 1,
    warn: () => {},
  });
  if (out === null) throw new Error('not instrumented');
  return out;
}

/**
 * Run `code` as the body of a function of (log, require), the way CommonJS runs a module; returns
 * what it logged, or the error it threw as 'threw: message'.
 */
function run(code) {
  const lines = [];
  const log = (...args) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  const fn = vm.runInThisContext(`(function (log, require) {${code}\n})`);
  try {
    fn(log, require);
  } catch (e) {
    lines.push(`threw: ${e && e.message}`);
  }
  return lines;
}

module.exports = {
  transform, instrumented, run, parse: syntax.parse, walk: syntax.walk, recorder, identity, runtime,
};
