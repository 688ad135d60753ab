// A CommonJS module imported by an ES module, which loads an ES module in its turn.
'use strict';

function greet(name) {
  return `hello ${name}`;
}

function loadModule() {
  return import('./late.mjs').then((late) => late.describe());
}

function fail() {
  throw new Error('from legacy');
}

module.exports = { greet, loadModule, fail };
