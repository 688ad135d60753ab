// Writes through `this` in a setter, reads through a getter, and a write inside finally.
var express = require('express');
var app = express();
var stats = { served: 0 };
var counter = {
  value: 0,
  get next() {
    return this.value + 1;
  },
  set next(v) {
    this.value = v;
  },
};

app.get('/', function tick(req, res) {
  try {
    counter.next = counter.next;
  } finally {
    stats.served++;
  }
  res.send('value ' + counter.value + ', served ' + stats.served + '\n');
});

app.listen(process.env.PORT || 0);
