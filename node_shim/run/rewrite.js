'use strict';
// `jitflux run`: rewrite a module so that each placed fluxion's function can execute in a
// worker. The function keeps its place and signature on the main thread, but its body becomes a
// call of the run runtime (`__jfxRun.call`) that receives:
//   - the original function (run on the main thread while probing, or when the move fails),
//   - a getter of its free variables (the module's, which make the fluxion's context, and the
//     enclosing function's, which travel with each message),
//   - a factory of its continuations that live on the main thread (the stream targets of the
//     placement), rebuilt in the function's scope with the locals the worker streams back.
// The worker gets the function's source with those continuations replaced by stubs that send a
// message. What is not supported is reported as a reason, and the function is left as it was.

const { KEYS } = require('eslint-visitor-keys');
const { isFunction, parse, analyzeScopes } = require('../lib/syntax');

/** Every node with its parent, in source order. */
function nodesAndParents(ast) {
  const parents = new Map();
  const nodes = [];
  (function visit(node, parent) {
    parents.set(node, parent);
    nodes.push(node);
    for (const key of KEYS[node.type] || []) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach((c) => c && visit(c, node));
      else if (child && typeof child.type === 'string') visit(child, node);
    }
  })(ast, null);
  return { parents, nodes };
}

const inside = (node, outer) => node.start >= outer.start && node.end <= outer.end;

/** How the worker part uses a variable: 'call' (`v(...);` result unused), 'write' (`v.p = e`),
 * 'read' (anything else), 'assign' (`v = e`). */
function useOf(ref, parents) {
  const id = ref.identifier;
  if (ref.isWrite()) return 'assign';
  const parent = parents.get(id);
  if (parent && parent.type === 'CallExpression' && parent.callee === id
    && parents.get(parent) && parents.get(parent).type === 'ExpressionStatement') return 'call';
  if (parent && parent.type === 'MemberExpression' && parent.object === id && !parent.computed) {
    const grand = parents.get(parent);
    if (grand && grand.type === 'AssignmentExpression' && grand.left === parent && grand.operator === '=') {
      return 'write';
    }
  }
  return 'read';
}

function roleOf(uses) {
  if (uses.size === 0) return 'carry';
  if (uses.size === 1 && uses.has('call')) return 'call';
  if (uses.size === 1 && uses.has('write')) return 'write';
  return 'value';
}

