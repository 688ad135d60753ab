'use strict';
// Source instrumentation of one file of the app: the function table, entry/exit hooks around
// every function body, await hooks in async functions, and call-site hooks on callbacks passed as
// arguments. Only insertions (lib/edits.js), never a newline: every line keeps its number.
//
// Inserted code, with n a function number and s a site number (see lib/runtime.js):
//   file start         const __jf=globalThis.__jitflux.rt;const __jfK=__jf.E(n);try{ ... }finally{__jf.X(__jfK)}
//   function body      {const __jfK=__jf.E(n,a,b);try{ ... }finally{__jf.X(__jfK)}} (a, b: its first
//                      simple parameters, at most four)
//   async body         {let __jfK=__jf.E(n),__jfP=null,__jfS=-1;try{ ... }finally{__jf.X(__jfK<0?__jf.J(__jfP,__jfS):__jfK)}}
//   arrow expression   => {const __jfK=__jf.E(n);try{return( EXPR )}finally{__jf.X(__jfK)}}
//   await EXPR         __jf.R(await __jf.S(EXPR,__jfK,__jfP=__jf.part,__jfS=s,__jfK=-1),__jfP,__jfS,__jfK=__jf.depth)
//   catch/finally      {if(__jfK<0)__jfK=__jf.J(__jfP,__jfS); ... }   (async functions with await)
//   callback argument  f(a, __jf.L(function () {...}, s)); a call's result f(__jf.LV(g(), s))
//   for await          {for await (x of __jf.FA(ITERABLE,s,__jfF||(__jfF={p:null,s:-1}))) {RESUME ...};RESUME}
//   statement start  ;(...)   when the instrumented statement starts with ( [ ` + - / (see guardStatements)
// Functions that cannot be wrapped safely (generators and async generators, bodies whose
// declarations would clash inside a block) only get a marker comment /*__jf.E(n)*/ so that their
// id can still be read from their text.


const acorn = require('acorn');
const { Edits } = require('./edits');
const {
  PARSE_OPTIONS, isFunction, analyzeScopes, walk, functionName, functionKind, paramNames,
  entryArguments, blockClash, directivesEnd, arrowEnd, calleeText, parenExtent, codeStart,
  MODULE_PARSE_OPTIONS, MODULE_SCOPE_OPTIONS,
} = require('./syntax');
const { hookModule } = require('./instrument-esm');

const RT = '__jf';
// ES modules: the runtime comes in as an import, bound before any module of the graph runs (a
// function of a module in an import cycle may be called before its module's own code has run).
const MODULE_RT = `import{rt as ${RT}}from"data:text/javascript,export%20const%20rt=globalThis.__jitflux.rt";`;

/**
 * Instrument one file. `env` = {file, module, runtime, recorder, effects, addEffectSite, warn}:
 * `module` is true for an ES module (else a CommonJS file), `runtime`
 * defines functions and sites, `recorder` numbers functions. Returns {code, inserts, functions
 * (the function table of the file), effects: whether effects are recorded, unhooked: count}.
 * Throws a SyntaxError when the file does not parse (the caller leaves it as it is).
 */
