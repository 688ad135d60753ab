'use strict';
// Express 4 and 5: registration and dispatch, observed by hooks inserted into Express's own files
// as they load (in place, like the app's functions: no wrapper frame, no changed method name in a
// stack trace, handlers untouched).
//   layer.js   Layer.prototype.handle_request / handleRequest, handle_error / handleError:
//              a handler dispatch begins a part (XD), and `next` is remembered;
//   route.js   Route.prototype[method] / all, and the router's use: the layers they add are
//              registrations (XN before, XR after), by the part that runs them;
//   application.js (Express 4) app.lazyrouter, (Express 3) app.defaultConfiguration: Express's
//              own middleware is not the app's (XL).
// Express 3 and connect 2/3 keep no layer object per handler: their dispatchers call the handler
// directly (`fn(req, res, callbacks)` in the router's `callbacks`, `layer.handle(req, res, next)`
// in connect's `next`, `handle(req, res, next)` in connect 3's `call`). There the call itself
// gets the hook (XC, just before the handler runs) and its function a finally that ends the part;
// registrations are Express 3's Router.prototype.route and connect's use.

const { RT } = require('./instrument');
const syntax = require('./syntax');
const { Edits } = require('./edits');
const decide = require('./decide/express');
const {
  ArrayIsArray, WeakMapPrototypeGet, WeakMapPrototypeSet, WeakMapPrototypeHas,
  WeakSetPrototypeAdd, WeakSetPrototypeHas, SafeWeakMap, SafeWeakSet, ArrayPrototypeJoin,
  StringPrototypeSplit, StringPrototypeEndsWith, StringPrototypeIndexOf,
} = require('./primordials');

// File (by path suffix) -> the assignments to hook in it.
const FILES = [
  ['/node_modules/express/lib/router/layer.js', 'layer'],
  ['/node_modules/router/lib/layer.js', 'layer'],
  ['/node_modules/express/lib/router/route.js', 'route'],
  ['/node_modules/router/lib/route.js', 'route'],
  ['/node_modules/express/lib/router/index.js', 'router'],
  ['/node_modules/router/index.js', 'router'],
  ['/node_modules/express/lib/application.js', 'application'],
  ['/node_modules/connect/lib/proto.js', 'connect'],
  ['/node_modules/connect/index.js', 'connect'],
];
// File kind -> the assignments hooked in it: [what the hook records, its variant, then the names
// the versions of Express and connect give the function].
const TARGETS = {
  layer: [
    ['dispatch', 0, 'Layer.prototype.handle_request', 'Layer.prototype.handleRequest'],
    ['dispatch', 1, 'Layer.prototype.handle_error', 'Layer.prototype.handleError'],
  ],
  route: [['register', 0, 'Route.prototype.all', 'Route.prototype[method]']],
  router: [
    ['register', 1, 'proto.use', 'Router.prototype.use'],
    ['route3', 0, 'Router.prototype.route'],
  ],
  application: [['lazy', 0, 'app.lazyrouter', 'app.defaultConfiguration']],
  connect: [['register', 3, 'app.use', 'proto.use']],
};
// Dispatching calls (Express 3, connect): in the function named, calls of these callees with
// (req, res, next) or (err, req, res, next).
const CALLS = {
  router: { callbacks: ['fn'] },
  connect: { next: ['layer.handle'], call: ['handle'] },
};

// The transform: it runs while the loader has put the saved built-ins back (primordials.js's
// pristine), like instrument.js.
/* eslint-disable no-restricted-properties, no-restricted-syntax */

/** Which Express file this is ('layer', 'route', 'router', 'application'), or null. */
function expressFile(filename) {
  const norm = ArrayPrototypeJoin(StringPrototypeSplit(filename, '\\'), '/');
  for (let i = 0; i < FILES.length; i++) if (StringPrototypeEndsWith(norm, FILES[i][0])) return FILES[i][1];
  return null;
}

/** The row of TARGETS that hooks assignment `name` in a file of `kind`, or null. */
function targetOf(kind, name) {
  const rows = TARGETS[kind] || [];
  for (let i = 0; i < rows.length; i++) {
    for (let k = 2; k < rows[i].length; k++) if (rows[i][k] === name) return rows[i];
  }
  return null;
}

