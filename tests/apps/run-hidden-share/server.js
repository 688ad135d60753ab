// A variable written by one fluxion and read by another: the getRawBody callback adds to
// `total`, GET /total reads it. Traced without GET /total, the writer looks isolated; moved to
// a worker (--isolate), its copy of `total` is not the main thread's, and GET /total says so.
var app = require('express')(),
  getRawBody = require('raw-body'),
  total = 0;

app.post('/add', function add(req, res, next) {
  getRawBody(req, function (err, buffer) {
    total += buffer.length;
    req.size = buffer.length;
    next(err);
  });
}, function reply(req, res) {
  res.send('added ' + req.size + '\n');
});

app.get('/total', function (req, res) {
  res.send('total ' + total + '\n');
});

app.listen(process.env.PORT || 8071);
