// The paper's figure 5: `a` is changed by one part (scope), `b` is set upstream and read
// downstream (stream), `c` is set downstream and read upstream (share).
var app = require('express')(),
  a = 0,
  c = 0;

app.get('/', function onReq(req, res) {
  var b = req.query.v || 'x';
  setImmediate(function add() {
    a += 1;
    var v = b + ':' + a + ':' + c;
    setTimeout(function end() {
      c = v.length;
      res.send(v + '\n');
    }, 1);
  });
});

app.listen(process.env.PORT || 8080);
