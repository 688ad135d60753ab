'use strict';
// lib/runtime.js: the runtime applying the rules of lib/decide/rupture.js to instrumented code run
// in this process (listeners of repeating events are starts; one-shot events, once() and
// callbacks handed over in a request are posts), and a runtime made by createRuntime on its own.

const test = require('node:test');
const assert = require('node:assert');
const { EventEmitter } = require('events');
const { instrumented, run, runtime, recorder, identity } = require('./helpers');
const { createRuntime } = require('../lib/runtime');

runtime.enableAsyncHooks();
// The registration hook as node-hooks.js installs it on EventEmitter.prototype, on one class.
class Emitter extends EventEmitter {
  on(type, listener) {
    runtime.listenerRegistered(listener, type);
    return super.on(type, listener);
  }
}
globalThis.__unitEmitter = new Emitter();

const CODE = `
  const emitter = globalThis.__unitEmitter
  const saved = {}
  function keep (name, cb) { saved[name] = cb }
  function setup () {
    emitter.on('data', function onData () {})
    emitter.on('end', function onEnd () {})
    emitter.once('data', function onceData () {})
    keep('outside', function handedOutside () {})
  }
  function serve () {
    keep('inside', function handedInside () {})
  }
  globalThis.__unitCode = { setup, serve, saved }
`;

/** Run `fn` in a fresh immediate whose resource carries `request` (as a request's would). */
function inImmediate(request, fn) {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        if (request !== null) runtime.setRequestContext(request);
        fn();
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
}

test('the runtime records listeners as starts and one-shot, once() and in-request callbacks as posts', async () => {
  const out = instrumented(CODE);
  const names = new Map(out.functions.map((f) => [f.id, f.name]));
  assert.deepStrictEqual(run(out.code), []);
  recorder.drain();
  const code = globalThis.__unitCode;
  const emitter = globalThis.__unitEmitter;
  await inImmediate(null, () => code.setup());
  await inImmediate('r1', () => code.serve());
  await inImmediate(null, () => {
    emitter.emit('data');
  });
  await inImmediate(null, () => emitter.emit('end'));
  await inImmediate('r1', () => code.saved.outside());
  await inImmediate('r1', () => code.saved.inside());
  const batch = recorder.drain();
  const seen = {};
  for (const r of batch.rupture_points) {
    seen[names.get(r.callback)] = `${r.type} ${r.callee} from ${names.get(r.caller)}`;
  }
  assert.deepStrictEqual(seen, {
    onData: "start emitter.on from setup",
    onceData: "post emitter.once from setup",
    onEnd: "post emitter.on from setup",
    handedOutside: 'start keep from setup',
    handedInside: 'post keep from serve',
  });
});

test('a runtime made by createRuntime keeps its own tables and reports to its own recorder', async () => {
  const ruptures = [];
  const recorderStub = {
    recordRupture: (type, callee, caller, callback) => ruptures.push(`${type} ${callee} ${caller}->${callback}`),
    warn: (text) => assert.fail(text),
    addDrainer: () => {},
    timing: { begin: () => {}, end: () => {} },
  };
  const own = createRuntime({
    recorder: recorderStub, stacks: require('../lib/stacks').createStacks(), identity,
  });
  const loc = (line) => ({ file: 'app.js', line, column: 0 });
  own.defineFunction(0, loc(1));
  own.defineFunction(1, loc(2));
  own.defineFunction(2, loc(3));
  const onData = () => {};
  const onEnd = () => {};
  const s1 = own.defineSite(1, 'emitter.on', loc(10));
  own.markLiteralSite(1, s1);
  const s2 = own.defineSite(2, 'emitter.on', loc(11));
  own.markLiteralSite(2, s2);
  await inImmediate(null, () => {
    const k = own.rt.E(0);
    own.listenerRegistered(own.rt.L(onData, s1), 'data');
    own.listenerRegistered(own.rt.L(onEnd, s2), 'end');
    own.rt.X(k);
  });
  await inImmediate(null, () => {
    own.rt.X(own.rt.E(1));
    own.rt.X(own.rt.E(2));
  });
  assert.deepStrictEqual(ruptures, ['start emitter.on f0->f1', 'post emitter.on f0->f2']);
  assert.strictEqual(own.rt.part, null);
  assert.notStrictEqual(own.rt, runtime.rt);
});
