// Not JavaScript: a handler with a missing closing parenthesis.
module.exports = function broken(req, res) {
  res.send('never' ;
};
