// connect 3 behind a plain http server: a counting middleware and a mounted reply.
const connect = require('connect');
const http = require('http');

const app = connect();
let hits = 0;

app.use(function count(req, res, next) {
  hits += 1;
  next();
});

app.use('/hits', function reply(req, res) {
  res.end(`hits ${hits}\n`);
});

http.createServer(app).listen(Number(process.env.PORT || 0), '127.0.0.1');
