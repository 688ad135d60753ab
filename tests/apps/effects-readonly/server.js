// An outer variable that a handler only reads.
var express = require('express');
var app = express();
var greeting = 'hello';

app.get('/', function greet(req, res) {
  res.send(greeting + ' ' + (req.query.name || 'you') + '\n');
});

app.listen(process.env.PORT || 0);
