'use strict';
// The id of a function object. An instrumented function carries its number in its own text (its
// entry hook `__jf.E(n)`, or the marker comment of a function that has no hooks); the functions
// nested in it come later in source order and so have larger numbers: the smallest number in its
// text is its own. Any other function gets a new id and a slot in the batch's `external` list.
// Computed on registration (rare), cached per function object. A bound function
// (`counter.bump.bind(counter)`) is its target: Function.prototype.bind is hooked to remember it.

const {
  FunctionPrototypeToString, StringPrototypeIndexOf, StringPrototypeSlice, RegExpPrototypeExec,
  WeakMapPrototypeGet, WeakMapPrototypeSet, SafeWeakMap, ReflectApply, ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
} = require('./primordials');

const MARK = /__jf\.E\((\d+)[,)]/g;

/** The number n of the instrumented function `fn` (id `fn`), or -1: not one of the app's. */
function instrumentedNumber(fn) {
  let text;
  try {
    text = FunctionPrototypeToString(fn);
  } catch (e) {
    return -1;
  }
  if (StringPrototypeIndexOf(text, '__jf.E(') < 0) return -1;
  let min = -1;
  MARK.lastIndex = 0;
  let m;
  while ((m = RegExpPrototypeExec(MARK, text)) !== null) {
    const n = +m[1];
    if (min < 0 || n < min) min = n;
  }
  return min;
}

/**
 * The ids of one traced process: `functionId` names any function object, giving a function not
 * the app's a new number and an `external` entry in `recorder`; `installBind` hooks
 * Function.prototype.bind so that `targetOf` finds the function a bound one calls.
 */
function createIdentity({ recorder }) {
  const ids = new SafeWeakMap();
  const targets = new SafeWeakMap(); // bound function -> the function it calls

  /** The id of any function object ('fN'). */
  function functionId(fn) {
    if (typeof fn !== 'function') return null;
    let id = WeakMapPrototypeGet(ids, fn);
    if (id !== undefined) return id;
    const target = WeakMapPrototypeGet(targets, fn);
    if (target !== undefined) {
      id = functionId(target);
      WeakMapPrototypeSet(ids, fn, id);
      return id;
    }
    const n = instrumentedNumber(fn);
    if (n >= 0) {
      id = `f${n}`;
    } else {
      id = `f${recorder.allocateFunctions(1)}`;
      recorder.addExternal(fn, id);
    }
    WeakMapPrototypeSet(ids, fn, id);
    return id;
  }

  /** Remember the target of every bound function (Function.prototype.bind, in place). */
  function installBind() {
    const desc = ObjectGetOwnPropertyDescriptor(Function.prototype, 'bind');
    if (!desc || typeof desc.value !== 'function') return;
    const original = desc.value;
    const bind = function bind(thisArg) {
      const bound = ReflectApply(original, this, arguments);
      WeakMapPrototypeSet(targets, bound, this);
      return bound;
    };
    ObjectDefineProperty(bind, 'name', { value: original.name });
    ObjectDefineProperty(bind, 'length', { value: original.length });
    ObjectDefineProperty(Function.prototype, 'bind', { ...desc, value: bind });
  }

  /** The function a bound function calls (through any number of binds), or the function itself. */
  function targetOf(fn) {
    let f = fn;
    for (let t = WeakMapPrototypeGet(targets, f); t !== undefined; t = WeakMapPrototypeGet(targets, f)) {
      f = t;
    }
    return f;
  }

  const handed = new SafeWeakMap(); // function handed over as a call's result -> its number or -1

  /** The number of an instrumented function handed over as a value (its target if bound), or -1. */
  function handedNumber(fn) {
    let n = WeakMapPrototypeGet(handed, fn);
    if (n === undefined) {
      n = instrumentedNumber(targetOf(fn));
      WeakMapPrototypeSet(handed, fn, n);
    }
    return n;
  }

  return { functionId, installBind, targetOf, instrumentedNumber, numberOf, handedNumber };
}

/** The number n of an id 'fn'. */
function numberOf(id) {
  return +StringPrototypeSlice(id, 1);
}

module.exports = { createIdentity, instrumentedNumber, numberOf };