function instrumentSource(source, env) {
  const { file, runtime, recorder } = env;
  const esm = env.module === true;
  const parseOptions = esm ? MODULE_PARSE_OPTIONS : PARSE_OPTIONS;
  const comments = [];
  const ast = acorn.parse(source, Object.assign({ onComment: comments }, parseOptions));
  const start = codeStart(source);
  if (start < 0) return null;
  const scopeManager = analyzeScopes(ast, esm ? MODULE_SCOPE_OPTIONS : undefined);
  for (const scope of scopeManager.scopes) {
    for (const v of scope.variables) {
      if (v.name.startsWith(RT)) throw new Error(`declares ${v.name}, a name the shim reserves`);
    }
  }

  // Collect functions, awaits, try statements, for-await loops and calls, by owning function.
  const fns = [];
  const info = new Map(); // function node or Program -> facts
  const calls = [];
  const owners = [ast];
  const labelOf = new Map(); // statement -> the LabeledStatement around it
  info.set(ast, { awaits: [], tries: [], forAwaits: [] });
  walk(ast, (node, parent, key) => {
    if (node === ast) return true;
    // The owner is the innermost function whose range contains the node (walk is pre-order).
    while (owners.length > 1) {
      const top = owners[owners.length - 1];
      if (node.start >= top.start && node.end <= top.end) break;
      owners.pop();
    }
    const owner = owners[owners.length - 1];
    if (isFunction(node)) {
      fns.push({ node, parent, key });
      info.set(node, { awaits: [], tries: [], forAwaits: [] });
      owners.push(node);
      return true;
    }
    const facts = info.get(owner);
    if (node.type === 'AwaitExpression') facts.awaits.push(node);
    else if (node.type === 'TryStatement') facts.tries.push(node);
    else if (node.type === 'ForOfStatement' && node.await) facts.forAwaits.push(node);
    else if (node.type === 'LabeledStatement') labelOf.set(node.body, node);
    else if (node.type === 'CallExpression' || node.type === 'NewExpression') calls.push(node);
    return true;
  });
  fns.sort((a, b) => a.node.start - b.node.start);

  const first = recorder.allocateFunctions(fns.length + 1);
  const ids = new Map();
  ids.set(ast, first);
  fns.forEach((f, i) => ids.set(f.node, first + 1 + i));

  const toplevelLoc = { file, line: 1, column: 0 };
  runtime.defineFunction(first, toplevelLoc);
  const functions = [];
  functions.push({
    id: `f${first}`, name: '', kind: 'toplevel', file, line: 1, column: 0,
    range: [0, source.length], params: [],
  });
  for (const f of fns) {
    const n = ids.get(f.node);
    const loc = { file, line: f.node.loc.start.line, column: f.node.loc.start.column };
    runtime.defineFunction(n, loc);
    functions.push({
      id: `f${n}`,
      name: functionName(f.node, f.parent, f.key),
      kind: functionKind(f.node, f.parent, f.key),
      file,
      line: loc.line,
      column: loc.column,
      range: [f.node.start, f.node.end],
      params: paramNames(f.node),
    });
  }

  const edits = new Edits(source);
  const locOf = (node) => ({ file, line: node.loc.start.line, column: node.loc.start.column });

  // Callbacks handed over as arguments: function literals, and names bound to one function.
  const resolved = new Map();
  for (const scope of scopeManager.scopes) {
    for (const ref of scope.references) resolved.set(ref.identifier, ref.resolved);
  }
  const functionOfName = (identifier) => {
    const v = resolved.get(identifier);
    if (!v || v.defs.length !== 1) return undefined;
    const def = v.defs[0];
    let target = null;
    if (def.type === 'FunctionName' && def.node.type === 'FunctionDeclaration') target = def.node;
    else if (def.type === 'Variable' && def.node.id.type === 'Identifier' && isFunction(def.node.init)) {
      if (v.references.some((r) => r.isWrite() && !r.init)) return undefined;
      target = def.node.init;
    }
    return target ? ids.get(target) : undefined;
  };
  for (const call of calls) {
    let callee = null;
    for (const arg of call.arguments) {
      let n;
      if (isFunction(arg)) n = ids.get(arg);
      else if (arg.type === 'Identifier') n = functionOfName(arg);
      else if (arg.type === 'CallExpression') n = -1; // a value known at run time (LV)
      if (n === undefined) continue;
      if (callee === null) callee = calleeText(source, call, comments);
      const s = runtime.defineSite(n, callee, locOf(arg));
      if (isFunction(arg)) runtime.markLiteralSite(n, s);
      const span = arg.end - arg.start + 1;
      edits.before(arg.start, n < 0 ? `${RT}.LV(` : `${RT}.L(`, span);
      edits.after(arg.end, `,${s})`, span);
    }
  }

  // The top level.
  const programFacts = info.get(ast);
  const statements = ast.body;
  const dirEnd = directivesEnd(statements);
  const prologueAt = dirEnd >= 0 ? dirEnd : start;
  const semi = dirEnd >= 0 ? ';' : '';
  const hasCode = statements.some((st) => !(st.type === 'ExpressionStatement' && typeof st.directive === 'string'));
  const programSpan = source.length + 2;
  if (esm) {
    hookModule({
      statements, edits, first, facts: programFacts, prologueAt, prologue: `${semi}${MODULE_RT}`,
      span: programSpan, blockClash, hookAwaits, rt: RT,
    });
  } else {
    const toplevelHooked = hasCode && !blockClash(statements);
    if (toplevelHooked) {
      edits.before(prologueAt, `${semi}const ${RT}=globalThis.__jitflux.rt;const __jfK=${RT}.E(${first});try{`, programSpan);
      edits.after(statements[statements.length - 1].end, `}finally{${RT}.X(__jfK)}`, programSpan);
    } else {
      edits.before(prologueAt, `${semi}const ${RT}=globalThis.__jitflux.rt;/*${RT}.E(${first})*/`, programSpan);
    }
    if (programFacts.awaits.length > 0) {
      // Top-level await is not valid in a CommonJS script; acorn would have refused it.
      throw new Error('await outside an async function');
    }
  }

  let unhooked = 0;
  for (const f of fns) {
    const fn = f.node;
    const n = ids.get(fn);
    const facts = info.get(fn);
    const block = fn.body.type === 'BlockStatement';
    const hooked = !fn.generator && !(block && blockClash(fn.body.body, fn.params)) &&
      facts.forAwaits.every((loop) => parenExtent(source, loop.right) !== null);
    const span = fn.end - fn.start + 1;
    if (!hooked) {
      unhooked++;
      edits.before(fn.body.start + 1, `/*${RT}.E(${n})*/`, span);
      continue;
    }
    const async = fn.async;
    const loops = facts.forAwaits.length > 0;
    // Suspended at an await: __jfK is -1 (or, at a for await, __jfF.s is the site).
    const suspended = loops ? '(__jfK<0||__jfF!==null&&__jfF.s>=0)' : '__jfK<0';
    const resume = loops ? `${RT}.JF(__jfP,__jfS,__jfF)` : `${RT}.J(__jfP,__jfS)`;
    const entry = `${RT}.E(${n}${entryArguments(fn)})`;
    const open = async
      ? `let __jfK=${entry},__jfP=null,__jfS=-1${loops ? ',__jfF=null' : ''};try{`
      : `const __jfK=${entry};try{`;
    const close = async
      ? `}finally{${RT}.X(${suspended}?${resume}:__jfK)}`
      : `}finally{${RT}.X(__jfK)}`;
    if (block) {
      const end = directivesEnd(fn.body.body);
      if (end >= 0) edits.before(end, `;${open}`, span);
      else edits.before(fn.body.start + 1, open, span);
      edits.before(fn.body.end - 1, close, 0);
    } else {
      edits.before(arrowEnd(source, fn), `{${open}return(`, span);
      edits.after(fn.end, `)${close}}`, span - 1);
    }
    if (!async || (facts.awaits.length === 0 && !loops)) continue;
    hookAwaits(n, facts, suspended, resume);
  }

  /**
   * The hooks of an async function's (or a module's) awaits, for-await loops and try blocks;
   * `depth` is the expression of the depth a resumed part starts at (see instrument-esm.js).
   */
  function hookAwaits(n, facts, suspended, resume, depth = `${RT}.depth`) {
    for (const aw of facts.awaits) {
      const s = runtime.defineSite(n, 'await', locOf(aw));
      const outer = aw.end - aw.start + 1;
      const inner = aw.end - (aw.start + 5);
      edits.before(aw.start, `${RT}.R(`, outer);
      edits.before(aw.start + 5, ` ${RT}.S(`, inner);
      edits.after(aw.end, `,__jfK,__jfP=${RT}.part,__jfS=${s},__jfK=-1)`, inner);
      edits.after(aw.end, `,__jfP,__jfS,__jfK=${depth})`, outer);
    }
    const resumeHook = `if(${suspended})__jfK=${resume};`;
    for (const loop of facts.forAwaits) {
      // The iterable is wrapped so that the frame leaves the stack right after each implicit
      // next()/return() call; the loop body and the code after the loop resume.
      const s = runtime.defineSite(n, 'await', locOf(loop));
      const [a, b] = parenExtent(source, loop.right);
      edits.before(a, `${RT}.FA(`, b - a + 1);
      edits.after(b, `,${s},__jfF||(__jfF={p:null,s:-1}))`, b - a + 1);
      const body = loop.body;
      const bodySpan = body.end - body.start + 1;
      if (body.type === 'BlockStatement') {
        edits.before(body.start + 1, resumeHook, bodySpan);
      } else {
        edits.before(body.start, `{${resumeHook}`, bodySpan + 1);
        edits.after(body.end, '}', bodySpan + 1);
      }
      let outer = loop;
      while (labelOf.has(outer)) outer = labelOf.get(outer);
      const outerSpan = outer.end - outer.start + 2;
      edits.before(outer.start, '{', outerSpan);
      edits.after(outer.end, `;${resumeHook}}`, outerSpan);
    }
    for (const t of facts.tries) {
      if (t.handler) edits.before(t.handler.body.start + 1, resumeHook, t.handler.body.end - t.handler.body.start + 1);
      if (t.finalizer) edits.before(t.finalizer.start + 1, resumeHook, t.finalizer.end - t.finalizer.start + 1);
    }
  }

  // Side effects (lib/effects.js), after our own edits are queued.
  let effectsOn = false;
  if (env.effects) {
    const mark = edits.items.length;
    const seq = edits.seq;
    const ctx = {
      ast,
      scopeManager,
      source,
      file,
      edits,
      functionIdOf: (node) => (ids.has(node) ? `f${ids.get(node)}` : null),
      toplevelId: `f${first}`,
      addSite: env.addEffectSite,
      exports: env.exports || null,
      runtimeName: RT,
    };
    try {
      env.effects.instrument(ctx);
      effectsOn = true;
    } catch (e) {
      edits.items.length = mark;
      edits.seq = seq;
      env.warn(`${file}: effects not recorded: ${e && e.message}`);
    }
    if (effectsOn) {
      const out = applyChecked(ast, edits, parseOptions);
      if (out) return Object.assign(out, { effects: true, unhooked, functions });
      edits.items.length = mark;
      env.warn(`${file}: effects not recorded: the instrumented code did not parse`);
    }
  }
  const out = applyChecked(ast, edits, parseOptions);
  if (!out) throw new Error('the instrumented code did not parse');
  return Object.assign(out, { effects: false, unhooked, functions });
}

