'use strict';
// Variables of one name kept apart, an anonymous callback in each of two files, a long callee.
const express = require('express');
const send = require('send');
const counter = require('./counter');

let count = 0;
const app = express();

app.get('/count', function show(req, res) {
  count++;
  counter.bump();
  res.send(`count ${count} ${counter.total()}`);
});

app.get('/file', function file(req, res) {
  send(req, 'missing-on-purpose.txt', { root: __dirname, index: false }).on('error', function failed(err) {
    res.send(`missing: ${err.status}`);
  }).on('directory', function directory() {
    res.send('a directory');
  }).pipe(res);
});

setImmediate(function () {
  count = 0;
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
