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
//       even synchronously inside the running part (see dispatched).
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
const recorder = require('./recorder');
const stacks = require('./stacks');
const identity = require('./identity');
const decide = require('./decide/rupture');
const timing = require('./timing');
const {
  ArrayPrototypePush, ArrayPrototypeJoin, FunctionPrototypeCall, SafeWeakMap,
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, WeakMapPrototypeGet, WeakMapPrototypeSet,
  StringPrototypeStartsWith,
} = require('./primordials');

const { executionAsyncResource } = asyncHooks;
const SymbolAsyncIterator = Symbol.asyncIterator;
const SymbolIterator = Symbol.iterator;
const kCtx = Symbol('jitflux.context');
const kType = Symbol('jitflux.type');
const kRan = Symbol('jitflux.ran');
const kRanCtx = Symbol('jitflux.ranContext');
const kRanPart = Symbol('jitflux.ranPart'); // the part that last ran on a resource
const kParent = Symbol('jitflux.parent'); // promise -> the promise it was derived from
const kSettled = Symbol('jitflux.settled'); // promise -> the part that settled it
/**
 * A runtime: the part stack, the tables of functions and call sites, and `rt`, the object the
 * instrumented code calls. It reports rupture points and warnings to `recorder`, tells a
 * library's call from the app's with `stacks`, and numbers the app's functions with `identity`.
 * The shim uses one, made when this module loads (its exports besides createRuntime).
 */
