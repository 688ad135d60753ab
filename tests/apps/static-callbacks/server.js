// Callbacks given by name, walked back to their last value, across the app's own files.
var express = require('express');
var fs = require('fs');
var routes = require('./routes');
var store = require('./store');

var app = express();
var api = express.Router();

// A function declaration registered by name.
function status(req, res) {
  fs.stat(__filename, function statDone(err, stats) {
    res.json({ visits: store.visits(), file: !err && stats.isFile() });
  });
}

// Reassigned before it is registered: the last value is the handler that serves.
var echo = function (req, res) {
  res.send('first\n');
};
echo = function echoLast(req, res) {
  res.send('echo ' + String(req.query.text || '') + '\n');
};

api.get('/status', status);
api.get('/echo', echo);
app.use('/api', api);
// A property of one of the app's own files, followed into its exports.
app.get('/hello', routes.hello);
app.listen(process.env.PORT || 0);
