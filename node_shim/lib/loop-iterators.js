'use strict';
// The iterable of a `for await` loop, seen through an iterator that lets the runtime suspend the
// running async function right after each implicit next() or return() call (runtime.js's FA).

const { FunctionPrototypeCall } = require('./primordials');

const SymbolAsyncIterator = Symbol.asyncIterator;
const SymbolIterator = Symbol.iterator;

/**
 * The iterable of a `for await` loop at site s: the same iteration, through an iterator whose
 * next() and return() suspend the running async function right after the call, before the loop
 * awaits what it returned. `state` ({p, s}) tells the function's resume hooks.
 * `suspendLoop(s, state)` is the runtime's: it takes the frame off the part stack.
 */
function loopIterable(iterable, s, state, suspendLoop) {
  if (iterable === null || iterable === undefined) return iterable;
  const asyncMethod = iterable[SymbolAsyncIterator];
  if (asyncMethod !== undefined && asyncMethod !== null) {
    return { [SymbolAsyncIterator]: () => loopIterator(FunctionPrototypeCall(asyncMethod, iterable), s, state, suspendLoop) };
  }
  const syncMethod = iterable[SymbolIterator];
  if (syncMethod !== undefined && syncMethod !== null) {
    return { [SymbolIterator]: () => loopIterator(FunctionPrototypeCall(syncMethod, iterable), s, state, suspendLoop) };
  }
  return iterable;
}

function loopIterator(it, s, state, suspendLoop) {
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

module.exports = { loopIterable };
