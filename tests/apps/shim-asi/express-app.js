'use strict';
// Express 5 with its body parsers and router: body-parser 2 and router 2 are written without
// semicolons, and are instrumented with JITFLUX_INCLUDE in the tests.
const express = require('express');

const app = express();
const api = express.Router();
const seen = [];

api.post('/json', express.json({ type: '*/*' }), (req, res) => {
  seen.push(req.body.name);
  res.json({ got: req.body, seen });
});
api.post('/form', express.urlencoded({ extended: true }), (req, res) => {
  res.send(`form ${JSON.stringify(req.body)}\n`);
});
api.post('/text', express.text({ type: '*/*' }), (req, res) => {
  res.type('text/plain').send(req.body.toUpperCase());
});
api.get('/fail', (req, res, next) => {
  next(new Error('failed on purpose'));
});
app.use('/api', api);
app.use((err, req, res, next) => {
  res.status(500).send(`error: ${err.message}\n`);
});
app.listen(Number(process.env.PORT || 0), '127.0.0.1');
