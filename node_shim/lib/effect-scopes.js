'use strict';
// The effect transform's scope tracking (mixed into effects.js's Instrumenter): what a name
// refers to, which function owns it, the root of an object path, and the chain of functions
// around an owner. eslint-scope's analysis is read here, never walked again.

const { FUNCTION_TYPES } = require('./effect-syntax');

// The CommonJS wrapper's parameters: module plumbing, not shared state.
const CJS_NAMES = new Set(['require', 'module', 'exports', '__filename', '__dirname']);

/** Resolution of names and roots: methods of the Instrumenter (`this` is one). */
class ScopeResolution {
  /**
   * What a reference names: null when it cannot be told statically (inside `with`, implicit
   * `arguments`), {undeclared, name} for a global, else the variable, its declaration, the
   * function that owns it and whether it is local to the function being walked.
   */
  variable(ref) {
    const name = ref.identifier.name;
    let variable = ref.resolved;
    for (let s = ref.from; s; s = s.upper) {
      if (s.type === 'with') return null;
      if (variable ? s === variable.scope : false) break;
      // A direct eval makes eslint-scope leave every name of the enclosing scopes unresolved;
      // the eval itself is recorded as unknown, the static answer is still right for the rest.
      if (!variable && s.type !== 'global' && s.set.has(name)) {
        variable = s.set.get(name);
        break;
      }
    }
    if (!variable || variable.scope.type === 'global') return { undeclared: true, name };
    if (variable.defs.length === 0) return null;
    const ownerNode = ownerFunction(variable.scope);
    const ownerId = ownerNode.type === 'Program' ? this.ctx.toplevelId : this.ctx.functionIdOf(ownerNode);
    const def = variable.defs[0];
    return {
      undeclared: false,
      name,
      variable,
      declared: (this.links && this.links.declared(variable, def)) || this.loc(def.name.start),
      owner: ownerId,
      local: ownerNode === this.current.node,
      param: def.type === 'Parameter',
    };
  }

  /**
   * The root of an object path or a called name: `this`, a parameter, a free variable, an
   * undeclared global (only when `globals`), or a local alias of one of those. Returns the name
   * to print, the variable part (a read of the root when it is free) and the member part's
   * declaration, owner and ownership rule; null when the object is the function's own.
   */
  rootOf(node, globals) {
    if (node.type === 'ThisExpression') {
      if (this.freshThis) return null;
      return { name: 'this', v: null, m: { root: 'this', declared: null, owner: null, always: true, chain: null } };
    }
    const ref = this.refs.get(node);
    if (!ref) return null;
    const v = this.variable(ref);
    if (!v) return null;
    if (v.undeclared) {
      if (!globals || CJS_NAMES.has(v.name)) return null;
      return { name: v.name, v: null, m: { root: v.name, declared: null, owner: null, always: true, chain: null } };
    }
    if (v.local && !v.param) return this.aliasOf(v);
    const m = { root: v.name, declared: v.declared, owner: v.owner, always: v.param, chain: this.chain(v.owner) };
    return { name: v.name, v: v.local ? null : this.varPart(v, true, false), m };
  }

  /** `const r = req`: a local never written again, initialised with a root; else null. */
  aliasOf(v) {
    const variable = v.variable;
    const def = variable.defs[0];
    if (variable.defs.length !== 1 || def.type !== 'Variable' || def.node.id !== def.name) return null;
    const init = def.node.init;
    if (!init || (init.type !== 'Identifier' && init.type !== 'ThisExpression')) return null;
    if (variable.references.some((r) => r.isWrite() && !r.init)) return null;
    const target = this.rootOf(init, false);
    if (!target) return null;
    // The alias itself is local: only the member part is kept, under the aliased root's name.
    return { name: target.name, v: null, m: target.m };
  }

  /** A read and/or write of variable `v`, with what the runtime needs to decide ownership. */
  varPart(v, read, write) {
    return {
      name: v.name,
      read,
      write,
      declared: v.undeclared ? null : v.declared,
      owner: v.undeclared ? null : v.owner,
      chain: v.undeclared ? null : this.chain(v.owner),
    };
  }

  /** The owner's id and those of the functions around it: a part owns what any of them owns. */
  chain(ownerId) {
    let chain = this.chains.get(ownerId);
    if (!chain) {
      const at = this.stack.findIndex((f) => f.id === ownerId);
      chain = this.stack.slice(0, at + 1).map((f) => f.id).reverse();
      this.chains.set(ownerId, chain);
    }
    return chain;
  }
}

/** The function node (or Program) whose scope holds the variables of `scope`. */
function ownerFunction(scope) {
  let s = scope;
  while (s.upper && !FUNCTION_TYPES.has(s.block.type) && s.block.type !== 'Program') s = s.upper;
  return s.block;
}

module.exports = { ScopeResolution, CJS_NAMES };