function createRuntime({ recorder, stacks, identity }) {
  const requestIds = new SafeWeakMap(); // http.IncomingMessage -> request id

  // Static tables, indexed by function number n (id `f${n}`) or by core site number s.
  const fnId = []; // n -> 'fn'
  const fnLoc = []; // n -> {file, line, column}
  const fnSite = []; // n -> site where the function literal is an argument, or -1
  const fnLastSite = []; // n -> last site where the function was passed by name
  const listenerPart = []; // n -> part that registered it as a listener
  const listenerSite = []; // n -> site of that registration
  const siteFn = []; // s -> n
  const siteCallee = []; // s -> callee text ("fs.readFile", "await")
  const siteLoc = []; // s -> {file, line, column}
  const sitePart = []; // s -> the part that last passed a callback there
  const siteCtx = []; // s -> the part invocation (its context object) that last passed one there
  const siteInRequest = []; // s -> true once a callback was passed there while serving a request
  const handedOver = []; // n -> true while a call of n may be a dispatch (see dispatched)
  const plainCalls = []; // n -> calls of n found to come from the app's own code
  const libraryCalls = []; // n -> calls of n found to come from a library, none from the app

  // The part stack.
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
    S: suspend,
    R: resume,
    J: rejected,
    JF: resumedLoop,
    FA: forAwait,
    XD: null,
    XR: null,
    XN: null,
    XL: null,
    XC: null,
    XR3: null,
    isExpressNext: null,
    externalId: null,
    functionId: null,
    site: null,
    warn: recorder.warn,
    addDrainer: recorder.addDrainer,
  };
  ObjectDefineProperty(rt, 'depth', {
    get() {
      return depth;
    },
    enumerable: false,
  });

  /** Entry of instrumented function n; returns the depth to restore on exit. */
  function enter(n) {
    if (sp === 0) beginFromLoop(n);
    else if (handedOver[n] === true) dispatched(n);
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

  /**
   * The iterable of a `for await` loop at site s: the same iteration, through an iterator whose
   * next() and return() suspend the running async function right after the call, before the loop
   * awaits what it returned. `state` ({p, s}) tells the function's resume hooks.
   */
  function forAwait(iterable, s, state) {
    if (iterable === null || iterable === undefined) return iterable;
    const asyncMethod = iterable[SymbolAsyncIterator];
    if (asyncMethod !== undefined && asyncMethod !== null) {
      return { [SymbolAsyncIterator]: () => loopIterator(FunctionPrototypeCall(asyncMethod, iterable), s, state) };
    }
    const syncMethod = iterable[SymbolIterator];
    if (syncMethod !== undefined && syncMethod !== null) {
      return { [SymbolIterator]: () => loopIterator(FunctionPrototypeCall(syncMethod, iterable), s, state) };
    }
    return iterable;
  }

  function loopIterator(it, s, state) {
    if (it === null || (typeof it !== 'object' && typeof it !== 'function')) return it;
    const next = it.next;
    if (typeof next !== 'function') return it;
    const wrapper = {
      next() {
        const result = FunctionPrototypeCall(next, it);
        suspendLoop(s, state);
        return result;
      },
    };
    const ret = it.return;
    if (typeof ret === 'function') {
      wrapper.return = function () {
        const result = FunctionPrototypeCall(ret, it);
        suspendLoop(s, state);
        return result;
      };
    }
    return wrapper;
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

  // With async hooks on, Node runs each event-loop callback through its callbackTrampoline
  // (node:internal/async_hooks), which calls `cb.apply(this, args)` and then
  // `execution_async_resources.pop()`: an app's own Function.prototype.apply or Array.prototype.pop
  // runs there, where it would not untraced. Such a call is not a part of its own (the callback it
  // applies is), and a warning says that the replacement runs more often traced. The descriptors
  // are read, not the properties: reading runs nothing of the app.
  const FunctionPrototype = Function.prototype;
  const ArrayPrototype = Array.prototype;
  const originalApply = ObjectGetOwnPropertyDescriptor(FunctionPrototype, 'apply').value;
  const originalPop = ObjectGetOwnPropertyDescriptor(ArrayPrototype, 'pop').value;
  const helperNumbers = new SafeWeakMap(); // replacement function -> its function number or -1
  let helpersWarned = false;

  function replacement(object, name, original) {
    const d = ObjectGetOwnPropertyDescriptor(object, name);
    return d !== undefined && typeof d.value === 'function' && d.value !== original ? d.value : null;
  }

  function numberOf(fn) {
    let n = WeakMapPrototypeGet(helperNumbers, fn);
    if (n === undefined) {
      n = identity.instrumentedNumber(fn);
      WeakMapPrototypeSet(helperNumbers, fn, n);
    }
    return n;
  }

  /** Whether function n is the app's replacement of apply or pop, called by Node's trampoline. */
  function trampolineHelper(n) {
    const apply = replacement(FunctionPrototype, 'apply', originalApply);
    if (apply !== null && numberOf(apply) === n) return true;
    const pop = replacement(ArrayPrototype, 'pop', originalPop);
    return pop !== null && numberOf(pop) === n;
  }

  function checkHelpers() {
    if (helpersWarned) return [];
    const replaced = [];
    if (replacement(FunctionPrototype, 'apply', originalApply) !== null) ArrayPrototypePush(replaced, 'Function.prototype.apply');
    if (replacement(ArrayPrototype, 'pop', originalPop) !== null) ArrayPrototypePush(replaced, 'Array.prototype.pop');
    if (replaced.length > 0) {
      helpersWarned = true;
      recorder.warn(`the app replaced ${ArrayPrototypeJoin(replaced, ' and ')}: Node calls ${replaced.length > 1 ? 'them' : 'it'} for every event-loop callback while async hooks are on, so the app's replacement runs more often traced than untraced`);
    }
    return [];
  }
  recorder.addDrainer(checkHelpers);

  function beginFromLoop(n) {
    const id = fnId[n];
    if (trampolineHelper(n)) return;
    let request = null;
    try {
      const res = executionAsyncResource();
      const ctx = res[kCtx];
      if (ctx !== undefined) request = ctx.request;
      const lp = listenerPart[n];
      if (lp !== undefined) {
        // A listener: every run is a start point of the part that registered it.
        const s = listenerSite[n];
        recorder.recordRupture('start', siteCallee[s], lp, id, siteLoc[s], request);
      } else {
        let s = fnSite[n];
        if (s < 0 && fnLastSite[n] !== undefined) s = fnLastSite[n];
        const listener = s >= 0 && decide.handedOutsideRequest(request, siteInRequest[s]);
        let caller = ctx !== undefined && !listener ? ctx.part : null;
        if (caller === null && s >= 0) caller = sitePart[s];
        if (!listener) caller = previousStep(res, ctx, caller);
        if (caller !== null && caller !== undefined) {
          const again = res[kRan] === n && res[kRanCtx] === ctx;
          const type = decide.loopRuptureType(listener, again, res);
          const callee = s >= 0 ? siteCallee[s] : calleeOf(res);
          recorder.recordRupture(type, callee, caller, id, s >= 0 ? siteLoc[s] : fnLoc[n], request);
        }
        res[kRan] = n;
        res[kRanCtx] = ctx;
        res[kRanPart] = id;
      }
    } catch (e) {
      recorder.warn(`part of ${id}: ${e && e.message}`);
    }
    push(id, request, depth);
  }

  /**
   * Instrumented function n, handed over at a call site, is called while a part runs. When it was
   * handed over by another part invocation and the call comes from code the shim does not
   * instrument, a framework is dispatching it: it begins a part of its own (d). A synchronous
   * callback (`[].map(cb)`, handed over by this very part), a listener of a synchronous `emit`, or
   * a call from the app's own code is no rupture point.
   */
  function dispatched(n) {
    const id = fnId[n];
    if (rt.part === id) return; // its part was begun for it (an Express dispatch)
    let s = fnSite[n];
    if (s < 0 && fnLastSite[n] !== undefined) s = fnLastSite[n];
    if (s < 0 || siteCtx[s] === curCtx || listenerPart[n] !== undefined) return;
    try {
      // A stack is looked at until the answer is settled: a helper the app passes around and
      // calls itself stops being checked, and so does a callback only libraries ever call (a
      // template helper run a thousand times a render pays for a few stacks only).
      if (plainCalls[n] === undefined && (libraryCalls[n] || 0) >= LIBRARY_LIMIT) {
        // settled: a dispatch
      } else if (!calledByLibrary()) {
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

  /** Whether the caller of the function entering now is code the shim does not instrument. */
  function calledByLibrary() {
    const frames = stacks.callSites(enter);
    // frames[0] is the function entering; the first frame after it with a file is its caller
    // (builtins such as Array.prototype.forEach have none).
    for (let i = 1; i < frames.length; i++) {
      const file = frames[i].getFileName();
      if (!file) continue;
      if (StringPrototypeStartsWith(file, stacks.SHIM_DIR)) continue;
      const entry = stacks.fileEntry(file);
      return entry === undefined || entry.file === null;
    }
    return false;
  }

  function beginAwait(p, s, k) {
    const n = siteFn[s];
    const id = fnId[n];
    let request = null;
    try {
      const res = executionAsyncResource();
      const ctx = res[kCtx];
      if (ctx !== undefined) request = ctx.request;
      res[kRanPart] = id;
      // `await helper()`: the code after it continues from the helper's last part, the one that
      // settled the promise this part made by calling it.
      const awaited = res[kParent];
      if (awaited !== undefined && p !== null && p !== undefined) {
        const made = awaited[kCtx];
        const settled = awaited[kSettled];
        if (made !== undefined && made.part === p && settled !== undefined) p = settled;
      }
      if (p !== null && p !== undefined) {
        recorder.recordRupture('post', 'await', p, id, siteLoc[s], request);
      }
    } catch (e) {
      recorder.warn(`await in ${id}: ${e && e.message}`);
    }
    push(id, request, k);
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

  rt.settler = settlerOfCurrent;

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

  /** Make the resource the current code runs in carry a request (called as a request starts). */
  function setRequestContext(request) {
    const res = executionAsyncResource();
    res[kCtx] = { part: null, request };
  }

  /** The context new work is attributed to: the current part's, or the current resource's. */
  function currentRequest() {
    if (curCtx !== null) return curCtx.request;
    const ctx = executionAsyncResource()[kCtx];
    return ctx !== undefined ? ctx.request : null;
  }

  /** Register the static facts of an instrumented function. */
  function defineFunction(n, loc) {
    fnId[n] = `f${n}`;
    fnLoc[n] = loc;
    if (fnSite[n] === undefined) fnSite[n] = -1;
  }

  /** Register a call site where function n is handed to `callee`; returns the site number. */
  function defineSite(n, callee, loc) {
    const s = siteFn.length;
    ArrayPrototypePush(siteFn, n);
    ArrayPrototypePush(siteCallee, callee);
    ArrayPrototypePush(siteLoc, loc);
    ArrayPrototypePush(sitePart, null);
    return s;
  }

  rt.defineSite = defineSite;

  function markLiteralSite(n, s) {
    fnSite[n] = s;
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

  /** Whether function n was handed over at a call site (and the site), for Express registration. */
  function siteOfFunction(n) {
    const s = fnSite[n];
    return s !== undefined && s >= 0 ? siteLoc[s] : null;
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
    requestIds,
  };
}

module.exports = { createRuntime, ...createRuntime({ recorder, stacks, identity }) };
