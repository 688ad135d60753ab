'use strict';
// A second module with its own `count`, and its own anonymous callback.
let count = 0;

function bump() {
  count++;
}

function total() {
  return count;
}

module.exports = { bump, total };
setImmediate(function () {
  count = 0;
});
