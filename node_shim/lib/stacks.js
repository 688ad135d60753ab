'use strict';
// Stack traces as the app would see them untraced. Insertions move columns on the lines they are
// on, and the shim's own wrapper frames may sit between the app's frames: Error.prepareStackTrace
// (Node's default one, wrapped) maps the columns of instrumented files back to the original text
// and leaves the shim's frames out. Also: the structured stack for Express registrations, and
// whether a handed-over callback is called by a library (a dispatch).

const path = require('path');
const {
  ArrayPrototypePush, ArrayPrototypeJoin, ArrayIsArray, MapPrototypeGet, MapPrototypeSet,
  MapPrototypeHas, SetPrototypeAdd, SetPrototypeHas, StringPrototypeSlice, StringPrototypeStartsWith,
  StringPrototypeLastIndexOf, StringPrototypeCharCodeAt, StringPrototypeIndexOf, RegExpPrototypeExec, NumberIsFinite,
  ObjectPrototypeHasOwnProperty, ErrorPrototypeToString, ErrorCaptureStackTrace, ObjectDefineProperty,
  MathMax, SafeMap, SafeSet, ObjectGetOwnPropertyDescriptor, ReflectDeleteProperty,
} = require('./primordials');

const { packageDispatch } = require('./decide/rupture');

const ErrorCtor = Error;
const SHIM_DIR = path.dirname(__dirname) + path.sep;
const files = new SafeMap(); // absolute file name -> {file, source, inserts, byLine, own}

/** Remember how a file was rewritten (`inserts` from Edits.applyWithMap), and whether it is one
 * of the app's own files (`own`: not a package's, even one instrumented by `--include`). */
function registerFile(filename, file, source, inserts, own = false) {
  MapPrototypeSet(files, filename, { file, source, inserts, byLine: null, own });
}

function fileEntry(filename) {
  return MapPrototypeGet(files, filename);
}

function lineMap(entry) {
  if (entry.byLine !== null) return entry.byLine;
  const starts = [0];
  const re = /\r\n|[\n\r\u2028\u2029]/g;
  let m;
  while ((m = RegExpPrototypeExec(re, entry.source)) !== null) ArrayPrototypePush(starts, m.index + m[0].length);
  const byLine = new SafeMap();
  entry.lineStarts = starts;
  entry.insertAt = new SafeSet();
  let line = 0;
  for (let i = 0; i < entry.inserts.length; i++) {
    const pos = entry.inserts[i][0];
    const len = entry.inserts[i][1];
    SetPrototypeAdd(entry.insertAt, pos);
    while (line + 1 < starts.length && starts[line + 1] <= pos) line++;
    let list = MapPrototypeGet(byLine, line + 1);
    if (list === undefined) {
      list = [];
      MapPrototypeSet(byLine, line + 1, list);
    }
    ArrayPrototypePush(list, [pos - starts[line], len]);
  }
  entry.byLine = byLine;
  return byLine;
}

/** The 0-based column in the original text of 0-based column `col` of line `line` (1-based). */
function originalColumn(entry, line, col) {
  const list = MapPrototypeGet(lineMap(entry), line);
  if (list === undefined) return col;
  let shift = 0;
  for (let i = 0; i < list.length; i++) {
    const at = list[i][0];
    const len = list[i][1];
    const outStart = at + shift;
    if (col < outStart) return callColumn(entry, line, col - shift);
    if (col < outStart + len) return at;
    shift += len;
  }
  return callColumn(entry, line, col - shift);
}

const SPACE = /\s/;
const WORD = /[\w$]/;
const DIGIT = /[0-9]/;
const isSpace = (c) => c !== undefined && RegExpPrototypeExec(SPACE, c) !== null;
const isWord = (c) => c !== undefined && RegExpPrototypeExec(WORD, c) !== null;

/**
 * V8 places a call at its callee when the callee is a name (`next()`), at the `(` otherwise. A
 * name wrapped by an insertion (`__jf.c(1,next)()`) moves it to the `(`: move it back.
 */
function callColumn(entry, line, col) {
  const src = entry.source;
  const lineStart = entry.lineStarts[line - 1];
  const p = lineStart + col;
  if (StringPrototypeCharCodeAt(src, p) !== 40 || !SetPrototypeHas(entry.insertAt, p)) return col;
  let q = p;
  while (q > lineStart && isSpace(src[q - 1])) q--;
  let r = q;
  while (r > lineStart && isWord(src[r - 1])) r--;
  if (r === q || RegExpPrototypeExec(DIGIT, src[r]) !== null) return col;
  let b = r;
  while (b > lineStart && isSpace(src[b - 1])) b--;
  if (src[b - 1] === '.') return col;
  return r - lineStart;
}

