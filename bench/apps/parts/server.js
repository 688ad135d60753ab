// 300,000 parts: each setImmediate callback begins one; prints the CPU time they took.
var n = 0;
var start = process.cpuUsage();
function step() {
  n += 1;
  if (n < 300000) {
    setImmediate(step);
  } else {
    var used = process.cpuUsage(start);
    console.log(((used.user + used.system) / n * 1000).toFixed(0) + ' ns of CPU a part');
  }
}
step();
