'use strict';
// Which files are instrumented, and the Module.prototype._compile hook that does it: the app's
// own files (under JITFLUX_ROOT, not under node_modules), packages named in JITFLUX_INCLUDE, and
// Express's router files (lib/express.js). A file that fails to parse, or that the shim fails on,
// is compiled as it is, with a warning.

const Module = require('module');
const { pathToFileURL } = require('url');
const instrument = require('./instrument');
const express = require('./express');
const { createExportRegistry } = require('./esm-exports');
const { createOwnFile, createFileNamer, nearestPackageName, SHIM_DIR } = require('./files');
const P = require('./primordials');

const {
  ArrayPrototypePush, ArrayPrototypeSlice, ObjectAssign, ReflectApply, RegExpPrototypeExec, StringPrototypeCharCodeAt,
  StringPrototypeIndexOf, StringPrototypeLastIndexOf, StringPrototypeStartsWith, pristine,
} = P;
// `import(` not after `.`, a word character or `$` (`x.import(`, `reimport(` are other names).
const DYNAMIC_IMPORT = /(?<![\w$.])import\s*\(/g;
const SPACE = 0x20;
const TAB = 0x09;
const STAR = 0x2a;
const SLASH = 0x2f;

/**
 * Whether the match at `at` of `content` is in a comment, as far as its line tells: the line
 * begins (after blanks) with `//` or with `*` (a JSDoc block's inner line), or a `/*` earlier on
 * the line is not closed before the match (`/** @type {import('.')} *\/`, also after code:
 * `const f = /** @type {import('.').F} *\/ (g);`).
 */
function commentLine(content, at) {
  let i = at === 0 ? 0 : StringPrototypeLastIndexOf(content, '\n', at - 1) + 1;
  const line = i;
  let c = StringPrototypeCharCodeAt(content, i);
  while (i < at && (c === SPACE || c === TAB)) c = StringPrototypeCharCodeAt(content, ++i);
  const next = StringPrototypeCharCodeAt(content, i + 1);
  if (c === SLASH && next === SLASH) return true;
  if (c === STAR && next !== SLASH) return true;
  const open = StringPrototypeLastIndexOf(content, '/*', at);
  if (open < line) return false;
  const end = StringPrototypeIndexOf(content, '*/', open + 2);
  return end === -1 || end > at;
}

/**
 * Whether `content` may call `import()`: `import(` on a line of code (in code, or in a string:
 * `new Function('p', 'return import(p)')` hides it from bundlers), not on a comment line:
 * packages are full of JSDoc types such as `/** @type {import('.')} *\/` (under every Express
 * app, through qs's side-channel and es-errors), which must not cost an app the hooks thread. A
 * comment after code on the same line counts: the doubt goes to the hooks (a useless thread
 * costs some 40 ms; a missed `import()` costs the app's modules their instrumentation). No
 * tokenizer: tokenizing the few dozen files that match took 20 to 40 ms a start-up.
 */
function mayImport(content) {
  DYNAMIC_IMPORT.lastIndex = 0;
  for (let m = RegExpPrototypeExec(DYNAMIC_IMPORT, content); m !== null; m = RegExpPrototypeExec(DYNAMIC_IMPORT, content)) {
    if (!commentLine(content, m.index)) return true;
  }
  return false;
}

/**
 * The options of instrumentation: `root` (absolute, real path: the app's own files are under
 * it), `base` (the folder file names are relative to: the traced script's), `include` (Set of
 * package names), `effects` (the effects module or null), `effectSites` (array for addSite),
 * `runtime` (lib/runtime.js's createRuntime: the runtime the instrumented code calls),
 * `recorder` (lib/recorder.js's createRecorder: where functions, sources and warnings go),
 * `stacks` (lib/stacks.js's createStacks: where rewritten files are registered) and
 * `dynamicImport` (optional: called with the file's absolute path before a file that may call
 * `import()` is compiled, any file: the app's, a package's, instrumented or not).
 */
function createLoader(options) {
  const { root, include, effects, effectSites, runtime, recorder, stacks } = options;
  // Called before a file that may load an ES module (`import(`) is compiled (lib/esm.js): any
  // file, for a package's `import()` may load the app's own ES modules (@fastify/autoload's
  // routes/*.mjs). It returns true once nothing more is to be done (the hooks are registered, or
  // cannot be): then no more source is searched.
  let dynamicImport = options.dynamicImport || null;
  const base = options.base === undefined ? root : options.base;

  const ownFile = createOwnFile(root);
  /** The file name to record for `filename` (relative to base), or null: not instrumented. */
  const fileName = createFileNamer({ root, base, include });

  const env = {
    file: null,
    runtime,
    recorder,
    effects,
    addEffectSite: (site) => ArrayPrototypePush(effectSites, site) - 1,
    exports: createExportRegistry(), // what the app's ES modules export (lib/esm-exports.js)
    warn: recorder.warn,
  };

  /**
   * Called for every file compiled through Module.prototype._compile (CommonJS, and ES modules
   * that `require()` loads), before it runs: calls dynamicImport if its source may call
   * `import()` (mayImport). Any file: a package's `import()` may load the app's own ES modules
   * (@fastify/autoload's routes/*.mjs). The shim's own files (required lazily, after the hook)
   * never load the app's modules.
   */
  function beforeCompile(content, filename) {
    if (dynamicImport === null || typeof content !== 'string' || typeof filename !== 'string') return;
    if (StringPrototypeStartsWith(filename, SHIM_DIR) || !mayImport(content)) return;
    if (dynamicImport(filename)) dynamicImport = null;
  }

  /**
   * The code to compile for `content` of `filename`; `format` is what Node passes to _compile
   * (undefined when no package.json gives the type: Node 20.19+ then runs a file that does not
   * parse as CommonJS but parses as an ES module as an ES module, and so does the shim).
   */
  function transform(content, filename, format) {
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
    const detect = format === undefined ? pathToFileURL(filename).href : null;
    return instrumentFile(content, filename, file, filename, false, detect);
  }

  /**
   * The code to evaluate for ES module `content` of `filename`, loaded from `url` (the name its
   * stack frames carry). Called for the module hooks (lib/esm.js) before the module is linked.
   */
  function transformModule(content, filename, url) {
    if (typeof content !== 'string' || typeof filename !== 'string') return content;
    const file = fileName(filename);
    if (file === null) return content;
    return instrumentFile(content, filename, file, url, true);
  }

  /**
   * Instrument `content` of `filename` (absolute path), recorded as `file`, whose frames are named
   * `frameName`; `module`: ES module.
   * `detect` (the file's URL, or null): a CommonJS file that does not parse is tried as a module.
   */
  function instrumentFile(content, filename, file, frameName, module, detect = null) {
    // Parsing runs acorn and eslint-scope: with the built-ins as they were, whatever the app has
    // replaced by now (path.relative and the like, above, use Node's own primordials).
    const attempt = (asModule) => pristine(() => instrument.instrumentSource(content, ObjectAssign({}, env, { file, module: asModule })));
    let out;
    try {
      out = attempt(module);
    } catch (e) {
      out = undefined;
      if (detect !== null && e instanceof SyntaxError) {
        try {
          out = attempt(true);
          frameName = detect;
        } catch (e2) {
          out = undefined;
        }
      }
      if (out === undefined) {
        const why = e instanceof SyntaxError ? e.message : `shim failure: ${e && e.message}`;
        recorder.warn(`${file}: not instrumented: ${why}`);
        return content;
      }
    }
    if (out === null) return content;
    for (let i = 0; i < out.functions.length; i++) recorder.addFunction(out.functions[i]);
    recorder.addSource(file, content);
    stacks.registerFile(frameName, file, content, out.inserts, ownFile(filename));
    if (out.unhooked > 0) {
      recorder.warn(`${file}: ${out.unhooked} function(s) without entry hooks (generators, or declarations that clash in a block)`);
    }
    return out.code;
  }

  return { fileName, beforeCompile, transform, transformModule };
}

function install(options) {
  const { recorder, stacks } = options;
  const loader = createLoader(options);
  const original = Module.prototype._compile;
  Module.prototype._compile = function _compile(content, filename, format) {
    let code;
    try {
      loader.beforeCompile(content, filename);
      // `require()` of an ES module (Node 20.19+) compiles it here, as `format` 'module'.
      code = format === 'module' && typeof filename === 'string'
        ? loader.transformModule(content, filename, pathToFileURL(filename).href)
        : loader.transform(content, filename, format);
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

module.exports = { install, createLoader, mayImport, nearestPackageName };