/** Where a stack frame points in the original text of an instrumented file, or null. */
function originalLocation(callSite) {
  const filename = callSite.getFileName();
  const entry = filename ? MapPrototypeGet(files, filename) : undefined;
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
  const text = `${callSite}`;
  const needle = `:${line}:${column}`;
  const at = StringPrototypeLastIndexOf(text, needle);
  if (at < 0) return callSite;
  const fixed = `${StringPrototypeSlice(text, 0, at)}:${line}:${mapped}${StringPrototypeSlice(text, at + needle.length)}`;
  const frame = { toString: () => fixed, getColumnNumber: () => mapped };
  for (let i = 0; i < CALLSITE_METHODS.length; i++) {
    const name = CALLSITE_METHODS[i];
    if (typeof callSite[name] === 'function') frame[name] = () => callSite[name]();
  }
  return frame;
}

const CALLSITE_METHODS = ['getThis', 'getTypeName', 'getFunction', 'getFunctionName', 'getMethodName',
    'getFileName', 'getLineNumber', 'getEvalOrigin', 'isToplevel', 'isEval', 'isNative',
    'isConstructor', 'isAsync', 'isPromiseAll', 'getPromiseIndex', 'getScriptNameOrSourceURL',
  'getScriptHash', 'getEnclosingColumnNumber', 'getEnclosingLineNumber', 'getPosition'];

// While the loader's _compile wrapper is on the stack, Error.stackTraceLimit is raised by one per
// wrapper (see widenStack) so that V8 still captures as many app frames as untraced.
let widened = 0;

