// Network use through streams: a file piped into the response, and stream.pipeline into it.
var express = require('express');
var fs = require('fs');
var stream = require('stream');

var app = express();

app.get('/pipe', function piped(req, res) {
  fs.createReadStream(__filename).pipe(res);
});

app.get('/pipeline', function pipelined(req, res) {
  stream.pipeline(fs.createReadStream(__filename), res, function done(err) {
    if (err) res.destroy(err);
  });
});

app.listen(process.env.PORT || 0);
