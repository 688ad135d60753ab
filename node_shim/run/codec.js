'use strict';
// The values of a fluxion's messages, as data that a structured clone (and later any broker)
// carries unchanged: plain objects, arrays, strings, numbers, booleans, null, plus tagged forms:
//   {$jfx: 'buf', data: Uint8Array}        a Buffer (a structured clone would give a Uint8Array)
//   {$jfx: 'err', name, message, stack, props}   an Error
//   {$jfx: 'mod', id}                      a module's exports: a built-in name or a file
//   {$jfx: 'h', id, role}                  a value that stays on the main thread: the worker gets
//                                          a stand-in (role 'call': a function that sends a
//                                          message, 'write': an object whose writes are sent,
//                                          'carry': an opaque token it may only pass on)
// Anything else (a function, a socket, a class instance) cannot cross: encode throws Unclonable.

class Unclonable extends Error {}

// Built-in modules that warn when required (deprecated): never looked up.
const DEPRECATED = new Set(['punycode', 'sys', 'constants', 'domain', 'test']);

/** The built-in modules the app has loaded (requiring them again is free and silent). */
function loadedBuiltins() {
  const { builtinModules } = require('module');
  const loaded = new Set((process.moduleLoadList || []).filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length)));
  return builtinModules.filter((n) => !n.startsWith('_') && !DEPRECATED.has(n) && loaded.has(n));
}

function describe(value) {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  const ctor = value && value.constructor && value.constructor.name;
  // An object made from a prototype of its own (Object.create, a module's singleton) inherits
  // Object as its constructor: its prototype is what makes it more than data.
  if (!ctor || ctor === 'Object') return 'an object with a prototype of its own (methods)';
  return `${/^[AEIOU]/.test(ctor) ? 'an' : 'a'} ${ctor} instance`;
}

/** The module id of a value that is some module's exports, or undefined. */
function moduleOf(value) {
  for (const name of loadedBuiltins()) {
    if (require(name) === value) return name;
  }
  for (const [file, mod] of Object.entries(require.cache)) {
    if (mod && mod.loaded && mod.exports === value && typeof value !== 'number') return file;
  }
  return undefined;
}

/**
 * Encode `value` for a message. `handleOf(value)` gives the `{$jfx: 'h'}` form of a value the
 * receiver holds (or undefined); `modules` allows module references (the main thread's side).
 */
function encode(value, options, what, seen = new Set()) {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') return value;
  if (type === 'symbol') throw new Unclonable(`${what} is a symbol`);
  const handle = options.handleOf ? options.handleOf(value) : undefined;
  if (handle !== undefined) return handle;
  if (Buffer.isBuffer(value)) return { $jfx: 'buf', data: new Uint8Array(value) };
  // Module exports are looked up for the values themselves, not inside them: the lookup scans
  // the module cache, and a message's data would pay it for each of its objects.
  if (options.modules && seen.size === 0) {
    const id = moduleOf(value);
    if (id !== undefined) return { $jfx: 'mod', id };
  }
  if (type === 'function') throw new Unclonable(`${what} is ${describe(value)}`);
  if (seen.has(value)) throw new Unclonable(`${what} is a cyclic structure`);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => encode(v, options, `${what}[${i}]`, seen));
    if (value instanceof Error) {
      // Inherited properties too: http-errors puts `status` and `expose` on the prototype of
      // each error class, and Express's error handler reads them.
      const props = {};
      for (const key in value) {
        if (typeof value[key] !== 'function') props[key] = encode(value[key], options, `${what}.${key}`, seen);
      }
      return { $jfx: 'err', name: value.name, message: value.message, stack: value.stack, props };
    }
    if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Unclonable(`${what} is ${describe(value)}`);
    const out = {};
    for (const key of Object.keys(value)) out[key] = encode(value[key], options, `${what}.${key}`, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Decode a message value; `handle(id)` gives the receiver's object for a stand-in. */
function decode(value, options) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decode(v, options));
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  switch (value.$jfx) {
    case 'h': return options.handle(value.id, value.role);
    case 'buf': return Buffer.from(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    case 'mod': return options.require(value.id);
    case 'err': {
      const error = new Error(value.message);
      error.name = value.name;
      error.stack = value.stack;
      for (const [key, v] of Object.entries(value.props)) error[key] = decode(v, options);
      return error;
    }
    default: {
      const out = {};
      for (const key of Object.keys(value)) out[key] = decode(value[key], options);
      return out;
    }
  }
}

module.exports = { encode, decode, Unclonable, moduleOf };
