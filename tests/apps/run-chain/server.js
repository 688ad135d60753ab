// An isolated fluxion that schedules asynchronous work of its own: the getRawBody callback
// compresses the body with zlib, and the compression's callback, isolated too, hands the
// result to the next handler through req and next(). Under `jitflux run` both run in a worker.
var app = require('express')(),
  zlib = require('zlib'),
  getRawBody = require('raw-body');

app.post('/zip', function (req, res, next) {
  getRawBody(req, function (err, buffer) {
    if (err) {
      next(err);
      return;
    }
    zlib.gzip(buffer, function (failure, zipped) {
      req.zipped = zipped;
      next(failure);
    });
  });
}, function reply(req, res) {
  res.send(req.zipped.toString('base64') + '\n');
});

app.listen(process.env.PORT || 8073);
