'use strict';
// Where shared objects live, for effects-runtime.js: the variable an object is first reached
// through, or the one it was stored in when made.

const P = require('./primordials');
const { movesHome } = require('./decide/ownership');

/**
 * The home of shared objects: one object reached through several variables (the gifsocket the
 * middleware factories each keep as their own parameter, an instance a method reaches as `this`)
 * is one thing to share. The first free variable an effect reaches an object through becomes its
 * home (a library's variable gives way to the app's: see decide/ownership.js's movesHome);
 * effects on it through other variables or `this` are recorded on the home. Per-request objects
 * (parameters of the function itself) establish no home.
 */
function createHomes() {
  const map = new P.SafeWeakMap(); // object -> {root, declared, owner, chain}
  return {
    /** The home to record instead of the site's own root, or null. */
    of(obj, site) {
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return null;
      const m = site.m;
      const h = P.WeakMapPrototypeGet(map, obj);
      if (h === undefined) {
        if (site.v !== null && m.declared !== null) {
          P.WeakMapPrototypeSet(map, obj, { root: m.root, declared: m.declared, owner: m.owner, chain: m.chain });
        }
        return null;
      }
      if (h.declared === m.declared) return null;
      if (site.v !== null && movesHome(h.declared, m.declared)) {
        P.WeakMapPrototypeSet(map, obj, { root: m.root, declared: m.declared, owner: m.owner, chain: m.chain });
        return null;
      }
      return h;
    },
    /** An object just made and stored in the variable of site `m` (`var counter = new C()`). */
    birth(obj, m) {
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function') || P.WeakMapPrototypeHas(map, obj)) return;
      P.WeakMapPrototypeSet(map, obj, { root: m.root, declared: m.declared, owner: m.owner, chain: m.chain });
    },
  };
}

module.exports = { createHomes };
