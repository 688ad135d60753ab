'use strict';
// Preloaded by bench/hotspots.py (`node --require bench/cpuprof.js server.js`): samples the
// app's CPU in-process with the inspector's Profiler, from the end of the warm-up
// ($JITFLUX_BENCH_PROFILE_SKIP responses) until $JITFLUX_BENCH_PROFILE_REQUESTS more responses
// have finished, then writes the profile to $JITFLUX_BENCH_PROFILE. Counting responses makes
// the profile independent of how the process is stopped afterwards.
const dc = require('diagnostics_channel');
const fs = require('fs');
const inspector = require('inspector');

const out = process.env.JITFLUX_BENCH_PROFILE;
const skip = Number(process.env.JITFLUX_BENCH_PROFILE_SKIP) || 0;
const count = Number(process.env.JITFLUX_BENCH_PROFILE_REQUESTS) || 0;

if (out && count > 0) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  let finished = 0;
  const onFinish = () => {
    finished += 1;
    if (finished === skip) session.post('Profiler.start');
    if (finished !== skip + count) return;
    dc.unsubscribe('http.server.response.finish', onFinish);
    session.post('Profiler.stop', (err, result) => {
      if (err) process.stderr.write('cpuprof.js: ' + err.message + '\n');
      else fs.writeFileSync(out, JSON.stringify(result.profile));
      session.disconnect();
    });
  };
  if (skip === 0) session.post('Profiler.start');
  dc.subscribe('http.server.response.finish', onFinish);
}
