'use strict';
// A view engine that main registers and Express calls synchronously while a handler renders:
// it runs inside the handler's part (no rupture point), so its counter is the handler's state.
const express = require('express');

let renders = 0;
const app = express();

app.engine('txt', function renderText(file, options, done) {
  renders++;
  done(null, `${options.title} (render ${renders})\n`);
});
app.set('views', __dirname);
app.set('view engine', 'txt');

app.get('/page', function page(req, res) {
  res.render('page', { title: 'hello' });
});

app.listen(Number(process.env.PORT || 0), '127.0.0.1');
