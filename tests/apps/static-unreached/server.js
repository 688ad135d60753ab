// Code a trace may not reach: a route nobody requests, and a listener only emitted synchronously.
var express = require('express');
var EventEmitter = require('events');

var app = express();
var bus = new EventEmitter();
var ticks = 0;

bus.on('tick', function onTick() {
  ticks += 1;
});

app.get('/', function home(req, res) {
  // Synchronous: onTick runs inside home's part, it is no rupture point at run time.
  bus.emit('tick');
  res.send('ticks ' + ticks + '\n');
});

app.get('/admin', function admin(req, res) {
  res.send('admin\n');
});

app.listen(process.env.PORT || 0);
