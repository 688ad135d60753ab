'use strict';
// A program that wraps many built-ins with counting wrappers, then runs closures, timers,
// promises, async functions, events, errors with stack traces, and requires a module written
// after the wrapping (instrumented while the wrappers are in place). At exit it prints what each
// wrapper counted: traced, the shim must not have called any of them.
const path = require('path');
const events = require('events');
// Loaded before the wrapping, as the shim loads them before the app starts (PROTOCOL.md): their
// initialization (and that of process.stdout, a pipe or socket) calls no wrapper either way.
require('net');
require('http');

const RA = Reflect.apply;
const startsWith = String.prototype.startsWith;
const capture = Error.captureStackTrace;
const counts = Object.create(null);
const order = [];

/** Whether the caller of `fn` is code of this program (with the original built-ins only). */
function calledFromApp(fn) {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (e, trace) => trace;
  const holder = {};
  RA(capture, Error, [holder, fn]);
  const trace = holder.stack;
  Error.prepareStackTrace = saved;
  const file = trace.length > 0 ? trace[0].getFileName() : null;
  return typeof file === 'string' && RA(startsWith, file, [__dirname + path.sep]);
}

function wrap(object, name, label, fromAppOnly) {
  const original = object[name];
  const wrapper = function () {
    if (!fromAppOnly || calledFromApp(wrapper)) {
      if (counts[label] === undefined) {
        counts[label] = 0;
        order[order.length] = label;
      }
      counts[label]++;
    }
    return new.target ? Reflect.construct(original, arguments, new.target) : RA(original, this, arguments);
  };
  Object.defineProperty(object, name, { value: wrapper, writable: true, configurable: true, enumerable: false });
}

const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]());
const targets = [
  [Array.prototype, ['push', 'pop', 'slice', 'join', 'includes', 'indexOf', 'map', 'forEach', 'concat', Symbol.iterator]],
  [arrayIterator, ['next']],
  [Map.prototype, ['get', 'set', 'has', 'forEach', 'values']],
  [Set.prototype, ['has', 'add']],
  [WeakMap.prototype, ['get', 'set', 'has']],
  [WeakSet.prototype, ['add', 'has']],
  [String.prototype, ['slice', 'split', 'startsWith', 'indexOf', 'lastIndexOf', 'charCodeAt', 'trim', 'replace']],
  [RegExp.prototype, ['exec', 'test']],
  [Function.prototype, ['call', 'bind', 'toString']],
  [JSON, ['stringify', 'parse']],
  [Object, ['keys', 'assign', 'defineProperty', 'getPrototypeOf', 'getOwnPropertyDescriptor']],
  [Promise.prototype, ['then']],
  [Reflect, ['apply', 'ownKeys']],
  [Math, ['min', 'max']],
  [Number, ['isFinite']],
  [Error, ['captureStackTrace']],
];
for (const [object, names] of targets) {
  for (const name of names) wrap(object, name, `${object === arrayIterator ? 'ArrayIterator' : (object.constructor && object.constructor.name) || 'Object'}.${String(name)}`, false);
}
wrap(Function.prototype, 'apply', 'Function.apply (from the program)', true);

const lib = require('./lib');

const emitter = new events.EventEmitter();
const seen = new Map();
emitter.on('item', (x) => seen.set(x, (seen.get(x) || 0) + 1));

async function main() {
  const out = [];
  for (const x of [3, 1, 2]) out.push(await lib.double(x));
  out.push(lib.sum([1, 2, 3].map((v) => v * 10)));
  ['a', 'b', 'a'].forEach((k) => emitter.emit('item', k));
  await new Promise((resolve) => setTimeout(resolve, 2));
  await new Promise((resolve) => setImmediate(resolve));
  try {
    lib.fail('boom');
  } catch (e) {
    out.push(e.message, e.stack.split('\n')[1].trim());
  }
  out.push(JSON.stringify([...seen]), lib.parse('{"k":[1,2]}').k.join('+'));
  process.stdout.write(`${out.join(' | ')}\n`);
}

process.on('exit', () => {
  const lines = order.map((label) => `${label} ${counts[label]}`);
  process.stdout.write(`${lines.join('\n')}\n`);
});
main();
