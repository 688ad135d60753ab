'use strict';
// jitflux shim: preloaded with `node --require node_shim/index.js app.js`. It records facts about
// the app as it runs (PROTOCOL.md) and hands them over in batches; it does no analysis. Nothing it
// does may change what the app answers or throws: every failure of its own becomes a warning.

function main() {
  if (globalThis.__jitflux) return;
  // Node's own threads (the module hooks thread, which runs lib/esm-hooks.js) get the preload
  // too, with no parentPort, unlike the app's workers: the app runs nothing there.
  const threads = require('worker_threads');
  if (!threads.isMainThread && threads.parentPort === null) return;
  require('./lib/children').install(); // first: children start untraced, with no inspector
  // A worker thread inherits the preload; the shim records the main thread only (a worker's
  // exit would otherwise write the dump and the exit notification).
  if (!threads.isMainThread) return;
  // `jitflux run`: nothing is recorded; the placement's fluxions execute in workers (run/).
  if (process.env.JITFLUX_MODE === 'run') return void require('./run').install();
  const fs = require('fs');
  const path = require('path');
  // First: it saves the built-ins before anything else of the shim runs.
  const {
    toJSON, ObjectAssign, ObjectDefineProperty, StringPrototypeSplit, StringPrototypeTrim, SafeSet, SetPrototypeAdd,
  } = require('./lib/primordials');
  // The shim's parts, made once here and handed to whoever needs them.
  const recorder = require('./lib/recorder').createRecorder();
  const identity = require('./lib/identity').createIdentity({ recorder });
  const stacks = require('./lib/stacks').createStacks();
  const runtime = require('./lib/runtime').createRuntime({ recorder, stacks, identity });
  const { rt } = runtime;
  const env = process.env;
  const effectSites = []; // effect site id -> site, filled as files are instrumented

  const api = {
    rt,
    /** One batch of what is new since the last call, as a JSON string. */
    drain() {
      try {
        return toJSON(recorder.drain());
      } catch (e) {
        return toJSON({ functions: [], external: [], sources: {}, rupture_points: [],
          effects: [], listening: [], requests: 0, warnings: [`drain failed: ${e && e.message}`] });
      }
    },
    /** The function object of an external function (for its [[FunctionLocation]]). */
    external(slot) {
      return recorder.externalFunction(slot);
    },
  };
  ObjectDefineProperty(globalThis, '__jitflux', {
    value: api, enumerable: false, writable: false, configurable: false,
  });

  function step(what, fn) {
    try {
      return fn();
    } catch (e) {
      recorder.warn(`${what}: ${e && e.message}`);
      return undefined;
    }
  }

  step('stack traces', () => stacks.install(recorder.warn));
  const expressHooks = step('express hooks', () => require('./lib/express').install(rt, { runtime, recorder, identity, stacks }));
  const isExpressNext = expressHooks !== undefined ? expressHooks.isExpressNext : () => false;
  step('node hooks', () => require('./lib/node-hooks').install({
    dumpPath: env.JITFLUX_DUMP ? path.resolve(env.JITFLUX_DUMP) : null,
    portFile: env.JITFLUX_PORT_FILE ? path.resolve(env.JITFLUX_PORT_FILE) : null,
    runtime,
    recorder,
    identity,
    stacks,
  }));
  step('async hooks', () => runtime.enableAsyncHooks());

  let effects = null;
  if (env.JITFLUX_EFFECTS !== '0') {
    const lib = path.join(__dirname, 'lib');
    // Inserted effect hooks call the effects runtime: instrument only when it is installed.
    if (fs.existsSync(path.join(lib, 'effects-runtime.js')) && fs.existsSync(path.join(lib, 'effects.js'))) {
      const ready = step('effects runtime', () => {
        const { createEffectsRuntime } = require('./lib/effects-runtime');
        ObjectAssign(rt, createEffectsRuntime({ runtime, recorder, identity, sites: effectSites, isExpressNext }));
        return true;
      });
      if (ready) effects = step('effects', () => require('./lib/effects')) || null;
    }
  }

  step('instrumentation', () => {
    const main = process.argv[1] ? path.dirname(path.resolve(process.argv[1])) : process.cwd();
    let root = env.JITFLUX_ROOT ? path.resolve(env.JITFLUX_ROOT) : main;
    try {
      root = fs.realpathSync(root);
    } catch (e) {
      recorder.warn(`JITFLUX_ROOT ${root}: ${e.message}`);
    }
    // File names are relative to the traced script's folder (the trace's contract), which is the
    // root unless the script is a package's declared entry point in a subfolder (bin/server).
    let base;
    try {
      base = fs.realpathSync(main);
    } catch (e) {
      base = main;
    }
    const include = new SafeSet();
    const names = StringPrototypeSplit(env.JITFLUX_INCLUDE || '', ',');
    for (let i = 0; i < names.length; i++) {
      const name = StringPrototypeTrim(names[i]);
      if (name !== '') SetPrototypeAdd(include, name);
    }
    // ES modules: the same instrumentation, asked for by Node's module hooks (lib/esm.js),
    // registered when the app starts as an ES module, else before any file (the app's or a
    // package's) that may call `import()` runs. `filename` is that file, or the entry.
    const esm = require('./lib/esm');
    esm.installGuard(rt); // also for ES modules that `require()` loads (Node 20.19+)
    const modules = { loader: null, root, base, include, recorder };
    let asked = false;
    const dynamicImport = (filename, entry) => {
      if (asked) return true;
      asked = true;
      if (step('es modules', () => esm.install(modules)) === false) {
        // No module.register (Node before 20.6): say so once, naming what is known.
        const name = path.relative(base, filename);
        recorder.warn(entry
          ? `es modules: ${name}: ES module run uninstrumented (this Node has no module.register)`
          : `es modules: ES modules of the app that ${name} may import() run uninstrumented (this Node has no module.register)`);
      }
      return true;
    };
    modules.loader = require('./lib/loader').install({
      root, base, include, effects, effectSites, runtime, recorder, stacks, dynamicImport,
    });
    const script = process.argv[1] ? path.resolve(process.argv[1]) : null;
    if (script !== null && require('./lib/files').isModuleScript(script)) dynamicImport(script, true);
  });
}

try {
  main();
} catch (e) {
  // The shim could not even start: the app runs untraced, and says why on stderr.
  process._rawDebug(`jitflux: shim disabled: ${e && e.stack}`);
}
