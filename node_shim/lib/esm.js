'use strict';
// ES modules: the main thread's half of lib/esm-hooks.js. `install` registers the hooks with
// module.register (Node 20.6+; they run on Node's hooks thread) and hands them a MessagePort,
// through which the hooks send each of the app's own ES modules here before Node links it. It is
// instrumented here, on the main thread, exactly as a CommonJS file (lib/loader.js's
// transformModule: the same function numbers, sites, effect sites, recorded functions and source,
// and the position map stacks.js needs, under the module's URL, which its stack frames carry),
// and the code goes back to the hooks. The port is unreferenced: it never keeps the app alive.

const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');
const { MessageChannel } = require('worker_threads');
const { ArrayPrototypePush, SetPrototypeForEach } = require('./primordials');

const HOOKS = path.join(__dirname, 'esm-hooks.js');
// Saved now: the app may replace it.
const { queueMicrotask } = globalThis;

/**
 * `rt.K(k)`: a part of a module's top level that has no `try` around it has just begun at depth
 * `k` (instrument-esm.js). A microtask runs only once the synchronous run that queued it is over:
 * if the part is still on the stack then, the top level threw, and the part is ended there.
 */
function installGuard(rt) {
  const X = rt.X;
  rt.K = function K(k) {
    queueMicrotask(() => {
      if (rt.depth > k) X(k);
    });
    return k;
  };
}

/**
 * The reply to one request of the hooks ({id, url, filename, source}): {id, code or null};
 * `warn` takes the warning when the shim fails on it.
 */
function answer(loader, message, warn) {
  let code = null;
  try {
    const out = loader.transformModule(message.source, message.filename, message.url);
    if (typeof out === 'string' && out !== message.source) code = out;
  } catch (e) {
    warn(`${message.filename}: not instrumented: shim failure: ${e && e.message}`);
  }
  return { id: message.id, code };
}

/**
 * Register the hooks, once. `loader` is lib/loader.js's (its transformModule), `root`, `base`
 * and `include` its options, `recorder` where warnings go. Returns false when this Node has no
 * module.register. index.js calls it when the app starts as an ES module, else before the first
 * file of the app that may call `import()` runs: the hooks start a thread, whose output Node
 * pipes to the app's process.stdout and process.stderr (creating them), and take some 40 ms and
 * 10 MB, which an app that never loads an ES module of its own does not pay.
 */
let installed = false;

function install({ loader, root, base, include, recorder }) {
  if (installed) return true;
  if (typeof Module.register !== 'function') return false;
  installed = true;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (message) => {
    port1.postMessage(answer(loader, message, recorder.warn));
  });
  port1.unref();
  const names = [];
  SetPrototypeForEach(include, (name) => ArrayPrototypePush(names, name));
  Module.register(pathToFileURL(HOOKS).href, {
    data: { port: port2, root, base, include: names },
    transferList: [port2],
  });
  return true;
}

module.exports = { install, installGuard, answer };
