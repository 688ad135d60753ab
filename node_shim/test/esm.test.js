'use strict';
// ES modules: which top levels can be wrapped in a block (lib/instrument-esm.js), which files are
// instrumented (lib/files.js), the main thread's answer to the hooks (lib/esm.js), and module
// programs that mean the same traced (the shim preloaded in a node child) as untraced.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const acorn = require('acorn');
const { wrappable } = require('../lib/instrument-esm');
const { createFileNamer, isModuleScript } = require('../lib/files');
const esm = require('../lib/esm');

const SHIM = path.join(__dirname, '..', 'index.js');
const never = () => false;

function body(source, blockClash = never) {
  const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const statements = wrappable(ast.body, blockClash);
  return statements === null ? null : statements.map((st) => source.slice(st.start, st.end));
}

test('a module that exports none of its own names is wrapped after its imports', () => {
  assert.deepStrictEqual(body("import a from 'a';\nexport * from 'b';\nconst x = a;\nconsole.log(x);"),
    ['const x = a;', 'console.log(x);']);
  assert.deepStrictEqual(body("'use strict';\nexport { y } from 'c';\nf();"), ['f();']);
});

test('a module that exports its own names, or imports between statements, is not wrapped', () => {
  assert.strictEqual(body('export const x = 1;\nf();'), null);
  assert.strictEqual(body('const x = 1;\nexport { x };'), null);
  assert.strictEqual(body('f();\nexport default 3;'), null);
  assert.strictEqual(body("f();\nimport a from 'a';"), null);
  assert.strictEqual(body("import a from 'a';"), null); // no code at all
  assert.strictEqual(body('f();', () => true), null); // declarations that clash in a block
});

test('own files are those under the root outside node_modules, and included packages', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-files-'));
  fs.mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
  fs.writeFileSync(path.join(root, 'node_modules', 'dep', 'package.json'), '{"name": "dep"}');
  const plain = createFileNamer({ root, base: root, include: new Set() });
  const included = createFileNamer({ root, base: path.join(root, 'bin'), include: new Set(['dep']) });
  assert.strictEqual(plain(path.join(root, 'lib', 'a.mjs')), 'lib/a.mjs');
  assert.strictEqual(plain(path.join(root, 'node_modules', 'dep', 'i.js')), null);
  assert.strictEqual(plain(path.join(path.dirname(root), 'other.mjs')), null);
  assert.strictEqual(plain(path.join(__dirname, '..', 'lib', 'esm.js')), null); // the shim's own
  assert.strictEqual(included(path.join(root, 'node_modules', 'dep', 'i.js')), '../node_modules/dep/i.js');
  fs.rmSync(root, { recursive: true });
});

test('a script is an ES module by its extension, or by the type of its nearest package.json', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-files-'));
  fs.mkdirSync(path.join(root, 'esm', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'esm', 'package.json'), '{"type": "module"}');
  fs.writeFileSync(path.join(root, 'package.json'), '{"name": "app"}');
  assert.strictEqual(isModuleScript(path.join(root, 'server.mjs')), true);
  assert.strictEqual(isModuleScript(path.join(root, 'server.js')), false);
  assert.strictEqual(isModuleScript(path.join(root, 'esm', 'lib', 'server.js')), true);
  assert.strictEqual(isModuleScript(path.join(root, 'esm', 'server.cjs')), false);
  fs.rmSync(root, { recursive: true });
});

test('the answer to the hooks is the instrumented code, or null for a module left as it is', () => {
  const loader = { transformModule: (source, filename, url) => (filename === '/a.mjs' ? `/*${url}*/${source}` : source) };
  const ask = (filename) => ({ id: 7, url: `file://${filename}`, filename, source: 'f();' });
  const warnings = [];
  const warn = (text) => warnings.push(text);
  assert.deepStrictEqual(esm.answer(loader, ask('/a.mjs'), warn), { id: 7, code: '/*file:///a.mjs*/f();' });
  assert.deepStrictEqual(esm.answer(loader, ask('/b.mjs'), warn), { id: 7, code: null });
  const failing = { transformModule: () => { throw new Error('boom'); } };
  assert.deepStrictEqual(esm.answer(failing, ask('/a.mjs'), warn), { id: 7, code: null });
  assert.deepStrictEqual(warnings, ['/a.mjs: not instrumented: shim failure: boom']);
});

