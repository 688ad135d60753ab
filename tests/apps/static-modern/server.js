// An app whose helper file uses syntax esprima 4 cannot parse; its own routes still compile.
var express = require('express');
var fs = require('fs');
var format = require('./format');

var app = express();

app.get('/', function home(req, res) {
  fs.readFile(__filename, function sent(err, data) {
    res.send(format.describe({ size: data && data.length }));
  });
});
app.listen(process.env.PORT || 0);
