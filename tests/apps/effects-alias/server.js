// A write into the request through a local alias of it, read by the next handler.
var express = require('express');
var app = express();

app.get('/', function keep(req, res, next) {
  const r = req;
  r.body = 'kept ' + (req.query.v || 'nothing');
  next();
}, function show(req, res) {
  res.send(req.body + '\n');
});

app.listen(process.env.PORT || 0);
