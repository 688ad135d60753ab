'use strict';
// Start or post, and callee names (lib/decide/rupture.js), as rules on their inputs and as the
// runtime applies them to instrumented code run in this process: listeners of repeating events,
// once(), one-shot events, a callback handed over outside a request and run for one, timers.

const test = require('node:test');
const assert = require('node:assert');
const asyncHooks = require('async_hooks');
const { EventEmitter } = require('events');
const decide = require('../lib/decide/rupture');
const { instrumented, run, runtime, recorder, identity } = require('./helpers');
const { createRuntime } = require('../lib/runtime');

test('a registration makes a listener only of the function handed over, for a repeating event', () => {
  const fn = () => {};
  assert.strictEqual(decide.registersListener(fn, fn, 'data'), true);
  assert.strictEqual(decide.registersListener(fn, fn, 'request'), true);
  assert.strictEqual(decide.registersListener(fn, fn, 'connection'), true);
  for (const type of ['end', 'close', 'finish', 'error', 'exit', 'response', 'timeout']) {
    assert.strictEqual(decide.registersListener(fn, fn, type), false, type);
  }
  assert.strictEqual(decide.registersListener(fn, () => {}, 'data'), false);
  assert.strictEqual(decide.registersListener(null, null, 'data'), false);
});

test("once() registers a wrapper, not the callback handed over: no listener", () => {
  const emitter = new EventEmitter();
  const seen = [];
  emitter.on = function (type, listener) {
    seen.push([type, listener]);
    return EventEmitter.prototype.on.call(this, type, listener);
  };
  const cb = () => {};
  emitter.once('data', cb);
  assert.strictEqual(seen.length, 1);
  assert.notStrictEqual(seen[0][1], cb);
  assert.strictEqual(decide.registersListener(seen[0][1], cb, 'data'), false);
});

test('a callback handed over outside any request and run for one is a listener', () => {
  assert.strictEqual(decide.handedOutsideRequest('r1', undefined), true);
  assert.strictEqual(decide.handedOutsideRequest('r1', true), false);
  assert.strictEqual(decide.handedOutsideRequest(null, undefined), false);
  assert.strictEqual(decide.dispatchRuptureType('r3', undefined), 'start');
  assert.strictEqual(decide.dispatchRuptureType('r3', true), 'post');
  assert.strictEqual(decide.dispatchRuptureType(null, undefined), 'post');
});

test('a loop callback is a start when a listener, run again, or an interval; else post', () => {
  const timeout = setTimeout(() => {}, 1000);
  const interval = setInterval(() => {}, 1000);
  try {
    assert.strictEqual(decide.loopRuptureType(false, false, timeout), 'post');
    assert.strictEqual(decide.loopRuptureType(true, false, timeout), 'start');
    assert.strictEqual(decide.loopRuptureType(false, true, timeout), 'start');
    assert.strictEqual(decide.loopRuptureType(false, false, interval), 'start');
    assert.strictEqual(decide.loopRuptureType(false, false, {}), 'post');
  } finally {
    clearTimeout(timeout);
    clearInterval(interval);
  }
});

test('callees are named from the types of real async resources', async () => {
  const types = new Map(); // resource -> type
  const hook = asyncHooks.createHook({
    init(id, type, trigger, resource) {
      types.set(resource, type);
    },
  });
  hook.enable();
  let timeout;
  let interval;
  let immediate;
  try {
    timeout = setTimeout(() => {}, 1000);
    interval = setInterval(() => {}, 1000);
    immediate = setImmediate(() => {});
    await new Promise((resolve) => require('fs').stat(__filename, resolve));
  } finally {
    hook.disable();
    clearTimeout(timeout);
    clearInterval(interval);
    clearImmediate(immediate);
  }
  const name = (res) => decide.calleeOfType(types.get(res), decide.isInterval(res));
  assert.strictEqual(name(timeout), 'setTimeout');
  assert.strictEqual(name(interval), 'setInterval');
  assert.strictEqual(name(immediate), 'setImmediate');
  const all = [...types.values()];
  assert.ok(all.includes('FSREQCALLBACK'));
  assert.strictEqual(decide.calleeOfType('FSREQCALLBACK', false), 'fs');
  assert.strictEqual(decide.calleeOfType('PROMISE', false), 'then');
  assert.strictEqual(decide.calleeOfType('TickObject', false), 'process.nextTick');
  assert.strictEqual(decide.calleeOfType(undefined, false), 'async');
  // A type the table does not know is its own name; Object.prototype's names are no types.
  assert.strictEqual(decide.calleeOfType('SOMEWRAP', false), 'SOMEWRAP');
  assert.strictEqual(decide.calleeOfType('toString', false), 'toString');
});