/** The plan of one target: what the worker runs and what the main thread keeps, or a reason. */
function plan(source, f, kNodes, wNodes, scopes, parents, nodes, listeners = new Set()) {
  if (f.generator) return { reason: 'a generator (not supported yet)' };
  const arrow = f.type === 'ArrowFunctionExpression';
  for (const p of f.params) {
    if (p.type !== 'Identifier') return { reason: 'its parameters are patterns (not supported yet)' };
  }
  const inK = (node) => kNodes.some((k) => inside(node, k));
  // The function a node belongs to: `this`, `arguments` and `return` are those of the nearest
  // enclosing non-arrow function (`return`: of the nearest function).
  const owner = (node, arrows) => {
    let best = null;
    for (const g of nodes) {
      if (isFunction(g) && g !== node && inside(node, g) && (arrows || g.type !== 'ArrowFunctionExpression')
        && (!best || inside(g, best))) best = g;
    }
    return best;
  };
  for (const node of nodes) {
    if (!inside(node, f) || node === f || inK(node)) continue;
    const self = node.type === 'ThisExpression' ? owner(node, false) : null;
    if (node.type === 'ThisExpression' && (!self || self === f || !inside(self, f))) {
      return { reason: 'it uses `this` (not supported yet)' };
    }
    // The shell answers at once, with undefined: a caller that uses the value would not get it
    // (an async function's promise is kept: the shell's settles with the worker's value).
    if (!f.async && node.type === 'ReturnStatement' && node.argument && owner(node, true) === f) {
      return { reason: 'it returns a value, which its caller may use (not supported yet)' };
    }
  }
  if (!f.async && arrow && f.body.type !== 'BlockStatement') {
    return { reason: 'it returns a value, which its caller may use (not supported yet)' };
  }
  const fScope = scopes.acquire(f, true);
  const own = (variable) => variable.scope.block === f || inside(variable.scope.block, f);
  const free = new Map(); // name -> {uses, module}
  const streamed = new Set(); // f's own variables the main-side continuations read
  for (const scope of scopes.scopes) {
    if (!inside(scope.block, f)) continue;
    const onMain = inK(scope.block);
    for (const ref of scope.references) {
      const variable = ref.resolved;
      const name = ref.identifier.name;
      // F's own `arguments` would hold the stand-ins, and only the declared parameters travel;
      // an arrow's is its enclosing function's.
      if (!onMain && name === 'arguments' && variable && variable.defs.length === 0
        && (variable.scope === fScope || !own(variable))) {
        return { reason: 'it uses `arguments` (not supported yet)' };
      }
      if (!variable) continue; // a global: the worker has its own
      if (onMain) {
        if (variable.scope === fScope) streamed.add(name);
        else if (own(variable) && !inK(variable.scope.block)) {
          return { reason: `a continuation reads ${name}, a block variable of the fluxion (not supported yet)` };
        }
        continue;
      }
      if (own(variable)) continue;
      const entry = free.get(name) || { uses: new Set(), module: variable.scope.block.type === 'Program' };
      entry.uses.add(useOf(ref, parents));
      free.set(name, entry);
    }
  }
  const params = f.params.map((p) => p.name);
  const paramRoles = params.map((name) => {
    const variable = fScope.set.get(name);
    const uses = new Set();
    for (const ref of variable ? variable.references : []) {
      if (!inK(ref.identifier)) uses.add(useOf(ref, parents));
    }
    if (uses.has('assign')) return 'value';
    return roleOf(uses);
  });
  const context = [];
  const stream = [];
  for (const [name, entry] of free) {
    if (entry.uses.has('assign')) {
      if (!entry.module) return { reason: `it assigns ${name}, a variable of the enclosing function` };
      context.push({ name, role: 'value', written: true });
    } else {
      (entry.module ? context : stream).push({ name, role: roleOf(entry.uses), written: false });
    }
  }
  // The worker's source: the continuations kept on main become stubs that stream back the
  // locals they read; those that run in the worker are wrapped, for the task to wait for them.
  const locals = [...streamed];
  const streamGetter = locals.map((n) => `${JSON.stringify(n)}: ${n}`).join(', ');
  const edits = [
    ...kNodes.map((k, i) => ({ start: k.start, end: k.end, text: `__jfxK(${i}, function () { return { ${streamGetter} }; })` })),
    ...wNodes.map((w) => ({ start: w.start, end: w.start, text: listeners.has(w) ? '__jfxL(' : '__jfxW(' })),
    ...wNodes.map((w) => ({ start: w.end, end: w.end, text: ')' })),
  ].sort((a, b) => b.start - a.start || b.end - a.end);
  let workerSrc = source.slice(f.start, f.end);
  for (const e of edits) {
    workerSrc = workerSrc.slice(0, e.start - f.start) + e.text + workerSrc.slice(e.end - f.start);
  }
  // The main thread's shell: same kind, name and parameters (an arrow stays an arrow, an async
  // function async), the original kept for local runs.
  const name = f.id ? f.id.name : '';
  const list = params.join(', ');
  const kind = f.async ? 'async ' : '';
  const head = arrow ? `${kind}(${list}) =>` : `${kind}function ${name}(${list})`;
  const declared = locals.filter((n) => !params.includes(n) && n !== name);
  const getter = [...context, ...stream].map((v) => `${JSON.stringify(v.name)}: ${v.name}`).join(', ');
  const assign = locals.map((n) => `if (${JSON.stringify(n)} in __jfx_v) ${n} = __jfx_v[${JSON.stringify(n)}];`).join(' ');
  const cases = kNodes.map((k, i) => `case ${i}: return ${source.slice(k.start, k.end)};`).join(' ');
  const text = source.slice(f.body.start, f.body.end);
  const body = f.body.type === 'BlockStatement' ? text : `(${text})`;
  const shell = (id) => `${head} { ${declared.length ? `var ${declared.join(', ')}; ` : ''}`
    + `return __jfxRun.call(${id}, ${arrow ? 'undefined' : 'this'}, ${arrow ? `[${list}]` : 'arguments'}, `
    + `${head} ${body}, `
    + `function () { return { ${getter} }; }, `
    + `function (__jfx_i, __jfx_v) { ${assign} switch (__jfx_i) { ${cases} } }); }`;
  return {
    shell,
    worker: { src: workerSrc, params: paramRoles, context, stream, continuations: kNodes.length, async: f.async },
  };
}

