// Registrations through a Router, app.route() and app.all, and a sub-router mounted with app.use.
var express = require('express');
var app = express();
var api = express.Router();

api.get('/item', function routed(req, res) {
  res.send('item\n');
});

app.route('/chain').get(function chained(req, res) {
  res.send('chain\n');
});

app.all('/any', function anyMethod(req, res) {
  res.send(req.method + '\n');
});

app.use('/api', api);

app.listen(process.env.PORT || 0);
