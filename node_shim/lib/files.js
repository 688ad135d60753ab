'use strict';
// Which files the shim instruments, decided the same way for CommonJS files (lib/loader.js, on
// the main thread) and ES modules (lib/esm-hooks.js, on Node's module hooks thread): the app's
// own files (under the root, not under node_modules), the files of packages named in
// JITFLUX_INCLUDE, never the shim's own.

const fs = require('fs');
const path = require('path');
const {
  ArrayPrototypePush, ArrayPrototypeIncludes, ArrayPrototypeJoin, StringPrototypeSplit,
  StringPrototypeStartsWith, MapPrototypeGet, MapPrototypeSet, MapPrototypeHas, SetPrototypeHas,
  SetPrototypeGetSize, JSONParse, SafeMap,
} = require('./primordials');

// Saved now: the app may replace them later.
const { readFileSync } = fs;
const { join: pathJoin, dirname: pathDirname, relative: pathRelative, isAbsolute: pathIsAbsolute, sep: SEP } = path;
const SHIM_DIR = pathDirname(__dirname) + SEP;

const packageNames = new SafeMap(); // directory -> package name or null

/** The name in the package.json nearest to `dir` (that folder or above), or null. */
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

/** `ownFile(filename)`: whether the absolute path `filename` is one of the app's own files (under
 * `root`, the absolute real path, and not under node_modules); never the shim's. */
function createOwnFile(root) {
  return function ownFile(filename) {
    if (StringPrototypeStartsWith(filename, SHIM_DIR)) return false;
    const rel = pathRelative(root, filename);
    const inside = rel !== '' && !StringPrototypeStartsWith(rel, `..${SEP}`) && rel !== '..' && !pathIsAbsolute(rel);
    return inside && !ArrayPrototypeIncludes(StringPrototypeSplit(rel, SEP), 'node_modules');
  };
}

/**
 * `fileName(filename)`: the name to record for the absolute path `filename` (relative to `base`,
 * with `/`), or null when it is not instrumented. `root` is the absolute real path the app's own
 * files are under, `include` a Set of package names.
 */
function createFileNamer({ root, base, include }) {
  const ownFile = createOwnFile(root);
  return function fileName(filename) {
    if (StringPrototypeStartsWith(filename, SHIM_DIR)) return null;
    const named = toPosix(pathRelative(base, filename));
    if (ownFile(filename)) return named;
    if (SetPrototypeGetSize(include) > 0) {
      const name = nearestPackageName(pathDirname(filename));
      if (name !== null && SetPrototypeHas(include, name)) return named;
    }
    return null;
  };
}

/**
 * Whether node runs `script` (an absolute path) as an ES module: a `.mjs` file, or a `.js` file
 * (or one with no extension) whose nearest package.json says `"type": "module"`.
 */
function isModuleScript(script) {
  const ext = path.extname(script);
  if (ext === '.mjs') return true;
  if (ext !== '.js' && ext !== '') return false;
  for (let d = pathDirname(script); ; d = pathDirname(d)) {
    let text;
    try {
      text = readFileSync(pathJoin(d, 'package.json'), 'utf8');
    } catch (e) {
      text = null;
    }
    if (text !== null) {
      try {
        const pkg = JSONParse(text);
        return pkg !== null && typeof pkg === 'object' && pkg.type === 'module';
      } catch (e) {
        return false;
      }
    }
    if (pathDirname(d) === d) return false;
  }
}

module.exports = { createOwnFile, createFileNamer, nearestPackageName, isModuleScript, SHIM_DIR };
