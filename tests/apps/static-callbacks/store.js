// Module state changed by whoever calls bump().
var visits = 0;

exports.bump = function bump() {
  visits += 1;
};

exports.visits = function () {
  return visits;
};
