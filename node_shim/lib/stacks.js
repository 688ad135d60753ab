'use strict';
// Stack traces as the app would see them untraced. Insertions move columns on the lines they are
// on, and the shim's own wrapper frames may sit between the app's frames: Error.prepareStackTrace
// (Node's default one, wrapped) maps the columns of instrumented files back to the original text
// and leaves the shim's frames out. Also: the structured stack for Express registrations.

const path = require('path');

const SHIM_DIR = path.dirname(__dirname) + path.sep;
const files = new Map(); // absolute file name -> {file, source, inserts, byLine}

/** Remember how a file was rewritten (`inserts` from Edits.applyWithMap). */
function registerFile(filename, file, source, inserts) {
  files.set(filename, { file, source, inserts, byLine: null });
}

function fileEntry(filename) {
  return files.get(filename);
}

function lineMap(entry) {
  if (entry.byLine !== null) return entry.byLine;
  const starts = [0];
  const re = /\r\n|[\n\r\u2028\u2029]/g;
  let m;
  while ((m = re.exec(entry.source)) !== null) starts.push(m.index + m[0].length);
  const byLine = new Map();
  entry.lineStarts = starts;
  entry.insertAt = new Set();
  let line = 0;
  for (const [pos, len] of entry.inserts) {
    entry.insertAt.add(pos);
    while (line + 1 < starts.length && starts[line + 1] <= pos) line++;
    let list = byLine.get(line + 1);
    if (list === undefined) {
      list = [];
      byLine.set(line + 1, list);
    }
    list.push([pos - starts[line], len]);
  }
  entry.byLine = byLine;
  return byLine;
}

/** The 0-based column in the original text of 0-based column `col` of line `line` (1-based). */
function originalColumn(entry, line, col) {
  const list = lineMap(entry).get(line);
  if (list === undefined) return col;
  let shift = 0;
  for (const [at, len] of list) {
    const outStart = at + shift;
    if (col < outStart) return callColumn(entry, line, col - shift);
    if (col < outStart + len) return at;
    shift += len;
  }
  return callColumn(entry, line, col - shift);
}

const SPACE = /\s/;
const WORD = /[\w$]/;

/**
 * V8 places a call at its callee when the callee is a name (`next()`), at the `(` otherwise. A
 * name wrapped by an insertion (`__jf.c(1,next)()`) moves it to the `(`: move it back.
 */
function callColumn(entry, line, col) {
  const src = entry.source;
  const lineStart = entry.lineStarts[line - 1];
  const p = lineStart + col;
  if (src.charCodeAt(p) !== 40 || !entry.insertAt.has(p)) return col;
  let q = p;
  while (q > lineStart && SPACE.test(src[q - 1])) q--;
  let r = q;
  while (r > lineStart && WORD.test(src[r - 1])) r--;
  if (r === q || /[0-9]/.test(src[r])) return col;
  let b = r;
  while (b > lineStart && SPACE.test(src[b - 1])) b--;
  if (src[b - 1] === '.') return col;
  return r - lineStart;
}

/** Where a stack frame points in the original text of an instrumented file, or null. */
function originalLocation(callSite) {
  const filename = callSite.getFileName();
  const entry = filename ? files.get(filename) : undefined;
  if (entry === undefined || entry.file === null) return null;
  const line = callSite.getLineNumber();
  const column = callSite.getColumnNumber();
  if (line == null || column == null) return null;
  return { file: entry.file, line, column: originalColumn(entry, line, column - 1) };
}

/** A frame whose text shows the original column (CallSite methods stay available). */
function remappedFrame(callSite, entry) {
  const line = callSite.getLineNumber();
  const column = callSite.getColumnNumber();
  if (line == null || column == null) return callSite;
  const mapped = originalColumn(entry, line, column - 1) + 1;
  if (mapped === column) return callSite;
  const text = String(callSite);
  const needle = `:${line}:${column}`;
  const at = text.lastIndexOf(needle);
  if (at < 0) return callSite;
  const fixed = `${text.slice(0, at)}:${line}:${mapped}${text.slice(at + needle.length)}`;
  const frame = { toString: () => fixed, getColumnNumber: () => mapped };
  for (const name of ['getThis', 'getTypeName', 'getFunction', 'getFunctionName', 'getMethodName',
    'getFileName', 'getLineNumber', 'getEvalOrigin', 'isToplevel', 'isEval', 'isNative',
    'isConstructor', 'isAsync', 'isPromiseAll', 'getPromiseIndex', 'getScriptNameOrSourceURL',
    'getScriptHash', 'getEnclosingColumnNumber', 'getEnclosingLineNumber', 'getPosition']) {
    if (typeof callSite[name] === 'function') frame[name] = () => callSite[name]();
  }
  return frame;
}

