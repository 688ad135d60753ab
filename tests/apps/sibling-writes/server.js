// An object made per request, changed by one continuation and read by another: both are handed
// over by the request listener, and neither runs after the other in the program's streams.
const http = require('http');

function serve(req, res) {
  const job = { done: false };
  setTimeout(function finish() {
    job.done = true;
  }, 5);
  setTimeout(function report() {
    res.end(`done ${job.done}\n`);
  }, 20);
}

http.createServer(serve).listen(Number(process.env.PORT || 0), '127.0.0.1');
