'use strict';
// Network use and what a member effect records: the rules the effects runtime
// (effects-runtime.js) applies to the first object an effect site meets in a part. A response, a
// socket or a framework's responder (Koa's context, Fastify's reply) is the network; a request's
// stream methods too; a mutator of a builtin collection or a library instance's method is a
// write into the object. Objects are looked at through data properties only: no getter, no
// Proxy trap of the app runs.

const http = require('http');
const net = require('net');
const { isProxy } = require('util').types;
const { instrumentedNumber } = require('../identity');
const {
  ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectPrototypeHasOwnProperty,
  SafeSet, SetPrototypeHas,
} = require('../primordials');

const { IncomingMessage, ServerResponse } = http;
const { Socket } = net;
const ObjectPrototype = Object.prototype;

// What a member part of a cell records; PENDING until its first event shows the object.
const PENDING = 0;
const WRITE = 1;
const NETWORK = 2;
const CALL = 3;
const UNKNOWN = 4;
const NONE = 5;
const WRITE_NETWORK = 6; // a property write on a request, response or socket: both
const READ = 7; // a read through `this` of an object with a home (see effect-homes.js)
const MODES = Object.freeze({ PENDING, WRITE, NETWORK, CALL, UNKNOWN, NONE, WRITE_NETWORK, READ });

// Methods of builtin collections that change them.
const MUTATORS = new SafeSet([
  'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
  'set', 'add', 'delete', 'clear',
]);

// A receiver the runtime could not find again without running code of the app.
const UNRESOLVED = Object.freeze({});

/**
 * Whether writing a property of `obj` (prop null) or calling its method `prop` uses a socket:
 * any write or method of a response or socket, a stream method of a request (`req.on`,
 * `req.pipe`; not Express's header readers such as `req.get`). Writing a property of a request
 * (`req.body = buffer`) only changes data that could travel in a message: not network.
 */
function isNetwork(obj, prop) {
  if (obj instanceof ServerResponse || isSocket(obj) || isResponder(obj)) {
    return prop === null || !(prop in ObjectPrototype);
  }
  if (obj instanceof IncomingMessage) return prop !== null && isStreamMethod(prop);
  return false;
}

/**
 * A framework's object that answers the client through a response it holds: Koa's context and
 * response (`ctx.body = x`, `ctx.set(...)`; they keep it as `res`), Fastify's reply (`raw`).
 * Only own or inherited data properties are looked at: a getter is not run.
 */
function isResponder(obj) {
  if (obj === null || typeof obj !== 'object') return false;
  const res = dataProperty(obj, 'res');
  if (res instanceof ServerResponse) return dataProperty(obj, 'req') instanceof IncomingMessage;
  return dataProperty(obj, 'raw') instanceof ServerResponse;
}

// Where a framework's object keeps the request or the response it wraps: Koa's context
// (`req`, `res`), Fastify's request and reply (`raw`), union's streams (`request`, `response`).
const HELD = ['req', 'res', 'raw', 'request', 'response'];

/**
 * Whether `value`, an argument a callback is called with, is a request or response, or a
 * framework's object that holds one (looked at through data properties only): what a
 * dispatcher hands a handler it runs for a request, and a synchronous helper callback (a
 * lodash mixin, a template helper) is not handed.
 */
function isRequestArgument(value) {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof IncomingMessage || value instanceof ServerResponse) return true;
  if (isSocket(value)) return true;
  for (let i = 0; i < HELD.length; i++) {
    const held = dataProperty(value, HELD[i]);
    if (held instanceof IncomingMessage || held instanceof ServerResponse) return true;
  }
  return false;
}

/** A net.Socket other than the process's own stdio pipes (console.log writes to one). */
function isSocket(obj) {
  return obj instanceof Socket && !isStdio(obj);
}

function isStdio(obj) {
  // Node marks stdout and stderr; reading process.stdout here would create it.
  return obj != null && obj._isStdio === true;
}

function isStreamMethod(prop) {
  return prop === '*' || (prop in IncomingMessage.prototype && !(prop in ObjectPrototype));
}

function sinkMode(obj) {
  return isNetwork(obj, '*') ? NETWORK : NONE;
}

function writeMode(obj) {
  return isNetwork(obj, null) ? WRITE_NETWORK : WRITE;
}

