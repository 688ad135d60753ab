// Plain http: the request listener is a method of an object, handed to createServer by name.
const http = require('http');

let hits = 0;
const handlers = {
  serve(req, res) {
    hits += 1;
    res.end(`hits ${hits}\n`);
  },
};

http.createServer(handlers.serve).listen(Number(process.env.PORT || 0), '127.0.0.1');
