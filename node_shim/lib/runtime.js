'use strict';
// The runtime object `rt` (globalThis.__jitflux.rt) that instrumented code calls, and the parts.
//
// A *part* is one callback invocation and all it runs synchronously. Instrumented functions call
// `E(n)` on entry and `X(k)` on exit (in a finally); `depth` counts the instrumented frames on the
// stack and each part remembers the depth it started at (its base), so that it ends when its
// outermost frame exits. A part begins:
//   (a) when an instrumented function is entered while no part is active (the event loop called
//       into the app): the rupture point is found from the async resource it runs in;
//   (b) when Express dispatches a layer handler (hooks inserted into Express's layer.js call XD);
//   (c) when an async function resumes after an `await` (R; J when a rejection resumes it in a
//       catch or finally block; JF after the implicit awaits of a `for await` loop, see FA);
//   (d) when a callback handed over by another part is called by code the shim does not
//       instrument (a framework's dispatcher: koa-compose, Fastify, a router in node_modules),
//       or by an `--include`d package when it is the app's own, when it was handed over in a
//       request or is called with one, even synchronously inside the running part (see
//       dispatched).
// Start or post: a callback handed over outside any request and run for a request is a listener
// (a start point), whoever dispatches it and whatever connection the request came on; so is one
// that runs again from the same resource for the same request, a repeating timer and an
// EventEmitter listener other than the one-shot events ('end', 'close', ...). Else post.
//
// Async resources: an async_hooks `init` hook stores on each new resource the context of the
// part that created it ({part, request}); resources created outside any part inherit the context
// of the resource they are created in (as AsyncLocalStorage does). Per resource that is one or
// two property stores; per call of an instrumented function, E and X are a few variable accesses.

const asyncHooks = require('async_hooks');
const v8 = require('v8');
const decide = require('./decide/rupture');
const { loopIterable } = require('./loop-iterators');
const { createTrampolineCheck } = require('./trampoline');
const { createSiteTables } = require('./site-tables');
const { createRupturePoints } = require('./rupture-points');
const {
  kCtx, kType, createPromiseHooks, settlerOfCurrent, setRequestContext,
} = require('./async-context');
const { SafeWeakMap, ObjectDefineProperty } = require('./primordials');

const { executionAsyncResource } = asyncHooks;

/**
 * A runtime: the part stack, the tables of functions and call sites, and `rt`, the object the
 * instrumented code calls. It reports rupture points, warnings and the time of each part to
 * `recorder`, tells a library's call from the app's with `stacks`, and numbers the app's
 * functions with `identity`.
 * The shim makes one at preload (index.js) and passes it to whoever needs it.
 */
