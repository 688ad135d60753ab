'use strict';
// The worker side of `jitflux run` (a Piscina task handler). A task is one message to one
// fluxion (MESSAGES.md): the worker compiles the fluxion's source once, holds its context (the
// module variables it reads, initialised from the first message's values), calls it with the
// message's arguments, and answers with what the fluxion sent downstream, in order: calls of
// continuations that live on the main thread, writes into objects that stay there (the
// express_dispatcher merge), calls of closures such as next(). Its own isolated continuations
// run here too. The task ends when the function has returned and every continuation it created
// (sent back or run here) has been called.

const Module = require('module');
const path = require('path');
const { encode, decode, Unclonable } = require('./codec');

const compiled = new Map(); // fluxion id -> the function that makes one instance per message

function compile(task) {
  const requireApp = Module.createRequire(task.file);
  const ctxNames = Object.keys(task.ctx);
  const perCall = task.perCall.map((v) => v.name);
  const factory = new Function('require', '__filename', '__dirname', ...ctxNames,
    `return function (__jfxK, __jfxW, __jfxL, ${perCall.join(', ')}) { return (${task.src}); };`);
  const options = { require: requireApp, handle: () => { throw new Error('a stand-in in a context'); } };
  const ctxValues = ctxNames.map((n) => decode(task.ctx[n], options));
  return { make: factory(requireApp, task.file, path.dirname(task.file), ...ctxValues), requireApp };
}

let lateSaid = false;

/** Stand-ins whose messages go to `out` while the task runs (`ended()` false). */
function standIns(out, ended) {
  const ids = new WeakMap();
  const push = (message) => {
    if (!ended()) {
      out.push(message);
    } else if (!lateSaid) {
      // A listener in the task that fired after it ended: the answer is gone.
      lateSaid = true;
      process._rawDebug('jitflux run: a moved fluxion sent a message after its task had ended (a listener that fired late): it is lost');
    }
  };
  const readError = () => new Error('jitflux run: a moved fluxion read a value that stays on the main thread');
  function handle(id, role) {
    let value;
    if (role === 'call') {
      value = function () {
        push({ kind: 'call', h: id, args: send(Array.from(arguments), 'the arguments') });
      };
    } else if (role === 'write') {
      value = new Proxy({}, {
        set(target, prop, v) {
          if (typeof prop !== 'string') throw readError();
          push({ kind: 'set', h: id, prop, value: send(v, `the value written to .${prop}`) });
          return true;
        },
        get(target, prop) {
          if (prop === Symbol.toPrimitive || prop === 'then') return undefined;
          throw readError();
        },
      });
    } else {
      value = Object.freeze({});
    }
    ids.set(value, { $jfx: 'h', id, role });
    return value;
  }
  function send(value, what) {
    return encode(value, { handleOf: (v) => ids.get(v) }, what);
  }
  return { handle, send };
}

module.exports = function run(task) {
  let entry = compiled.get(task.fid);
  if (!entry) {
    try {
      entry = compile(task);
    } catch (e) {
      return Promise.resolve({ messages: [], broken: String((e && e.message) || e) });
    }
    compiled.set(task.fid, entry);
  }
  const out = [];
  let done = false;
  const { handle, send } = standIns(out, () => done);
  const options = { require: entry.requireApp, handle };
  return new Promise((resolve) => {
    let pending = 0;
    let returned = false;
    let value; // what an async fluxion's promise resolved to
    const finish = (extra) => {
      if (done) return;
      done = true;
      resolve(Object.assign({ messages: out, ms: Number(busy) / 1e6, value }, extra));
    };
    const fail = (e) => {
      if (e instanceof Unclonable) finish({ unclonable: e.message });
      else finish({ error: String((e && e.stack) || e) });
    };
    const check = () => {
      if (returned && pending === 0) finish();
    };
    const k = (i, locals) => {
      pending += 1;
      let called = false;
      return function continuation() {
        if (called || done) return; // a post continuation runs once
        called = true;
        pending -= 1;
        try {
          out.push({ kind: 'k', i, locals: send(locals(), 'the streamed variables'),
            args: send(Array.from(arguments), 'the arguments of a continuation') });
        } catch (e) {
          fail(e);
          return;
        }
        check();
      };
    };
    // A continuation that runs here: the task waits until it has run (once, as a post
    // continuation does), and what it created in turn.
    let busy = 0n; // the time spent running the fluxion's code here, continuations included
    const timed = (fn, self, args) => {
      const start = process.hrtime.bigint();
      try {
        return fn.apply(self, args);
      } finally {
        busy += process.hrtime.bigint() - start;
      }
    };
    const w = (fn) => {
      pending += 1;
      let called = false;
      return function continuation() {
        if (called || done) return fn.apply(this, arguments);
        called = true;
        try {
          return timed(fn, this, arguments);
        } catch (e) {
          fail(e);
          return undefined;
        } finally {
          pending -= 1;
          check();
        }
      };
    };
    let result;
    // A listener it registers runs here as often as it fires; the task does not wait for it
    // (it may never fire), and one that fires after the task ended can send nothing.
    const l = (fn) => function listener() {
      if (done) return fn.apply(this, arguments);
      try {
        return timed(fn, this, arguments);
      } catch (e) {
        fail(e);
        return undefined;
      }
    };
    try {
      const perCall = task.perCallValues.map((v) => decode(v, options));
      const fn = entry.make(k, w, l, ...perCall);
      result = timed(fn, undefined, task.args.map((v) => decode(v, options)));
    } catch (e) {
      fail(e);
      return;
    }
    if (!task.async) {
      returned = true;
      check();
      return;
    }
    // An async fluxion has returned when its promise settles: its code after each `await`
    // runs here too, and its value goes back with the answer.
    result.then((v) => {
      try {
        value = send(v, 'the value it returns');
      } catch (e) {
        fail(e);
        return;
      }
      returned = true;
      check();
    }, fail);
  });
};
