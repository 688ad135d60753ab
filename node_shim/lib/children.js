'use strict';
// Child processes run as they would without jitflux. `node --inspect-brk=... --require shim app.js`
// leaves its flags in process.execArgv, which child_process.fork and cluster workers inherit: each
// child would open an inspector of its own and wait for a debugger forever. Before the app's first
// line, the inspector flags and the shim's own --require are taken out of process.execArgv, so the
// app sees what it would see untraced and its children start untraced, with no inspector. (Worker
// threads do not read process.execArgv: jitflux lets them run through the inspector.) Each child
// process started is reported to jitflux (`child` notification), which lists it in the trace as
// not traced. jitflux refuses inspector flags in NODE_OPTIONS, so there is nothing to take out.

const path = require('path');

const SHIM_INDEX = path.join(__dirname, '..', 'index.js');
const INSPECTOR_FLAG = /^--(inspect|debug)(-[a-z-]+)?(=|$)/;
const REQUIRE = new Set(['--require', '-r']);
// Saved now: the app may replace built-ins later, and the shim must not run the app's code.
const ReflectApply = Reflect.apply;
const JSONStringify = JSON.stringify;

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

function install() {
  const argv = process.execArgv;
  const kept = untracedExecArgv(argv);
  argv.length = 0; // the same array object: the app may hold it
  for (let i = 0; i < kept.length; i++) argv[i] = kept[i];

  const binding = globalThis.__jitfluxNotify;
  if (typeof binding !== 'function') return; // a worker thread, or no jitflux to tell
  const { ChildProcess } = require('child_process');
  const originalSpawn = ChildProcess.prototype.spawn;
  // fork, exec, execFile, spawn and cluster workers all go through ChildProcess#spawn.
  const wrapped = function spawn(options) {
    const result = ReflectApply(originalSpawn, this, arguments);
    try {
      if (typeof this.pid === 'number') {
        const args = this.spawnargs;
        const command = [];
        if (args && typeof args.length === 'number') {
          for (let i = 0; i < args.length; i++) command[i] = `${args[i]}`;
        }
        binding(JSONStringify({ event: 'child', pid: this.pid, command }));
      }
    } catch (e) {
      // Telling jitflux must never change what the app does.
    }
    return result;
  };
  ChildProcess.prototype.spawn = wrapped;
}

module.exports = { install, untracedExecArgv };
