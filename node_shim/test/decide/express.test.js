'use strict';
// Express and connect's rules (lib/decide/express.js): which handlers a dispatch runs as parts,
// the callee a registration is named by (from the real stack of a real Express 4 registration),
// and the dispatching calls of connect 3.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const decide = require('../../lib/decide/express');
const { parse, walk } = require('../helpers');

const ROOT = path.join(__dirname, '..', '..', '..');
const EXPRESS4 = path.join(ROOT, 'examples', 'express4', 'node_modules', 'express');
const CONNECT = path.join(ROOT, 'tests', 'apps', 'frameworks', 'node_modules', 'connect');

test('a dispatch runs a request handler of arity up to 3, an error handler of arity 4', () => {
  assert.strictEqual(decide.dispatches((req, res, next) => {}, 0), true);
  assert.strictEqual(decide.dispatches((req) => {}, 0), true);
  assert.strictEqual(decide.dispatches((err, req, res, next) => {}, 0), false);
  assert.strictEqual(decide.dispatches((err, req, res, next) => {}, 1), true);
  assert.strictEqual(decide.dispatches((req, res, next) => {}, 1), false);
  assert.strictEqual(decide.dispatches(undefined, 0), false);
});

/** The frames ({file, name}) of the stack when Route.prototype[method] runs for `register`. */
function registrationFrames(register) {
  const Route = require(path.join(EXPRESS4, 'lib', 'router', 'route.js'));
  const saved = { get: Route.prototype.get, all: Route.prototype.all };
  let frames = null;
  const capture = (original) => function () {
    const prepare = Error.prepareStackTrace;
    Error.prepareStackTrace = (e, sites) => sites;
    const holder = {};
    Error.captureStackTrace(holder);
    const sites = holder.stack;
    Error.prepareStackTrace = prepare;
    frames = sites.map((s) => ({ file: s.getFileName(), name: s.getFunctionName() }));
    return original.apply(this, arguments);
  };
  Route.prototype.get = capture(saved.get);
  Route.prototype.all = capture(saved.all);
  try {
    register(require(EXPRESS4));
  } finally {
    Route.prototype.get = saved.get;
    Route.prototype.all = saved.all;
  }
  return frames;
}

test("a registration through Express's application is the app's; app.all is all", () => {
  const handler = (req, res) => res.end();
  const get = decide.registrationOwner(registrationFrames((e) => e().get('/', handler)));
  assert.deepStrictEqual(get, { owner: 'app', all: false });
  const all = decide.registrationOwner(registrationFrames((e) => e().all('/', handler)));
  assert.deepStrictEqual(all, { owner: 'app', all: true });
  const router = decide.registrationOwner(registrationFrames((e) => e.Router().get('/', handler)));
  assert.deepStrictEqual(router, { owner: 'router', all: false });
  assert.deepStrictEqual(decide.registrationOwner([]), { owner: 'router', all: false });
});

test('a layer is named by its owner and its method; connect registers on the app', () => {
  const e = require(EXPRESS4);
  const app = e();
  app.get('/', (req, res) => res.end());
  const routeLayer = app._router.stack[app._router.stack.length - 1].route.stack[0];
  assert.strictEqual(routeLayer.method, 'get');
  const app4 = { owner: 'app', all: false };
  assert.strictEqual(decide.layerCallee(0, app4, routeLayer.method), 'app.get');
  assert.strictEqual(decide.layerCallee(0, { owner: 'app', all: true }, 'get'), 'app.all');
  assert.strictEqual(decide.layerCallee(0, { owner: 'router', all: false }, undefined), 'router.all');
  assert.strictEqual(decide.layerCallee(1, { owner: 'router', all: false }, 'get'), 'router.use');
  assert.strictEqual(decide.layerCallee(1, app4, undefined), 'app.use');
  assert.strictEqual(decide.layerCallee(3, { owner: 'router', all: false }, undefined), 'app.use');
  assert.strictEqual(decide.routeCallee(app4, 'post'), 'app.post');
  assert.strictEqual(decide.routeCallee({ owner: 'router', all: true }, 'post'), 'router.all');
});

test("connect 3's call() dispatches handle(req, res, next) and handle(err, req, res, next)", () => {
  const source = fs.readFileSync(path.join(CONNECT, 'index.js'), 'utf8');
  const found = [];
  walk(parse(source), (node) => {
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'handle') {
      found.push(decide.dispatchingCall(node.arguments));
    }
    return true;
  });
  assert.deepStrictEqual(found, [
    { req: 'req', next: 'next', variant: 1 },
    { req: 'req', next: 'next', variant: 0 },
  ]);
  const args = (text) => parse(`f(${text})`).body[0].expression.arguments;
  assert.strictEqual(decide.dispatchingCall(args('req, res')), null);
  assert.strictEqual(decide.dispatchingCall(args('req, res, this.next')), null);
  assert.strictEqual(decide.dispatchingCall(args('a, req, res, next')), null);
  assert.deepStrictEqual(decide.dispatchingCall(args('error, rq, rs, nx')), { req: 'rq', next: 'nx', variant: 1 });
});
