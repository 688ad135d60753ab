'use strict';
// Written and loaded while Array.prototype.push and the others are wrapped by server.js.
const seen = new Map();
const items = [];

async function add(key) {
  const count = (seen.get(key) || 0) + 1;
  seen.set(key, count);
  items.push(key);
  return count;
}

function remember(n) {
  return Promise.resolve(n).then((v) => [v].concat(items.slice(-2)));
}

function size() {
  return Math.max.apply(null, [seen.size, 0]);
}

function list() {
  return items.map((x) => x.toUpperCase.call(x));
}

module.exports = { add, remember, size, list };
