// A variable declared and used inside one callback, also by a function nested in it: the
// callback owns it, so no effect is recorded.
var express = require('express');
var app = express();

app.get('/', function handler(req, res) {
  var visits = 0;
  function bump() {
    visits += 1;
  }
  bump();
  visits += 1;
  res.send('visits ' + visits + '\n');
});

app.listen(process.env.PORT || 0);
