'use strict';
// Ownership (lib/decide/ownership.js) and network use (lib/decide/network.js): what an effect
// site records for the objects real requests bring (Node's request, response and socket, Koa's
// context, Fastify's reply), pipe sinks, mutators of builtins, instances of libraries.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { owns, movesHome } = require('../lib/decide/ownership');
const net = require('../lib/decide/network');
const { instrumented, run, recorder, identity } = require('./helpers');

// methodMode with the runtime's identity: a bound function is its target.
const methodMode = (obj, prop) => net.methodMode(obj, prop, identity.targetOf);

const { PENDING, WRITE, NETWORK, CALL, NONE, WRITE_NETWORK } = net.MODES;
const FRAMEWORKS = path.join(__dirname, '..', '..', 'tests', 'apps', 'frameworks', 'node_modules');

/** Serve one GET on 127.0.0.1 with `listen(handler)`; returns what `capture` kept. */
async function oneRequest(listen) {
  let kept = null;
  const server = await listen((value) => {
    kept = value;
  });
  const { port } = server.address();
  await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  await new Promise((resolve) => server.close(resolve));
  return kept;
}

function plainServer(capture) {
  const server = http.createServer((req, res) => {
    capture({ req, res, socket: req.socket });
    res.end('ok');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('a part owns what its function or a function around it declares, nothing undeclared', () => {
  const chain = ['f3', 'f1', 'f0']; // f3 nested in f1, in the module's top level f0
  assert.strictEqual(owns('f3', chain), true);
  assert.strictEqual(owns('f0', chain), true);
  assert.strictEqual(owns('f2', chain), false);
  assert.strictEqual(owns('f3', null), false);
  assert.strictEqual(owns(null, chain), false);
});

test("a nested function's write of its enclosing function's variable is the part's own", async () => {
  const out = instrumented(`
    let count = 0
    function outer () {
      let local = 0
      function inner () { local++; count++ }
      inner()
      return local
    }
    globalThis.__unitOuter = outer`);
  const names = new Map(out.functions.map((f) => [f.id, f.name]));
  assert.deepStrictEqual(run(out.code), []);
  recorder.drain();
  await new Promise((resolve) => setImmediate(() => resolve(globalThis.__unitOuter())));
  const effects = recorder.drain().effects.map((e) => `${names.get(e.function)} ${e.kind} ${e.target}`);
  assert.deepStrictEqual(effects.sort(), ['outer read count', 'outer write count']);
});

test("Node's response and socket are the network; a request only through its stream methods", async () => {
  const { req, res, socket } = await oneRequest(plainServer);
  assert.strictEqual(methodMode(res, 'end'), NETWORK);
  assert.strictEqual(methodMode(res, 'setHeader'), NETWORK);
  assert.strictEqual(methodMode(res, null), NETWORK); // res[k](...)
  assert.strictEqual(methodMode(res, 'hasOwnProperty'), CALL);
  assert.strictEqual(net.writeMode(res), WRITE_NETWORK); // res.statusCode = 404
  assert.strictEqual(methodMode(socket, 'write'), NETWORK);
  assert.strictEqual(net.isSocket(socket), true);
  assert.strictEqual(methodMode(req, 'on'), NETWORK);
  assert.strictEqual(methodMode(req, 'pipe'), NETWORK);
  assert.strictEqual(methodMode(req, 'get'), CALL); // Express's header reader
  assert.strictEqual(methodMode(req, null), NETWORK); // req[k](...) may be a stream method
  assert.strictEqual(net.writeMode(req), WRITE); // req.body = buffer: data, not the network
  assert.strictEqual(net.isResponder(req), false);
  assert.strictEqual(net.isResponder(res), false);
});

test("Koa's context, request and response answer the client: responders", async () => {
  const Koa = require(path.join(FRAMEWORKS, 'koa'));
  const ctx = await oneRequest((capture) => {
    const app = new Koa();
    app.use((c) => {
      capture(c);
      c.body = 'ok';
    });
    const server = http.createServer(app.callback());
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  });
  assert.strictEqual(net.isResponder(ctx), true);
  assert.strictEqual(net.isResponder(ctx.response), true);
  assert.strictEqual(net.writeMode(ctx), WRITE_NETWORK); // ctx.body = x
  assert.strictEqual(methodMode(ctx, 'set'), NETWORK);
  assert.strictEqual(methodMode(ctx, 'toString'), CALL);
  assert.strictEqual(net.isResponder(ctx.state), false);
  assert.strictEqual(net.writeMode(ctx.state), WRITE);
});

test("Fastify's reply is a responder, its request is not", async () => {
  const fastify = require(path.join(FRAMEWORKS, 'fastify'));
  const got = await oneRequest(async (capture) => {
    const app = fastify();
    app.get('/', (request, reply) => {
      capture({ request, reply });
      reply.send('ok');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { address: () => app.server.address(), close: (cb) => app.close().then(cb) };
  });
  assert.strictEqual(net.isResponder(got.reply), true);
  assert.strictEqual(methodMode(got.reply, 'send'), NETWORK);
  assert.strictEqual(methodMode(got.reply, 'header'), NETWORK);
  assert.strictEqual(net.isResponder(got.request), false);
  assert.strictEqual(net.writeMode(got.request), WRITE);
});

test('a pipe or pipeline sink is the network when it is a response or a socket', async () => {
  const { res, socket } = await oneRequest(plainServer);
  assert.strictEqual(net.sinkMode(res), NETWORK);
  assert.strictEqual(net.sinkMode(socket), NETWORK);
  const file = fs.createWriteStream(path.join(os.tmpdir(), `jitflux-unit-${process.pid}`));
  try {
    assert.strictEqual(net.sinkMode(file), NONE);
  } finally {
    file.destroy();
    fs.rmSync(file.path, { force: true });
  }
  assert.strictEqual(net.sinkMode({ write() {} }), NONE);
  // The process's own stdio is no client (console.log writes to it).
  const stdio = { _isStdio: true };
  assert.strictEqual(net.isStdio(stdio), true);
  assert.strictEqual(net.sinkMode(stdio), NONE);
});

test('mutators of builtins are writes, other builtin methods calls', () => {
  assert.strictEqual(methodMode([], 'push'), WRITE);
  assert.strictEqual(methodMode([], 'splice'), WRITE);
  assert.strictEqual(methodMode([], 'slice'), CALL);
  assert.strictEqual(methodMode(new Map(), 'set'), WRITE);
  assert.strictEqual(methodMode(new Map(), 'get'), CALL);
  assert.strictEqual(methodMode(new Set(), 'add'), WRITE);
  assert.strictEqual(methodMode(new Uint8Array(2), 'fill'), WRITE);
  assert.strictEqual(methodMode({ clear() {} }, 'clear'), WRITE);
  assert.strictEqual(methodMode({ run() {} }, 'run'), CALL);
  assert.strictEqual(methodMode({}, null), NONE);
  assert.strictEqual(methodMode('text', 'slice'), CALL);
  assert.strictEqual(methodMode(null, null), NONE);
  assert.ok(net.MUTATORS.has('delete') && !net.MUTATORS.has('get'));
});

test("a library instance's method is a write into it; the app's own method a call", () => {
  class Library {
    send() {}
  }
  class Own {
    send() {
      /* __jf.E(41) */
    }
  }
  assert.strictEqual(methodMode(new Library(), 'send'), WRITE);
  assert.strictEqual(methodMode(new Library(), null), WRITE);
  assert.strictEqual(methodMode(new Library(), 'toString'), CALL);
  assert.strictEqual(methodMode(new Own(), 'send'), CALL);
  assert.strictEqual(methodMode(new (require('events'))(), 'emit'), WRITE);
  // A module object is no instance.
  assert.strictEqual(methodMode(require('path'), 'join'), CALL);
  assert.strictEqual(net.isInstance(new Library()), true);
  assert.strictEqual(net.isInstance([]), false);
  assert.strictEqual(net.isInstance(Object.create(null)), false);
});

test('a receiver is found through data properties only, never a getter or a Proxy', () => {
  const inner = { send() {} };
  let ran = 0;
  const withGetter = { get a() { ran++; return inner; } };
  const proxied = new Proxy({ a: inner }, { get() { ran++; return inner; } });
  assert.strictEqual(net.receiver({ a: { b: inner } }, ['a', 'b']), inner);
  assert.strictEqual(net.receiver(inner, null), inner);
  assert.strictEqual(net.receiver(withGetter, ['a']), net.UNRESOLVED);
  assert.strictEqual(net.receiver(proxied, ['a']), net.UNRESOLVED);
  assert.strictEqual(net.receiver({ a: null }, ['a', 'b']), net.UNRESOLVED);
  assert.strictEqual(methodMode(net.UNRESOLVED, 'send'), NONE);
  assert.strictEqual(net.method(withGetter, 'a'), null);
  assert.strictEqual(net.method(inner, 'send'), inner.send);
  assert.strictEqual(ran, 0);
  assert.strictEqual(PENDING, 0);
});

test("a library's variable gives an object's home up to the app's, never the other way", () => {
  const lowdb = { file: 'node_modules/lowdb/lib/main.js', line: 13, column: 6 };
  const outside = { file: '../../lib/node_modules/once/once.js', line: 22, column: 6 };
  const app = { file: 'server.js', line: 13, column: 6 };
  const other = { file: 'lib/store.js', line: 2, column: 4 };
  assert.strictEqual(movesHome(lowdb, app), true);
  assert.strictEqual(movesHome(outside, app), true);
  assert.strictEqual(movesHome(app, lowdb), false);
  assert.strictEqual(movesHome(app, other), false);
  assert.strictEqual(movesHome(lowdb, outside), false);
  assert.strictEqual(movesHome(null, app), false);
  assert.strictEqual(movesHome(lowdb, null), false);
});
