// A counter that one callback changes.
var express = require('express');
var app = express();
var hits = 0;

app.get('/', function count(req, res) {
  hits++;
  res.send('hits ' + hits + '\n');
});

app.listen(process.env.PORT || 0);
