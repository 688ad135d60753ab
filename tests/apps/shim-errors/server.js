// Errors must travel exactly as untraced: thrown in a handler, passed to next, caught by an error
// middleware with four parameters, or left to Express's default handler (whose page shows the
// stack trace, columns included).
var express = require('express');
var app = express();
var served = 0;

app.use(function countAll(req, res, next) { served += 1; next(); });

app.get('/ok', function ok(req, res) { res.status(201).send('ok ' + served + '\n'); });

app.get('/boom', function boom(req, res) { var why = 'boom ' + served; throw new Error(why); });

app.get('/caught/throw', function caughtThrow(req, res) {
  throw new TypeError('bad input ' + req.query.v);
});

app.get('/caught/next', function caughtNext(req, res, next) {
  setTimeout(function later() { next(new RangeError('late ' + served)); }, 1);
});

app.get('/stack', function stack(req, res) { res.type('text').send(new Error('here').stack + '\n'); });

app.get('/stack/later', function stackLater(req, res) {
  setImmediate(function afterwards() { res.type('text').send(new Error('afterwards').stack + '\n'); });
});

app.use('/caught', function caught(err, req, res, next) {
  res.status(err instanceof TypeError ? 400 : 500).send(err.name + ': ' + err.message + ' (' + next.length + ')\n');
});

app.listen(process.env.PORT || 0);
