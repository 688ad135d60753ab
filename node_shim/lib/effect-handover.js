'use strict';
// Functions handed to a call by name (`router.get('/', routes.index)`, `app.use(c.bump.bind(c))`)
// or in an options object (`fastify.route({url, handler() {...}})`), for the effects runtime: once
// it is known which function of the app one is, it is handed over like a literal (runtime.js's L),
// at a core site made once per (effect site, function).

const P = require('./primordials');

const { MapPrototypeGet, MapPrototypeSet, ObjectGetOwnPropertyDescriptor, SafeMap } = P;

/**
 * The hooks `l` and `o` of the effects runtime: `runtime` defines core sites and hands over
 * (`rt.L`), `identity` tells the app's functions, `sites[s]` is effect site s, `recorder` takes
 * the warnings.
 */
function createHandOver({ runtime, recorder, identity, sites }) {
  const rt = runtime.rt;
  const { instrumentedNumber, targetOf } = identity;

  /**
   * A function named by a member expression, or bound, handed to a call (`RT.l(7,routes.index)`):
   * once the runtime knows which function of the app it is, it is handed over like a literal.
   */
  function l(s, fn) {
    if (typeof fn === 'function' && rt.part !== null) {
      try {
        handOver(s, fn);
      } catch (e) {
        recorder.warn(`effects: cannot tell which function is handed over: ${e && e.message}`);
      }
    }
    return fn;
  }

  /** An options object handed to a call (`RT.o(7,{handler() {...}})`): its own functions. */
  function o(s, obj) {
    if (rt.part !== null && obj !== null && typeof obj === 'object') {
      try {
        const keys = P.ObjectKeys(obj);
        for (let i = 0; i < keys.length; i++) {
          const d = ObjectGetOwnPropertyDescriptor(obj, keys[i]);
          if (d !== undefined && typeof d.value === 'function') handOver(s, d.value);
        }
      } catch (e) {
        recorder.warn(`effects: cannot tell which function is handed over: ${e && e.message}`);
      }
    }
    return obj;
  }

  const numbers = new P.SafeWeakMap(); // function -> its number, or -1 for a function not the app's
  const handedSites = []; // effect site -> Map(function number -> runtime site)

  function handOver(s, fn) {
    let n = P.WeakMapPrototypeGet(numbers, fn);
    if (n === undefined) {
      n = instrumentedNumber(targetOf(fn));
      P.WeakMapPrototypeSet(numbers, fn, n);
    }
    if (n < 0) return;
    let made = handedSites[s];
    if (made === undefined) made = handedSites[s] = new SafeMap();
    let rs = MapPrototypeGet(made, n);
    if (rs === undefined) {
      const site = sites[s];
      rs = runtime.defineSite(n, site.callee, { file: site.file, line: site.line, column: site.column });
      MapPrototypeSet(made, n, rs);
    }
    rt.L(fn, rs);
  }

  return { l, o };
}

module.exports = { createHandOver };
