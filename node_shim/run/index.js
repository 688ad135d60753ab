'use strict';
// `jitflux run` on the main thread (JITFLUX_MODE=run): nothing is recorded. The placement file
// (JITFLUX_PLACEMENT, written by jitflux from the trace) names the fluxions to move; their
// modules are rewritten as they load (rewrite.js) and each call of a moved fluxion becomes a
// task for the transport; its answer is applied here, in order. A fluxion whose call cannot be
// made a message stays on the main thread, and says why once on stderr.

const fs = require('fs');
const net = require('net');
const Module = require('module');
const { rewrite } = require('./rewrite');
const { encode, decode, Unclonable } = require('./codec');

const WARM_UP = 3;

function say(line) {
  process._rawDebug(`jitflux run: ${line}`);
}

function install() {
  const env = process.env;
  const placement = env.JITFLUX_PLACEMENT
    ? JSON.parse(fs.readFileSync(env.JITFLUX_PLACEMENT, 'utf8'))
    : { workers: 0, fluxions: [] };
  const statsFile = env.JITFLUX_RUN_STATS || null;
  const minWork = Number(placement.min_work_ms || 0);
  const probeCalls = Number(placement.probe_calls || 5);
  const byFile = new Map();
  const fluxions = placement.fluxions.map((f, id) => {
    const entry = Object.assign({ id, state: 'unloaded', reason: null, worker: 0, local: 0,
      fallbacks: 0, samples: [], answered: 0, plan: null, ctx: null }, f);
    const list = byFile.get(f.file) || [];
    list.push(entry);
    byFile.set(f.file, list);
    return entry;
  });
  let transport = null;
  const getTransport = () => {
    if (!transport) transport = require('./transport').createTransport({ workers: placement.workers || 1 });
    return transport;
  };

  let statsTimer = null;
  function writeStats() {
    if (!statsFile) return;
    const out = {};
    for (const f of fluxions) {
      out[f.name] = { state: f.state, reason: f.reason, worker_calls: f.worker,
        local_calls: f.local, fallbacks: f.fallbacks, own_worker: f.written || [] };
    }
    try {
      fs.writeFileSync(`${statsFile}.tmp`, JSON.stringify({ fluxions: out }));
      fs.renameSync(`${statsFile}.tmp`, statsFile);
    } catch (e) {
      // Statistics are for verify's evidence; the app must go on whatever happens to them.
    }
  }
  function statsChanged() {
    if (statsFile && !statsTimer) {
      statsTimer = setTimeout(() => { statsTimer = null; writeStats(); }, 100);
      statsTimer.unref();
    }
  }
  function stay(f, reason) {
    f.state = 'local';
    f.reason = reason;
    say(`${f.name} stays on the main thread: ${reason}`);
    writeStats();
  }
  function move(f, why) {
    f.state = 'moved';
    f.reason = why;
    say(`${f.name} runs in the workers: ${why}`);
    writeStats();
  }

  // The modules of the placement are rewritten as they load.
  const original = Module.prototype._compile;
  Module.prototype._compile = function _compile(content, filename) {
    const targets = byFile.get(filename);
    if (!targets) return original.apply(this, arguments);
    let result;
    try {
      result = rewrite(content, targets);
    } catch (e) {
      for (const f of targets) stay(f, `its module could not be rewritten: ${e && e.message}`);
      return original.apply(this, arguments);
    }
    for (const p of result.plans) {
      const f = fluxions[p.id];
      if (p.reason) {
        stay(f, p.reason);
        continue;
      }
      f.plan = p.worker;
      // A fluxion that writes its context gets a worker of its own, where that context lives:
      // one copy, its calls run there one after the other, in order.
      const written = p.worker.context.filter((v) => v.written).map((v) => v.name);
      f.pinned = written.length > 0;
      f.written = written;
      const own = f.pinned ? `; its context (${written.join(', ')}) lives in a worker of its own` : '';
      if (f.forced) {
        move(f, `forced by --isolate${own}`);
      } else if (minWork <= 0) {
        move(f, `isolated, and moved whatever its cost (--min-work 0)${own}`);
      } else if (!f.probe) {
        move(f, `${f.why}${own}`); // its work in the trace pays a round trip
      } else {
        f.state = 'probe';
      }
    }
    const args = Array.prototype.slice.call(arguments);
    args[0] = result.code;
    return original.apply(this, args);
  };
  for (const f of fluxions) {
    if (!fs.existsSync(f.file)) stay(f, `its file ${f.file} does not exist`);
  }

  function prepare(f, args, free) {
    const plan = f.plan;
    const handles = [];
    const handleOf = (role) => (value) => {
      handles.push(value);
      return { $jfx: 'h', id: handles.length - 1, role };
    };
    const data = (value, what) => encode(value, { modules: true }, what);
    const pass = (value, role, what) => {
      if (role === 'value') return data(value, what);
      if (role === 'call' && typeof value !== 'function') return data(value, what);
      return handleOf(role)(value);
    };
    if (!f.ctx) {
      const ctx = {};
      for (const v of plan.context) {
        if (v.role === 'value') ctx[v.name] = data(free[v.name], v.name);
      }
      f.ctx = ctx;
    }
    const perCall = [...plan.context.filter((v) => v.role !== 'value'), ...plan.stream];
    const task = {
      fid: f.id,
      async: plan.async,
      pinned: f.pinned,
      file: f.file,
      src: plan.src,
      ctx: f.ctx,
      perCall,
      perCallValues: perCall.map((v) => pass(free[v.name], v.role, v.name)),
      args: plan.params.map((role, i) => pass(args[i], role, `argument ${i + 1}`)),
    };
    return { task, handles };
  }

  /** Apply what the fluxion sent downstream, in order; the value it returned. */
  function apply(answer, handles, continuations) {
    const options = {
      handle: (id) => handles[id],
      require: (id) => require(id),
    };
    for (const m of answer.messages) {
      if (m.kind === 'set') handles[m.h][m.prop] = decode(m.value, options);
      else if (m.kind === 'call') handles[m.h].apply(undefined, decode(m.args, options));
      else if (m.kind === 'k') continuations(m.i, decode(m.locals, options)).apply(undefined, decode(m.args, options));
    }
    return decode(answer.value, options);
  }

  // A candidate runs in the workers from its first call; the workers time its work (not the
  // main thread: run here, a callback's time would include what next() runs downstream). After
  // warm-up, the median of a few calls decides whether it stays there.
  function probed(f, ms) {
    f.answered += 1;
    if (f.answered <= WARM_UP || f.state !== 'probe') return;
    f.samples.push(ms);
    if (f.samples.length < probeCalls) return;
    const median = f.samples.sort((a, b) => a - b)[f.samples.length >> 1];
    const over = `median over ${f.samples.length} calls after ${WARM_UP} warm-up calls`;
    if (median >= minWork) move(f, `isolated, ${median.toFixed(3)} ms of work a call (${over})`);
    else stay(f, `its work is too light to pay a round trip (${median.toFixed(3)} ms a call, ${over}; --min-work ${minWork} ms)`);
  }

  function call(id, self, args, originalFn, getFree, continuations) {
    const f = fluxions[id];
    if (f.state !== 'moved' && f.state !== 'probe') {
      f.local += 1;
      return originalFn.apply(self, args);
    }
    let prepared;
    try {
      prepared = prepare(f, Array.from(args), getFree());
    } catch (e) {
      if (!(e instanceof Unclonable)) throw e;
      stay(f, `its message cannot be cloned: ${e.message}`);
      f.local += 1;
      return originalFn.apply(self, args);
    }
    // An async fluxion's caller gets a promise, settled as the plain call's would be: with the
    // value the worker's call resolved to, or like the main thread's own call.
    let settle = null;
    const result = f.plan.async ? new Promise((resolve) => { settle = resolve; }) : undefined;
    const runHere = () => {
      f.fallbacks += 1;
      statsChanged();
      const value = originalFn.apply(self, args);
      if (settle) settle(value);
    };
    f.worker += 1;
    statsChanged();
    getTransport().send(prepared.task).then((answer) => {
      if (answer.broken) {
        stay(f, `the worker cannot run it: ${answer.broken}`);
        setImmediate(runHere);
      } else if (answer.unclonable) {
        stay(f, `its message cannot be cloned: ${answer.unclonable}`);
        setImmediate(runHere);
      } else if (answer.error) {
        // Nothing was applied: the main thread runs the call again and meets the same error
        // the app would have met.
        setImmediate(runHere);
      } else {
        const value = apply(answer, prepared.handles, continuations);
        if (settle) settle(value);
        if (f.state === 'probe') probed(f, answer.ms);
      }
    }, () => setImmediate(runHere)); // the transport lost the task (a dead worker)
    return result;
  }

  Object.defineProperty(globalThis, '__jfxRun', {
    value: Object.freeze({ call }), enumerable: false, writable: false, configurable: false,
  });

  // The port, for jitflux: the first server that listens.
  if (env.JITFLUX_PORT_FILE) {
    let written = false;
    const originalEmit = net.Server.prototype.emit;
    net.Server.prototype.emit = function emit(type) {
      if (type === 'listening' && !written) {
        const address = this.address();
        if (address && typeof address === 'object') {
          written = true;
          fs.writeFileSync(`${env.JITFLUX_PORT_FILE}.tmp`, String(address.port));
          fs.renameSync(`${env.JITFLUX_PORT_FILE}.tmp`, env.JITFLUX_PORT_FILE);
        }
      }
      return originalEmit.apply(this, arguments);
    };
  }
  writeStats();
}

module.exports = { install };
