'use strict';
// Ownership: a part owns a variable (or an object's home) when the function that runs it is the
// variable's owner or nested in it. effect-scopes.js computes each owner's chain at instrumentation
// ([owner id, its parent's id, ..., the top level's id]); the chain of an undeclared variable or
// a per-request object is null, which no part owns.

const { ArrayPrototypeIncludes } = require('../primordials');

/** Whether a function whose own chain of owners is `chain` belongs to `part`. */
function owns(part, chain) {
  return chain !== null && ArrayPrototypeIncludes(chain, part);
}

module.exports = { owns };
