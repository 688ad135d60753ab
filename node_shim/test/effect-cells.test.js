'use strict';
// lib/effect-cells.js: the drain turns the cells counted since the last drain into effects, one
// per (part, kind, target, declaration, callee), with at most three samples each.

const test = require('node:test');
const assert = require('node:assert');
const { Cell, Callee, drain, SAMPLES } = require('../lib/effect-cells');
const { MODES } = require('../lib/decide/network');

const DECLARED = { file: 'app.js', line: 1, column: 4 };
const SITE = {
  file: 'app.js', line: 7, column: 2,
  v: { name: 'count', read: true, write: true, declared: DECLARED, owner: 'f0' },
  m: null,
};

/** A cell of part `part` at `site` that counted one event per request id given. */
function counted(cell, ...requests) {
  for (const r of requests) {
    if (cell.d < SAMPLES) cell.req[cell.d] = r;
    cell.d++;
  }
  return cell;
}

test("a variable cell drains into a read and a write of the variable, with the first samples", () => {
  const cell = counted(new Cell('f2', SITE, true, false, MODES.NONE), 'r1', 'r2', 'r3', 'r4');
  const effects = drain([cell]);
  assert.deepStrictEqual(effects.map((e) => [e.function, e.kind, e.target, e.count]), [
    ['f2', 'read', 'count', 4], ['f2', 'write', 'count', 4],
  ]);
  assert.deepStrictEqual(effects[0].samples.map((s) => [s.request, s.line]), [['r1', 7], ['r2', 7], ['r3', 7]]);
  assert.deepStrictEqual(drain([cell]), []); // counted since the last drain only
});

test('cells of one part with the same key add up into one effect', () => {
  const other = { ...SITE, line: 9 };
  const effects = drain([
    counted(new Cell('f2', SITE, true, false, MODES.NONE), 'r1'),
    counted(new Cell('f2', other, true, false, MODES.NONE), 'r2'),
    counted(new Cell('f3', SITE, true, false, MODES.NONE), 'r3'),
  ]);
  assert.deepStrictEqual(effects.map((e) => [e.function, e.kind, e.count]), [
    ['f2', 'read', 2], ['f2', 'write', 2], ['f3', 'read', 1], ['f3', 'write', 1],
  ]);
  assert.deepStrictEqual(effects[0].samples.map((s) => s.line), [7, 9]);
});

test('a member cell drains by its mode: a write on the home, the network, a call per callee', () => {
  const m = { op: 'method', path: 'res[*]', root: 'res', call: 'res.send', declared: DECLARED, owner: 'f0' };
  const site = { file: 'app.js', line: 3, column: 0, v: null, m };
  const network = counted(new Cell('f1', site, false, true, MODES.NETWORK), 'r1');
  const homed = counted(new Cell('f1', { ...site, m: { ...m, path: 'sock[*]', root: 'sock' } }, false, true, MODES.WRITE), 'r1');
  homed.home = { root: 'gifsocket', declared: DECLARED, owner: 'f0', chain: ['f0'] };
  const calls = new Cell('f1', site, false, true, MODES.CALL);
  calls.callees = [counted(new Callee('express.next'), 'r1', 'r2')];
  const effects = drain([network, homed, calls]);
  assert.deepStrictEqual(effects.map((e) => [e.kind, e.target, e.callee, e.count]), [
    ['network', 'res', null, 1], ['write', 'gifsocket[*]', null, 1], ['call', 'res.send', 'express.next', 2],
  ]);
});
