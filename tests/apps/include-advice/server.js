'use strict';
// A router mounted with app.use and a handler from a package: which `--include` would help.
const express = require('express');
const bodyParser = require('body-parser');

const app = express();
const api = express.Router();

api.get('/hello', function hello(req, res) {
  res.send('hello');
});

app.use(bodyParser.json());
app.use('/api', api);

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
