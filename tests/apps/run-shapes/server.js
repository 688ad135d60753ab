// Fluxion shapes `jitflux run` moves besides plain function callbacks: an arrow function, an
// async function (its code after `await` runs in the worker too), a fluxion that writes its
// own context (a count only it uses: it runs in a worker of its own, where the count lives),
// and one that registers listeners on a stream it makes (its share group lives in its task).
var app = require('express')(),
  crypto = require('crypto'),
  util = require('util'),
  zlib = require('zlib'),
  getRawBody = require('raw-body'),
  ROUNDS = 2000,
  served = 0;

function reply(req, res) {
  res.json({ digest: req.digest, served: req.served });
}

app.post('/arrow', function (req, res, next) {
  getRawBody(req, (err, buffer) => {
    if (err) {
      next(err);
      return;
    }
    var hash = buffer;
    for (var i = 0; i < ROUNDS; i++) hash = crypto.createHash('sha256').update(hash).digest();
    req.digest = hash.toString('hex');
    next();
  });
}, reply);

app.post('/async', function (req, res, next) {
  getRawBody(req, async function (err, buffer) {
    if (err) {
      next(err);
      return;
    }
    var key = await util.promisify(crypto.pbkdf2)(buffer, 'jitflux', ROUNDS, 32, 'sha256');
    for (var i = 0; i < ROUNDS; i++) key = crypto.createHash('sha256').update(key).digest();
    req.digest = key.toString('hex');
    next();
  });
}, reply);

app.post('/count', function (req, res, next) {
  getRawBody(req, function (err, buffer) {
    if (err) {
      next(err);
      return;
    }
    served += 1;
    var hash = buffer;
    for (var i = 0; i < ROUNDS; i++) hash = crypto.createHash('sha256').update(hash).digest();
    req.served = served;
    req.digest = hash.toString('hex');
    next();
  });
}, reply);

app.post('/stream', function (req, res, next) {
  getRawBody(req, function (err, buffer) {
    if (err) {
      next(err);
      return;
    }
    var gzip = zlib.createGzip(),
      size = 0;
    gzip.on('data', function (chunk) {
      size += chunk.length;
    });
    gzip.on('end', function () {
      req.digest = 'gzip ' + size;
      next();
    });
    gzip.end(buffer);
  });
}, reply);

app.listen(process.env.PORT || 8074);