// While the loader's _compile wrapper is on the stack, Error.stackTraceLimit is raised by one per
// wrapper (see widenStack) so that V8 still captures as many app frames as untraced.
let widened = 0;

/** Raise Error.stackTraceLimit by one for a shim frame about to enter the stack; undo with the result. */
function widenStack() {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) return null;
  try {
    Error.stackTraceLimit = limit + 1;
  } catch (e) {
    return null;
  }
  widened++;
  return limit;
}

function narrowStack(limit) {
  if (limit === null) return;
  widened--;
  // The app may have set its own limit meanwhile: keep it.
  if (Error.stackTraceLimit === limit + 1) {
    try {
      Error.stackTraceLimit = limit;
    } catch (e) {
      // not writable any more: nothing to restore
    }
  }
}

// With async hooks on, Node calls event-loop callbacks through this function, which then shows
// as the outermost frame: the untraced app (without hooks of its own) never has it.
const TRAMPOLINE_FILE = 'node:internal/async_hooks';
const TRAMPOLINE = 'callbackTrampoline';

function isTrampoline(callSite, f) {
  return f === TRAMPOLINE_FILE && callSite.getFunctionName() === TRAMPOLINE;
}

function fixTrace(trace) {
  let touched = false;
  for (let i = 0; i < trace.length; i++) {
    const f = trace[i].getFileName();
    if (f && (f.startsWith(SHIM_DIR) || files.has(f) || isTrampoline(trace[i], f))) {
      touched = true;
      break;
    }
  }
  if (!touched) return trace;
  const out = [];
  for (const callSite of trace) {
    const f = callSite.getFileName();
    if (f && (f.startsWith(SHIM_DIR) || isTrampoline(callSite, f))) continue;
    const entry = f ? files.get(f) : undefined;
    out.push(entry === undefined ? callSite : remappedFrame(callSite, entry));
  }
  const limit = Error.stackTraceLimit;
  if (typeof limit === 'number' && Number.isFinite(limit) && out.length > limit - widened) {
    out.length = Math.max(0, limit - widened);
  }
  return out;
}

/** Node's formatting, for Node versions without a default Error.prepareStackTrace. */
function formatLikeNode(error, trace) {
  let head;
  try {
    const own = Object.prototype.hasOwnProperty.call(error, 'toString');
    if (own && typeof error.code === 'string' && /^ERR_/.test(error.code)) {
      head = `${error.name} [${error.code}]: ${error.message}`;
    } else {
      head = Error.prototype.toString.call(error);
    }
  } catch (e) {
    head = '<error>';
  }
  if (trace.length === 0) return head;
  return `${head}\n    at ${trace.join('\n    at ')}`;
}

let installed = false;

function install(warn) {
  if (installed) return;
  installed = true;
  const base = Error.prepareStackTrace;
  const prepare = function prepareStackTrace(error, trace) {
    let fixed = trace;
    try {
      fixed = fixTrace(trace);
    } catch (e) {
      warn(`stack trace: ${e && e.message}`);
    }
    if (typeof base === 'function') return base(error, fixed);
    return formatLikeNode(error, fixed);
  };
  if (typeof base === 'function') Object.defineProperty(prepare, 'name', { value: base.name });
  Error.prepareStackTrace = prepare;
}

/** The structured frames of the current stack, above `above`. */
function callSites(above) {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder = {};
  try {
    Error.prepareStackTrace = (e, trace) => trace;
    Error.stackTraceLimit = 50;
    Error.captureStackTrace(holder, above);
    return Array.isArray(holder.stack) ? holder.stack : [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

module.exports = {
  SHIM_DIR,
  registerFile,
  fileEntry,
  originalColumn,
  originalLocation,
  install,
  callSites,
  widenStack,
  narrowStack,
};
