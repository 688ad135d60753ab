'use strict';
// The load generator of bench/overhead.py: a warm-up, then a measured run of a fixed number of
// requests with autocannon, against http://127.0.0.1 only. Writes a JSON summary to --out.
//
//   node load.js --port 8080 --warmup 1000 --amount 5000 --connections 20 --out result.json
//   node load.js --port 8070 --path /digest --method POST --body 'hello' ...
//
// The port comes from --port, else from $PORT (set by `jitflux trace --drive`).
// With --server-pid PID (or `jitflux`: the jitflux process this driver runs under), it also
// measures the CPU time that process and its descendants (but not this one) used during the
// measured run, from /proc: the server side's CPU per request, which other processes on the
// machine disturb much less than throughput.
const fs = require('fs');
const autocannon = require('autocannon');

function parseArgs(argv) {
  const opts = {
    port: process.env.PORT, path: '/', warmup: 1000, amount: 5000, connections: 20, out: null,
    'server-pid': null, hz: 100, method: 'GET', body: '',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts) || i + 1 >= argv.length) throw new Error('bad argument: ' + argv[i]);
    opts[key] = argv[i + 1];
  }
  for (const key of ['port', 'warmup', 'amount', 'connections', 'hz']) opts[key] = Number(opts[key]);
  if (!Number.isInteger(opts.port) || opts.port <= 0) throw new Error('no port (--port or $PORT)');
  return opts;
}

// /proc/PID/stat as [ppid, utime + stime in clock ticks], or null when the process is gone.
function stat(pid) {
  try {
    const text = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch (err) {
    return null;
  }
}

// Whether process `pid` runs `jitflux trace` (`python -m jitflux trace` or `.../jitflux trace`).
function runsJitflux(pid) {
  let words;
  try {
    words = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\0');
  } catch (err) {
    return false;
  }
  return words.some((w, i) => (w === 'jitflux' || w.endsWith('/jitflux')) && words[i + 1] === 'trace');
}

// The nearest ancestor of this process that runs jitflux.
function jitfluxAncestor() {
  let pid = process.ppid;
  while (pid > 1) {
    if (runsJitflux(pid)) return pid;
    const s = stat(pid);
    if (!s) break;
    pid = s[0];
  }
  throw new Error('--server-pid jitflux: not run under jitflux');
}

// CPU seconds used so far by `root` and its descendants, leaving out this process.
function treeCpu(root, hz) {
  const children = new Map();
  const ticks = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (!s) continue;
    const pid = Number(name);
    ticks.set(pid, s[1]);
    if (!children.has(s[0])) children.set(s[0], []);
    children.get(s[0]).push(pid);
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    if (pid === process.pid) continue;
    total += ticks.get(pid) || 0;
    for (const child of children.get(pid) || []) todo.push(child);
  }
  return total / hz;
}

// Runs `amount` requests; resolves to autocannon's result plus `elapsed`, the seconds from the
// start to the last response, and `cpu`, the server side's CPU seconds over the same window.
// autocannon's own `duration` only ends on its one-second ticker, which would round every run
// up to whole seconds.
function run(opts, amount, server) {
  return new Promise((resolve, reject) => {
    const cpuStart = server ? treeCpu(server, opts.hz) : 0;
    let cpuEnd = cpuStart;
    const started = process.hrtime.bigint();
    let last = started;
    let responses = 0;
    const instance = autocannon({
      url: 'http://127.0.0.1:' + opts.port + opts.path,
      method: opts.method,
      body: opts.body || undefined,
      headers: opts.body ? { 'content-type': 'text/plain' } : {},
      connections: Math.min(opts.connections, amount),
      amount: amount,
      timeout: 30,
    }, (err, result) => {
      if (err) return reject(err);
      result.elapsed = Number(last - started) / 1e9;
      result.cpu = server ? cpuEnd - cpuStart : null;
      resolve(result);
    });
    instance.on('response', () => {
      last = process.hrtime.bigint();
      responses += 1;
      if (server && responses === amount) cpuEnd = treeCpu(server, opts.hz);
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pidOption = opts['server-pid'];
  const server = pidOption === 'jitflux' ? jitfluxAncestor() : (pidOption ? Number(pidOption) : null);
  if (opts.warmup > 0) await run(opts, opts.warmup, null);
  const r = await run(opts, opts.amount, server);
  const completed = r.requests.total;
  const summary = {
    requests: completed,
    seconds: r.elapsed,
    // Completed requests over the wall time of the run: autocannon's per-second samples are too
    // coarse for runs of a few seconds.
    rps: completed / r.elapsed,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    server_cpu_s: r.cpu,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
  const text = JSON.stringify(summary) + '\n';
  if (opts.out) fs.writeFileSync(opts.out, text);
  else process.stdout.write(text);
  if (r.errors || r.non2xx || completed < opts.amount) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write('load.js: ' + err.message + '\n');
  process.exitCode = 2;
});
