'use strict';
// Ownership: a part owns a variable (or an object's home) when the function that runs it is the
// variable's owner or nested in it. effects.js computes each owner's chain at instrumentation
// ([owner id, its parent's id, ..., the top level's id]); the chain of an undeclared variable or
// a per-request object is null, which no part owns.

const { ArrayPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeStartsWith } = require('../primordials');

/** Whether a function whose own chain of owners is `chain` belongs to `part`. */
function owns(part, chain) {
  return chain !== null && ArrayPrototypeIncludes(chain, part);
}

/** Whether a declaration ({file}, relative to the app's folder) is in a package's file. */
function inPackage(declared) {
  const file = declared.file;
  return StringPrototypeStartsWith(file, 'node_modules/') || StringPrototypeIndexOf(file, '/node_modules/') >= 0;
}

/**
 * Whether an object's home, declared at `home`, gives way to the variable declared at `site`
 * that an effect reaches it through: a home in a package's file (a library's own variable, such
 * as the database lowdb makes and keeps) yields to a variable of the app's own files, the name
 * a user finds in the code.
 */
function movesHome(home, site) {
  return home !== null && site !== null && inPackage(home) && !inPackage(site);
}

module.exports = { owns, movesHome };
