'use strict';
// Side-effect recording, the run-time half: the functions the instrumented code calls
// (effects.js decides where), a counter per (part, site), and the drainer that turns the
// counters into effects. These functions run inside every request of the app: on the common
// path they read `rt.part`, compare it with the cell used last at that site, bump a counter and
// keep the request id of the first few events. Deciding ownership, the class of an object or the
// identity of a called function happens once per (part, site), when its cell is made, or on its
// first few events; effect objects and strings are only built by the drainer.

const P = require('./primordials');
const { owns } = require('./decide/ownership');
const {
  MODES, isStdio, sinkMode, writeMode, methodMode, receiver, method,
} = require('./decide/network');
const { Cell, Callee, drain, SAMPLES } = require('./effect-cells');
const { createHomes } = require('./effect-homes');
const { HOOKS, hookNetwork } = require('./network-hooks');
const { createHandOver } = require('./effect-handover');

const { ArrayPrototypePush, MapPrototypeGet, MapPrototypeSet, SafeMap } = P;

const { PENDING, WRITE, NETWORK, CALL, UNKNOWN, NONE, WRITE_NETWORK, READ } = MODES;
const PROBES = 3; // events per (part, site) whose called function is identified

// An empty iterable of the shim's own: spreading it runs no built-in the app may have replaced
// (an array would go through Array.prototype[Symbol.iterator]).
const DONE = Object.freeze({ done: true, value: undefined });
const NO_ITERATOR = Object.freeze({ next: () => DONE });
const NO_ARGS = Object.freeze({ [Symbol.iterator]: () => NO_ITERATOR });

/**
 * The effects runtime: the hooks the effect sites call (`r`, `w`, `m`, ... as effects.js inserts
 * them), to be given to the runtime's `rt`. It hooks Node's network classes and registers its
 * drainer with `recorder`. It reads the running part and request from `runtime.rt`, hands
 * functions over with `runtime.defineSite` and `rt.L`, names functions with `identity`, finds
 * effect site s at `sites[s]`, and tells Express's `next` with `isExpressNext`.
 */
