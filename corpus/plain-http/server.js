// A plain node:http server with no framework: a counter, a file streamed with pipe, a POST body
// read from the request's 'data' and 'end' events, and the last body posted.
var http = require('http');
var fs = require('fs');
var path = require('path');
var url = require('url');

var counter = 0;
var lastEcho = null;

function readBody(req, done) {
  var chunks = [];
  req.on('data', function onData(chunk) {
    chunks.push(chunk);
  });
  req.on('end', function onEnd() {
    done(Buffer.concat(chunks).toString('utf8'));
  });
}

var server = http.createServer(function onRequest(req, res) {
  var parsed = url.parse(req.url, true);
  if (parsed.pathname === '/count') {
    counter += 1;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('count: ' + counter + '\n');
  } else if (parsed.pathname === '/file') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    fs.createReadStream(path.join(__dirname, 'hello.txt')).pipe(res);
  } else if (parsed.pathname === '/echo' && req.method === 'POST') {
    readBody(req, function echo(body) {
      lastEcho = body;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ length: body.length, body: body }));
    });
  } else if (parsed.pathname === '/last') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(String(lastEcho) + '\n');
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found: ' + parsed.pathname + '\n');
  }
});

server.listen(process.env.PORT || 3000, '127.0.0.1');