// --- the runtime applying the rules to instrumented code ---------------------------------------

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
  };
  const own = createRuntime({
    recorder: recorderStub, stacks: require('../lib/stacks'), identity,
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

test('a package calling the app\'s own code is a dispatcher, whether instrumented or not', () => {
  assert.strictEqual(decide.packageOf('/app/node_modules/union/lib/routing-stream.js'), 'union');
  assert.strictEqual(decide.packageOf('/app/node_modules/a/node_modules/@koa/router/lib/x.js'), '@koa/router');
  assert.strictEqual(decide.packageOf('C:\\app\\node_modules\\union\\lib\\core.js'), 'union');
  assert.strictEqual(decide.packageOf('/app/server.js'), null);
  const core = '/app/node_modules/http-server/lib/core/index.js';
  const union = '/app/node_modules/union/lib/routing-stream.js';
  assert.strictEqual(decide.packageDispatch(union, core, true), true);
  assert.strictEqual(decide.packageDispatch('/app/node_modules/union/lib/core.js', '/app/server.js', true), true);
  assert.strictEqual(decide.packageDispatch(union, core, false), false);
  assert.strictEqual(decide.packageDispatch('/app/node_modules/morgan/index.js', '/app/node_modules/express/lib/request.js', false), false);
  assert.strictEqual(decide.packageDispatch('/app/node_modules/http-server/lib/http-server.js', core, true), false);
  assert.strictEqual(decide.packageDispatch('/app/server.js', core, true), false);
  assert.strictEqual(decide.packageDispatch('/app/lib/helper.js', '/app/server.js', true), false);
});

test('a start-up callback is dispatched only with a request, one handed in a request always', () => {
  const http = require('http');
  const net = require('net');
  const req = new http.IncomingMessage(new net.Socket());
  const res = new http.ServerResponse(req);
  assert.strictEqual(decide.isDispatch(undefined, req, res, () => {}), true);
  assert.strictEqual(decide.isDispatch(undefined, { req, res, state: {} }, () => {}), true); // Koa
  assert.strictEqual(decide.isDispatch(undefined, { raw: req }, { raw: res }), true); // Fastify
  assert.strictEqual(decide.isDispatch(undefined, undefined, 'id', { request: req }), true);
  assert.strictEqual(decide.isDispatch(undefined, new Error('x'), 1, 2, req), true);
  // A lodash mixin or a template helper: nothing of a request among its arguments.
  assert.strictEqual(decide.isDispatch(undefined), false);
  assert.strictEqual(decide.isDispatch(undefined, [1, 2], { title: 'x' }, 'id'), false);
  assert.strictEqual(decide.isDispatch(undefined, { req: { url: '/' } }), false);
  // Handed over while serving a request (ticker.once in a handler): a continuation.
  assert.strictEqual(decide.isDispatch(true, 1), true);
  const getter = { get req() { throw new Error('a getter must not run'); } };
  assert.strictEqual(decide.isDispatch(undefined, getter), false);
  assert.strictEqual(decide.isDispatch(undefined, new Proxy({}, {
    get() { throw new Error('a trap must not run'); },
    getOwnPropertyDescriptor() { throw new Error('a trap must not run'); },
  })), false);
});
