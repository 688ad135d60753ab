'use strict';
// The counters of effects-runtime.js: a cell per (part, site) with its count and request samples,
// a counter per called function at a call cell, and the drain that turns the cells counted since
// the last drain into effects (the only place effect objects and strings are built).

const P = require('./primordials');
const { MODES } = require('./decide/network');

const { ArrayPrototypePush, MapPrototypeGet, MapPrototypeSet, MathMin, SafeMap } = P;
const { WRITE, NETWORK, UNKNOWN, WRITE_NETWORK, READ } = MODES;
const SAMPLES = 3; // request ids kept per cell per batch

/** A counter of one (part, site): how many events since the last drain, and samples of them. */
class Cell {
  constructor(part, site, vOn, mOn, mode) {
    this.part = part;
    this.site = site;
    this.vOn = vOn; // the variable part counts (the variable is not the part's own)
    this.on = vOn || mOn; // the member part counts when mode is not NONE
    this.mode = mode;
    this.d = 0;
    this.req = [null, null, null];
    this.probes = 0; // called functions identified so far
    this.callees = null; // [{callee, d, req}] for CALL
    this.cur = null; // the callee entry later events are counted on
    this.home = null; // the object's home when another variable names it first (see homeOf)
  }
}

/** One called function seen at a call cell, with its own counter and samples. */
class Callee {
  constructor(callee) {
    this.callee = callee;
    this.d = 0;
    this.req = [null, null, null];
  }
}

/** The effects counted since the last drain, one per (part, kind, target, declared, callee). */
function drain(cells) {
  const out = new SafeMap();
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const site = c.site;
    if (c.d > 0) {
      const v = site.v;
      if (c.vOn) {
        if (v.read) add(out, c, 'read', v.name, v.declared, v.owner, null, null, c);
        if (v.write) add(out, c, 'write', v.name, v.declared, v.owner, null, null, c);
      }
      const m = site.m;
      const written = c.mode === WRITE || c.mode === WRITE_NETWORK;
      if (c.home !== null) {
        // Recorded on the object's home: `gifsocket[*]`, `counter.count` for `this.count`.
        const h = c.home;
        const path = h.root + P.StringPrototypeSlice(m.path, m.root.length);
        if (written) add(out, c, 'write', path, h.declared, h.owner, null, null, c);
        else if (c.mode === READ) add(out, c, 'read', h.root, h.declared, h.owner, null, null, c);
      } else if (written) {
        add(out, c, 'write', m.path, m.declared, m.owner, null, null, c);
      }
      if (c.mode === NETWORK || c.mode === WRITE_NETWORK) add(out, c, 'network', m.root, m.declared, m.owner, null, null, c);
      else if (c.mode === UNKNOWN) add(out, c, 'unknown', m.root, null, null, null, m.reason, c);
      c.d = 0;
    }
    if (c.callees !== null) {
      const m = site.m;
      for (let j = 0; j < c.callees.length; j++) {
        const e = c.callees[j];
        if (e.d > 0) add(out, c, 'call', m.call, m.declared, m.owner, e.callee, null, e);
        e.d = 0;
      }
    }
  }
  return P.mapValues(out);
}

function add(out, c, kind, target, declared, owner, callee, reason, counter) {
  const key = `${c.part}\0${kind}\0${target}\0${declared ? `${declared.file}:${declared.line}:${declared.column}` : ''}\0${callee}`;
  let e = MapPrototypeGet(out, key);
  if (e === undefined) {
    e = { function: c.part, kind, target, declared, owner, callee, reason, count: 0, samples: [] };
    MapPrototypeSet(out, key, e);
  }
  e.count += counter.d;
  const site = c.site;
  for (let i = 0; i < MathMin(counter.d, SAMPLES) && e.samples.length < SAMPLES; i++) {
    ArrayPrototypePush(e.samples, { request: counter.req[i], file: site.file, line: site.line, column: site.column });
  }
}

module.exports = { Cell, Callee, drain, SAMPLES };
