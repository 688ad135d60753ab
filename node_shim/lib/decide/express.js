'use strict';
// Express and connect: which handler a dispatch runs as a part, and the callee a registration is
// named by (express.js applies them at run time; its hooks give the layer, the handler, the
// stack frames of the registration).

const { RegExpPrototypeExec } = require('../primordials');

const APPLICATION = /[\\/]express[\\/]lib[\\/]application\.js$/;

/**
 * Whether a dispatch with `variant` (0 a request handler, 1 an error handler) runs `fn` as a
 * handler: Express calls a request handler only with arity up to 3 and an error handler only
 * with arity 4; other layers are skipped by Express itself.
 */
function dispatches(fn, variant) {
  if (typeof fn !== 'function') return false;
  return variant === 1 ? fn.length === 4 : fn.length <= 3;
}

/**
 * Who registers, from the stack's frames (each {file, name}: file name and function name, or
 * null) innermost first: `app` when Express's application.js is on the way (app.get, app.use),
 * else `router`; `all` when it is app.all, which adds one layer per HTTP method.
 */
function registrationOwner(frames) {
  let owner = 'router';
  let all = false;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (RegExpPrototypeExec(APPLICATION, frame.file || '') !== null) {
      owner = 'app';
      if (frame.name === 'all' || frame.name === 'app.all') all = true;
    }
  }
  return { owner, all };
}

/**
 * The callee a new layer is registered by: `variant` 0 for a route's method (its layer's own
 * `method`, or `all` for app.all and a layer without one), 1 for a router's use, 3 for connect's
 * use (always the app's); `place` as registrationOwner gives.
 */
function layerCallee(variant, place, layerMethod) {
  let method = 'use';
  if (variant === 0) method = !place.all && typeof layerMethod === 'string' ? layerMethod : 'all';
  const owner = variant === 3 ? 'app' : place.owner;
  return `${owner}.${method}`;
}

/** The callee of an Express 3 route's callbacks (`app.get(path, a, b)`): `app.get`. */
function routeCallee(place, method) {
  return `${place.owner}.${place.all ? 'all' : method}`;
}

/**
 * Whether a call with these arguments (acorn nodes) is a dispatch of a handler in Express 3 or
 * connect: identifiers (req, res, next) or (err, req, res, next); returns the names of the
 * request and of next and the variant, or null.
 */
function dispatchingCall(args) {
  for (let i = 0; i < args.length; i++) if (args[i].type !== 'Identifier') return null;
  const error = args.length === 4 && RegExpPrototypeExec(/^err/, args[0].name) !== null;
  if (!error && args.length !== 3) return null;
  return { req: args[error ? 1 : 0].name, next: args[error ? 3 : 2].name, variant: error ? 1 : 0 };
}

module.exports = { dispatches, registrationOwner, layerCallee, routeCallee, dispatchingCall };