// Module programs: files written into a folder, `main.mjs` run by node untraced and traced.
const PROGRAMS = {
  'top-level await, for await and a rejected await in try': {
    'main.mjs': `
      const log = (...a) => console.log(...a);
      const v = await Promise.resolve(1);
      for await (const x of [2, 3]) log('loop', x);
      try { await Promise.reject(new Error('no')); } catch (e) { log('caught', e.message); }
      finally { log('finally', v); }
      log(typeof this, import.meta.url.endsWith('/main.mjs'));`,
  },
  'exports, live bindings and a default export': {
    'counter.mjs': `
      export let count = 0;
      export function bump() { count++; return count; }
      export default class Box { constructor(v) { this.v = v; } }
      export { count as total };`,
    'main.mjs': `
      import Box, { count, bump, total } from './counter.mjs';
      console.log(count, bump(), count, total, new Box(4).v);`,
  },
  'an import cycle calls an exported function before its module ran': {
    'a.mjs': `
      import { fromB } from './b.mjs';
      export function shout(s) { return s.toUpperCase(); }
      console.log('a ran', fromB);`,
    'b.mjs': `
      import { shout } from './a.mjs';
      export const fromB = shout('b first');
      console.log('b ran');`,
    'main.mjs': "import './a.mjs';",
  },
  'a throwing top level, caught by a dynamic import': {
    'bad.mjs': "export const x = 1;\nthrow new Error('bad module');",
    'main.mjs': `
      try { await import('./bad.mjs'); } catch (e) { console.log('caught', e.message); }
      setTimeout(function later() { console.log('later'); }, 1);`,
  },
  'CommonJS and ES modules importing each other': {
    'c.cjs': "exports.n = 2;\nexports.load = () => import('./d.mjs').then((m) => m.d);",
    'd.mjs': "import { createRequire } from 'node:module';\nexport const d = createRequire(import.meta.url)('./c.cjs').n * 2;",
    'main.mjs': "import c from './c.cjs';\nconsole.log(c.n, await c.load());",
  },
};

/** Run `main` in `dir`, untraced or traced (then `dump` is what the shim recorded). */
function runIn(dir, traced, main = 'main.mjs', extra = {}) {
  const env = {};
  for (const key of Object.keys(process.env)) if (!key.startsWith('JITFLUX_')) env[key] = process.env[key];
  const args = traced ? ['--require', SHIM, main] : [main];
  const dump = path.join(dir, '..', `${path.basename(dir)}.dump.json`);
  if (traced) Object.assign(env, { JITFLUX_ROOT: dir, JITFLUX_DUMP: dump }, extra);
  const out = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 20000 });
  const result = { status: out.status, stdout: out.stdout, stderr: out.stderr.replace(/\(node:\d+\)/g, '(node:PID)') };
  if (!traced) return { result, dump: null };
  const data = JSON.parse(fs.readFileSync(dump, 'utf8'));
  fs.rmSync(dump);
  return { result, dump: data };
}

/** The rupture points of a dump as `type callee caller -> callback`, functions by file and name. */
function points(dump) {
  const name = (id) => {
    const fn = dump.functions.find((f) => f.id === id);
    return `${fn.file}:${fn.name || fn.kind}`;
  };
  return dump.rupture_points.map((r) => `${r.type} ${r.callee} ${name(r.caller)} -> ${name(r.callback)}`).sort();
}

