'use strict';
// How messages reach the workers of `jitflux run`. A transport has two methods:
//   send(task) -> Promise<answer>   one message to one fluxion; the answer lists what the
//                                   fluxion sent downstream (MESSAGES.md). It rejects only when
//                                   the transport lost the task (a dead worker): the caller then
//                                   runs the fluxion itself, so no request is lost.
//   close() -> Promise<void>
// A task marked `pinned` (its fluxion writes its context) always goes to the same worker, which
// holds that context and runs its tasks one at a time, in the order they were sent.
// Tasks and answers are plain structured-clone data (codec.js) and name fluxions by id, so a
// broker transport (NATS request/reply, or a Redis Streams entry per task and one per answer)
// could carry the same messages to workers on other machines, running worker.js unchanged.
// Only the in-process one is built: a Piscina pool of worker threads.

const path = require('path');

class PiscinaTransport {
  constructor(workers) {
    this.pool = PiscinaTransport.pool(workers);
    this.own = new Map(); // fluxion id -> its pool of one thread (a pinned task's fluxion)
  }

  static pool(threads) {
    const { Piscina } = require('piscina');
    return new Piscina({
      filename: path.join(__dirname, 'worker.js'),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 2 ** 31 - 1,
      // The app's own preload options must not load the shim's recorder in the workers.
      execArgv: [],
    });
  }

  send(task) {
    if (!task.pinned) return this.pool.run(task);
    let pool = this.own.get(task.fid);
    if (!pool) {
      pool = PiscinaTransport.pool(1);
      this.own.set(task.fid, pool);
    }
    return pool.run(task);
  }

  close() {
    return Promise.all([this.pool, ...this.own.values()].map((pool) => pool.destroy()));
  }
}

function createTransport(options) {
  return new PiscinaTransport(options.workers);
}

module.exports = { createTransport, PiscinaTransport };
