// Promise chains and await: each step continues from the one before it; a step added to a
// helper's promise continues from the handler that added it.
var express = require('express');
var fs = require('fs');

var app = express();

app.get('/chain', function chained(req, res) {
  var size = null;
  fs.promises
    .readFile(__filename)
    .then(function measure(data) {
      size = data.length;
      return data;
    })
    .then(function pass(data) {
      return data;
    })
    .then(function answer() {
      res.send(size === null ? 'none:\n' : 'size:' + size + '\n');
    });
});

async function helper() {
  const data = await fs.promises.readFile(__filename);
  return data.length;
}

app.get('/await', async function awaiting(req, res) {
  const n = await helper();
  res.send('length ' + n + '\n');
});

// A helper that ends its own chain; the handler adds a step to the promise it returns.
function loadSize() {
  return fs.promises.readFile(__filename).then(function count(data) {
    return data.length;
  });
}

app.get('/helper-then', function viaHelper(req, res) {
  loadSize().then(function reply(n) {
    res.send('helper ' + n + '\n');
  });
});

app.listen(process.env.PORT || 0);