for (const [name, files] of Object.entries(PROGRAMS)) {
  test(`module programs mean the same traced: ${name}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
    const plain = runIn(dir, false).result;
    const { result, dump } = runIn(dir, true);
    fs.rmSync(dir, { recursive: true });
    assert.strictEqual(plain.status, 0, plain.stderr);
    assert.deepStrictEqual(result, plain);
    assert.deepStrictEqual(Object.keys(dump.sources).sort(), Object.keys(files).sort());
    assert.deepStrictEqual(dump.warnings, []);
  });
}

test("a module's top level that throws ends its part: the importer's code after await is its own", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = PROGRAMS['a throwing top level, caught by a dynamic import'];
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const { dump } = runIn(dir, true);
  fs.rmSync(dir, { recursive: true });
  assert.deepStrictEqual(points(dump), [
    'post await main.mjs:toplevel -> main.mjs:toplevel',
    'post setTimeout main.mjs:toplevel -> main.mjs:later',
    'post then main.mjs:toplevel -> bad.mjs:toplevel',
  ]);
});

test('a CommonJS app gets the hooks before its first file with import() runs, after a library used import()', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = {
    'node_modules/lib/index.js': "module.exports = () => import('node:path').then((p) => p.sep);",
    'main.cjs': "require('lib')().then((sep) => { console.log('sep', sep); require('./helper.cjs').load().then(console.log); });",
    'helper.cjs': "exports.load = () => import('./late.mjs').then((m) => m.value());",
    'late.mjs': "export function value() { return `late ${typeof import.meta.url}`; }",
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const plain = runIn(dir, false, 'main.cjs').result;
  const { result, dump } = runIn(dir, true, 'main.cjs');
  fs.rmSync(dir, { recursive: true });
  assert.strictEqual(plain.stdout, 'sep /\nlate string\n');
  assert.deepStrictEqual(result, plain);
  assert.deepStrictEqual(Object.keys(dump.sources).sort(), ['helper.cjs', 'late.mjs', 'main.cjs']);
  assert.ok(dump.functions.some((f) => f.name === 'value' && f.file === 'late.mjs'));
});

test('an ES module package under node_modules is instrumented only when it is included', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = {
    'node_modules/esmdep/package.json': '{"name": "esmdep", "type": "module", "exports": "./index.js"}',
    'node_modules/esmdep/index.js': 'export function twice(x) { return x * 2; }',
    'main.mjs': "import { twice } from 'esmdep';\nconsole.log(twice(21));",
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const own = runIn(dir, true);
  const included = runIn(dir, true, 'main.mjs', { JITFLUX_INCLUDE: 'esmdep' });
  fs.rmSync(dir, { recursive: true });
  assert.strictEqual(own.result.stdout, '42\n');
  assert.deepStrictEqual(included.result, own.result);
  assert.deepStrictEqual(Object.keys(own.dump.sources), ['main.mjs']);
  assert.deepStrictEqual(Object.keys(included.dump.sources).sort(), ['main.mjs', 'node_modules/esmdep/index.js']);
});

test('an ES module loaded by require() (Node 20.19+) is instrumented, its stack frames as untraced', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = {
    'main.cjs': "const m = require('./lib.mjs');\nconsole.log(m.where());",
    'lib.mjs': "export function where() { return new Error('here').stack.split('\\n')[1].trim(); }",
  };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const plain = runIn(dir, false, 'main.cjs').result;
  const { result, dump } = runIn(dir, true, 'main.cjs');
  fs.rmSync(dir, { recursive: true });
  assert.match(plain.stdout, /^at Module\.where \(file:\/\/.*\/lib\.mjs:1:34\)\n$/);
  assert.deepStrictEqual(result, plain);
  assert.deepStrictEqual(Object.keys(dump.sources).sort(), ['lib.mjs', 'main.cjs']);
  assert.deepStrictEqual(dump.warnings, []);
});

test('modules are numbered in the order Node asked for them, not the order their loads finished', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = {
    // Hooks of the app's own, registered before the shim's: the load of a.mjs finishes last.
    'slow.mjs': "export async function load(url, context, next) {\n  if (url.endsWith('/a.mjs')) await new Promise((r) => setTimeout(r, 300));\n  return next(url, context);\n}",
    'slow.cjs': "require('node:module').register(require('node:url').pathToFileURL(__dirname + '/slow.mjs'));",
    'a.mjs': 'export function fromA() { return "a"; }',
    'b.mjs': 'export function fromB() { return "b"; }',
    'main.mjs': "import { fromA } from './a.mjs';\nimport { fromB } from './b.mjs';\nconsole.log(fromA() + fromB());",
  };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const dump = path.join(dir, 'dump.json');
  const env = { ...process.env, JITFLUX_ROOT: dir, JITFLUX_DUMP: dump };
  const out = spawnSync(process.execPath, ['--require', path.join(dir, 'slow.cjs'), '--require', SHIM, 'main.mjs'],
    { cwd: dir, env, encoding: 'utf8', timeout: 20000 });
  const data = JSON.parse(fs.readFileSync(dump, 'utf8'));
  fs.rmSync(dir, { recursive: true });
  assert.strictEqual(out.stdout, 'ab\n', out.stderr);
  const number = (name) => Number(data.functions.find((f) => f.name === name).id.slice(1));
  assert.ok(number('fromA') < number('fromB'), JSON.stringify(data.functions));
});

test('a .js file of module syntax with no type, required (Node 20.19+ detects it), is instrumented as a module', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitflux-esm-'));
  const files = {
    'package.json': '{"name": "typeless"}',
    'detected.js': "export function where() { return new Error('here').stack.split('\\n')[1].trim(); }",
    'main.cjs': "console.log(require('./detected.js').where());",
  };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const plain = runIn(dir, false, 'main.cjs').result;
  const { result, dump } = runIn(dir, true, 'main.cjs');
  fs.rmSync(dir, { recursive: true });
  assert.match(plain.stdout, /^at Module\.where \(file:\/\/.*\/detected\.js:1:34\)\n$/);
  assert.deepStrictEqual(result, plain);
  assert.deepStrictEqual(Object.keys(dump.sources).sort(), ['detected.js', 'main.cjs']);
  assert.deepStrictEqual(dump.warnings, []);
});
