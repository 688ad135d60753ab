// Time per part: `light` hands the request to `heavy` with next(), synchronously (Express
// dispatches heavy as a part of its own), and heavy spins for SPIN ms before it answers.
var express = require('express');
var app = express();
var SPIN = 30;

app.get(
  '/spin',
  function light(req, res, next) {
    req.spin = SPIN;
    next();
  },
  function heavy(req, res) {
    var until = Date.now() + req.spin;
    var turns = 0;
    while (Date.now() < until) turns++;
    res.send('spun ' + (turns > 0) + '\n');
  }
);

app.listen(process.env.PORT || 0);
