// Middleware that hands `next` on instead of calling it: to a timer, and to the request's 'end'.
var express = require('express');

var app = express();

app.use(function pause(req, res, next) {
  req.paused = req.get('x-paused') || 'paused';
  setTimeout(next, 1);
});

app.use(function drain(req, res, next) {
  req.drained = 'drained';
  req.on('end', next);
  req.resume();
});

app.get('/', function reply(req, res) {
  res.send(req.paused + ' ' + req.drained + '\n');
});

app.listen(process.env.PORT || 0);
