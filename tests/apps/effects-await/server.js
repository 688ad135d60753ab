// A write that happens after an `await`.
var express = require('express');
var app = express();
var last = 'none';

function pause() {
  return new Promise(function (resolve) {
    setTimeout(resolve, 1);
  });
}

app.get('/', async function later(req, res) {
  await pause();
  last = req.query.v || 'empty';
  res.send('last ' + last + '\n');
});

app.listen(process.env.PORT || 0);
