'use strict';
// Child processes run as they would without jitflux, and are traced into the same trace.
//
// `node --inspect-brk=... --require shim app.js` leaves its flags in process.execArgv, which
// child_process.fork and cluster workers inherit: each child would open an inspector of its own
// and wait for a debugger forever. Before the app's first line, the inspector flags and the shim's
// own --require are taken out of process.execArgv, so the app sees what it would see untraced and
// its children start with no inspector. (Worker threads do not read process.execArgv: jitflux lets
// them run through the inspector; they are not traced.)
//
// When jitflux gives a folder (JITFLUX_CHILDREN), each node child process (other programs are left
// as they are) gets the shim through
// NODE_OPTIONS (`--require shim`, the child's own NODE_OPTIONS after it) and a dump file of its
// own in that folder (JITFLUX_DUMP): its shim writes what it recorded there when it ends, and this
// file, in the child, writes `DUMP.pid` beside it ({pid, command}) and gives the child back the
// NODE_OPTIONS it was started with. jitflux merges the dumps, each process's functions named by
// its pid. Each child started is reported to jitflux (`child` notification) when the binding is
// there (the main process). jitflux refuses inspector flags in NODE_OPTIONS: none to take out.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
// The first module of the shim: it saves the built-ins it uses (the app may replace them later,
// and the shim must not run the app's code).
const {
  ReflectApply, JSONStringify, ObjectAssign, ArrayIsArray, ArrayPrototypePush,
  StringPrototypeStartsWith, StringPrototypeSlice, StringPrototypeIndexOf, SetPrototypeHas,
  StringPrototypeReplace, RegExpPrototypeExec, SafeSet,
} = require('./primordials');

const SHIM_INDEX = path.join(__dirname, '..', 'index.js');
const INSPECTOR_FLAG = /^--(inspect|debug)(-[a-z-]+)?(=|$)/;
const REQUIRE = new SafeSet(['--require', '-r']);
// Passed on to traced children; JITFLUX_NODE_OPTIONS is the child's own NODE_OPTIONS, if any.
const PASSED = ['JITFLUX_ROOT', 'JITFLUX_INCLUDE', 'JITFLUX_EFFECTS', 'JITFLUX_CHILDREN'];
const OWN = 'JITFLUX_NODE_OPTIONS';
const SET = new SafeSet(['JITFLUX_ROOT', 'JITFLUX_INCLUDE', 'JITFLUX_EFFECTS', 'JITFLUX_CHILDREN', OWN, 'JITFLUX_DUMP']);
const NODE_NAME = /^(node|nodejs)(\d+(\.\d+)*)?$/;
const randomUUID = crypto.randomUUID;
// NODE_OPTIONS quotes with "...", escaping \ and ".
const QUOTED_SHIM = StringPrototypeReplace(SHIM_INDEX, /[\\"]/g, '\\$&');

/** process.execArgv without the inspector flags and the shim's --require. */
function untracedExecArgv(argv) {
  const kept = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (RegExpPrototypeExec(INSPECTOR_FLAG, arg) !== null) continue;
    if (SetPrototypeHas(REQUIRE, arg) && i + 1 < argv.length && path.resolve(argv[i + 1]) === SHIM_INDEX) {
      i++;
      continue;
    }
    if (arg === `--require=${SHIM_INDEX}` || arg === `-r=${SHIM_INDEX}`) continue;
    ArrayPrototypePush(kept, arg);
  }
  return kept;
}

/** A child's environment (`KEY=VALUE` strings) with the shim preloaded and its own dump. */
function tracedEnvPairs(pairs, passed, folder) {
  const out = [];
  let own = null;
  for (let i = 0; i < pairs.length; i++) {
    const pair = `${pairs[i]}`;
    if (StringPrototypeStartsWith(pair, 'NODE_OPTIONS=')) {
      own = StringPrototypeSlice(pair, 'NODE_OPTIONS='.length);
      continue;
    }
    const key = StringPrototypeSlice(pair, 0, StringPrototypeIndexOf(pair, '='));
    if (SetPrototypeHas(SET, key)) {
      continue; // set again below, for this child
    }
    out[out.length] = pair;
  }
  out[out.length] = `NODE_OPTIONS=--require "${QUOTED_SHIM}"${own ? ` ${own}` : ''}`;
  if (own !== null) out[out.length] = `${OWN}=${own}`;
  for (let i = 0; i < passed.length; i++) out[out.length] = passed[i];
  out[out.length] = `JITFLUX_DUMP=${path.join(folder, `${ReflectApply(randomUUID, crypto, [])}.json`)}`;
  return out;
}

/** In a traced child: say who this process is beside its dump; give back its NODE_OPTIONS. */
function announceChild(env, folder) {
  const dump = env.JITFLUX_DUMP;
  if (!folder || !dump || path.dirname(path.resolve(dump)) !== path.resolve(folder)) return;
  if (OWN in env) {
    env.NODE_OPTIONS = env[OWN];
    delete env[OWN];
  } else {
    delete env.NODE_OPTIONS;
  }
  fs.writeFileSync(`${dump}.pid`, JSONStringify({ pid: process.pid, command: process.argv }));
}

/** True when ChildProcess#spawn `options` start node itself (fork, cluster, spawn of node). */
function isNode(options) {
  if (options === null || typeof options !== 'object' || typeof options.file !== 'string') return false;
  return options.file === process.execPath || RegExpPrototypeExec(NODE_NAME, path.basename(options.file)) !== null;
}

function install() {
  const argv = process.execArgv;
  const kept = untracedExecArgv(argv);
  argv.length = 0; // the same array object: the app may hold it
  for (let i = 0; i < kept.length; i++) argv[i] = kept[i];

  const env = process.env;
  const folder = env.JITFLUX_CHILDREN || null;
  try {
    announceChild(env, folder);
  } catch (e) {
    // Without its card the child is listed as not traced; it must run all the same.
  }
  const passed = [];
  for (let i = 0; i < PASSED.length; i++) {
    const key = PASSED[i];
    if (env[key] !== undefined) ArrayPrototypePush(passed, `${key}=${env[key]}`);
  }

  const binding = globalThis.__jitfluxNotify;
  const notify = typeof binding === 'function' ? binding : null;
  if (folder === null && notify === null) return;
  const { ChildProcess } = require('child_process');
  const originalSpawn = ChildProcess.prototype.spawn;
  // fork, exec, execFile, spawn and cluster workers all go through ChildProcess#spawn.
  const wrapped = function spawn(options) {
    let args = arguments;
    if (folder !== null && isNode(options) && ArrayIsArray(options.envPairs)) {
      try {
        const traced = ObjectAssign({}, options);
        traced.envPairs = tracedEnvPairs(options.envPairs, passed, folder);
        args = [traced];
      } catch (e) {
        args = arguments; // the child runs untraced
      }
    }
    const result = ReflectApply(originalSpawn, this, args);
    try {
      if (notify !== null && typeof this.pid === 'number') {
        const spawnargs = this.spawnargs;
        const command = [];
        if (spawnargs && typeof spawnargs.length === 'number') {
          for (let i = 0; i < spawnargs.length; i++) command[i] = `${spawnargs[i]}`;
        }
        notify(JSONStringify({ event: 'child', pid: this.pid, command }));
      }
    } catch (e) {
      // Telling jitflux must never change what the app does.
    }
    return result;
  };
  ChildProcess.prototype.spawn = wrapped;
}

module.exports = { install, untracedExecArgv, tracedEnvPairs };