/**
 * What calling method `prop` of `obj` (null: a computed name) records; `targetOf` gives the
 * function a bound function calls (identity.js), to tell a library's method from the app's.
 */
function methodMode(obj, prop, targetOf) {
  if (obj === UNRESOLVED) return NONE;
  if (isNetwork(obj, prop === null ? '*' : prop)) return NETWORK;
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return prop === null ? NONE : CALL;
  // A request's other methods (Express's `req.get`, `req.is`) only read it.
  if (obj instanceof IncomingMessage) return prop === null ? NONE : CALL;
  if (prop !== null && SetPrototypeHas(MUTATORS, prop) && isBuiltin(obj)) return WRITE;
  // A method of a library's object (a gifsocket, a pool, an emitter) may change it, and jitflux
  // did not see inside: a write into the object. Module objects and builtins are not instances.
  if (isInstance(obj) && (prop === null || external(obj, prop, targetOf))) return WRITE;
  if (prop !== null && SetPrototypeHas(MUTATORS, prop)) return WRITE;
  return prop === null ? NONE : CALL;
}

/** Whether obj[prop] is a function the shim did not instrument (not Object.prototype's). */
function external(obj, prop, targetOf) {
  if (prop in ObjectPrototype) return false;
  const fn = method(obj, prop);
  return fn !== null && instrumentedNumber(targetOf(fn)) < 0;
}

// Prototypes of the language's and Node's own value classes: their methods are known (MUTATORS).
const BUILTIN_PROTOS = new SafeSet([
  Array.prototype, Map.prototype, Set.prototype, WeakMap.prototype, WeakSet.prototype,
  Promise.prototype, Date.prototype, RegExp.prototype, Error.prototype, String.prototype,
  Number.prototype, Boolean.prototype, ArrayBuffer.prototype, Function.prototype,
  ObjectGetPrototypeOf(Uint8Array.prototype),
]);

function isBuiltin(obj) {
  for (let p = ObjectGetPrototypeOf(obj); p !== null; p = ObjectGetPrototypeOf(p)) {
    if (SetPrototypeHas(BUILTIN_PROTOS, p)) return true;
  }
  return false;
}

/** An object made by a constructor other than Object and the builtins (a class instance). */
function isInstance(obj) {
  if (typeof obj !== 'object') return false;
  const proto = ObjectGetPrototypeOf(obj);
  return proto !== null && proto !== ObjectPrototype && !isBuiltin(obj);
}

/**
 * The object at `keys` from `obj`, through data properties only; UNRESOLVED when the way goes
 * through a getter or a Proxy (which would run code of the app), or `obj` itself when `keys` is
 * null.
 */
function receiver(obj, keys) {
  if (keys === null) return obj;
  let o = obj;
  for (let i = 0; i < keys.length; i++) {
    if (o === null || o === undefined) return UNRESOLVED;
    const d = dataProperty(o, keys[i]);
    if (d === UNRESOLVED) return UNRESOLVED;
    o = d;
  }
  return o;
}

function dataProperty(obj, key) {
  for (let o = obj; o !== null && o !== undefined; o = ObjectGetPrototypeOf(o)) {
    if ((typeof o === 'object' || typeof o === 'function') && isProxy(o)) return UNRESOLVED;
    const d = ObjectGetOwnPropertyDescriptor(o, key);
    if (d !== undefined) return ObjectPrototypeHasOwnProperty(d, 'value') ? d.value : UNRESOLVED;
  }
  return undefined;
}

/** The function `obj[prop]` holds as a data property (a getter is not run twice), or null. */
function method(obj, prop) {
  if (obj === UNRESOLVED) return null;
  for (let o = obj; o !== null && (typeof o === 'object' || typeof o === 'function'); o = ObjectGetPrototypeOf(o)) {
    const d = ObjectGetOwnPropertyDescriptor(o, prop);
    if (d !== undefined) return typeof d.value === 'function' ? d.value : null;
  }
  return null;
}

module.exports = {
  MODES, MUTATORS, UNRESOLVED, isNetwork, isResponder, isRequestArgument, isSocket, isStdio,
  sinkMode, writeMode,
  methodMode, isBuiltin, isInstance, receiver, method,
};