/**
 * Rewrite `source` for the `targets` of this file ({id, line, column, continuations: [{line,
 * column}], inner: [{name, line, column}]}): continuations are kept on the main thread, inner
 * functions run in the worker. Returns {code, plans: [{id, reason} | {id, worker}]}.
 */
function rewrite(source, targets) {
  const ast = parse(source);
  const scopes = analyzeScopes(ast);
  const { parents, nodes } = nodesAndParents(ast);
  const at = new Map();
  for (const node of nodes) {
    if (isFunction(node)) at.set(`${node.loc.start.line}:${node.loc.start.column}`, node);
  }
  const plans = [];
  const edits = [];
  for (const target of targets) {
    const f = at.get(`${target.line}:${target.column}`);
    if (!f) {
      plans.push({ id: target.id, reason: `no function starts at line ${target.line}, column ${target.column}` });
      continue;
    }
    const kNodes = [];
    let missing = null;
    for (const k of target.continuations || []) {
      const node = at.get(`${k.line}:${k.column}`);
      if (node && inside(node, f) && node !== f) kNodes.push(node);
      else if (!node || !inside(node, f)) missing = missing || k;
    }
    kNodes.sort((a, b) => a.start - b.start);
    if (kNodes.some((k, i) => i > 0 && inside(k, kNodes[i - 1]))) {
      plans.push({ id: target.id, reason: 'its continuations are nested in one another (not supported yet)' });
      continue;
    }
    if (missing) {
      plans.push({ id: target.id, reason: `its downstream function at line ${missing.line} is not inside it (not supported yet)` });
      continue;
    }
    const wNodes = [];
    const listeners = new Set(); // inner functions registered as listeners
    for (const w of target.inner || []) {
      const node = at.get(`${w.line}:${w.column}`);
      if (node && node !== f && inside(node, f)) wNodes.push(node);
      else missing = missing || w;
      if (node && w.listener) listeners.add(node);
    }
    if (missing) {
      plans.push({ id: target.id, reason: `its continuation ${missing.name} is not inside it (not supported yet)` });
      continue;
    }
    if (kNodes.some((k) => wNodes.some((w) => inside(k, w)))) {
      plans.push({ id: target.id, reason: 'a continuation kept on the main thread is inside one run in the worker (not supported yet)' });
      continue;
    }
    const result = plan(source, f, kNodes, wNodes, scopes, parents, nodes, listeners);
    if (result.reason) {
      plans.push({ id: target.id, reason: result.reason });
      continue;
    }
    if (edits.some((e) => inside(f, e.node) || inside(e.node, f))) {
      plans.push({ id: target.id, reason: 'it is nested in another moved fluxion (not supported yet)' });
      continue;
    }
    edits.push({ node: f, text: result.shell(target.id) });
    plans.push({ id: target.id, worker: result.worker });
  }
  edits.sort((a, b) => b.node.start - a.node.start);
  let code = source;
  for (const edit of edits) code = code.slice(0, edit.node.start) + edit.text + code.slice(edit.node.end);
  return { code, plans };
}

module.exports = { rewrite };
