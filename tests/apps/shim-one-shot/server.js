// One-shot listeners run once per registration: continuations (post) of the part that registers
// them; listeners of repeating events ('data') stay start points.
var express = require('express');
var EventEmitter = require('events');
var fs = require('fs');

var app = express();
var finished = 0;

app.post('/body', function bodyRoute(req, res) {
  var size = 0;
  req.on('data', function onData(chunk) {
    size += chunk.length;
  });
  req.on('end', function onEnd() {
    res.send('body ' + size + '\n');
  });
});

app.get('/file', function fileRoute(req, res) {
  var size = 0;
  var stream = fs.createReadStream(__filename);
  stream.on('data', function onChunk(chunk) {
    size += chunk.length;
  });
  stream.on('close', function onClose() {
    res.send('file ' + size + '\n');
  });
});

app.get('/finish', function finishRoute(req, res) {
  res.on('finish', function onFinish() {
    finished += 1;
  });
  res.send('finished ' + finished + '\n');
});

app.get('/once', function onceRoute(req, res) {
  var ticker = new EventEmitter();
  ticker.once('tick', function onTickOnce(n) {
    res.send('once ' + n + '\n');
  });
  setTimeout(function fire() {
    ticker.emit('tick', 1);
  }, 1);
});

app.listen(process.env.PORT || 0);
