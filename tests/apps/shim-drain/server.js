// Shows the shim's batches: /drain answers globalThis.__jitflux.drain(), what jitflux would get.
var express = require('express');
var fs = require('fs');
var app = express();

app.get('/work', function work(req, res) {
  fs.stat(__filename, function stated(err, stat) {
    res.send(String(stat.size) + '\n');
  });
});

app.get('/drain', function drain(req, res) {
  res.type('json').send(globalThis.__jitflux.drain());
});

app.listen(process.env.PORT || 0);
