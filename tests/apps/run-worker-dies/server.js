// An isolated fluxion that kills the thread it runs on when that thread is a worker and the
// body says `die`: its task is lost with the worker, and `jitflux run` must still answer it
// (the main thread runs the call itself) while the pool replaces the worker.
var app = require('express')(),
  threads = require('worker_threads'),
  getRawBody = require('raw-body');

app.post('/echo', function (req, res, next) {
  getRawBody(req, function (err, buffer) {
    if (!threads.isMainThread && String(buffer) === 'die') process.exit(1);
    req.body = buffer;
    next(err);
  });
}, function reply(req, res) {
  res.send('echo ' + req.body + '\n');
});

app.listen(process.env.PORT || 8072);
