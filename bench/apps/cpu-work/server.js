// A bench app with about 1 ms of CPU work per request (JSON round trips and hashing), in the
// paper's shape: a route handler, a continuation that keeps a counter and a cache in module
// variables, and a reply.
var app = require('express')(),
  crypto = require('crypto'),
  hits = 0,
  cache = {};

// A document of `size` items built from `seed`: the JSON work of each request.
function makeDocument(seed, size) {
  var items = [];
  for (var i = 0; i < size; i++) {
    items.push({ id: seed * size + i, name: 'item-' + i, tags: ['a' + (i % 7), 'b' + (i % 5)] });
  }
  return { seed: seed, items: items };
}

// Serialise, parse back and hash the document a few times: about 1 ms on one core.
function digest(seed) {
  var doc = makeDocument(seed, 400);
  var hash = crypto.createHash('sha256');
  for (var round = 0; round < 4; round++) {
    var text = JSON.stringify(doc);
    doc = JSON.parse(text);
    hash.update(text);
  }
  return hash.digest('hex');
}

app.get('/', function handler(req, res) {
  var seed = Number(req.query.n) || 0;
  setImmediate(function compute() {
    hits += 1;
    var value = digest(seed + (hits % 100));
    cache[value.slice(0, 2)] = hits;
    res.json({ hits: hits, digest: value, buckets: Object.keys(cache).length });
  });
});

app.listen(process.env.PORT || 8090);
