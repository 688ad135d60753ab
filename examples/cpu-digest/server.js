// CPU work in an isolated leaf fluxion, for `jitflux run`: each POST /digest hashes its body
// ROUNDS times in the continuation of getRawBody (no network, no shared state), which hands the
// digest to the next handler through req and next(), as listing 3 hands over req.body.
var express = require('express'),
  app = express(),
  crypto = require('crypto'),
  getRawBody = require('raw-body'),
  ROUNDS = Number(process.env.ROUNDS) || 4000;

function digestBody(req, res, next) {
  getRawBody(req, { limit: '1mb' }, function (err, buffer) {
    if (err) {
      next(err);
      return;
    }
    var hash = buffer;
    for (var i = 0; i < ROUNDS; i++) {
      hash = crypto.createHash('sha256').update(hash).digest();
    }
    req.digest = hash.toString('hex');
    next();
  });
}

app.post('/digest', digestBody, function reply(req, res) {
  res.json({ digest: req.digest, rounds: ROUNDS });
});

app.listen(process.env.PORT || 8070);
