'use strict';
// The effect transform's visitors of instances (mixed into effects.js's Instrumenter): where an
// object is made (`new`), reads through `this`, and what the runtime needs to find an instance's
// home.

const { pathOf } = require('./effect-syntax');

/** Births and `this`: methods of the Instrumenter (`this` is one). */
class InstanceVisitors {
  /**
   * `var counter = new Counter()`, `x = new X()`: the object's birth, named by the variable it
   * is stored in (`RT.n(7,new Counter())`), so that effects through `this` land on `counter`.
   */
  birth(node, parent) {
    let id = null;
    if (!parent || this.chainDepth) return;
    if (parent.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') {
      id = parent.id;
    } else if (parent.type === 'AssignmentExpression' && parent.right === node && parent.operator === '=' &&
        parent.left.type === 'Identifier') {
      id = parent.left;
    }
    if (id === null) return;
    const ref = this.refs.get(id);
    const v = ref ? this.variable(ref) : null;
    if (!v || v.undeclared) return;
    const m = {
      op: 'new', path: v.name, root: v.name, declared: v.declared, owner: v.owner, chain: this.chain(v.owner),
    };
    const site = this.site('new', node, { v: null, m });
    this.edits.wrap(node, `${this.rt}.n(${site},`, ')');
  }

  /**
   * `this.count` read (not written, not called, not the object of a longer path): a read of
   * the instance, which the runtime resolves to where the object was made (`RT.t(7,this).count`).
   */
  thisRead(node, parent) {
    if (this.freshThis || this.chainDepth || !parent) return;
    if (parent.type === 'MemberExpression' && parent.object === node) return;
    if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) return;
    if (parent.type === 'AssignmentExpression' && parent.left === node) return;
    if (parent.type === 'UpdateExpression') return;
    if (parent.type === 'UnaryExpression' && parent.operator === 'delete') return;
    if ((parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === node) return;
    if (parent.type === 'TaggedTemplateExpression' && parent.tag === node) return;
    const root = this.rootOf(node.object, false);
    if (!root) return;
    const id = this.site('this', node, { v: null, m: { op: 'this', path: pathOf(node, 'this'), ...root.m } });
    this.edits.wrap(node.object, `${this.rt}.t(${id},`, `${this.newTarget()})`);
  }

  /**
   * `,this` (or `,self` for `const self = this`) when a path through `this` goes deeper than
   * `this` itself (`this.items.set(k, v)`): the runtime finds the instance's home from it.
   */
  instanceRoot(owner, root, object) {
    if (owner.m.root !== 'this' || object === root) return '';
    return root.type === 'ThisExpression' ? ',this' : `,${root.name}`;
  }

  /** `,new.target` where `this` may be an object being built by this very call, else ''. */
  newTarget() {
    const fn = this.current.node;
    return fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression' ? ',new.target' : '';
  }
}

module.exports = { InstanceVisitors };
