// The effect hooks on their common path: each round is one part (a setImmediate callback) whose
// loop makes a million turns of ten recorded accesses (reads and writes of module variables, a
// call of a free function, a method call and the write through `this` it makes), then reads
// through `this` a million times; prints the CPU time of a recorded access, a line a round.
var ROUNDS = 7;
var N = 1000000;
var count = 0;
var total = 0;
var store = { items: 0, add: function (k) { this.items += k; } };
function bump(k) { return k + 1; }
function Meter() { this.level = 1; }
Meter.prototype.read = function (n) {
  var s = 0;
  for (var i = 0; i < n; i++) s += this.level;
  return s;
};
var meter = new Meter();
var round = 0;

function cpu(start) {
  var used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}

function step() {
  var start = process.cpuUsage();
  // Recorded a turn: N; count read, written; bump read, called; total read, written; store
  // read, its method called; store.items written.
  for (var i = 0; i < N; i++) {
    count = count + 1;
    total = bump(total);
    store.add(1);
  }
  var loop = cpu(start) / N / 10;
  start = process.cpuUsage();
  meter.read(N);
  var reads = cpu(start) / N;
  console.log('round ' + round + ': ' + loop.toFixed(1) + ' ns an access, ' + reads.toFixed(1) +
    ' ns a read through this');
  round += 1;
  if (round < ROUNDS) setImmediate(step);
}
setImmediate(step);
