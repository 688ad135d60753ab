'use strict';
// Parsing the app's files and reading their syntax trees: acorn's and eslint-scope's options, a
// walk over every node, and what a function or a call is called in the function table. Shared by
// the transform (instrument.js, effects.js) and the Express hooks (express.js).

const acorn = require('acorn');
const eslintScope = require('eslint-scope');
const { KEYS } = require('eslint-visitor-keys');

const PARSE_OPTIONS = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  locations: true,
  ranges: true, // eslint-scope reads node.range
};
// eslint-scope compares ecmaVersion with numbers: 'latest' would read as ES5.
const SCOPE_OPTIONS = {
  ecmaVersion: 2025,
  sourceType: 'script',
  nodejsScope: true,
  childVisitorKeys: KEYS,
};
// ES modules (lib/instrument-esm.js).
const MODULE_PARSE_OPTIONS = Object.assign({}, PARSE_OPTIONS, { sourceType: 'module', allowReturnOutsideFunction: false });
const MODULE_SCOPE_OPTIONS = Object.assign({}, SCOPE_OPTIONS, { sourceType: 'module', nodejsScope: false });
const MAX_CALLEE = 80;

function isFunction(node) {
  return (
    node !== null &&
    typeof node === 'object' &&
    (node.type === 'FunctionDeclaration' ||
      node.type === 'FunctionExpression' ||
      node.type === 'ArrowFunctionExpression')
  );
}

function parse(source) {
  return acorn.parse(source, PARSE_OPTIONS);
}

function analyzeScopes(ast, options = SCOPE_OPTIONS) {
  return eslintScope.analyze(ast, options);
}

/** Visit every node once, with its parent and the key it hangs from. */
function walk(root, visit) {
  const stack = [[root, null, null]];
  while (stack.length > 0) {
    const [node, parent, key] = stack.pop();
    const descend = visit(node, parent, key);
    if (descend === false) continue;
    const keys = KEYS[node.type] || Object.keys(node).filter((k) => k !== 'loc');
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const child = node[k];
      if (Array.isArray(child)) {
        for (let j = child.length - 1; j >= 0; j--) {
          const c = child[j];
          if (c && typeof c.type === 'string') stack.push([c, node, k]);
        }
      } else if (child && typeof child.type === 'string') {
        stack.push([child, node, k]);
      }
    }
  }
}

function keyName(key, computed) {
  if (computed) return '';
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key.type === 'Literal') return String(key.value);
  return '';
}

/** The name a user would give the function: own name, key, or declared variable. */
function functionName(fn, parent, key) {
  if (fn.id) return fn.id.name;
  if (!parent) return '';
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' ||
       parent.type === 'PropertyDefinition') && key === 'value') {
    return keyName(parent.key, parent.computed);
  }
  if (parent.type === 'VariableDeclarator' && key === 'init' && parent.id.type === 'Identifier') {
    return parent.id.name;
  }
  return '';
}

function functionKind(fn, parent, key) {
  if (parent && key === 'value' &&
      (parent.type === 'MethodDefinition' ||
       (parent.type === 'Property' && (parent.method || parent.kind === 'get' || parent.kind === 'set')))) {
    return 'method';
  }
  return fn.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
}

function paramNames(fn) {
  const names = [];
  for (const p of fn.params) {
    if (p.type === 'Identifier') names.push(p.name);
    else if (p.type === 'AssignmentPattern' && p.left.type === 'Identifier') names.push(p.left.name);
    else if (p.type === 'RestElement' && p.argument.type === 'Identifier') names.push(p.argument.name);
  }
  return names;
}

/**
 * The entry hook's arguments after the function's number: its first simple parameters (at
 * most four, up to a rest or destructured one), so that the runtime can tell a dispatch for a
 * request (see decide/rupture.js's isDispatch).
 */
function entryArguments(fn) {
  const names = [];
  for (const p of fn.params) {
    if (names.length === 4 || p.type === 'RestElement') break;
    if (p.type === 'Identifier') names.push(p.name);
    else if (p.type === 'AssignmentPattern' && p.left.type === 'Identifier') names.push(p.left.name);
    else break;
  }
  return names.length > 0 ? `,${names.join(',')}` : '';
}

