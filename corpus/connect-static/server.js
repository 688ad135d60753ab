// connect 3 with serve-static: files from public/, a hit counter middleware in front of them,
// a JSON view of the counter, and a 404 handler, on a plain http server.
var connect = require('connect');
var serveStatic = require('serve-static');
var http = require('http');
var path = require('path');

var app = connect();
var hits = {};

app.use(function countHits(req, res, next) {
  hits[req.url] = (hits[req.url] || 0) + 1;
  next();
});

app.use(serveStatic(path.join(__dirname, 'public'), { index: ['index.html'] }));

app.use('/hits', function showHits(req, res) {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(hits));
});

app.use(function notFound(req, res) {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain');
  res.end('not found: ' + req.url + '\n');
});

http.createServer(app).listen(process.env.PORT || 3000);
