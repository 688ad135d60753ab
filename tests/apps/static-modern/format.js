// Modern syntax: optional chaining and nullish coalescing (Node runs it, esprima 4 cannot parse it).
exports.describe = function describe(info) {
  return 'size ' + (info?.size ?? 0) + '\n';
};
