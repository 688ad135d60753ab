// A module-level object changed inside a continuation: `lookup` starts the read, `remember`
// stores the result.
var express = require('express');
var fs = require('fs');
var app = express();
var cache = {};

app.get('/', function lookup(req, res) {
  var key = req.query.key || 'self';
  fs.readFile(__filename, 'utf8', function remember(err, text) {
    cache[key] = err ? 0 : text.length;
    res.send(key + ' ' + Object.keys(cache).length + '\n');
  });
});

app.listen(process.env.PORT || 0);
