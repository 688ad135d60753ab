// A handler that changes state inside another module through its function.
var express = require('express');
var store = require('./store');
var app = express();

app.get('/', function visit(req, res) {
  var n = store.bump();
  res.send('visits ' + n + '\n');
});

app.listen(process.env.PORT || 0);
