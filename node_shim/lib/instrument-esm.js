'use strict';
// The top level of an ES module, for lib/instrument.js. Its import and export declarations cannot
// stand in a block, so the CommonJS wrap (`const __jfK=E(n);try{ ... }finally{X(__jfK)}` around
// the whole top level) applies only to a module that exports none of its own names and whose code
// comes after all its imports and re-exports; a module that exports (or whose imports come
// between its statements) gets the entry hook at the start and the exit hook after its last
// statement, with no `try`. When such a top level throws, its part is not ended by a hook: `K(k)`
// (lib/esm.js), called as it begins and as it resumes after an await, ends it at the next
// microtask if it is still on the stack then (no part outlives the synchronous run it began in).
// A top-level `await` is hooked as in an async function.
//
//   wrapped      import{rt as __jf}from"data:...";import ...;let __jfK=__jf.E(n),__jfP=null,__jfS=-1;try{ ... }finally{__jf.X(...)}
//   unwrapped    import{rt as __jf}from"data:...";let __jfK=__jf.K(__jf.E(n)),__jfP=null,__jfS=-1; ... ;__jf.X(...)

const HEADER = new Set(['ImportDeclaration', 'ExportAllDeclaration']);

function isDirective(st) {
  return st.type === 'ExpressionStatement' && typeof st.directive === 'string';
}

/** An import or a re-export (`export * from`, `export { a } from`): no code runs there. */
function isHeader(st) {
  return HEADER.has(st.type) || (st.type === 'ExportNamedDeclaration' && st.source !== null && st.source !== undefined);
}

function isModuleDeclaration(st) {
  return st.type === 'ImportDeclaration' || st.type === 'ExportNamedDeclaration' ||
    st.type === 'ExportDefaultDeclaration' || st.type === 'ExportAllDeclaration';
}

/**
 * Whether the statements after the leading imports can be wrapped in one block with the same
 * meaning: no import or export among them, none of the module's own names exported, no clash
 * (blockClash of lib/instrument.js).
 */
function wrappable(statements, blockClash) {
  let first = 0;
  while (first < statements.length && (isDirective(statements[first]) || isHeader(statements[first]))) first++;
  const body = statements.slice(first);
  if (body.length === 0) return null;
  if (statements.some((st) => isModuleDeclaration(st) && !isHeader(st))) return null;
  if (body.some(isModuleDeclaration) || blockClash(body)) return null;
  return body;
}

/**
 * Queue the top-level hooks of a module. `c` = {statements, edits, first (the top level's
 * function number), facts ({awaits, tries, forAwaits} of the top level), prologueAt, prologue
 * (the import of the runtime), span, blockClash, hookAwaits, rt}.
 */
function hookModule(c) {
  const { statements, edits, first, facts, span, rt } = c;
  const code = statements.filter((st) => !isDirective(st) && !isHeader(st));
  if (code.length === 0) {
    edits.before(c.prologueAt, `${c.prologue}/*${rt}.E(${first})*/`, span);
    return;
  }
  const async = facts.awaits.length > 0 || facts.forAwaits.length > 0;
  const loops = facts.forAwaits.length > 0;
  const body = wrappable(statements, c.blockClash);
  // Without a try, every begin of the top level's part is guarded by K (see above).
  const guard = body === null ? (k) => `${rt}.K(${k})` : (k) => k;
  const suspended = loops ? '(__jfK<0||__jfF!==null&&__jfF.s>=0)' : '__jfK<0';
  const resume = guard(loops ? `${rt}.JF(__jfP,__jfS,__jfF)` : `${rt}.J(__jfP,__jfS)`);
  const entry = guard(`${rt}.E(${first})`);
  const open = async
    ? `let __jfK=${entry},__jfP=null,__jfS=-1${loops ? ',__jfF=null' : ''};`
    : `const __jfK=${entry};`;
  const exit = `${rt}.X(${async ? `${suspended}?${resume}:__jfK` : '__jfK'})`;
  const last = statements[statements.length - 1];
  if (body !== null) {
    edits.before(c.prologueAt, c.prologue, span);
    edits.before(body[0].start, `${open}try{`, span);
    edits.after(last.end, `}finally{${exit}}`, span);
  } else {
    edits.before(c.prologueAt, `${c.prologue}${open}`, span);
    edits.after(last.end, `;${exit}`, span);
  }
  if (async) c.hookAwaits(first, facts, suspended, resume, guard(`${rt}.depth`));
}

module.exports = { hookModule, wrappable };
