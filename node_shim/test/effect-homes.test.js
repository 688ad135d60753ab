'use strict';
// lib/effect-homes.js: an object reached through several variables has one home, the first free
// variable an effect reaches it through, or the variable it was stored in when made.

const test = require('node:test');
const assert = require('node:assert');
const { createHomes } = require('../lib/effect-homes');

const at = (line) => ({ file: 'app.js', line, column: 0 });
const declared = new Map(); // line -> one declaration object, as one site keeps it
/** An effect site whose member part starts from variable `root` declared at line `line`. */
const site = (root, line, free = true) => {
  if (!declared.has(line)) declared.set(line, at(line));
  return { v: free ? { name: root } : null, m: { root, declared: declared.get(line), owner: 'f0', chain: ['f0'] } };
};

test('the first free variable is the home; another variable records on it', () => {
  const homes = createHomes();
  const socket = {};
  assert.strictEqual(homes.of(socket, site('gifsocket', 3)), null);
  assert.strictEqual(homes.of(socket, site('gifsocket', 3)), null); // at home already
  const other = homes.of(socket, site('sock', 9));
  assert.deepStrictEqual(other, { root: 'gifsocket', declared: at(3), owner: 'f0', chain: ['f0'] });
});

test('a parameter establishes no home; primitives have none', () => {
  const homes = createHomes();
  const req = {};
  assert.strictEqual(homes.of(req, site('req', 5, false)), null);
  assert.strictEqual(homes.of(req, site('r', 6)), null); // the first free variable after all
  assert.strictEqual(homes.of(42, site('n', 7)), null);
});

test('an object made by new is at home in the variable it is stored in', () => {
  const homes = createHomes();
  const counter = {};
  homes.birth(counter, site('counter', 2).m);
  homes.birth(counter, site('again', 4).m); // born once
  assert.strictEqual(homes.of(counter, site('this', 8)).root, 'counter');
});
