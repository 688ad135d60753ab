// The paper's listing 1: read a file and send it back with a request counter.
var app = require('express')(),
  fs = require('fs'),
  count = 0;

function template(n, data) {
  return 'request ' + n + ': ' + data.length + ' bytes\n';
}

app.get('/', function handler(req, res) {
  fs.readFile(__filename, function reply(err, data) {
    count += 1;
    res.send(err || template(count, data));
  });
});

app.listen(process.env.PORT || 8080);
