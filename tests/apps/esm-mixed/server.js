// An Express 5 app written as ES modules, mixed with CommonJS: a counter module that exports its
// functions, a router module whose top level registers routes, a CommonJS helper imported and
// required (createRequire), which imports an ES module in its turn, and an error's stack.
import express from 'express';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { bump, total } from './lib/counter.js';
import router from './lib/routes.js';
import legacy from './lib/legacy.cjs';

const require = createRequire(import.meta.url);
const required = require('./lib/legacy.cjs');
const app = express();

app.post('/bump', function bumpRoute(req, res) {
  res.json({ total: bump() });
});

app.get('/total', function showTotal(req, res) {
  res.json({ total: total() });
});

app.get('/legacy', function legacyRoute(req, res) {
  res.type('text').send(`${legacy.greet('esm')} ${legacy === required}`);
});

app.get('/from-cjs', async function fromCjs(req, res) {
  res.type('text').send(await legacy.loadModule());
});

app.get('/stack', function stack(req, res) {
  try {
    legacy.fail();
  } catch (e) {
    res.type('text').send(e.stack);
  }
});

app.use('/r', router);

const server = app.listen(process.env.PORT || 0, '127.0.0.1', () => {
  if (process.env.APP_PORT_FILE) {
    // The untraced run says its port like the shim does (JITFLUX_PORT_FILE).
    writeFileSync(process.env.APP_PORT_FILE, String(server.address().port));
  }
});
