'use strict';
// Which files are instrumented, and the Module.prototype._compile hook that does it: the app's
// own files (under JITFLUX_ROOT, not under node_modules), packages named in JITFLUX_INCLUDE, and
// Express's router files (lib/express.js). A file that fails to parse, or that the shim fails on,
// is compiled as it is, with a warning.

const fs = require('fs');
const path = require('path');
const Module = require('module');
const instrument = require('./instrument');
const express = require('./express');
const stacks = require('./stacks');
const P = require('./primordials');

const {
  ArrayPrototypePush, ArrayPrototypeSlice, ArrayPrototypeIncludes, ArrayPrototypeJoin,
  StringPrototypeSplit, StringPrototypeStartsWith, MapPrototypeGet, MapPrototypeSet, MapPrototypeHas,
  SetPrototypeHas, JSONParse, ObjectAssign, ReflectApply, SafeMap, pristine,
} = P;
// Saved now: the app may replace them before it requires its next module.
const { readFileSync } = fs;
const { join: pathJoin, dirname: pathDirname, relative: pathRelative, isAbsolute: pathIsAbsolute, sep: SEP } = path;

const packageNames = new SafeMap(); // directory -> package name or null

function nearestPackageName(dir) {
  const seen = [];
  let name = null;
  let d = dir;
  for (;;) {
    if (MapPrototypeHas(packageNames, d)) {
      name = MapPrototypeGet(packageNames, d);
      break;
    }
    ArrayPrototypePush(seen, d);
    let found;
    try {
      const pkg = JSONParse(readFileSync(pathJoin(d, 'package.json'), 'utf8'));
      found = pkg && typeof pkg.name === 'string' ? pkg.name : undefined;
    } catch (e) {
      found = undefined;
    }
    if (found !== undefined) {
      name = found;
      break;
    }
    const up = pathDirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = 0; i < seen.length; i++) MapPrototypeSet(packageNames, seen[i], name);
  return name;
}

function toPosix(p) {
  return ArrayPrototypeJoin(StringPrototypeSplit(p, SEP), '/');
}

/**
 * The options of instrumentation: `root` (absolute, real path: the app's own files are under
 * it), `base` (the folder file names are relative to: the traced script's), `include` (Set of
 * package names), `effects` (the effects module or null), `effectSites` (array for addSite),
 * `runtime` (lib/runtime.js's createRuntime: the runtime the instrumented code calls) and
 * `recorder` (lib/recorder.js's createRecorder: where functions, sources and warnings go).
 */
function createLoader(options) {
  const { root, include, effects, effectSites, runtime, recorder } = options;
  const base = options.base === undefined ? root : options.base;

  /** Whether `filename` is one of the app's own files (under root, not under node_modules). */
  function ownFile(filename) {
    if (StringPrototypeStartsWith(filename, stacks.SHIM_DIR)) return false;
    const rel = pathRelative(root, filename);
    const inside = rel !== '' && !StringPrototypeStartsWith(rel, `..${SEP}`) && rel !== '..' && !pathIsAbsolute(rel);
    return inside && !ArrayPrototypeIncludes(StringPrototypeSplit(rel, SEP), 'node_modules');
  }

  /** The file name to record for `filename` (relative to base), or null: not instrumented. */
  function fileName(filename) {
    if (StringPrototypeStartsWith(filename, stacks.SHIM_DIR)) return null;
    const named = toPosix(pathRelative(base, filename));
    if (ownFile(filename)) return named;
    if (P.SetPrototypeGetSize(include) > 0) {
      const name = nearestPackageName(pathDirname(filename));
      if (name !== null && SetPrototypeHas(include, name)) return named;
    }
    return null;
  }

  const env = {
    file: null,
    runtime,
    recorder,
    effects,
    addEffectSite: (site) => ArrayPrototypePush(effectSites, site) - 1,
    warn: recorder.warn,
  };

  /** The code to compile for `content` of `filename`. */
  function transform(content, filename) {
    if (typeof content !== 'string' || typeof filename !== 'string') return content;
    const kind = express.expressFile(filename);
    if (kind !== null) {
      try {
        const out = pristine(() => express.instrumentExpress(content, kind));
        if (out === null) {
          if (express.expectsHooks(kind, content)) {
            recorder.warn(`express hooks: ${filename}: not recognized, requests will not be split by handler`);
          }
          return content;
        }
        stacks.registerFile(filename, null, content, out.inserts);
        return out.code;
      } catch (e) {
        recorder.warn(`express hooks: ${filename}: ${e && e.message}`);
        return content;
      }
    }
    const file = fileName(filename);
    if (file === null) return content;
    let out;
    try {
      // Parsing runs acorn and eslint-scope: with the built-ins as they were, whatever the app
      // has replaced by now (path.relative and the like, above, use Node's own primordials).
      out = pristine(() => instrument.instrumentSource(content, ObjectAssign({}, env, { file })));
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message : `shim failure: ${e && e.message}`;
      recorder.warn(`${file}: not instrumented: ${why}`);
      return content;
    }
    if (out === null) return content;
    for (let i = 0; i < out.functions.length; i++) recorder.addFunction(out.functions[i]);
    recorder.addSource(file, content);
    stacks.registerFile(filename, file, content, out.inserts, ownFile(filename));
    if (out.unhooked > 0) {
      recorder.warn(`${file}: ${out.unhooked} function(s) without entry hooks (generators, or declarations that clash in a block)`);
    }
    return out.code;
  }

  return { fileName, transform };
}

function install(options) {
  const { recorder } = options;
  const loader = createLoader(options);
  const original = Module.prototype._compile;
  Module.prototype._compile = function _compile(content, filename) {
    let code;
    try {
      code = loader.transform(content, filename);
    } catch (e) {
      recorder.warn(`${filename}: not instrumented: shim failure: ${e && e.message}`);
      code = content;
    }
    let args = arguments;
    if (code !== content) {
      args = ArrayPrototypeSlice(arguments);
      args[0] = code;
    }
    const limit = stacks.widenStack();
    try {
      return ReflectApply(original, this, args);
    } finally {
      stacks.narrowStack(limit);
    }
  };
  return loader;
}

module.exports = { install, createLoader, nearestPackageName };
