// A module-level array that a handler pushes to.
var express = require('express');
var app = express();
var log = [];

app.get('/', function record(req, res) {
  log.push(req.path);
  res.send('entries ' + log.length + '\n');
});

app.listen(process.env.PORT || 0);
