// Calls that fail: the error messages name the code as written, traced or not.
var express = require('express');
var app = express();
var notAFunction = 42;
var store = { count: 0 };

function report(res, fn) {
  try {
    fn();
  } catch (e) {
    res.send(e.constructor.name + ': ' + e.message + '\n');
  }
}

app.get('/call', function callFree(req, res) {
  report(res, function () { notAFunction(1); });
});

app.get('/method', function callMissing(req, res) {
  report(res, function () { store.bump(); });
});

app.get('/param', function callParam(req, res, next) {
  report(res, function () { next.missing(); });
});

app.listen(process.env.PORT || 0);