/** Insert the hooks into one Express file; returns {code, inserts} or null if not recognized. */
function instrumentExpress(source, kind) {
  const ast = syntax.parse(source);
  const edits = new Edits(source);
  let found = 0;
  const calls = CALLS[kind] || {};
  syntax.walk(ast, (node, parent) => {
    if (syntax.isFunction(node)) {
      const name = node.id ? node.id.name : '';
      if (Object.prototype.hasOwnProperty.call(calls, name) && hookCalls(source, edits, node, calls[name])) found++;
      return true;
    }
    if (node.type !== 'AssignmentExpression' || node.left.type !== 'MemberExpression') return true;
    const fn = node.right;
    if (fn.type !== 'FunctionExpression' || fn.body.type !== 'BlockStatement') return true;
    const name = source.slice(node.left.start, node.left.end).replace(/\s+/g, '');
    const target = targetOf(kind, name);
    if (target === null) return true;
    const what = target[0];
    const variant = target[1];
    let open;
    let close;
    if (what === 'dispatch') {
      const req = fn.params[variant === 0 ? 0 : 1];
      const next = fn.params[variant === 0 ? 2 : 3];
      if (!req || !next || req.type !== 'Identifier' || next.type !== 'Identifier') return true;
      open = `const __jfK=${RT}.XD(this,${req.name},${next.name},${variant});try{`;
      close = `}finally{${RT}.X(__jfK)}`;
    } else if (what === 'register') {
      open = `const __jfN=${RT}.XN(this);try{`;
      close = `}finally{${RT}.XR(this,__jfN,${variant})}`;
    } else if (what === 'route3') {
      const method = fn.params[0];
      if (!method || method.type !== 'Identifier') return true;
      open = 'try{';
      close = `}finally{${RT}.XR3(this,${method.name})}`;
    } else {
      open = `${RT}.XL(1);try{`;
      close = `}finally{${RT}.XL(-1)}`;
    }
    const span = fn.end - fn.start + 1;
    const end = syntax.directivesEnd(fn.body.body);
    if (end >= 0) edits.before(end, `;${open}`, span);
    else edits.before(fn.body.start + 1, open, span);
    edits.before(fn.body.end - 1, close, 0);
    found++;
    return true;
  });
  if (found === 0) return null;
  const dirEnd = syntax.directivesEnd(ast.body);
  const at = dirEnd >= 0 ? dirEnd : syntax.codeStart(source);
  edits.before(at, `${dirEnd >= 0 ? ';' : ''}const ${RT}=globalThis.__jitflux.rt;`, source.length + 2);
  const out = edits.applyWithMap();
  syntax.parse(out.code);
  return out;
}

/**
 * Hook the dispatching calls of one function: `CALLEE((__jfC=RT.XC(CALLEE,req,next,v),FIRST),
 * ...)` and a finally around the body that ends the part the hook began. Returns whether any
 * call was hooked.
 */
function hookCalls(source, edits, fn, callees) {
  if (fn.body.type !== 'BlockStatement') return false;
  const hits = [];
  syntax.walk(fn.body, (node) => {
    if (syntax.isFunction(node)) return false;
    if (node.type !== 'CallExpression') return true;
    const callee = source.slice(node.callee.start, node.callee.end);
    if (!callees.includes(callee)) return true;
    const args = node.arguments;
    const call = decide.dispatchingCall(args);
    if (call === null) return true;
    hits.push({ callee, first: args[0], req: call.req, next: call.next, variant: call.variant });
    return true;
  });
  if (hits.length === 0) return false;
  for (const h of hits) {
    const span = h.first.end - h.first.start + 1;
    edits.before(h.first.start, `(__jfC=${RT}.XC(${h.callee},${h.req},${h.next},${h.variant}),`, span);
    edits.after(h.first.end, ')', span);
  }
  const span = fn.end - fn.start + 1;
  edits.before(fn.body.start + 1, 'let __jfC=-1;try{', span);
  edits.before(fn.body.end - 1, `}finally{if(__jfC>=0)${RT}.X(__jfC)}`, 0);
  return true;
}

/* eslint-enable no-restricted-properties, no-restricted-syntax */

// Run time.

/**
 * The run-time hooks Express's hooked files call (`XD`, `XC`, `XN`, `XR`, `XR3`, `XL`) and
 * `isExpressNext`, with their own state, reporting to `runtime` (its part stack and request
 * ids), `recorder` (warnings), `identity` (function ids) and `stacks` (registration sites).
 */
