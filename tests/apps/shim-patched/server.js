'use strict';
// An app that wraps built-ins and counts every call of its wrappers: the shim must not call them
// (no extra counts, no recursion, no rupture points in them). Each wrapper is named so that a
// rupture point into it could be recognized. `apply` counts only the calls made by this app's
// own files: with async hooks on, Node calls event-loop callbacks through it (PROTOCOL.md).
const fs = require('fs');
const http = require('http');
const path = require('path');

const counts = { push: 0, set: 0, call: 0, apply: 0, stringify: 0, then: 0 };

const push = Array.prototype.push;
Array.prototype.push = function pushWrapper(...items) {
  counts.push++;
  return push.apply(this, items);
};
const set = Map.prototype.set;
Map.prototype.set = function setWrapper(key, value) {
  counts.set++;
  return set.apply(this, [key, value]);
};
const call = Function.prototype.call;
const apply = Function.prototype.apply;
Function.prototype.apply = function applyWrapper(self, args) {
  if (calledFromApp(applyWrapper)) counts.apply++;
  return Reflect.apply(this, self, args || []);
};
Function.prototype.call = function callWrapper(self, ...args) {
  counts.call++;
  return Reflect.apply(this, self, args);
};
const stringify = JSON.stringify;
JSON.stringify = function stringifyWrapper(value, replacer, space) {
  counts.stringify++;
  return Reflect.apply(stringify, JSON, [value, replacer, space]);
};
const then = Promise.prototype.then;
Promise.prototype.then = function thenWrapper(onFulfilled, onRejected) {
  counts.then++;
  return Reflect.apply(then, this, [onFulfilled, onRejected]);
};
void call;
void apply;

/** Whether the caller of `fn` is code of this app (its frames, not Node's). */
function calledFromApp(fn) {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (e, trace) => trace;
  const holder = {};
  Error.captureStackTrace(holder, fn);
  const trace = holder.stack;
  Error.prepareStackTrace = saved;
  const file = trace.length > 0 ? trace[0].getFileName() : null;
  return typeof file === 'string' && file.startsWith(__dirname + path.sep);
}

// Required after the wrapping: it is instrumented while the wrappers are in place.
const store = require('./store');

const server = http.createServer(async (req, res) => {
  if (req.url === '/counts') {
    const text = JSON.stringify(counts);
    process.stdout.write(`${text}\n`);
    res.end(text);
    return;
  }
  const n = await store.add(req.url);
  const later = await new Promise((resolve) => setTimeout(() => resolve(store.size()), 1));
  store.remember(n).then((v) => {
    res.end(JSON.stringify({ n, later, v, list: store.list() }));
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const file = process.env.APP_PORT_FILE;
  if (file) {
    fs.writeFileSync(`${file}.tmp`, String(server.address().port));
    fs.renameSync(`${file}.tmp`, file);
  }
});
