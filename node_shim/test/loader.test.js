'use strict';
// Which compiled files may call import() (lib/loader.js's mayImport): the test that registers the
// module hooks before a package's import() loads the app's own ES modules.

const test = require('node:test');
const assert = require('node:assert');
const { mayImport } = require('../lib/loader');

test('import( in code or in a string may load a module', () => {
  for (const source of [
    "const m = await import('./r.mjs');",
    'module.exports = (p) => import(p)',
    "const f = new Function('p', 'return import(p)');",
    'const f = `return import(${x})`;',
    "#!/usr/bin/env node\nreturn import('x')",
    "/* webpackIgnore: true */ import('x')",
    "/* a */ x(); /* b */ import('y')",
    " */ import('y')",
    "f(); // a comment after code counts: import('x')",
  ]) assert.strictEqual(mayImport(source), true, source);
});

test('import( in a comment line, or as another name, does not', () => {
  for (const source of [
    "'use strict';\n\n/** @type {import('.')} */\nmodule.exports = Object;",
    "const cached = /** @type {import('.').AsyncFunctionConstructor} */ (f);",
    "/**\n * @param {import('./list.d.ts').Node} node\n */\nfunction get(node) {}",
    "// import('x')\nx.import('y'); a?.import(1); reimport(2); $import(3)",
    'export default import.meta.url;',
  ]) assert.strictEqual(mayImport(source), false, source);
});
