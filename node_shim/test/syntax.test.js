'use strict';
// lib/syntax.js: what the function table says of a function (name, kind, parameters), where the
// transform may insert (statements that clash in a block, parentheses, the hashbang line), and
// a callee as the app wrote it.

const test = require('node:test');
const assert = require('node:assert');
const S = require('../lib/syntax');

/** The functions of `source` with their parent and key, in source order. */
function functions(source) {
  const found = [];
  S.walk(S.parse(source), (node, parent, key) => {
    if (S.isFunction(node)) found.push({ node, parent, key });
  });
  return found.sort((a, b) => a.node.start - b.node.start);
}

test('a function is named by its own name, its key or its variable, and has a kind', () => {
  const source = 'function a(x, y = 1, ...rest) {}\nconst b = () => {};\nconst o = { c() {}, get d() { return 1; }, e: function () {} };\nclass K { #f() {} }\n[].map(function () {});';
  const table = functions(source).map((f) => [S.functionName(f.node, f.parent, f.key), S.functionKind(f.node, f.parent, f.key)]);
  assert.deepStrictEqual(table, [
    ['a', 'function'], ['b', 'arrow'], ['c', 'method'], ['d', 'method'], ['e', 'function'], ['#f', 'method'], ['', 'function'],
  ]);
  assert.deepStrictEqual(S.paramNames(functions(source)[0].node), ['x', 'y', 'rest']);
});

test('statements that would change meaning or not compile inside a block are told', () => {
  const body = (source) => S.parse(source).body;
  assert.strictEqual(S.blockClash(body('let a = 1; var b = 2; function f() {}')), false);
  assert.strictEqual(S.blockClash(body('function a() {} var a = 1;')), true); // var-like at the top only
  assert.strictEqual(S.blockClash(body('function f() {} function f() {}')), true);
  const fn = S.parse('function g(a) { function a() {} }').body[0];
  assert.strictEqual(S.blockClash(fn.body.body, fn.params), true);
});

test('parentheses around an expression, the directives, the hashbang and the arrow are found', () => {
  const source = 'for await (const x of ((list))) {}';
  const loop = S.parse(`async function f() { ${source} }`).body[0].body.body[0];
  const whole = `async function f() { ${source} }`;
  const [a, b] = S.parenExtent(whole, loop.right);
  assert.strictEqual(whole.slice(a, b), '((list))');
  assert.strictEqual(S.directivesEnd(S.parse("'use strict'; x();").body), 13);
  assert.strictEqual(S.directivesEnd(S.parse('x();').body), -1);
  assert.strictEqual(S.codeStart('#!/usr/bin/env node\nx()'), 20);
  assert.strictEqual(S.codeStart('x()'), 0);
  const arrow = 'const f = (a, b) /* c */ => a;';
  assert.strictEqual(arrow.slice(S.arrowEnd(arrow, S.parse(arrow).body[0].declarations[0].init)), ' a;');
});

test('a callee is written on one line, without comments, at most 80 characters', () => {
  const call = (source, comments = []) => {
    const ast = require('acorn').parse(source, { ...S.PARSE_OPTIONS, onComment: comments });
    return S.calleeText(source, ast.body[0].expression, comments);
  };
  assert.strictEqual(call('fs\n  .readFile /* read */ (f, cb)'), 'fs.readFile');
  assert.strictEqual(call('new Promise((r) => r())'), 'new Promise');
  assert.strictEqual(call(`${'a.'.repeat(60)}b()`).length, 80);
});