function boundNames(pattern, out) {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) boundNames(p.type === 'RestElement' ? p.argument : p.value, out);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) boundNames(e, out);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, out);
      break;
    case 'RestElement':
      boundNames(pattern.argument, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Whether moving these statements into a block would change their meaning or not compile:
 * a function declaration is var-like at the top of a function but lexical in a block (and, named
 * like a parameter, it also sets that parameter and `arguments` only at the top).
 */
function blockClash(statements, params = []) {
  const lexical = new Set();
  const paramSet = new Set();
  for (const p of params) boundNames(p, []).forEach((name) => paramSet.add(name));
  for (const st of statements) {
    const names = [];
    if (st.type === 'FunctionDeclaration' && paramSet.has(st.id.name)) return true;
    if (st.type === 'FunctionDeclaration' || st.type === 'ClassDeclaration') names.push(st.id.name);
    else if (st.type === 'VariableDeclaration' && st.kind !== 'var') {
      for (const d of st.declarations) boundNames(d.id, names);
    }
    for (const name of names) {
      if (lexical.has(name)) return true;
      lexical.add(name);
    }
  }
  if (lexical.size === 0) return false;
  let clash = false;
  for (const st of statements) {
    walk(st, (node) => {
      if (clash || isFunction(node)) return false;
      if (node.type === 'VariableDeclaration' && node.kind === 'var') {
        for (const d of node.declarations) {
          for (const name of boundNames(d.id, [])) if (lexical.has(name)) clash = true;
        }
      }
      return true;
    });
    if (clash) return true;
  }
  return false;
}

function directivesEnd(statements) {
  let end = -1;
  for (const st of statements) {
    if (st.type === 'ExpressionStatement' && typeof st.directive === 'string') end = st.end;
    else break;
  }
  return end;
}

/** Offset just after the `=>` of an arrow function. */
function arrowEnd(source, fn) {
  const from = fn.params.length > 0 ? fn.params[fn.params.length - 1].end : fn.start;
  const text = source.slice(from, fn.body.start);
  for (const token of acorn.tokenizer(text, { ecmaVersion: 'latest' })) {
    if (token.type === acorn.tokTypes.arrow) return from + token.end;
  }
  throw new Error(`no => in arrow function at offset ${fn.start}`);
}

function calleeText(source, call, comments) {
  let text = source.slice(call.callee.start, call.callee.end);
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (c.start >= call.callee.start && c.end <= call.callee.end) {
      text = text.slice(0, c.start - call.callee.start) + text.slice(c.end - call.callee.start);
    }
  }
  text = text.replace(/\s*\.\s*/g, '.').replace(/\s*\?\.\s*/g, '?.').replace(/\s+/g, ' ').trim();
  if (call.type === 'NewExpression') text = `new ${text}`;
  if (text.length > MAX_CALLEE) text = `${text.slice(0, MAX_CALLEE - 3)}...`;
  return text;
}

/**
 * [start, end) of an expression with the parentheses around it, or null when a sequence
 * expression's parentheses cannot be found (wrapping it in a call would split it).
 */
function parenExtent(source, node) {
  let a = node.start;
  let b = node.end;
  for (;;) {
    let i = a;
    while (i > 0 && /\s/.test(source[i - 1])) i--;
    let j = b;
    while (j < source.length && /\s/.test(source[j])) j++;
    if (source[i - 1] !== '(' || source[j] !== ')') break;
    a = i - 1;
    b = j + 1;
  }
  if (node.type === 'SequenceExpression' && a === node.start) return null;
  return [a, b];
}

/** Offset where the first line of code starts (after a hashbang line). */
function codeStart(source) {
  if (!source.startsWith('#!')) return 0;
  const m = /\r\n|[\n\r\u2028\u2029]/.exec(source);
  return m ? m.index + m[0].length : -1;
}

module.exports = {
  PARSE_OPTIONS,
  MODULE_PARSE_OPTIONS,
  MODULE_SCOPE_OPTIONS,
  isFunction,
  parse,
  analyzeScopes,
  walk,
  functionName,
  functionKind,
  paramNames,
  entryArguments,
  blockClash,
  directivesEnd,
  arrowEnd,
  calleeText,
  parenExtent,
  codeStart,
};
