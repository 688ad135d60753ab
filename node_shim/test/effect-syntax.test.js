'use strict';
// lib/effect-syntax.js: member chains and their paths, destructuring targets, and the calls whose
// text V8 may print in an error message.

const test = require('node:test');
const assert = require('node:assert');
const E = require('../lib/effect-syntax');
const { parse, walk } = require('../lib/syntax');

const expression = (source) => parse(`(${source});`).body[0].expression;

test('a member chain has a root, a path with computed keys as [*], and its static keys', () => {
  const node = expression('req.body[0].items[k]');
  assert.strictEqual(E.chainRoot(node).name, 'req');
  assert.strictEqual(E.pathOf(node, 'req'), 'req.body[*].items[*]');
  let privateMember = null;
  walk(parse('class K { #count = 0; m() { return this.#count; } }'), (n) => {
    if (n.type === 'MemberExpression') privateMember = n;
  });
  assert.strictEqual(E.pathOf(privateMember, 'this'), 'this.#count');
  assert.deepStrictEqual(E.staticKeys(expression('a.b[0].c')), ['b', '0', 'c']);
  assert.strictEqual(E.staticKeys(node), null);
  assert.strictEqual(E.chainRoot(expression('f().x')), null);
  assert.strictEqual(E.hasOptional(expression('a?.b.c').expression), true); // inside its ChainExpression
  assert.strictEqual(E.hasOptional(expression('a.b.c')), false);
});

test('a destructuring pattern writes to its names and members', () => {
  const ids = [];
  const members = [];
  E.patternTargets(expression('[a, { b, c: o.p, ...rest }, d = 1] = x').left, ids, members);
  assert.deepStrictEqual(ids.map((n) => n.name), ['a', 'b', 'rest', 'd']);
  assert.deepStrictEqual(members.map((n) => E.pathOf(n, 'o')), ['o.p']);
});

test('calls inside a callee, a for-of iterable or a spread are those V8 may print', () => {
  const ast = parse('f(x)(y); for (const v of g(z)) {} h(...k(w)); m(n(1));');
  const printed = [...E.printedCalls(ast)].map((node) => node.callee.name || node.callee.callee.name);
  assert.deepStrictEqual(printed.sort(), ['f', 'g', 'k']);
});

test('line starts count every line terminator JavaScript knows', () => {
  assert.deepStrictEqual(E.lineStarts('a\nb\r\nc\rd\u2028e'), [0, 2, 5, 7, 9]);
  assert.strictEqual(E.calleeText('(a . b\n .c(1));', expression('a . b\n .c(1)')), 'a.b.c');
});
