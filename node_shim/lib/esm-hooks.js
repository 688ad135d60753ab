'use strict';
// Node's module customization hooks (module.register, Node 20.6+), loaded on Node's hooks thread
// by lib/esm.js. For an ES module that is one of the app's own files (or of a package named with
// --include: lib/files.js decides, as for CommonJS), `load` sends its source to the main thread,
// which instruments it (lib/loader.js's transformModule) and registers its functions, sites and
// position map before it answers; the module is then evaluated as the answer's code. Every other
// module (CommonJS, JSON, builtins, node_modules) is loaded untouched: `load` returns what the
// next hook returned.
//
// The order is fixed by the round trip: the main thread has recorded everything the code refers to
// before the hooks thread hands the code to Node, and Node evaluates a module only after its load
// hook returned. A module the main thread could not instrument comes back as null: its source as
// loaded.

const { fileURLToPath } = require('url');
const { createFileNamer } = require('./files');
const {
  ObjectAssign, MapPrototypeGet, MapPrototypeSet, MapPrototypeDelete, SafeMap, SafeSet,
  SetPrototypeAdd, StringPrototypeStartsWith,
} = require('./primordials');

const { TextDecoder } = require('util');

let port = null;
let fileName = null;
let nextId = 0;
const waiting = new SafeMap(); // request id -> resolve(code or null)
const decoder = new TextDecoder(); // as Node decodes a module's source: UTF-8, BOM dropped

/** Called by module.register with its `data`: {port, root, base, include (names)}. */
function initialize(data) {
  const include = new SafeSet();
  for (let i = 0; i < data.include.length; i++) SetPrototypeAdd(include, data.include[i]);
  fileName = createFileNamer({ root: data.root, base: data.base, include });
  port = data.port;
  // Referenced: the hooks thread's loop must wait for the answers (the main thread's exit does
  // not wait for this thread).
  port.on('message', answered);
}

function answered(message) {
  const resolve = MapPrototypeGet(waiting, message.id);
  if (resolve === undefined) return;
  MapPrototypeDelete(waiting, message.id);
  resolve(typeof message.code === 'string' ? message.code : null);
}

/** The source text of a load result (a string, a Buffer, an ArrayBuffer or a typed array). */
function sourceText(source) {
  if (typeof source === 'string') return source;
  if (source === null || source === undefined) return null;
  try {
    return decoder.decode(source);
  } catch (e) {
    return null;
  }
}

/** Whether the module at `url`, loaded as `format`, is one the shim instruments. */
function instrumented(url, format) {
  if (port === null || format !== 'module' || !StringPrototypeStartsWith(url, 'file:')) return null;
  let filename;
  try {
    filename = fileURLToPath(url);
  } catch (e) {
    return null;
  }
  return fileName(filename) === null ? null : filename;
}

// Modules are sent to the main thread in the order Node asked for them (the order `load` was
// entered), whatever order their files were read in, so that their function numbers do not
// depend on the speed of the disk: each load posts after the loads entered before it posted or
// found nothing to post.
let previous = new Promise((resolve) => resolve());

async function load(url, context, nextLoad) {
  const before = previous;
  let done;
  previous = new Promise((resolve) => {
    done = resolve;
  });
  let answer = null;
  let result;
  try {
    result = await nextLoad(url, context);
    const filename = instrumented(url, result.format);
    const source = filename === null ? null : sourceText(result.source);
    if (source !== null) {
      await before;
      const id = nextId++;
      answer = new Promise((resolve) => {
        MapPrototypeSet(waiting, id, resolve);
        port.postMessage({ id, url, filename, source });
      });
    }
  } finally {
    done();
  }
  const code = answer === null ? null : await answer;
  if (code === null) return result;
  return ObjectAssign({}, result, { source: code });
}

module.exports = { initialize, load };