function createRuntime({ recorder, stacks, identity }) {
  const requestIds = new SafeWeakMap(); // http.IncomingMessage -> request id

  // Static tables, indexed by function number n (id `f${n}`) or by core site number s (see
  // site-tables.js): the hooks below read and write the arrays themselves.
  const tables = createSiteTables();
  const {
    fnId, fnSite, fnLastSite, listenerPart, listenerSite, siteFn, siteCallee, siteLoc,
    sitePart, siteCtx, siteInRequest, handedOver, plainCalls, libraryCalls,
    defineFunction, defineSite, markLiteralSite, siteOfFunction, dynamicSite,
  } = tables;

  // The part stack.
  const { timing } = recorder;
  let depth = 0;
  let sp = 0;
  let base = -1; // base of the top part, -1 when none
  const stackBase = [];
  const stackCtx = [];
  let curCtx = null;

  // The last callback handed over at an instrumented call site (see L), to recognize listener
  // registrations without computing the identity of every function Node registers.
  let lastFn = null;
  let lastSite = -1;

  const rt = {
    part: null,
    request: null,
    E: enter,
    X: exit,
    L: literal,
    LV: handedValue,
    S: suspend,
    R: resume,
    J: rejected,
    JF: resumedLoop,
    FA: forAwait,
    // Express's hooks (express.js's createExpressHooks) and the effect hooks (effects-runtime.js's
    // createEffectsRuntime) join these when the shim is wired (index.js).
    XD: null,
    XR: null,
    XN: null,
    XL: null,
    XC: null,
    XR3: null,
  };
  ObjectDefineProperty(rt, 'depth', {
    get() {
      return depth;
    },
    enumerable: false,
  });

  /**
   * Entry of instrumented function n, called with a, b, c, d as its first simple parameters;
   * returns the depth to restore on exit.
   */
  function enter(n, a, b, c, d) {
    if (sp === 0) beginFromLoop(n);
    else if (handedOver[n] === true) dispatched(n, a, b, c, d);
    return depth++;
  }

  /** Exit of an instrumented frame entered at depth k. */
  function exit(k) {
    depth = k;
    if (k <= base) unwind(k);
  }

  /** A callback handed over at site s (an argument of a call): returns it unchanged. */
  function literal(fn, s) {
    lastFn = fn;
    lastSite = s;
    sitePart[s] = rt.part;
    siteCtx[s] = curCtx;
    if (rt.request !== null) siteInRequest[s] = true;
    const n = siteFn[s];
    fnLastSite[n] = s;
    if (plainCalls[n] === undefined) handedOver[n] = true;
    return fn;
  }

  /** A call's result handed over at dynamic site s (`before.push(makeMiddleware())`): an
   * instrumented function is handed over as a literal is, at a site of its own. */
  function handedValue(value, s) {
    if (typeof value !== 'function') return value;
    try {
      const n = identity.handedNumber(value);
      if (n >= 0 && fnId[n] !== undefined) literal(value, dynamicSite(s, n));
    } catch (e) {
      recorder.warn(`handed value: ${e && e.message}`);
    }
    return value;
  }

  /** An async function suspends at an await: its frame (entered at depth k) leaves the stack. */
  function suspend(value, k) {
    depth = k;
    if (k <= base) unwind(k);
    return value;
  }

  /** An async function resumes after the await of site s, suspended from part p, at depth k. */
  function resume(value, p, s, k) {
    beginAwait(p, s, k);
    return value;
  }

  /** An async function resumes by a rejection into a catch or finally block: returns its depth. */
  function rejected(p, s) {
    const k = depth;
    beginAwait(p, s, k);
    return k;
  }

  /** Like `rejected`, for a function with `for await` loops: also resumes from a loop's await. */
  function resumedLoop(p, s, state) {
    if (state !== null && state.s >= 0) {
      p = state.p;
      s = state.s;
      state.s = -1;
    }
    const k = depth;
    beginAwait(p, s, k);
    return k;
  }

  /** The iterable of a `for await` loop at site s (see loop-iterators.js). */
  function forAwait(iterable, s, state) {
    return loopIterable(iterable, s, state, suspendLoop);
  }

  function suspendLoop(s, state) {
    state.p = rt.part;
    state.s = s;
    // The async function that runs the loop is the top frame: it leaves the stack.
    const k = depth - 1;
    if (k < 0) return;
    depth = k;
    if (k <= base) unwind(k);
  }

  function unwind(k) {
    while (sp > 0 && stackBase[sp - 1] >= k) pop();
  }

  function push(id, request, b) {
    const ctx = { part: id, request };
    stackBase[sp] = b;
    stackCtx[sp] = ctx;
    timing.begin(sp);
    sp++;
    base = b;
    curCtx = ctx;
    rt.part = id;
    rt.request = request;
  }

  function pop() {
    sp--;
    timing.end(sp, stackCtx[sp].part);
    stackCtx[sp] = null;
    if (sp === 0) {
      base = -1;
      curCtx = null;
      rt.part = null;
      rt.request = null;
    } else {
      const ctx = stackCtx[sp - 1];
      base = stackBase[sp - 1];
      curCtx = ctx;
      rt.part = ctx.part;
      rt.request = ctx.request;
    }
  }

  const trampolineHelper = createTrampolineCheck({ recorder, identity });
  const ruptures = createRupturePoints({ recorder, tables });

  function beginFromLoop(n) {
    if (trampolineHelper(n)) return;
    beginPart(fromLoop, n, null, fnId[n], depth, 'part of');
  }

  /**
   * Begin a part of `id` at depth `at` with the request of the running async resource, after
   * `record(a, b, id, resource, its context, request)` notes how it began; a failure there is
   * warned (as `what` id) and the part still begins.
   */
  function beginPart(record, a, b, id, at, what) {
    let request = null;
    try {
      const res = executionAsyncResource();
      const ctx = res[kCtx];
      if (ctx !== undefined) request = ctx.request;
      record(a, b, id, res, ctx, request);
    } catch (e) {
      recorder.warn(`${what} ${id}: ${e && e.message}`);
    }
    push(id, request, at);
  }

  const fromLoop = (n, _, id, res, ctx, request) => ruptures.fromLoop(n, id, res, ctx, request);
  const afterAwait = (p, s, id, res, ctx, request) => ruptures.afterAwait(p, s, id, res, request);

  /**
   * Instrumented function n, handed over at a call site, is called while a part runs. When it was
   * handed over by another part invocation and the call comes from code the shim does not
   * instrument, a framework is dispatching it (see decide.isDispatch: handed over in a request,
   * or called with one among a, b, c, d): it begins a part of its own (d). A synchronous
   * callback (`[].map(cb)`, handed over by this very part; a lodash mixin main handed over,
   * called with no request while a handler runs), a listener of a synchronous `emit`, or a call
   * from the app's own code is no rupture point.
   */
  function dispatched(n, a, b, c, d) {
    const id = fnId[n];
    if (rt.part === id) return; // its part was begun for it (an Express dispatch)
    let s = fnSite[n];
    if (s < 0 && fnLastSite[n] !== undefined) s = fnLastSite[n];
    if (s < 0 || siteCtx[s] === curCtx || listenerPart[n] !== undefined) return;
    if (!decide.isDispatch(siteInRequest[s], a, b, c, d)) return;
    try {
      // A stack is looked at until the answer is settled: a helper the app passes around and
      // calls itself stops being checked, and so does a callback only libraries ever call (a
      // template helper run a thousand times a render pays for a few stacks only).
      if (plainCalls[n] === undefined && (libraryCalls[n] || 0) >= LIBRARY_LIMIT) {
        // settled: a dispatch
      } else if (!stacks.calledFromLibrary(enter, siteInRequest[s] !== true)) {
        plainCalls[n] = (plainCalls[n] || 0) + 1;
        if (plainCalls[n] > PLAIN_LIMIT) handedOver[n] = false;
        return;
      } else if (plainCalls[n] === undefined) {
        libraryCalls[n] = (libraryCalls[n] || 0) + 1;
      }
      const request = curCtx !== null ? curCtx.request : null;
      const type = decide.dispatchRuptureType(request, siteInRequest[s]);
      const caller = sitePart[s];
      if (caller !== null && caller !== undefined) {
        recorder.recordRupture(type, siteCallee[s], caller, id, siteLoc[s], request);
      }
      push(id, request, depth);
    } catch (e) {
      recorder.warn(`dispatch of ${id}: ${e && e.message}`);
    }
  }

  const PLAIN_LIMIT = 64;
  const LIBRARY_LIMIT = 16;

  function beginAwait(p, s, k) {
    beginPart(afterAwait, p, s, fnId[siteFn[s]], k, 'await in');
    depth = k + 1;
  }

  /** Begin a part for an Express handler (called by the dispatch hook); returns its base depth. */
  function beginDispatch(id, callee, caller, site, request) {
    if (caller !== null && caller !== undefined) {
      recorder.recordRupture('start', callee, caller, id, site, request);
    }
    const k = depth;
    push(id, request, k);
    depth = k + 1;
    return k;
  }

  function init(asyncId, type, triggerAsyncId, resource) {
    // An exception in an async hook ends the process: a resource that cannot take a property
    // (frozen by its maker) simply carries no context.
    try {
      if (sp > 0) {
        resource[kCtx] = curCtx;
        resource[kType] = type;
        return;
      }
      const ctx = executionAsyncResource()[kCtx];
      if (ctx !== undefined) resource[kCtx] = ctx;
      resource[kType] = type;
    } catch (e) {
      // nothing to record for this resource
    }
  }

  let hook = null;

  const { onPromiseInit, onPromiseSettled } = createPromiseHooks(rt);

  function enableAsyncHooks() {
    if (hook !== null) return;
    hook = asyncHooks.createHook({ init });
    hook.enable();
    const promiseHooks = v8.promiseHooks;
    if (promiseHooks && typeof promiseHooks.onInit === 'function') {
      promiseHooks.onInit(onPromiseInit);
      promiseHooks.onSettled(onPromiseSettled);
    }
  }

  /** The context new work is attributed to: the current part's, or the current resource's. */
  function currentRequest() {
    if (curCtx !== null) return curCtx.request;
    const ctx = executionAsyncResource()[kCtx];
    return ctx !== undefined ? ctx.request : null;
  }

  /** A listener registration just happened for `fn` (EventEmitter.on and the like). */
  function listenerRegistered(fn, type) {
    if (fn !== lastFn || lastFn === null) return;
    const handed = lastFn;
    lastFn = null;
    if (!decide.registersListener(fn, handed, type)) return;
    const n = siteFn[lastSite];
    listenerPart[n] = rt.part;
    listenerSite[n] = lastSite;
  }

  /**
   * A request listener registered on a server (`http.createServer(handlers.serve)`): a start
   * point of the part that registers it even when it was not handed over as a literal or a name.
   * `n` is its function number, `callee` and `loc` say where it was registered.
   */
  function requestListener(n, callee, loc) {
    if (fnId[n] === undefined || listenerPart[n] !== undefined) return;
    listenerPart[n] = rt.part;
    listenerSite[n] = defineSite(n, callee, loc);
  }

  return {
    rt,
    enableAsyncHooks,
    setRequestContext,
    currentRequest,
    defineFunction,
    defineSite,
    markLiteralSite,
    listenerRegistered,
    requestListener,
    siteOfFunction,
    beginDispatch,
    settler: settlerOfCurrent,
    requestIds,
  };
}

module.exports = { createRuntime };
