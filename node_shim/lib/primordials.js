'use strict';
// The built-ins the shim uses, saved when it is loaded (Node's own "primordials" idea): an app may
// replace `Array.prototype.push`, `Map.prototype.set`, `Function.prototype.call`, `JSON.stringify`
// or an iterator's `next`, and the shim must neither call its replacement (it would re-enter the
// app, count what the app did not do, or recurse) nor see a different result. Methods are
// uncurried: `ArrayPrototypePush(list, x)` is `list.push(x)` with the original push. Shim code
// iterates arrays by index and never spreads or destructures an iterable.
//
// Parsing and instrumenting a file runs third-party code (acorn, eslint-scope) that uses
// built-ins freely: `pristine(fn)` runs it with the saved built-ins put back for that time.

const ReflectApply = Reflect.apply;
const { bind, call } = Function.prototype;
// uncurryThis(f)(self, ...args) is f.call(self, ...args) with the original `call`.
const uncurryThis = bind.bind(call);

const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectKeys = Object.keys;
const ObjectAssign = Object.assign;
const ObjectFreeze = Object.freeze;
const ObjectCreate = Object.create;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectDeleteProperty = Reflect.deleteProperty;
const ArrayIsArray = Array.isArray;
const MathMin = Math.min;
const MathMax = Math.max;
const NumberIsFinite = Number.isFinite;
const JSONParse = JSON.parse;
const JSONStringify = JSON.stringify;
const SafeMap = Map;
const SafeSet = Set;
const SafeWeakMap = WeakMap;
const SafeWeakSet = WeakSet;

const P = {
  ReflectApply,
  uncurryThis,
  ObjectGetOwnPropertyDescriptor,
  ObjectDefineProperty,
  ObjectGetPrototypeOf,
  ObjectKeys,
  ObjectAssign,
  ObjectCreate,
  ReflectDeleteProperty,
  ArrayIsArray,
  MathMin,
  MathMax,
  NumberIsFinite,
  JSONParse,
  JSONStringify,
  SafeMap,
  SafeSet,
  SafeWeakMap,
  SafeWeakSet,
  FunctionPrototypeCall: uncurryThis(call),
  FunctionPrototypeToString: uncurryThis(Function.prototype.toString),
  ObjectPrototypeHasOwnProperty: uncurryThis(Object.prototype.hasOwnProperty),
  ErrorPrototypeToString: uncurryThis(Error.prototype.toString),
  ErrorCaptureStackTrace: Error.captureStackTrace,
  ArrayPrototypePush: uncurryThis(Array.prototype.push),
  ArrayPrototypePop: uncurryThis(Array.prototype.pop),
  ArrayPrototypeSlice: uncurryThis(Array.prototype.slice),
  ArrayPrototypeJoin: uncurryThis(Array.prototype.join),
  ArrayPrototypeIncludes: uncurryThis(Array.prototype.includes),
  ArrayPrototypeIndexOf: uncurryThis(Array.prototype.indexOf),
  StringPrototypeSlice: uncurryThis(String.prototype.slice),
  StringPrototypeStartsWith: uncurryThis(String.prototype.startsWith),
  StringPrototypeEndsWith: uncurryThis(String.prototype.endsWith),
  StringPrototypeIndexOf: uncurryThis(String.prototype.indexOf),
  StringPrototypeLastIndexOf: uncurryThis(String.prototype.lastIndexOf),
  StringPrototypeReplace: uncurryThis(String.prototype.replace),
  StringPrototypeSplit: uncurryThis(String.prototype.split),
  StringPrototypeCharCodeAt: uncurryThis(String.prototype.charCodeAt),
  StringPrototypeTrim: uncurryThis(String.prototype.trim),
  RegExpPrototypeExec: uncurryThis(RegExp.prototype.exec),
  MapPrototypeGet: uncurryThis(Map.prototype.get),
  MapPrototypeSet: uncurryThis(Map.prototype.set),
  MapPrototypeHas: uncurryThis(Map.prototype.has),
  MapPrototypeDelete: uncurryThis(Map.prototype.delete),
  MapPrototypeGetSize: uncurryThis(ObjectGetOwnPropertyDescriptor(Map.prototype, 'size').get),
  SetPrototypeHas: uncurryThis(Set.prototype.has),
  SetPrototypeAdd: uncurryThis(Set.prototype.add),
  SetPrototypeGetSize: uncurryThis(ObjectGetOwnPropertyDescriptor(Set.prototype, 'size').get),
  WeakMapPrototypeGet: uncurryThis(WeakMap.prototype.get),
  WeakMapPrototypeSet: uncurryThis(WeakMap.prototype.set),
  WeakMapPrototypeHas: uncurryThis(WeakMap.prototype.has),
  WeakSetPrototypeAdd: uncurryThis(WeakSet.prototype.add),
  WeakSetPrototypeHas: uncurryThis(WeakSet.prototype.has),
};

/** `new SafeMap()`'s entries as [key, value] pairs, in insertion order, without its iterator. */
const MapPrototypeForEach = uncurryThis(Map.prototype.forEach);
P.MapPrototypeForEach = MapPrototypeForEach;
P.SetPrototypeForEach = uncurryThis(Set.prototype.forEach);

