'use strict';
// The merge of section 4.2.2, whole: what Express middleware really hands to the next handler.
const express = require('express');

const app = express();

function loadUser(req, res, next) {
  setImmediate(function found() {
    res.locals.user = { name: req.query.name || 'ada' };
    next();
  });
}

function stripQuery(req, res, next) {
  setImmediate(function stripped() {
    delete req.query.q;
    next();
  });
}

function tagHeaders(req, res, next) {
  setImmediate(function tagged() {
    for (const key of Object.keys(req.query)) req.seen[key] = true;
    next();
  });
}

function prepare(req, res, next) {
  req.seen = {};
  next();
}

function later(req, res, next) {
  req.late = 'yes';
  setTimeout(next, 1);
}

app.get('/user', loadUser, function showUser(req, res) {
  res.send(`user ${res.locals.user.name}`);
});

app.get('/query', stripQuery, function showQuery(req, res) {
  res.send(`q ${req.query.q === undefined ? 'gone' : 'kept'}`);
});

app.get('/seen', prepare, tagHeaders, function showSeen(req, res) {
  res.send(`seen ${Object.keys(req.seen).join(',')}`);
});

app.get('/late', later, function showLate(req, res) {
  res.send(`late ${req.late}`);
});

app.get('/noted', function noted(req, res, next) {
  // Answers at once: next is not called, nor handed on ("next" in a string is not a use).
  res.send('noted, no next');
});

app.get('/boom', function boom(req, res, next) {
  setImmediate(function failed() {
    next(new Error('boom'));
  });
});

app.use(function notFound(req, res) {
  res.send('none here');
});

app.use(function annotate(err, req, res, next) {
  req.failedAt = req.path;
  setImmediate(function annotated() {
    next(err);
  });
});

app.use(function failure(err, req, res, next) {
  req.failed = err.message;
  setImmediate(function reported() {
    res.send(`failed: ${req.failed} at ${req.failedAt}`);
  });
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
