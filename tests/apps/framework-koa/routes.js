// Handlers of another module, registered by member expression, and a counter whose method is
// registered bound to it.
exports.about = async function about(ctx) {
  ctx.body = 'about\n';
};

function Visits() {
  this.seen = 0;
}

Visits.prototype.show = function show(ctx) {
  this.seen += 1;
  ctx.body = `seen ${this.seen}\n`;
};

exports.visits = new Visits();
