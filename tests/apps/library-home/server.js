'use strict';
// A function object the `once` package makes and keeps in its own variable: with `--include
// once`, its `.called` flag, set when one route calls it and read by another, is the app's
// `greet`, shared.
const express = require('express');
const once = require('once');

const app = express();
const greet = once(function hello() {
  return 'hello';
});

app.get('/greet', function first(req, res) {
  res.send(`${greet()}\n`);
});

app.get('/called', function called(req, res) {
  res.send(`called ${greet.called}\n`);
});

app.listen(Number(process.env.PORT || 0), '127.0.0.1');
