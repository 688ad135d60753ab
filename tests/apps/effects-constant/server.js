// A constant reply: the handler touches no variable it does not own.
var express = require('express');
var app = express();

app.get('/', function constant(req, res) {
  res.send('hello\n');
});

app.listen(process.env.PORT || 0);
