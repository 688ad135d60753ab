// Bound handlers and `this`: a counter instance whose methods are handlers bound to it, and a
// method that hands `this` to a callback through `const self = this`.
var express = require('express');

function Counter() {
  this.count = 0;
  this.paths = [];
}

Counter.prototype.bump = function bump(req, res) {
  this.count += 1;
  this.paths.push(req.path);
  res.send('bumped\n');
};

Counter.prototype.read = function read(req, res) {
  res.send('count ' + this.count + ' of ' + this.paths.length + '\n');
};

Counter.prototype.later = function later(req, res) {
  const self = this;
  setTimeout(function tick() {
    self.count += 10;
    res.send('later ' + self.count + '\n');
  }, 1);
};

var counter = new Counter();
var app = express();

app.get('/bump', counter.bump.bind(counter));
app.get('/read', counter.read.bind(counter));
app.get('/later', counter.later.bind(counter));

app.listen(process.env.PORT || 0);
