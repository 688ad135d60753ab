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

const SHIM_INDEX = path.join(__dirname, '..', 'index.js');
const INSPECTOR_FLAG = /^--(inspect|debug)(-[a-z-]+)?(=|$)/;
const REQUIRE = new Set(['--require', '-r']);
// Passed on to traced children; JITFLUX_NODE_OPTIONS is the child's own NODE_OPTIONS, if any.
const PASSED = ['JITFLUX_ROOT', 'JITFLUX_INCLUDE', 'JITFLUX_EFFECTS', 'JITFLUX_CHILDREN'];
const OWN = 'JITFLUX_NODE_OPTIONS';
const SET = new Set([...PASSED, OWN, 'JITFLUX_DUMP']);
const NODE_NAME = /^(node|nodejs)(\d+(\.\d+)*)?$/;
// Saved now: the app may replace built-ins later, and the shim must not run the app's code.
const ReflectApply = Reflect.apply;
const JSONStringify = JSON.stringify;
const ObjectAssign = Object.assign;
const ArrayIsArray = Array.isArray;
const StringPrototypeStartsWith = String.prototype.startsWith;
const StringPrototypeSlice = String.prototype.slice;
const StringPrototypeReplace = String.prototype.replace;
const StringPrototypeIndexOf = String.prototype.indexOf;
const SetPrototypeHas = Set.prototype.has;
const randomUUID = crypto.randomUUID;

/** process.execArgv without the inspector flags and the shim's --require. */
function untracedExecArgv(argv) {
  const kept = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (INSPECTOR_FLAG.test(arg)) continue;
    if (REQUIRE.has(arg) && i + 1 < argv.length && path.resolve(argv[i + 1]) === SHIM_INDEX) {
      i++;
      continue;
    }
    if (arg === `--require=${SHIM_INDEX}` || arg === `-r=${SHIM_INDEX}`) continue;
    kept.push(arg);
  }
  return kept;
}

function startsWith(text, prefix) {
  return ReflectApply(StringPrototypeStartsWith, text, [prefix]);
}

/** A child's environment (`KEY=VALUE` strings) with the shim preloaded and its own dump. */
function tracedEnvPairs(pairs, passed, folder) {
  const out = [];
  let own = null;
  for (let i = 0; i < pairs.length; i++) {
    const pair = `${pairs[i]}`;
    if (startsWith(pair, 'NODE_OPTIONS=')) {
      own = ReflectApply(StringPrototypeSlice, pair, ['NODE_OPTIONS='.length]);
      continue;
    }
    const key = ReflectApply(StringPrototypeSlice, pair, [0, ReflectApply(StringPrototypeIndexOf, pair, ['='])]);
    if (ReflectApply(SetPrototypeHas, SET, [key])) {
      continue; // set again below, for this child
    }
    out[out.length] = pair;
  }
  // NODE_OPTIONS quotes with "...", escaping \ and ".
  const quoted = ReflectApply(StringPrototypeReplace, SHIM_INDEX, [/[\\"]/g, '\\$&']);
  out[out.length] = `NODE_OPTIONS=--require "${quoted}"${own ? ` ${own}` : ''}`;
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
  fs.writeFileSync(`${dump}.pid`, JSON.stringify({ pid: process.pid, command: process.argv }));
}

/** True when ChildProcess#spawn `options` start node itself (fork, cluster, spawn of node). */
function isNode(options) {
  if (options === null || typeof options !== 'object' || typeof options.file !== 'string') return false;
  return options.file === process.execPath || NODE_NAME.test(path.basename(options.file));
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
  for (const key of PASSED) if (env[key] !== undefined) passed.push(`${key}=${env[key]}`);

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
