'use strict';
// The app's replacements of Function.prototype.apply and Array.prototype.pop, which Node's
// callbackTrampoline calls for every event-loop callback while async hooks are on: told apart from
// the app's own parts, and warned about once.

const {
  ArrayPrototypePush, ArrayPrototypeJoin, SafeWeakMap, ObjectGetOwnPropertyDescriptor,
  WeakMapPrototypeGet, WeakMapPrototypeSet,
} = require('./primordials');

/**
 * `trampolineHelper(n)`: whether function n is the app's replacement of apply or pop, called by
 * Node's trampoline. Registers a drainer that warns once when the app replaced either.
 */
function createTrampolineCheck({ recorder, identity }) {
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
  return trampolineHelper;
}

module.exports = { createTrampolineCheck };
