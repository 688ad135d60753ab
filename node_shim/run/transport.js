'use strict';
// How messages reach the workers of `jitflux run`. A transport has two methods:
//   send(task) -> Promise<answer>   one message to one fluxion; the answer lists what the
//                                   fluxion sent downstream (MESSAGES.md). It rejects only when
//                                   the transport lost the task (a dead worker): the caller then
//                                   runs the fluxion itself, so no request is lost.
//   close() -> Promise<void>
// Tasks and answers are plain structured-clone data (codec.js) and name fluxions by id, so a
// broker transport (NATS request/reply, or a Redis Streams entry per task and one per answer)
// could carry the same messages to workers on other machines, running worker.js unchanged.
// Only the in-process one is built: a Piscina pool of worker threads.

const path = require('path');

class PiscinaTransport {
  constructor(workers) {
    const { Piscina } = require('piscina');
    this.pool = new Piscina({
      filename: path.join(__dirname, 'worker.js'),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 2 ** 31 - 1,
      // The app's own preload options must not load the shim's recorder in the workers.
      execArgv: [],
    });
  }

  send(task) {
    return this.pool.run(task);
  }

  close() {
    return this.pool.destroy();
  }
}

function createTransport(options) {
  return new PiscinaTransport(options.workers);
}

module.exports = { createTransport, PiscinaTransport };