// Tokens that continue the previous line's statement when a line starts with them (no automatic
// semicolon is inserted before them).
const JOINING = new Set(['(', '[', '`', '+', '-', '/']);

/**
 * Keep every statement boundary of the original: a statement of a list (a program, block, case,
 * or class body) whose instrumented text starts with a joining token gets a `;` first. Inserted
 * text such as `(__jf.m(4,res),res.end(x))` would otherwise join it to a previous line that has
 * no `;` (and so would an original `(`, `[`, ... after `x++`, now wrapped as `__jf.r(3,x++)`).
 * The `;` adds an empty statement (or class element) where the original already had a boundary.
 */
function guardStatements(ast, edits) {
  const lead = edits.leadingChars();
  const source = edits.source;
  walk(ast, (node) => {
    let list = null;
    if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock' ||
        node.type === 'ClassBody') list = node.body;
    else if (node.type === 'SwitchCase') list = node.consequent;
    if (list === null) return true;
    for (const st of list) {
      if (st.type === 'ExpressionStatement' && typeof st.directive === 'string') continue;
      const first = lead.has(st.start) ? lead.get(st.start) : source[st.start];
      if (JOINING.has(first)) edits.before(st.start, ';', st.end - st.start + 1);
    }
    return true;
  });
}

/** Apply the edits and check that the result still parses; null when it does not. */
function applyChecked(ast, edits, parseOptions) {
  const mark = edits.items.length;
  guardStatements(ast, edits);
  const out = edits.applyWithMap();
  edits.items.length = mark;
  try {
    acorn.parse(out.code, parseOptions);
  } catch (e) {
    if (process.env.JITFLUX_DEBUG) process._rawDebug(`jitflux: bad instrumentation: ${e.message}`);
    return null;
  }
  return out;
}

module.exports = { RT, instrumentSource };
