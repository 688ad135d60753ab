'use strict';
// Reading the syntax the effect transform (effects.js) instruments: member chains and their paths,
// destructuring targets, the callee text of a call, the calls V8 may print in an error message,
// and where each line starts. Pure functions of the syntax tree and the source.

const { KEYS } = require('eslint-visitor-keys');

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** The callee of a call as the app wrote it, on one line, at most 80 characters. */
function calleeText(source, call) {
  let text = source.slice(call.callee.start, call.callee.end);
  text = text.replace(/\s*\.\s*/g, '.').replace(/\s+/g, ' ').trim();
  if (call.type === 'NewExpression') text = `new ${text}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The calls and `new` expressions whose text V8 may print in an error message: inside the callee
 * of another call, `new` or tag (`f(x)(y)`: "f(...) is not a function"), the iterable of a
 * `for of`, a spread, or an array pattern (`for (x of f(y))`: "f is not a function or its
 * return value is not iterable"). Their hooks go into their arguments, not around them.
 */
function printedCalls(ast) {
  const printed = new Set();
  const mark = (node, on) => {
    if (on && (node.type === 'CallExpression' || node.type === 'NewExpression')) printed.add(node);
    if (FUNCTION_TYPES.has(node.type) || node.type === 'ClassBody') on = false;
    for (const key of KEYS[node.type] || []) {
      const child = node[key];
      if (child === null || child === undefined) continue;
      let childOn = on;
      if ((node.type === 'CallExpression' || node.type === 'NewExpression')) childOn = key === 'callee';
      else if (node.type === 'TaggedTemplateExpression') childOn = key === 'tag';
      else if (node.type === 'ForOfStatement') childOn = key === 'right';
      else if (node.type === 'SpreadElement' || (node.type === 'YieldExpression' && node.delegate)) childOn = true;
      else if (node.type === 'VariableDeclarator') childOn = key === 'init' && node.id.type === 'ArrayPattern';
      else if (node.type === 'AssignmentExpression') childOn = key === 'right' && node.left.type === 'ArrayPattern';
      else if (/Statement|Declaration$/.test(node.type)) childOn = false;
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item.type === 'string') mark(item, childOn);
      } else if (typeof child.type === 'string') {
        mark(child, childOn);
      }
    }
  };
  mark(ast, false);
  return printed;
}

function lineStarts(source) {
  const starts = [0];
  const re = /\r\n?|\n|\u2028|\u2029/g;
  let match;
  while ((match = re.exec(source)) !== null) starts.push(match.index + match[0].length);
  return starts;
}

/** The Identifier or ThisExpression a pure member chain (`a.b[c].d`) starts from, else null. */
function chainRoot(node) {
  let n = node;
  while (n.type === 'MemberExpression') n = n.object;
  return n.type === 'Identifier' || n.type === 'ThisExpression' ? n : null;
}

/**
 * The property keys from the root of a member chain to its end (`a.b[0].c` -> ['b', '0', 'c']),
 * or null when one is computed from an expression or private (the runtime could not follow it).
 */
function staticKeys(node) {
  const keys = [];
  for (let n = node; n.type === 'MemberExpression'; n = n.object) {
    if (!n.computed && n.property.type === 'Identifier') keys.unshift(n.property.name);
    else if (n.computed && n.property.type === 'Literal' && typeof n.property.value !== 'object') keys.unshift(String(n.property.value));
    else return null;
  }
  return keys;
}

/** Whether a member chain short-circuits inside (`a?.b`): wrapping it would change that. */
function hasOptional(node) {
  for (let n = node; n.type === 'MemberExpression'; n = n.object) if (n.optional) return true;
  return false;
}

/**
 * `req.body`, `cache[*]`, `this.items`: the path as written, computed keys as `[*]`, from the
 * root's name (a local alias by the name of what it aliases: `r.body` of `const r = req` is
 * `req.body`).
 */
function pathOf(node, rootName) {
  if (node.type !== 'MemberExpression') return rootName;
  const base = pathOf(node.object, rootName);
  if (node.computed) return `${base}[*]`;
  const p = node.property;
  return `${base}.${p.type === 'PrivateIdentifier' ? '#' : ''}${p.name}`;
}

/** The identifiers and member expressions a destructuring pattern writes to. */
function patternTargets(p, ids, members) {
  switch (p.type) {
    case 'Identifier':
      ids.push(p);
      break;
    case 'MemberExpression':
      members.push(p);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternTargets(prop.type === 'RestElement' ? prop.argument : prop.value, ids, members);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) patternTargets(el, ids, members);
      break;
    case 'RestElement':
      patternTargets(p.argument, ids, members);
      break;
    case 'AssignmentPattern':
      patternTargets(p.left, ids, members);
      break;
    default:
  }
}

module.exports = {
  FUNCTION_TYPES, calleeText, printedCalls, lineStarts, chainRoot, staticKeys, hasOptional, pathOf,
  patternTargets,
};
