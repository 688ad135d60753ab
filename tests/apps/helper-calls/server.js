'use strict';
// A helper called by main at start-up and by handlers, directly and through a local variable:
// its locals and parameters belong to each call, not to main.
const express = require('express');

function later(value, callback) {
  const result = { value };
  setImmediate(function done() {
    result.at = 'later';
    callback(result);
  });
}

function sendLater(res, text) {
  setTimeout(function sent() {
    res.send(text);
  }, 1);
}

let ready = false;
later('start', function started(result) {
  ready = result.value === 'start';
});

const app = express();

app.get('/direct', function direct(req, res) {
  later(req.query.v || 'direct', function answered(result) {
    res.send(`direct ${result.value} ${result.at} ${ready}`);
  });
});

app.get('/local', function local(req, res) {
  const run = later;
  run(req.query.v || 'local', function replied(result) {
    res.send(`local ${result.value} ${result.at}`);
  });
});

app.get('/handed', function handed(req, res) {
  sendLater(res, 'handed');
});

sendLater({ send() {} }, 'at start-up');

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
