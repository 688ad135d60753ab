'use strict';
// Express 4 and 5: registration and dispatch, observed by hooks inserted into Express's own files
// as they load (in place, like the app's functions: no wrapper frame, no changed method name in a
// stack trace, handlers untouched).
//   layer.js   Layer.prototype.handle_request / handleRequest, handle_error / handleError:
//              a handler dispatch begins a part (XD), and `next` is remembered;
//   route.js   Route.prototype[method] / all, and the router's use: the layers they add are
//              registrations (XN before, XR after), by the part that runs them;
//   application.js (Express 4) app.lazyrouter: Express's own middleware is not the app's (XL).

const instrument = require('./instrument');
const { Edits } = require('./edits');
const recorder = require('./recorder');
const runtime = require('./runtime');
const identity = require('./identity');
const stacks = require('./stacks');
const {
  ArrayIsArray, RegExpPrototypeExec, WeakMapPrototypeGet, WeakMapPrototypeSet, WeakMapPrototypeHas,
  WeakSetPrototypeAdd, WeakSetPrototypeHas, SafeWeakMap, SafeWeakSet, ArrayPrototypeJoin,
  StringPrototypeSplit, StringPrototypeEndsWith,
} = require('./primordials');

const RT = instrument.RT;

// File (by path suffix) -> the assignments to hook in it.
const FILES = [
  ['/node_modules/express/lib/router/layer.js', 'layer'],
  ['/node_modules/router/lib/layer.js', 'layer'],
  ['/node_modules/express/lib/router/route.js', 'route'],
  ['/node_modules/router/lib/route.js', 'route'],
  ['/node_modules/express/lib/router/index.js', 'router'],
  ['/node_modules/router/index.js', 'router'],
  ['/node_modules/express/lib/application.js', 'application'],
];
const TARGETS = {
  layer: {
    'Layer.prototype.handle_request': ['dispatch', 0],
    'Layer.prototype.handleRequest': ['dispatch', 0],
    'Layer.prototype.handle_error': ['dispatch', 1],
    'Layer.prototype.handleError': ['dispatch', 1],
  },
  route: {
    'Route.prototype.all': ['register', 0],
    'Route.prototype[method]': ['register', 0],
  },
  router: {
    'proto.use': ['register', 1],
    'Router.prototype.use': ['register', 1],
  },
  application: {
    'app.lazyrouter': ['lazy', 0],
  },
};
const APPLICATION = /[\\/]express[\\/]lib[\\/]application\.js$/;

/** Which Express file this is ('layer', 'route', 'router', 'application'), or null. */
function expressFile(filename) {
  const norm = ArrayPrototypeJoin(StringPrototypeSplit(filename, '\\'), '/');
  for (let i = 0; i < FILES.length; i++) if (StringPrototypeEndsWith(norm, FILES[i][0])) return FILES[i][1];
  return null;
}

/** Insert the hooks into one Express file; returns {code, inserts} or null if not recognized. */
function instrumentExpress(source, kind) {
  const ast = instrument.parse(source);
  const edits = new Edits(source);
  const targets = TARGETS[kind];
  let found = 0;
  instrument.walk(ast, (node) => {
    if (node.type !== 'AssignmentExpression' || node.left.type !== 'MemberExpression') return true;
    const fn = node.right;
    if (fn.type !== 'FunctionExpression' || fn.body.type !== 'BlockStatement') return true;
    const name = source.slice(node.left.start, node.left.end).replace(/\s+/g, '');
    const target = targets[name];
    if (!target) return true;
    const [what, variant] = target;
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
    } else {
      open = `${RT}.XL(1);try{`;
      close = `}finally{${RT}.XL(-1)}`;
    }
    const span = fn.end - fn.start + 1;
    const end = instrument.directivesEnd(fn.body.body);
    if (end >= 0) edits.before(end, `;${open}`, span);
    else edits.before(fn.body.start + 1, open, span);
    edits.before(fn.body.end - 1, close, 0);
    found++;
    return true;
  });
  if (found === 0) return null;
  const dirEnd = instrument.directivesEnd(ast.body);
  const at = dirEnd >= 0 ? dirEnd : instrument.codeStart(source);
  edits.before(at, `${dirEnd >= 0 ? ';' : ''}const ${RT}=globalThis.__jitflux.rt;`, source.length + 2);
  const out = edits.applyWithMap();
  instrument.parse(out.code);
  return out;
}

// Run time.
const layerInfo = new SafeWeakMap(); // layer -> {id, callee, caller, site}
const nextFns = new SafeWeakSet();
let lazy = 0;

function dispatch(layer, req, next, variant) {
  try {
    const fn = layer.handle;
    if (typeof fn !== 'function') return runtime.rt.depth;
    if (variant === 1 ? fn.length !== 4 : fn.length > 3) return runtime.rt.depth;
    const info = WeakMapPrototypeGet(layerInfo, layer);
    if (info === undefined) return runtime.rt.depth;
    if (typeof next === 'function') WeakSetPrototypeAdd(nextFns, next);
    let request = req !== null && typeof req === 'object' ? WeakMapPrototypeGet(runtime.requestIds, req) : undefined;
    if (request === undefined) request = runtime.currentRequest();
    return runtime.beginDispatch(info.id, info.callee, info.caller, info.site, request);
  } catch (e) {
    recorder.warn(`express dispatch: ${e && e.message}`);
    return runtime.rt.depth;
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
  let owner = 'router';
  let site = null;
  let all = false;
  const sites = stacks.callSites(registrationPlace);
  for (let i = 0; i < sites.length; i++) {
    const callSite = sites[i];
    const filename = callSite.getFileName() || '';
    if (RegExpPrototypeExec(APPLICATION, filename) !== null) {
      owner = 'app';
      if (callSite.getFunctionName() === 'all') all = true;
    }
    if (site === null) {
      const entry = stacks.fileEntry(filename);
      if (entry !== undefined && entry.file !== null) site = stacks.originalLocation(callSite);
    }
  }
  return { owner, site, all };
}

function registered(self, before, variant) {
  try {
    if (before < 0 || lazy > 0) return;
    const stack = self.stack;
    if (!ArrayIsArray(stack) || stack.length <= before) return;
    const place = registrationPlace();
    for (let i = before; i < stack.length; i++) {
      const layer = stack[i];
      if (!layer || typeof layer.handle !== 'function' || WeakMapPrototypeHas(layerInfo, layer)) continue;
      let method = 'use';
      if (variant === 0) method = !place.all && typeof layer.method === 'string' ? layer.method : 'all';
      const id = identity.functionId(layer.handle);
      const site = runtime.siteOfFunction(identity.numberOf(id)) || place.site;
      WeakMapPrototypeSet(layerInfo, layer, { id, callee: `${place.owner}.${method}`, caller: runtime.rt.part, site });
    }
  } catch (e) {
    recorder.warn(`express registration: ${e && e.message}`);
  }
}

function install(rt) {
  rt.XD = dispatch;
  rt.XN = stackLength;
  rt.XR = registered;
  rt.XL = (d) => {
    lazy += d;
  };
  rt.isExpressNext = (fn) => typeof fn === 'function' && WeakSetPrototypeHas(nextFns, fn);
}

module.exports = { expressFile, instrumentExpress, install };