/** The values of a map, as an array. */
P.mapValues = function mapValues(map) {
  const out = [];
  MapPrototypeForEach(map, (value) => {
    out[out.length] = value;
  });
  return out;
};

/**
 * JSON text of data the shim built (plain objects, arrays, strings, numbers, booleans, null):
 * JSON.stringify would look up `toJSON` on every object and array, which an app may define on
 * Object.prototype or Array.prototype. Own enumerable string keys, as JSON.stringify takes them.
 */
function toJSON(value) {
  if (value === null || value === undefined) return 'null';
  const type = typeof value;
  if (type === 'string') return JSONStringify(value);
  if (type === 'number') return NumberIsFinite(value) ? JSONStringify(value) : 'null';
  if (type === 'boolean') return value ? 'true' : 'false';
  if (type !== 'object') return 'null';
  const parts = [];
  if (ArrayIsArray(value)) {
    for (let i = 0; i < value.length; i++) parts[i] = toJSON(value[i]);
    return `[${P.ArrayPrototypeJoin(parts, ',')}]`;
  }
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i]];
    if (v === undefined || typeof v === 'function') continue;
    parts[parts.length] = `${JSONStringify(keys[i])}:${toJSON(v)}`;
  }
  return `{${P.ArrayPrototypeJoin(parts, ',')}}`;
}
P.toJSON = toJSON;

// --- pristine: the saved built-ins, put back while third-party code of the shim runs ----------

const GLOBAL_NAMES = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'RegExp',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'JSON', 'Math', 'Reflect', 'Proxy', 'Promise', 'Date',
  'Error', 'SyntaxError', 'TypeError', 'RangeError', 'ReferenceError', 'parseInt', 'parseFloat',
  'isNaN', 'isFinite',
];

/** The objects whose own properties are saved: constructors, their prototypes, iterators. */
function savedObjects() {
  const objects = [globalThis];
  const add = (o) => {
    if (o !== null && (typeof o === 'object' || typeof o === 'function') && !P.ArrayPrototypeIncludes(objects, o)) {
      objects[objects.length] = o;
    }
  };
  for (let i = 0; i < GLOBAL_NAMES.length; i++) {
    const value = globalThis[GLOBAL_NAMES[i]];
    add(value);
    if (typeof value === 'function') add(value.prototype);
  }
  const arrayIterator = ObjectGetPrototypeOf([][Symbol.iterator]());
  add(arrayIterator);
  add(ObjectGetPrototypeOf(arrayIterator)); // %IteratorPrototype%
  add(ObjectGetPrototypeOf(new Map()[Symbol.iterator]()));
  add(ObjectGetPrototypeOf(new Set()[Symbol.iterator]()));
  add(ObjectGetPrototypeOf(''[Symbol.iterator]()));
  add(ObjectGetPrototypeOf(/x/[Symbol.matchAll]('')));
  return objects;
}

function snapshot() {
  const objects = savedObjects();
  const saved = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    const keys = ReflectOwnKeys(o);
    const descriptors = new SafeMap();
    for (let j = 0; j < keys.length; j++) {
      // globalThis: only the standard names (the app's own globals are not built-ins).
      if (o === globalThis && !P.ArrayPrototypeIncludes(GLOBAL_NAMES, keys[j])) continue;
      P.MapPrototypeSet(descriptors, keys[j], ObjectGetOwnPropertyDescriptor(o, keys[j]));
    }
    saved[i] = { object: o, descriptors };
  }
  return saved;
}

const SAVED = snapshot();

function sameDescriptor(a, b) {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable &&
    a.enumerable === b.enumerable && a.configurable === b.configurable;
}

/**
 * Run `fn` with the built-ins as they were when the shim was loaded, then put the app's own
 * replacements (and additions, such as an enumerable Object.prototype.x) back. Nothing of the app
 * runs meanwhile: `fn` is the shim's own synchronous work. What cannot be put back (a property
 * the app made non-configurable) stays as the app left it.
 */
function pristine(fn) {
  const undo = [];
  for (let i = 0; i < SAVED.length; i++) {
    const { object, descriptors } = SAVED[i];
    const keys = ReflectOwnKeys(object);
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (object === globalThis && !P.ArrayPrototypeIncludes(GLOBAL_NAMES, key)) continue;
      const now = ObjectGetOwnPropertyDescriptor(object, key);
      const was = P.MapPrototypeGet(descriptors, key);
      if (was !== undefined && sameDescriptor(now, was)) continue;
      if (was === undefined ? !now.configurable || !ReflectDeleteProperty(object, key) : !restore(object, key, was)) continue;
      undo[undo.length] = [object, key, now];
    }
    P.MapPrototypeForEach(descriptors, (was, key) => {
      if (ObjectGetOwnPropertyDescriptor(object, key) !== undefined) return;
      if (restore(object, key, was)) undo[undo.length] = [object, key, undefined];
    });
  }
  try {
    return fn();
  } finally {
    for (let i = undo.length - 1; i >= 0; i--) {
      const item = undo[i];
      if (item[2] === undefined) ReflectDeleteProperty(item[0], item[1]);
      else restore(item[0], item[1], item[2]);
    }
  }
}

function restore(object, key, descriptor) {
  try {
    ObjectDefineProperty(object, key, descriptor);
    return true;
  } catch (e) {
    return false;
  }
}

P.pristine = pristine;

module.exports = ObjectFreeze(P);
