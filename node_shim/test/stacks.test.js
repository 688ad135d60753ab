'use strict';
// lib/stacks.js: each createStacks keeps its own rewritten files and its own hook of Error; a
// frame in a file registered with one of them is mapped back to the column of the original text.

const test = require('node:test');
const assert = require('node:assert');
const vm = require('vm');
const { createStacks } = require('../lib/stacks');

// A file as the loader rewrites it: one insertion of 8 characters before `return`.
const ORIGINAL = '(function f(where) { return where(); })';
const INSERT = 'void 0; ';
const AT = ORIGINAL.indexOf('return');
const REWRITTEN = ORIGINAL.slice(0, AT) + INSERT + ORIGINAL.slice(AT);
const CALL = ORIGINAL.indexOf('where()'); // 0-based column of the call in the original text

/** Run the rewritten file named `filename`; what `where`, called by it, returns. */
function runRewritten(filename, where) {
  return vm.runInThisContext(REWRITTEN, { filename })(where);
}

test('two stacks made by createStacks do not share their rewritten files', () => {
  const a = createStacks();
  const b = createStacks();
  const filename = '/virtual/stacks-test/app.js';
  a.registerFile(filename, 'app.js', ORIGINAL, [[AT, INSERT.length]]);
  assert.strictEqual(a.fileEntry(filename).file, 'app.js');
  assert.strictEqual(b.fileEntry(filename), undefined);
  // The caller of `where` is f, in the rewritten file: its frame points past the insertion.
  const where = () => a.callSites(where)[0];
  const frame = runRewritten(filename, where);
  assert.strictEqual(frame.getColumnNumber(), CALL + INSERT.length + 1);
  assert.deepStrictEqual(a.originalLocation(frame), { file: 'app.js', line: 1, column: CALL });
  assert.strictEqual(b.originalLocation(frame), null);
});

test('each stacks hooks Error once, and its hook maps only the files registered with it', () => {
  const saved = Error.prepareStackTrace;
  const warnings = [];
  try {
    const a = createStacks();
    const b = createStacks();
    const filename = '/virtual/stacks-test/thrower.js';
    a.registerFile(filename, 'thrower.js', ORIGINAL, [[AT, INSERT.length]]);
    const place = `${filename}:1:${CALL + 1}`;
    const shifted = `${filename}:1:${CALL + INSERT.length + 1}`;
    const thrown = () => {
      try {
        runRewritten(filename, () => { throw new Error('boom'); });
      } catch (e) {
        return e.stack;
      }
      return assert.fail('no throw');
    };
    assert.ok(thrown().includes(shifted), 'untraced: the rewritten column');
    a.install((text) => warnings.push(text));
    const hook = Error.prepareStackTrace;
    assert.notStrictEqual(hook, saved);
    a.install((text) => warnings.push(text));
    assert.strictEqual(Error.prepareStackTrace, hook, 'a second install of one stacks adds no hook');
    assert.ok(thrown().includes(place), 'the original column through the hook of the stacks that rewrote it');
    Error.prepareStackTrace = saved;
    b.install((text) => warnings.push(text));
    assert.notStrictEqual(Error.prepareStackTrace, saved, 'another stacks installs its own hook');
    assert.ok(thrown().includes(shifted), 'whose files do not include the other one\'s');
    assert.deepStrictEqual(warnings, []);
  } finally {
    Error.prepareStackTrace = saved;
  }
});

test('widenStack raises Error.stackTraceLimit by one and narrowStack puts it back', () => {
  const saved = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 7;
    const stacks = createStacks();
    const limit = stacks.widenStack();
    assert.strictEqual(limit, 7);
    assert.strictEqual(Error.stackTraceLimit, 8);
    stacks.narrowStack(limit);
    assert.strictEqual(Error.stackTraceLimit, 7);
    Error.stackTraceLimit = Infinity;
    assert.strictEqual(stacks.widenStack(), null, 'no finite limit: nothing to widen');
    assert.strictEqual(Error.stackTraceLimit, Infinity);
  } finally {
    Error.stackTraceLimit = saved;
  }
});
