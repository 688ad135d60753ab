// Route handlers kept in their own file.
var store = require('./store');

exports.hello = function hello(req, res) {
  store.bump();
  setImmediate(function later() {
    res.send('hello ' + store.visits() + '\n');
  });
};
