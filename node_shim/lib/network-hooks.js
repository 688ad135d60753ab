'use strict';
// Node's network classes hooked for effects-runtime.js: the methods of IncomingMessage,
// ServerResponse and Socket that use the socket, which library code calls too (Express's
// `res.send` calling `res.end`). Each call reports a use to the runtime, once per outermost call.

const http = require('http');
const net = require('net');
const {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ReflectApply,
} = require('./primordials');

const { IncomingMessage, ServerResponse } = http;
const { Socket } = net;

// Methods of Node's own classes that use the socket; library code calls them too. Express's
// request helpers (`req.get`, `req.is`) only read headers: they are not on these prototypes.
const HOOKS = [
  [IncomingMessage.prototype, 'req', ['on', 'addListener', 'once', 'read', 'pipe', 'unpipe', 'resume', 'pause', 'setEncoding']],
  [ServerResponse.prototype, 'res', ['writeHead', 'write', 'end', 'setHeader', 'appendHeader', 'removeHeader', 'flushHeaders', 'writeContinue', 'addTrailers']],
  [Socket.prototype, 'socket', ['write', 'end', 'destroy', 'pipe', 'pause', 'resume']],
];

/**
 * Replace the hooked methods with ones that call `netUse(obj, k)` (k indexes HOOKS) before the
 * original, unless the call is nested in another hooked call.
 */
function hookNetwork(netUse) {
  let inHook = false;
  for (let k = 0; k < HOOKS.length; k++) {
    const proto = HOOKS[k][0];
    const names = HOOKS[k][2];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const desc = findDescriptor(proto, name);
      if (!desc || typeof desc.value !== 'function') continue;
      const original = desc.value;
      const hooked = function () {
        if (inHook) return ReflectApply(original, this, arguments);
        netUse(this, k);
        inHook = true;
        try {
          return ReflectApply(original, this, arguments);
        } finally {
          inHook = false;
        }
      };
      ObjectDefineProperty(hooked, 'name', { value: original.name });
      ObjectDefineProperty(hooked, 'length', { value: original.length });
      ObjectDefineProperty(proto, name, { ...desc, value: hooked });
    }
  }
}

function findDescriptor(proto, name) {
  for (let o = proto; o !== null; o = ObjectGetPrototypeOf(o)) {
    const d = ObjectGetOwnPropertyDescriptor(o, name);
    if (d) return d;
  }
  return null;
}

module.exports = { HOOKS, hookNetwork };
