'use strict';
// Express and connect (lib/express.js): which files are hooked, the hooks that go into them, and
// the run-time hooks that begin a handler's part.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const express = require('../lib/express');

const ROOT = path.join(__dirname, '..', '..');
const EXPRESS4 = path.join(ROOT, 'examples', 'express4', 'node_modules', 'express');
const CONNECT = path.join(ROOT, 'tests', 'apps', 'frameworks', 'node_modules', 'connect');

test('Express, router and connect files are recognized by their path, on any platform', () => {
  assert.strictEqual(express.expressFile('/app/node_modules/express/lib/router/layer.js'), 'layer');
  assert.strictEqual(express.expressFile('C:\\app\\node_modules\\express\\lib\\router\\route.js'), 'route');
  assert.strictEqual(express.expressFile('/app/node_modules/router/index.js'), 'router');
  assert.strictEqual(express.expressFile('/app/node_modules/express/lib/application.js'), 'application');
  assert.strictEqual(express.expressFile('/app/node_modules/connect/index.js'), 'connect');
  assert.strictEqual(express.expressFile('/app/node_modules/express/lib/express.js'), null);
  assert.strictEqual(express.expressFile('/app/lib/router/layer.js'), null);
});

test('only a file that has a dispatcher to hook expects hooks', () => {
  assert.strictEqual(express.expectsHooks('layer', ''), true);
  assert.strictEqual(express.expectsHooks('application', 'app.lazyrouter'), false);
  assert.strictEqual(express.expectsHooks('connect', ''), false);
  assert.strictEqual(express.expectsHooks('route', 'Route.prototype.dispatch = function'), true);
  assert.strictEqual(express.expectsHooks('route', 'Router.prototype.route = function'), false);
});

test("the hooks go into Express 4's layer.js and connect's dispatcher", () => {
  const layer = fs.readFileSync(path.join(EXPRESS4, 'lib', 'router', 'layer.js'), 'utf8');
  const hooked = express.instrumentExpress(layer, 'layer').code;
  assert.match(hooked, /\.XD\(this,req,next,0\)/);
  assert.match(hooked, /\.XD\(this,req,next,1\)/);
  const connect = fs.readFileSync(path.join(CONNECT, 'index.js'), 'utf8');
  const calls = express.instrumentExpress(connect, 'connect').code;
  assert.match(calls, /\.XC\(handle,req,next,0\)/);
  assert.match(calls, /\.XC\(handle,req,next,1\)/);
  assert.strictEqual(express.instrumentExpress('module.exports = 1', 'layer'), null);
});

// --- the run-time hooks, made with a runtime that records what they report ---------------------

/** Express's run-time hooks reporting to a stand-in runtime; `begun` lists beginDispatch calls. */
function hooksWithRuntime() {
  const begun = [];
  const warnings = [];
  const requestIds = new WeakMap();
  const runtime = {
    rt: { part: 'f1', depth: 3 },
    requestIds,
    currentRequest: () => 'r-current',
    siteOfFunction: () => null,
    beginDispatch: (...args) => {
      begun.push(args);
      return 7;
    },
  };
  const identity = { functionId: (fn) => `f-${fn.name}`, numberOf: () => 9 };
  const recorder = { warn: (text) => warnings.push(text) };
  const hooks = express.createExpressHooks({ runtime, recorder, identity, stacks: require('../lib/stacks').createStacks() });
  return { hooks, begun, warnings, requestIds };
}

/** Run `register` with Route.prototype.get hooked as the inserted hooks do (XN before, XR after). */
function withRouteHooks(hooks, register) {
  const Route = require(path.join(EXPRESS4, 'lib', 'router', 'route.js'));
  const original = Route.prototype.get;
  Route.prototype.get = function () {
    const before = hooks.XN(this);
    try {
      return original.apply(this, arguments);
    } finally {
      hooks.XR(this, before, 0);
    }
  };
  try {
    register(require(EXPRESS4));
  } finally {
    Route.prototype.get = original;
  }
}

test("a registered handler's dispatch begins its part; a handler of the wrong arity does not", () => {
  const { hooks, begun, warnings, requestIds } = hooksWithRuntime();
  function home(req, res) {}
  function broken(err, req, res, next) {}
  let app;
  withRouteHooks(hooks, (e) => {
    app = e();
    app.get('/', home);
    app.get('/err', broken);
  });
  const layers = app._router.stack.filter((l) => l.route).map((l) => l.route.stack[0]);
  const req = {};
  requestIds.set(req, 'r5');
  const next = () => {};
  assert.strictEqual(hooks.XD(layers[0], req, next, 0), 7);
  assert.deepStrictEqual(begun, [['f-home', 'app.get', 'f1', null, 'r5']]);
  assert.strictEqual(hooks.isExpressNext(next), true);
  assert.strictEqual(hooks.isExpressNext(() => {}), false);
  // An error handler is not run for a request, nor a request handler for an error.
  assert.strictEqual(hooks.XD(layers[1], {}, next, 0), 3);
  assert.strictEqual(hooks.XD(layers[0], req, next, 1), 3);
  assert.strictEqual(hooks.XD(layers[1], {}, next, 1), 7);
  assert.deepStrictEqual(begun[1], ['f-broken', 'app.get', 'f1', null, 'r-current']);
  assert.deepStrictEqual(warnings, []);
});

test("Express's own registrations (while XL is up) and a router's are told apart", () => {
  const { hooks, begun } = hooksWithRuntime();
  function own(req, res) {}
  function routed(req, res) {}
  let router;
  let app;
  withRouteHooks(hooks, (e) => {
    hooks.XL(1);
    app = e();
    app.get('/own', own);
    hooks.XL(-1);
    router = e.Router();
    router.get('/r', routed);
  });
  assert.strictEqual(hooks.XD(app._router.stack[app._router.stack.length - 1].route.stack[0], {}, null, 0), 3);
  assert.strictEqual(hooks.XD(router.stack[0].route.stack[0], {}, null, 0), 7);
  assert.deepStrictEqual(begun, [['f-routed', 'router.get', 'f1', null, 'r-current']]);
});
