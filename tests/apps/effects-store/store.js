// State of the app kept in a module of its own.
var visits = 0;

exports.bump = function bump() {
  visits += 1;
  return visits;
};
