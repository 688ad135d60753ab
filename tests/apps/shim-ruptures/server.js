// Which callbacks are rupture points: one route per kind of callback.
var express = require('express');
var EventEmitter = require('events');

var app = express();
var ticks = new EventEmitter();
var ticked = 0;
var beats = 0;

// A listener registered once and fired later from outside the app's code: a start point.
ticks.on('tick', function onTick(n) {
  ticked += n;
});

// A repeating timer: a start point.
var beat = setInterval(function onBeat() {
  beats += 1;
  if (beats >= 3) clearInterval(beat);
}, 5);

app.get('/sync', function syncRoute(req, res) {
  // Neither the map callback nor a synchronous emit is a rupture point.
  var doubled = [1, 2].map(function double(x) {
    return x * 2;
  });
  ticks.emit('tick', 1);
  res.send('sync ' + doubled.join(',') + ' ' + ticked + '\n');
});

app.get('/timeout', function timeoutRoute(req, res) {
  setTimeout(function afterTimeout() {
    res.send('timeout\n');
  }, 1);
});

app.get('/immediate', function immediateRoute(req, res) {
  setImmediate(function afterImmediate() {
    res.send('immediate\n');
  });
});

app.get('/tick', function tickRoute(req, res) {
  process.nextTick(function afterTick() {
    res.send('tick\n');
  });
});

app.get('/then', function thenRoute(req, res) {
  Promise.resolve(2).then(function afterThen(v) {
    res.send('then ' + v + '\n');
  });
});

app.get('/await', async function awaitRoute(req, res) {
  var v = await Promise.resolve(3);
  res.send('await ' + v + '\n');
});

app.get('/later', function laterRoute(req, res) {
  // The emit runs from a timer that calls Node's own bound function: no app frame on the stack.
  setTimeout(ticks.emit.bind(ticks, 'tick', 10), 1);
  setTimeout(function reportTicks() {
    res.send('later ' + ticked + ' ' + beats + '\n');
  }, 20);
});

app.post('/body', function bodyRoute(req, res) {
  // Listeners on the request stream, fired by Node as the body arrives: start points.
  var size = 0;
  req.on('data', function onData(chunk) {
    size += chunk.length;
  });
  req.on('end', function onEnd() {
    res.send('body ' + size + '\n');
  });
});

app.listen(process.env.PORT || 0);
