'use strict';
// What an ES module exports and imports of the app's modules (lib/esm-exports.js), and the
// registry that gives an importer's sites the exporter's declaration in either order.

const test = require('node:test');
const assert = require('node:assert');
const acorn = require('acorn');
const {
  importedFile, exportedNames, importedNames, createExportRegistry, holdersOf,
} = require('../lib/esm-exports');

const parse = (source) => acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });

test('a relative specifier names a file relative to the importer; others name none', () => {
  assert.strictEqual(importedFile('routes/add.mjs', '../lib/store.mjs'), 'lib/store.mjs');
  assert.strictEqual(importedFile('server.js', './routes/./add.mjs'), 'routes/add.mjs');
  assert.strictEqual(importedFile('a.mjs', 'express'), null);
  assert.strictEqual(importedFile('a.mjs', 'node:fs'), null);
  assert.strictEqual(importedFile('a.mjs', './b.mjs?v=1'), null);
  assert.strictEqual(importedFile('a.mjs', '/abs/b.mjs'), null);
});

test('a module exports its declarations, its named and renamed names and a default name', () => {
  const names = exportedNames(parse([
    'export const items = [], [a] = [];',
    'export function f() {}',
    'export class C {}',
    'const limit = 1;',
    'export { limit, limit as maxItems };',
    'export default limit;',
    "export * from './x.mjs';",
    "export { y } from './y.mjs';",
  ].join('\n')));
  assert.deepStrictEqual([...names], [
    ['items', 'items'], ['f', 'f'], ['C', 'C'], ['limit', 'limit'], ['maxItems', 'limit'],
    ['default', 'limit'],
  ]);
  assert.deepStrictEqual([...exportedNames(parse('export default function g() {}'))], [['default', 'g']]);
  assert.deepStrictEqual([...exportedNames(parse('export default 1 + 2;'))], []);
});

test('a module imports named and default bindings of relative modules, not namespaces or packages', () => {
  const names = importedNames(parse([
    "import { items, maxItems as max } from '../lib/store.mjs';",
    "import store from '../lib/store.mjs';",
    "import * as all from '../lib/store.mjs';",
    "import express from 'express';",
  ].join('\n')), 'routes/add.mjs');
  assert.deepStrictEqual([...names], [
    ['items', { file: 'lib/store.mjs', name: 'items' }],
    ['max', { file: 'lib/store.mjs', name: 'maxItems' }],
    ['store', { file: 'lib/store.mjs', name: 'default' }],
  ]);
});

test('the holders of sites are their objects with a declaration, two levels down', () => {
  const d = { file: 'a.mjs', line: 1, column: 9 };
  const site = { kind: 'read', declared: d, v: { name: 'x', declared: d }, m: null };
  assert.deepStrictEqual(holdersOf([site]), [site, site.v]);
});

for (const exporterFirst of [true, false]) {
  test(`an importer's holders get the exporter's declaration (exporter instrumented ${exporterFirst ? 'first' : 'last'})`, () => {
    const registry = createExportRegistry();
    const declared = { file: 'lib/store.mjs', line: 2, column: 13 };
    const table = new Map([['items', { declared, owner: 'f3', chain: ['f3'] }]]);
    const placeholder = { file: 'routes/add.mjs', line: 1, column: 9 };
    const other = { file: 'routes/add.mjs', line: 3, column: 4 };
    const v = { name: 'items', declared: placeholder, owner: 'f1', chain: ['f1'] };
    const site = { declared: placeholder, owner: 'f1', v };
    const untouched = { declared: other, owner: 'f1', chain: ['f1'] };
    const missing = { file: 'routes/add.mjs', line: 1, column: 20 };
    const unknown = { declared: missing, owner: 'f1' };
    const holders = [site, v, untouched, unknown];
    if (exporterFirst) registry.exported('lib/store.mjs', table);
    registry.imported('lib/store.mjs', 'items', placeholder, holders);
    registry.imported('lib/store.mjs', 'nothing', missing, holders);
    if (!exporterFirst) {
      assert.strictEqual(v.declared, placeholder);
      registry.exported('lib/store.mjs', table);
    }
    assert.deepStrictEqual(v, { name: 'items', declared, owner: 'f3', chain: ['f3'] });
    assert.deepStrictEqual(site, { declared, owner: 'f3', v });
    assert.deepStrictEqual(untouched, { declared: other, owner: 'f1', chain: ['f1'] });
    assert.deepStrictEqual(unknown, { declared: missing, owner: 'f1' });
  });
}