function createEffectsRuntime({ runtime, recorder, identity, sites, isExpressNext }) {
  const rt = runtime.rt;
  const { instrumentedNumber, targetOf } = identity;
  const hooks = {};
  const homes = createHomes(); // the homes of the objects this runtime records effects on
  const last = []; // site id -> the cell used last there
  const bySite = []; // site id -> every cell of that site, one per part
  const cells = []; // every cell, for the drainer
  const hookCells = []; // per hooked class: part -> cell
  // Pseudo-sites of the hooks: no source location, no declaration.
  const hookSites = [];
  for (let k = 0; k < HOOKS.length; k++) {
    const target = HOOKS[k][1];
    hookCells[k] = new SafeMap();
    hookSites[k] = {
      kind: 'network', target, file: null, line: null, column: null, v: null,
      m: { root: target, declared: null, owner: null },
    };
  }
  // The last network use counted, so that library calls made for the same use (Express's
  // `res.send` calling `res.end`) do not count it twice.
  let netPart = null;
  let netObj = null;

  function cellOf(s, part) {
    let list = bySite[s];
    if (list === undefined) list = bySite[s] = [];
    for (let i = 0; i < list.length; i++) {
      if (list[i].part === part) return (last[s] = list[i]);
    }
    const site = sites[s];
    const v = site.v;
    const m = site.m;
    const vOn = v !== null && !owns(part, v.chain);
    const mOn = m !== null && (m.always || !owns(part, m.chain));
    let mode = NONE;
    if (mOn) mode = m.op === 'call' ? CALL : m.op === 'unknown' ? UNKNOWN : PENDING;
    const c = new Cell(part, site, vOn, mOn, mode);
    ArrayPrototypePush(list, c);
    ArrayPrototypePush(cells, c);
    return (last[s] = c);
  }

  const methodModeOf = (obj, prop) => methodMode(obj, prop, targetOf);

  /**
   * What a member part records, from its first object; `otherwise` when looking at the object
   * throws (a hostile Proxy), which must not break the app.
   */
  function classify(mode, obj, prop, otherwise) {
    try {
      return mode(obj, prop);
    } catch (e) {
      recorder.warn(`effects: cannot tell what an object is: ${e && e.message}`);
      return otherwise;
    }
  }

  // The hooks below inline their cell lookup and count rather than call shared helpers: the
  // hooks are inlined into the app's hot loops, and the helpers spent TurboFan's inlining budget
  // there, 1-2 ns more an access (7-11%, bench/apps/accesses, bench/README.md).

  /** A variable read, write or update, or an unknown construct: `RT.r(7,count)`. */
  hooks.r = function r(s, value) {
    const p = rt.part;
    if (p != null) {
      let c = last[s];
      if (c === undefined || c.part !== p) c = cellOf(s, p);
      if (c.on) {
        if (c.d < SAMPLES) c.req[c.d] = rt.request;
        c.d++;
      }
    }
    return value;
  };

  /**
   * A property write, delete or update on `obj`: `RT.w(7,req).body = b`. Through `this` in a
   * function that may be a constructor, `nt` is its new.target: an object being built by this
   * very call is its own (`this.count = 0` in `function Counter()`), not an effect.
   */
  hooks.w = function w(s, obj, nt, root) {
    const p = rt.part;
    if (p != null && nt === undefined) {
      let c = last[s];
      if (c === undefined || c.part !== p) c = cellOf(s, p);
      if (c.on) {
        if (c.mode === PENDING) {
          c.mode = classify(writeMode, obj, null, WRITE);
          c.home = homes.of(root !== undefined ? root : obj, c.site);
          if (c.home !== null && owns(p, c.home.chain)) c.mode = NONE;
        }
        if (c.mode === WRITE_NETWORK) {
          netPart = p;
          netObj = obj;
        }
        if (c.d < SAMPLES) c.req[c.d] = rt.request;
        c.d++;
      }
    }
    return obj;
  };

  /**
   * A method call on `obj`: `(RT.m(7,res),res.send(x))`, `RT.m(7,a[k]).send(x)`; `root` is the
   * instance a path through `this` starts from (`RT.m(7,this.items[k],this).set(k, v)`).
   */
  hooks.m = function m(s, obj, root) {
    methodUse(s, obj, null, root);
    return obj;
  };

  /**
   * A method call on a member chain from `root`: `(RT.mp(7,res),res.locals.f(x))`; a chain
   * through `this` (or `self = this`) starts from the instance.
   */
  hooks.mp = function mp(s, root) {
    const m = sites[s].m;
    methodUse(s, root, m.keys, m.root === 'this' ? root : undefined);
    return root;
  };

  /** Count a method call at site s; the receiver is `obj`, or at `keys` from it. */
  function methodUse(s, obj, keys, root) {
    const p = rt.part;
    if (p != null) {
      let c = last[s];
      if (c === undefined || c.part !== p) c = cellOf(s, p);
      if (c.on) {
        if (c.mode === PENDING) {
          const target = receiver(obj, keys);
          c.mode = classify(methodModeOf, target, c.site.m.prop, NONE);
          if (c.mode === WRITE) c.home = homes.of(root !== undefined ? root : target, c.site);
          if (c.home !== null && owns(p, c.home.chain)) c.mode = NONE;
        }
        if (c.mode === NETWORK) {
          netPart = p;
          netObj = receiver(obj, keys);
        } else if (c.mode === CALL) {
          callee(c, c.probes < PROBES ? method(receiver(obj, keys), c.site.m.prop) : null, true);
        }
        if (c.d < SAMPLES) c.req[c.d] = rt.request;
        c.d++;
      }
    }
  }

  // Functions handed to a call by name or in an options object (effect-handover.js).
  const handed = createHandOver({ runtime, recorder, identity, sites });
  hooks.l = handed.l;
  hooks.o = handed.o;

  /** An object made by `new` and stored in a variable: its home (`RT.n(7,new Counter())`). */
  hooks.n = function n(s, obj) {
    try {
      homes.birth(obj, sites[s].m);
    } catch (e) {
      recorder.warn(`effects: cannot record where an object was made: ${e && e.message}`);
    }
    return obj;
  };

  /**
   * A read through `this` (`RT.t(7,this).count`): a read of the object's home when it has one
   * that the running part does not own; `nt` as for `w`.
   */
  hooks.t = function t(s, obj, nt) {
    const p = rt.part;
    if (p != null && nt === undefined) {
      let c = last[s];
      if (c === undefined || c.part !== p) c = cellOf(s, p);
      if (c.on) {
        if (c.mode === PENDING) {
          c.home = homes.of(obj, c.site);
          c.mode = c.home !== null && !owns(p, c.home.chain) ? READ : NONE;
        }
        if (c.mode === READ) {
          if (c.d < SAMPLES) c.req[c.d] = rt.request;
          c.d++;
        }
      }
    }
    return obj;
  };

  /** An object handed to a stream (`src.pipe(res)`): a use of the network if socket-backed. */
  hooks.a = function a(s, obj) {
    const p = rt.part;
    if (p != null) {
      let c = last[s];
      if (c === undefined || c.part !== p) c = cellOf(s, p);
      if (c.on) {
        if (c.mode === PENDING) c.mode = classify(sinkMode, obj, null, NONE);
        if (c.mode === NETWORK) {
          netPart = p;
          netObj = obj;
        }
        if (c.d < SAMPLES) c.req[c.d] = rt.request;
        c.d++;
      }
    }
    return obj;
  };

  /** A parameter handed to a call (`RT.h(7,next)`): Express's next handed on is a call of it. */
  hooks.h = function h(s, fn) {
    return typeof fn === 'function' && isExpressNext(fn) ? hooks.c(s, fn) : hooks.r(s, fn);
  };

  /** A call of a parameter or a free variable: `RT.c(7,next)()`. */
  hooks.c = function c(s, fn) {
    const p = rt.part;
    if (p != null) {
      let cell = last[s];
      if (cell === undefined || cell.part !== p) cell = cellOf(s, p);
      if (cell.on) {
        if (cell.mode === CALL) {
          if (cell.d === 0 && typeof fn === 'function') homes.of(fn, cell.site); // may move home
          callee(cell, fn, false);
        }
        if (cell.d < SAMPLES) cell.req[cell.d] = rt.request;
        cell.d++;
      }
    }
    return fn;
  };

  // The same hooks, placed in the arguments of the call they record (see effects.js's
  // argumentHook): on its first argument, which they return (`f(RT.ca(7,f,x))`), or as the
  // spread of an empty iterable when it has none (`f(...RT.cn(7,f))`).
  hooks.cn = function cn(s, fn) {
    hooks.c(s, fn);
    return NO_ARGS;
  };
  hooks.ca = function ca(s, fn, arg) {
    hooks.c(s, fn);
    return arg;
  };
  hooks.mn = function mn(s, obj) {
    methodUse(s, obj, null);
    return NO_ARGS;
  };
  hooks.ma = function ma(s, obj, arg) {
    methodUse(s, obj, null);
    return arg;
  };
  hooks.mpn = function mpn(s, root) {
    methodUse(s, root, sites[s].m.keys);
    return NO_ARGS;
  };
  hooks.mpa = function mpa(s, root, arg) {
    methodUse(s, root, sites[s].m.keys);
    return arg;
  };
  hooks.rn = function rn(s) {
    hooks.r(s);
    return NO_ARGS;
  };
  hooks.ra = function ra(s, arg) {
    hooks.r(s);
    return arg;
  };

  /**
   * Count a call at cell `c` on the function it reaches. The first PROBES events identify `fn`;
   * later ones are counted on the callee seen last. A member chain (`store.bump()`) counts only
   * when it reaches the app's own code or Express's `next`: a library method is no closure.
   */
  function callee(c, fn, member) {
    if (c.probes < PROBES) {
      c.probes++;
      let id = null;
      try {
        id = identify(fn, member);
      } catch (e) {
        recorder.warn(`effects: cannot identify a called function: ${e && e.message}`);
      }
      if (id === null && member) {
        c.cur = null;
      } else {
        if (c.callees === null) c.callees = [];
        let e = null;
        for (let i = 0; i < c.callees.length; i++) if (c.callees[i].callee === id) e = c.callees[i];
        if (e === null) ArrayPrototypePush(c.callees, (e = new Callee(id)));
        c.cur = e;
      }
    }
    const e = c.cur;
    if (e !== null) {
      if (e.d < SAMPLES) e.req[e.d] = rt.request;
      e.d++;
    }
  }

  /**
   * "express.next", the id of an instrumented function, an external id (not for a member chain:
   * `fs.readFile` is no closure of the app), or null.
   */
  function identify(fn, member) {
    if (typeof fn !== 'function') return null;
    if (isExpressNext(fn)) return 'express.next';
    if (member && instrumentedNumber(targetOf(fn)) < 0) return null;
    return identity.functionId(fn) || null;
  }

  // Library code using the socket (network-hooks.js): record it for the current part unless the
  // same use was already counted, at an instrumented site or by the hook this call is nested in.
  hookNetwork(netUse);

  function netUse(obj, k) {
    let p = rt.part;
    // A framework answering with what an async handler returned uses the socket for it.
    if (p == null && !isStdio(obj)) p = runtime.settler();
    if (p == null || (p === netPart && obj === netObj) || isStdio(obj)) return;
    netPart = p;
    netObj = obj;
    let c = MapPrototypeGet(hookCells[k], p);
    if (c === undefined) {
      c = new Cell(p, hookSites[k], false, true, NETWORK);
      MapPrototypeSet(hookCells[k], p, c);
      ArrayPrototypePush(cells, c);
    }
    if (c.d < SAMPLES) c.req[c.d] = rt.request;
    c.d++;
  }

  recorder.addDrainer(() => drain(cells));
  return hooks;
}

module.exports = { createEffectsRuntime };
