// How the process ends: a listener of its own on 'exit', optionally on SIGINT (APP_SIGINT=1),
// and a route whose timer throws an uncaught exception.
var http = require('http');

process.on('exit', function onExit(code) {
  process.stdout.write('exit ' + code + '\n');
});

if (process.env.APP_SIGINT) {
  process.on('SIGINT', function onInterrupt() {
    process.exit(3);
  });
}

http.createServer(function serve(req, res) {
  if (req.url === '/crash') {
    setTimeout(function crash() {
      throw new Error('crash on purpose');
    }, 1);
  }
  res.end('ok\n');
}).listen(process.env.PORT || 0);