/** Raise Error.stackTraceLimit by one for a shim frame about to enter the stack; undo with the result. */
function widenStack() {
  const limit = ErrorCtor.stackTraceLimit;
  if (typeof limit !== 'number' || !NumberIsFinite(limit) || limit < 0) return null;
  try {
    ErrorCtor.stackTraceLimit = limit + 1;
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
  if (ErrorCtor.stackTraceLimit === limit + 1) {
    try {
      ErrorCtor.stackTraceLimit = limit;
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

// `(file:line:column)` in an eval origin: "eval at run (/app/server.js:2:45)", nested as
// "eval at <anonymous> (eval at run (/app/server.js:2:45))".
const ORIGIN_PLACE = /\(([^()]+):(\d+):(\d+)\)/g;

/** An eval origin with the columns of instrumented files mapped back, or null when unchanged. */
function originalEvalOrigin(origin) {
  if (typeof origin !== 'string') return null;
  let out = '';
  let last = 0;
  let changed = false;
  ORIGIN_PLACE.lastIndex = 0;
  let m;
  while ((m = RegExpPrototypeExec(ORIGIN_PLACE, origin)) !== null) {
    const entry = MapPrototypeGet(files, m[1]);
    if (entry === undefined) continue;
    const line = +m[2];
    const column = +m[3];
    const mapped = originalColumn(entry, line, column - 1) + 1;
    if (mapped === column) continue;
    out += `${StringPrototypeSlice(origin, last, m.index)}(${m[1]}:${line}:${mapped})`;
    last = m.index + m[0].length;
    changed = true;
  }
  return changed ? out + StringPrototypeSlice(origin, last) : null;
}

/** A frame of code run by eval or new Function called from an instrumented file, or null. */
function evalFrame(callSite) {
  if (typeof callSite.isEval !== 'function' || !callSite.isEval()) return null;
  const origin = callSite.getEvalOrigin();
  const mapped = originalEvalOrigin(origin);
  if (mapped === null) return null;
  const text = `${callSite}`;
  const at = StringPrototypeIndexOf(text, origin);
  if (at < 0) return null;
  const fixed = `${StringPrototypeSlice(text, 0, at)}${mapped}${StringPrototypeSlice(text, at + origin.length)}`;
  const frame = { toString: () => fixed, getEvalOrigin: () => mapped };
  for (let i = 0; i < CALLSITE_METHODS.length; i++) {
    const name = CALLSITE_METHODS[i];
    if (frame[name] === undefined && typeof callSite[name] === 'function') frame[name] = () => callSite[name]();
  }
  if (typeof callSite.getColumnNumber === 'function') frame.getColumnNumber = () => callSite.getColumnNumber();
  return frame;
}

function isShim(f) {
  return StringPrototypeStartsWith(f, SHIM_DIR);
}

function fixTrace(trace) {
  let touched = false;
  for (let i = 0; i < trace.length; i++) {
    const f = trace[i].getFileName();
    if (f ? isShim(f) || MapPrototypeHas(files, f) || isTrampoline(trace[i], f) : evalFrame(trace[i]) !== null) {
      touched = true;
      break;
    }
  }
  if (!touched) return trace;
  const out = [];
  for (let i = 0; i < trace.length; i++) {
    const callSite = trace[i];
    const f = callSite.getFileName();
    if (f && (isShim(f) || isTrampoline(callSite, f))) continue;
    const entry = f ? MapPrototypeGet(files, f) : undefined;
    if (entry !== undefined) ArrayPrototypePush(out, remappedFrame(callSite, entry));
    else ArrayPrototypePush(out, (f ? null : evalFrame(callSite)) || callSite);
  }
  const limit = ErrorCtor.stackTraceLimit;
  if (typeof limit === 'number' && NumberIsFinite(limit) && out.length > limit - widened) {
    out.length = MathMax(0, limit - widened);
  }
  return out;
}

/** Node's formatting, for Node versions without a default Error.prepareStackTrace. */
function formatLikeNode(error, trace) {
  let head;
  try {
    const own = ObjectPrototypeHasOwnProperty(error, 'toString');
    if (own && typeof error.code === 'string' && StringPrototypeStartsWith(error.code, 'ERR_')) {
      head = `${error.name} [${error.code}]: ${error.message}`;
    } else {
      head = ErrorPrototypeToString(error);
    }
  } catch (e) {
    head = '<error>';
  }
  if (trace.length === 0) return head;
  return `${head}\n    at ${ArrayPrototypeJoin(trace, '\n    at ')}`;
}

let installed = false;

function install(warn) {
  if (installed) return;
  installed = true;
  const base = ErrorCtor.prepareStackTrace;
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
  if (typeof base === 'function') ObjectDefineProperty(prepare, 'name', { value: base.name });
  ErrorCtor.prepareStackTrace = prepare;
}

/**
 * The structured frames of the current stack, above `above`. Error.prepareStackTrace and
 * Error.stackTraceLimit are replaced for that time by defining them, not by assignment: an app
 * may have made either an accessor, which must not run for the shim.
 */
function callSites(above) {
  const savedPrepare = ObjectGetOwnPropertyDescriptor(ErrorCtor, 'prepareStackTrace');
  const savedLimit = ObjectGetOwnPropertyDescriptor(ErrorCtor, 'stackTraceLimit');
  const holder = {};
  try {
    define('prepareStackTrace', (e, trace) => trace);
    define('stackTraceLimit', 50);
    ErrorCaptureStackTrace(holder, above);
    return ArrayIsArray(holder.stack) ? holder.stack : [];
  } finally {
    putBack('prepareStackTrace', savedPrepare);
    putBack('stackTraceLimit', savedLimit);
  }
}

/**
 * Whether the caller of the function entering now (`above`: the hook it called) is code the shim
 * does not instrument, or, for a `listener` (handed over outside any request), a package that
 * calls the app's own code (decide/rupture.js's packageDispatch).
 */
function calledFromLibrary(above, listener) {
  const frames = callSites(above);
  // frames[0] is the function entering; the first frame after it with a file is its caller
  // (builtins such as Array.prototype.forEach have none).
  const own = listener && frames.length > 0 ? frames[0].getFileName() : null;
  for (let i = 1; i < frames.length; i++) {
    const file = frames[i].getFileName();
    if (!file) continue;
    if (StringPrototypeStartsWith(file, SHIM_DIR)) continue;
    const entry = fileEntry(file);
    if (entry === undefined || entry.file === null) return true;
    const callee = own !== null ? fileEntry(own) : undefined;
    return callee !== undefined && packageDispatch(file, own, callee.own);
  }
  return false;
}

function define(name, value) {
  ObjectDefineProperty(ErrorCtor, name, { value, writable: true, enumerable: false, configurable: true });
}

function putBack(name, descriptor) {
  if (descriptor === undefined) ReflectDeleteProperty(ErrorCtor, name);
  else ObjectDefineProperty(ErrorCtor, name, descriptor);
}

module.exports = {
  SHIM_DIR,
  registerFile,
  fileEntry,
  originalColumn,
  originalLocation,
  install,
  callSites,
  calledFromLibrary,
  widenStack,
  narrowStack,
};