function createExpressHooks({ runtime, recorder, identity, stacks }) {
  const layerInfo = new SafeWeakMap(); // layer -> {id, callee, caller, site}
  const handlerInfo = new SafeWeakMap(); // handler (Express 3, connect) -> {id, callee, caller, site}
  const nextFns = new SafeWeakSet();
  let lazy = 0;

  /** A handler dispatch (Express 4 and 5): begins its part; returns its base depth. */
  function dispatch(layer, req, next, variant) {
    const k = beginHandler(layerInfo, layer, req, next, variant);
    return k < 0 ? runtime.rt.depth : k;
  }

  /** A dispatching call of handler `fn` (Express 3, connect): begins its part, or returns -1. */
  function dispatchCall(fn, req, next, variant) {
    return beginHandler(handlerInfo, fn, req, next, variant);
  }

  /**
   * Begin the part of the handler that `infos` knows under `key` (a layer, whose `handle` is the
   * handler, or the handler itself) and remember its `next`; returns the part's base depth, or
   * -1 when the call dispatches no handler of the app.
   */
  function beginHandler(infos, key, req, next, variant) {
    try {
      if (!decide.dispatches(infos === layerInfo ? key.handle : key, variant)) return -1;
      const info = WeakMapPrototypeGet(infos, key);
      if (info === undefined) return -1;
      if (typeof next === 'function') WeakSetPrototypeAdd(nextFns, next);
      let request = req !== null && typeof req === 'object' ? WeakMapPrototypeGet(runtime.requestIds, req) : undefined;
      if (request === undefined) request = runtime.currentRequest();
      return runtime.beginDispatch(info.id, info.callee, info.caller, info.site, request);
    } catch (e) {
      recorder.warn(`express dispatch: ${e && e.message}`);
      return -1;
    }
  }

  function stackLength(self) {
    try {
      return self !== null && typeof self === 'object' || typeof self === 'function'
        ? (ArrayIsArray(self.stack) ? self.stack.length : -1)
        : -1;
    } catch (e) {
      return -1;
    }
  }

  /**
   * Where a registration comes from: `app` or `router`, the app's call site, and `all` when it is
   * app.all (which registers one layer per HTTP method).
   */
  function registrationPlace() {
    let site = null;
    const sites = stacks.callSites(registrationPlace);
    const frames = [];
    for (let i = 0; i < sites.length; i++) {
      const callSite = sites[i];
      const filename = callSite.getFileName() || '';
      frames[i] = { file: filename, name: callSite.getFunctionName() };
      if (site === null) {
        const entry = stacks.fileEntry(filename);
        if (entry !== undefined && entry.file !== null) site = stacks.originalLocation(callSite);
      }
    }
    const { owner, all } = decide.registrationOwner(frames);
    return { owner, site, all };
  }

  function registered(self, before, variant) {
    try {
      if (before < 0 || lazy > 0) return;
      const stack = self.stack;
      if (!ArrayIsArray(stack) || stack.length <= before) return;
      const place = registrationPlace();
      // Express 3 mounts its router as a middleware of the app: Express's code, not the app's.
      const router = self._router && typeof self._router === 'object' ? self._router.middleware : undefined;
      for (let i = before; i < stack.length; i++) {
        const layer = stack[i];
        if (!layer || typeof layer.handle !== 'function' || WeakMapPrototypeHas(layerInfo, layer)) continue;
        if (layer.handle === router) continue;
        const info = handlerRecord(layer.handle, decide.layerCallee(variant, place, layer.method), place);
        WeakMapPrototypeSet(layerInfo, layer, info);
        if (variant === 3) WeakMapPrototypeSet(handlerInfo, layer.handle, info);
      }
    } catch (e) {
      recorder.warn(`express registration: ${e && e.message}`);
    }
  }

  function handlerRecord(fn, callee, place) {
    const id = identity.functionId(fn);
    const site = runtime.siteOfFunction(identity.numberOf(id)) || place.site;
    return { id, callee, caller: runtime.rt.part, site };
  }

  /** After Express 3's Router#route(method, ...): its handlers are the new route's callbacks. */
  function routed(self, method) {
    try {
      if (lazy > 0 || typeof method !== 'string') return;
      const routes = self.map && self.map[method];
      const route = ArrayIsArray(routes) ? routes[routes.length - 1] : null;
      if (!route || !ArrayIsArray(route.callbacks)) return;
      let place = null;
      const callbacks = route.callbacks;
      for (let i = 0; i < callbacks.length; i++) {
        const fn = callbacks[i];
        if (typeof fn !== 'function' || WeakMapPrototypeHas(handlerInfo, fn)) continue;
        if (place === null) place = registrationPlace();
        WeakMapPrototypeSet(handlerInfo, fn, handlerRecord(fn, decide.routeCallee(place, method), place));
      }
    } catch (e) {
      recorder.warn(`express registration: ${e && e.message}`);
    }
  }

  return {
    XC: dispatchCall,
    XR3: routed,
    XD: dispatch,
    XN: stackLength,
    XR: registered,
    XL: (d) => {
      lazy += d;
    },
    isExpressNext: (fn) => typeof fn === 'function' && WeakSetPrototypeHas(nextFns, fn),
  };
}

/**
 * Give `rt` Express's hooks, made with `deps` as createExpressHooks takes them; returns them
 * (their `isExpressNext` is for the effects runtime).
 */
function install(rt, deps) {
  const hooks = createExpressHooks(deps);
  rt.XC = hooks.XC;
  rt.XR3 = hooks.XR3;
  rt.XD = hooks.XD;
  rt.XN = hooks.XN;
  rt.XR = hooks.XR;
  rt.XL = hooks.XL;
  return hooks;
}

/**
 * Whether a framework file with nothing recognized is a problem worth a warning: Express 5's
 * application.js and Express 3's route.js have nothing to hook, nor does a connect file other
 * than its dispatcher.
 */
function expectsHooks(kind, source) {
  if (kind === 'application' || kind === 'connect') return false;
  if (kind === 'route' && StringPrototypeIndexOf(source, 'Route.prototype.dispatch') < 0) return false;
  return true;
}

module.exports = { expressFile, instrumentExpress, expectsHooks, createExpressHooks, install };
