'use strict';
// What the shim learns from Node itself: bound functions (Function.prototype.bind, see
// identity.js), listener registrations (EventEmitter), requests
// (diagnostics_channel 'http.server.request.start'), listening servers (the 'net.server.listen'
// tracing channel, or a Server#emit hook on Node versions without it), and the end of the process
// ('exit', SIGINT, SIGTERM), where the last batch and the dump are written.

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const events = require('events');
const dc = require('diagnostics_channel');
const stacks = require('./stacks');
const {
  FunctionPrototypeCall, FunctionPrototypeToString, ReflectApply, RegExpPrototypeExec, WeakMapPrototypeSet,
  toJSON, pristine,
} = require('./primordials');

// Saved now: the app may replace them before the shim needs them at exit.
const { writeFileSync, renameSync } = fs;
const { kill, _rawDebug: rawDebug } = process;
const { listenerCount } = events.EventEmitter.prototype;
const { address: serverAddress } = net.Server.prototype;
const { constants: { signals: SIGNAL_NUMBERS } } = os;

const SIGNALS = ['SIGINT', 'SIGTERM'];

/** Send `message` through jitflux's binding, if it added one; a failure is warned to `recorder`. */
function notify(message, recorder) {
  const binding = globalThis.__jitfluxNotify;
  if (typeof binding !== 'function') return;
  try {
    binding(toJSON(message));
  } catch (e) {
    recorder.warn(`notify ${message.event}: ${e && e.message}`);
  }
}

function writeFileAtomic(file, text) {
  // Node's own path.join calls Array.prototype.push: it runs with the saved built-ins.
  const tmp = pristine(() => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`));
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * A server's request listener that is one of the app's functions, however it was named at the
 * registration (`http.createServer(handlers.serve)`): a start point of the registering part.
 */
function requestListener({ runtime, recorder, identity }, listener) {
  try {
    const n = identity.instrumentedNumber(identity.targetOf(listener));
    if (n < 0) return;
    let callee = "on('request')";
    let loc = null;
    const sites = stacks.callSites(requestListener);
    for (let i = 0; i < sites.length; i++) {
      const callSite = sites[i];
      if (callSite.getFunctionName() === 'createServer') callee = 'http.createServer';
      if (loc === null) loc = stacks.originalLocation(callSite);
    }
    runtime.requestListener(n, callee, loc);
  } catch (e) {
    recorder.warn(`request listener: ${e && e.message}`);
  }
}

/**
 * Hook Node for `runtime` (lib/runtime.js's createRuntime), recording into `recorder` and naming
 * functions with `identity`; `dumpPath` and `portFile` are the files to write at exit and when
 * the first server listens, or null.
 */
function install(options) {
  const { dumpPath, portFile, runtime, recorder, identity } = options;
  identity.installBind();
  const proto = events.EventEmitter.prototype;
  const originalOn = proto.on;
  const originalPrepend = proto.prependListener;
  const originalRemove = proto.removeListener;
  let finished = false;
  let portWritten = false;

  // The end: last batch through the binding, whole aggregate into the dump.
  function finish(code, signal) {
    if (finished) return;
    finished = true;
    let batch;
    try {
      batch = recorder.drain();
    } catch (e) {
      batch = { warnings: [`drain at exit: ${e && e.message}`] };
    }
    const message = { event: 'exit', code, batch };
    if (signal) message.signal = signal;
    notify(message, recorder);
    if (dumpPath) {
      try {
        writeFileSync(dumpPath, toJSON(recorder.total()));
      } catch (e) {
        FunctionPrototypeCall(rawDebug, process, `jitflux: cannot write ${dumpPath}: ${e && e.message}`);
      }
    }
  }

  function onExit(code) {
    finish(code, null);
  }

  function onSignal(signal) {
    // With a handler of its own the app decides what the signal does; it may still exit later.
    if (FunctionPrototypeCall(listenerCount, process, signal) > 1) return;
    finish(128 + (SIGNAL_NUMBERS[signal] || 0), signal);
    FunctionPrototypeCall(originalRemove, process, signal, onSignal);
    FunctionPrototypeCall(kill, process, process.pid, signal);
  }

  FunctionPrototypeCall(originalOn, process, 'exit', onExit);
  for (let i = 0; i < SIGNALS.length; i++) FunctionPrototypeCall(originalOn, process, SIGNALS[i], onSignal);

  // Listener registrations. Keep the shim's 'exit' listener last, after the app's own ones.
  function keepExitLast(emitter, type, listener) {
    if (emitter === process && type === 'exit' && listener !== onExit) {
      FunctionPrototypeCall(originalRemove, process, 'exit', onExit);
      FunctionPrototypeCall(originalOn, process, 'exit', onExit);
    }
  }
  const addListener = function addListener(type, listener) {
    runtime.listenerRegistered(listener, type);
    if (type === 'request' && this instanceof net.Server) requestListener(options, listener);
    const result = ReflectApply(originalOn, this, arguments);
    if (this === process) keepExitLast(this, type, listener);
    return result;
  };
  const prependListener = function prependListener(type, listener) {
    runtime.listenerRegistered(listener, type);
    if (type === 'request' && this instanceof net.Server) requestListener(options, listener);
    return ReflectApply(originalPrepend, this, arguments);
  };
  proto.on = addListener;
  proto.addListener = addListener;
  proto.prependListener = prependListener;

  // Requests: an id per request, carried by the resource the request is served in.
  let requests = 0;
  dc.subscribe('http.server.request.start', (message) => {
    try {
      const id = `r${++requests}`;
      recorder.countRequest();
      if (message && message.request) WeakMapPrototypeSet(runtime.requestIds, message.request, id);
      runtime.setRequestContext(id);
    } catch (e) {
      recorder.warn(`request: ${e && e.message}`);
    }
  });

  // Listening servers.
  function listening(server) {
    try {
      const address = FunctionPrototypeCall(serverAddress, server);
      if (!address || typeof address !== 'object') return;
      recorder.addListening(address.port, address.address);
      notify({ event: 'listening', port: address.port, address: address.address }, recorder);
      if (portFile && !portWritten) {
        portWritten = true;
        writeFileAtomic(portFile, String(address.port));
      }
      if (process.env.JITFLUX_DEBUG) FunctionPrototypeCall(rawDebug, process, `jitflux: listening on ${address.port}`);
    } catch (e) {
      recorder.warn(`listening: ${e && e.message}`);
    }
  }
  let channel;
  try {
    channel = typeof dc.tracingChannel === 'function' &&
      RegExpPrototypeExec(/netServerListen/, FunctionPrototypeToString(net.Server.prototype._listen2)) !== null;
  } catch (e) {
    channel = false;
  }
  if (channel) {
    dc.subscribe('tracing:net.server.listen:asyncEnd', (message) => listening(message.server));
  } else {
    const originalEmit = net.Server.prototype.emit;
    net.Server.prototype.emit = function emit(type) {
      if (type === 'listening') listening(this);
      return ReflectApply(originalEmit, this, arguments);
    };
  }

  return { finish };
}

module.exports = { install };
