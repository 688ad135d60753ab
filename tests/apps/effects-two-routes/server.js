// One variable that the handlers of two routes both change.
var express = require('express');
var app = express();
var total = 0;

app.get('/one', function addOne(req, res) {
  total += 1;
  res.send('total ' + total + '\n');
});

app.get('/ten', function addTen(req, res) {
  total += 10;
  res.send('total ' + total + '\n');
});

app.listen(process.env.PORT || 0);
