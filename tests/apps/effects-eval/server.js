// Code that hides what it touches: a direct eval, and a with statement.
var express = require('express');
var app = express();
var base = 40;

app.get('/', function evaluate(req, res) {
  var n = eval('base + 2');
  res.send('n ' + n + '\n');
});

app.get('/with', function within(req, res) {
  var point = { x: 1, y: 2 };
  with (point) {
    res.send('sum ' + (x + y) + '\n');
  }
});

app.listen(process.env.PORT || 0);
