'use strict';
// What the runtime stores on async resources and promises, and reads back: the context of the
// part that made a resource ({part, request}), its async_hooks type, the part that last ran on it,
// a promise's parent and the part that settled it. These are the facts the async_hooks `init`
// hook (runtime.js) and the promise hooks here leave behind.

const { executionAsyncResource } = require('async_hooks');
const decide = require('./decide/rupture');

const kCtx = Symbol('jitflux.context');
const kType = Symbol('jitflux.type');
const kRan = Symbol('jitflux.ran');
const kRanCtx = Symbol('jitflux.ranContext');
const kRanPart = Symbol('jitflux.ranPart'); // the part that last ran on a resource
const kParent = Symbol('jitflux.parent'); // promise -> the promise it was derived from
const kSettled = Symbol('jitflux.settled'); // promise -> the part that settled it

/**
 * In `p.then(a).then(b)`, b runs on the promise `.then(b)` made, whose parent is the promise a's
 * part settled: when the same part made both (one chain), b continues from a, not from the part
 * that built the chain. Likewise `helper().then(a)` continues from the helper's last part.
 */
function previousStep(res, ctx, caller) {
  const parent = res[kParent];
  if (parent === undefined || ctx === undefined || parent[kCtx] !== ctx) return caller;
  const settled = parent[kSettled];
  if (settled !== undefined) return settled;
  const ran = parent[kRanPart];
  return ran !== undefined ? ran : caller;
}

function calleeOf(res) {
  const type = res[kType];
  return decide.calleeOfType(type, type === 'Timeout' && decide.isInterval(res));
}

/** The promise hooks of a runtime whose running part is `rt.part`. */
function createPromiseHooks(rt) {
  // Promise hooks: a promise's parent (the promise `then` or `await` was called on) and the part
  // that settled it (the running part, or the part that last ran on the current resource: an
  // async function's promise settles just after its last part has ended).
  function onPromiseInit(promise, parent) {
    if (parent !== undefined) promise[kParent] = parent;
  }

  function onPromiseSettled(promise) {
    let part = rt.part;
    if (part === null) part = executionAsyncResource()[kRanPart];
    if (part !== undefined && part !== null) promise[kSettled] = part;
  }

  return { onPromiseInit, onPromiseSettled };
}

/**
 * Outside any part, in the reaction to a promise the app settled (a framework sending what an
 * async handler returned: Fastify, Koa, Express 5), the part that settled it; else null.
 */
function settlerOfCurrent() {
  const parent = executionAsyncResource()[kParent];
  if (parent === undefined) return null;
  const settled = parent[kSettled];
  return settled !== undefined ? settled : null;
}

/** Make the resource the current code runs in carry a request (called as a request starts). */
function setRequestContext(request) {
  const res = executionAsyncResource();
  res[kCtx] = { part: null, request };
}

module.exports = {
  kCtx, kType, kRan, kRanCtx, kRanPart, kParent, kSettled,
  previousStep, calleeOf, createPromiseHooks, settlerOfCurrent, setRequestContext,
};
