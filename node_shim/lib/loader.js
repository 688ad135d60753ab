'use strict';
// Which files are instrumented, and the Module.prototype._compile hook that does it: the app's
// own files (under JITFLUX_ROOT, not under node_modules), packages named in JITFLUX_INCLUDE, and
// Express's router files (lib/express.js). A file that fails to parse, or that the shim fails on,
// is compiled as it is, with a warning.

const fs = require('fs');
const path = require('path');
const Module = require('module');
const recorder = require('./recorder');
const runtime = require('./runtime');
const instrument = require('./instrument');
const express = require('./express');
const stacks = require('./stacks');

const packageNames = new Map(); // directory -> package name or null

function nearestPackageName(dir) {
  const seen = [];
  let name = null;
  let d = dir;
  for (;;) {
    if (packageNames.has(d)) {
      name = packageNames.get(d);
      break;
    }
    seen.push(d);
    let found;
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8'));
      found = pkg && typeof pkg.name === 'string' ? pkg.name : undefined;
    } catch (e) {
      found = undefined;
    }
    if (found !== undefined) {
      name = found;
      break;
    }
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const s of seen) packageNames.set(s, name);
  return name;
}

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/**
 * The options of instrumentation: `root` (absolute, real path), `include` (Set of package
 * names), `effects` (the effects module or null), `effectSites` (array for addSite).
 */
function createLoader(options) {
  const { root, include, effects, effectSites } = options;

  /** The file name to record for `filename` (relative to the root), or null: not instrumented. */
  function fileName(filename) {
    if (filename.startsWith(stacks.SHIM_DIR)) return null;
    const rel = path.relative(root, filename);
    const inside = rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
    if (inside && !rel.split(path.sep).includes('node_modules')) return toPosix(rel);
    if (include.size > 0) {
      const name = nearestPackageName(path.dirname(filename));
      if (name !== null && include.has(name)) return toPosix(rel);
    }
    return null;
  }

  const env = {
    file: null,
    runtime,
    recorder,
    effects,
    addEffectSite: (site) => effectSites.push(site) - 1,
    warn: recorder.warn,
  };

  /** The code to compile for `content` of `filename`. */
  function transform(content, filename) {
    if (typeof content !== 'string' || typeof filename !== 'string') return content;
    const kind = express.expressFile(filename);
    if (kind !== null) {
      try {
        const out = express.instrumentExpress(content, kind);
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
      out = instrument.instrumentSource(content, Object.assign({}, env, { file }));
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message : `shim failure: ${e && e.message}`;
      recorder.warn(`${file}: not instrumented: ${why}`);
      return content;
    }
    if (out === null) return content;
    for (const entry of out.functions) recorder.addFunction(entry);
    recorder.addSource(file, content);
    stacks.registerFile(filename, file, content, out.inserts);
    if (out.unhooked > 0) {
      recorder.warn(`${file}: ${out.unhooked} function(s) without entry hooks (generators, or declarations that clash in a block)`);
    }
    return out.code;
  }

  return { fileName, transform };
}

function install(options) {
  const loader = createLoader(options);
  const original = Module.prototype._compile;
  Module.prototype._compile = function _compile(content, filename) {
    let code = content;
    try {
      code = loader.transform(content, filename);
    } catch (e) {
      recorder.warn(`${filename}: not instrumented: shim failure: ${e && e.message}`);
      code = content;
    }
    let args = arguments;
    if (code !== content) {
      args = Array.prototype.slice.call(arguments);
      args[0] = code;
    }
    const limit = stacks.widenStack();
    try {
      return original.apply(this, args);
    } finally {
      stacks.narrowStack(limit);
    }
  };
  return loader;
}

module.exports = { install, createLoader, nearestPackageName };
