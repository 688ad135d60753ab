'use strict';
// Start or post, and the name of a callee: the rules the runtime (runtime.js) applies as a part
// begins, as functions of what it knows then. Start: a listener (a callback registered on an
// emitter for a repeating event, or handed over outside any request and run for a request), a
// callback that runs again from the same resource for the same request, a repeating timer.
// Post: every other continuation.

const {
  ArrayPrototypeJoin, ObjectAssign, ObjectCreate, SafeSet, SetPrototypeHas,
  StringPrototypeLastIndexOf, StringPrototypeSlice, StringPrototypeSplit,
} = require('../primordials');
const { isRequestArgument } = require('./network');

// Events emitted once per emitter: their listeners are continuations (post), not listeners.
const ONE_SHOT = new SafeSet([
  'end', 'close', 'finish', 'error', 'exit', 'listening', 'ready', 'open', 'response',
  'abort', 'aborted', 'timeout', 'prefinish',
]);

/**
 * Whether an emitter registration of `fn` for event `type` makes the callback handed over last
 * (`handed`) a listener: the very function handed over (not a wrapper such as once()'s), for an
 * event that is not one-shot.
 */
function registersListener(fn, handed, type) {
  return fn === handed && handed !== null && !SetPrototypeHas(ONE_SHOT, type);
}

/**
 * Whether a callback handed over at a site is run as a listener for `request`: it runs for a
 * request (not null) and its site never handed one over while serving a request
 * (`siteInRequest` true once it did).
 */
function handedOutsideRequest(request, siteInRequest) {
  return request !== null && siteInRequest !== true;
}

/**
 * The type of the rupture point of a callback the event loop calls from async resource `res`:
 * `listener` (see handedOutsideRequest), `again` (it ran last on the same resource in the same
 * context), or an interval timer as `res` make it a start. `res` is looked at last.
 */
function loopRuptureType(listener, again, res) {
  return listener || again || isInterval(res) ? 'start' : 'post';
}

/** The type of the rupture point of a callback a framework dispatches for `request`. */
function dispatchRuptureType(request, siteInRequest) {
  return handedOutsideRequest(request, siteInRequest) ? 'start' : 'post';
}

/**
 * Whether a callback that a library calls while another part of the app runs is a rupture
 * point: one handed over while serving a request (`ticker.once(...)`, a `next` handed on) is
 * that request's continuation; one handed over outside any request (at start-up) is a
 * framework's handler only when it is dispatched for a request (koa-compose, a router in
 * node_modules): one of its first arguments a, b, c, d (its simple parameters) is the request,
 * the response, or a framework's object holding one. Else (a lodash mixin, a view engine) it
 * runs synchronously inside the running part.
 */
function isDispatch(siteInRequest, a, b, c, d) {
  return siteInRequest === true || isRequestArgument(a) || isRequestArgument(b) ||
    isRequestArgument(c) || isRequestArgument(d);
}

/** Whether a Node Timeout resource repeats (setInterval), from its own fields. */
function isInterval(res) {
  return res._repeat !== undefined && res._repeat !== null && res._idleTimeout !== undefined;
}

// Names for callbacks that were not handed over at a known call site, from the async resource's
// type. (No prototype: a name the app adds to Object.prototype is no async resource type.)
const TYPE_CALLEES = ObjectAssign(ObjectCreate(null), {
  Timeout: 'setTimeout',
  Immediate: 'setImmediate',
  TickObject: 'process.nextTick',
  PROMISE: 'then',
  Microtask: 'queueMicrotask',
  FSREQCALLBACK: 'fs',
  FSREQPROMISE: 'fs',
  FSEVENTWRAP: 'fs.watch',
  STATWATCHER: 'fs.watchFile',
  HTTPINCOMINGMESSAGE: 'http request',
  HTTPCLIENTREQUEST: 'http.request',
  TCPWRAP: 'net',
  TCPCONNECTWRAP: 'net.connect',
  GETADDRINFOREQWRAP: 'dns.lookup',
  QUERYWRAP: 'dns',
  ZLIB: 'zlib',
  PROCESSWRAP: 'child_process',
  SIGNALWRAP: 'process.on',
  WRITEWRAP: 'write',
  SHUTDOWNWRAP: 'end',
});

/**
 * The callee named for a callback run from an async resource of `type` (undefined when the
 * resource was made before the hooks); `repeating` tells setInterval from setTimeout.
 */
function calleeOfType(type, repeating) {
  if (type === 'Timeout') return repeating ? 'setInterval' : 'setTimeout';
  if (type === undefined) return 'async';
  return TYPE_CALLEES[type] || type;
}

/**
 * The npm package a file belongs to (`union`, `@koa/router`): the folder after its last
 * `node_modules`; null for the app's own files.
 */
function packageOf(file) {
  if (typeof file !== 'string') return null;
  const norm = ArrayPrototypeJoin(StringPrototypeSplit(file, '\\'), '/');
  const at = StringPrototypeLastIndexOf(norm, '/node_modules/');
  if (at < 0) return null;
  const parts = StringPrototypeSplit(StringPrototypeSlice(norm, at + 14), '/');
  return parts[0][0] === '@' && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * Whether a call from `callerFile` into a function of `calleeFile` is a package dispatching to the
 * app (a dispatcher instrumented by `--include` calling a handler): the callee is the app's own
 * code (`calleeOwn`), the caller is in a package that is not the callee's (the app may itself be
 * a package: http-server's bin). A package's getter read by another package is no dispatch.
 */
function packageDispatch(callerFile, calleeFile, calleeOwn) {
  if (calleeOwn !== true) return false;
  const caller = packageOf(callerFile);
  return caller !== null && caller !== packageOf(calleeFile);
}

module.exports = {
  packageOf, packageDispatch,
  registersListener, handedOutsideRequest, loopRuptureType, dispatchRuptureType,
  isDispatch, isInterval, calleeOfType,
};
